"""Report step: the run's HTML page, then its manifest (the run's last write).

The manifest records the report's inputs (the run's inputs, label set, model and failure
records); a report made from the same inputs is re-used.
"""

from __future__ import annotations

import logging

from silkpipe import store as keys
from silkpipe.errors import InputError
from silkpipe.report import build_report, write_manifest
from silkpipe.steps.common import STEP_VERSION, digest, is_sealed, sealed, sha256
from silkpipe.store import Store

log = logging.getLogger(__name__)

#: Files `evaluate --report runs/R/report` writes beside the page, which the page shows.
EVALUATE_OUTPUTS = ("cv.json", "metrics.json", "confusion.png")


def report_inputs(store: Store, run_id: str) -> str:
    """Hash of everything the report shows: inputs, transcripts, label set, model, failures,
    and what `evaluate --report` wrote into the report folder (a later `--cv` run is shown)."""
    listed = [
        key
        for prefix in (keys.transcripts_prefix(run_id), keys.failures_prefix(run_id))
        for key in store.list(prefix)
    ]
    single = [
        keys.run_inputs_key(run_id),
        keys.pointer_key(run_id, "labels"),
        keys.pointer_key(run_id, "model"),
        *(f"{keys.report_prefix(run_id)}/{name}" for name in EVALUATE_OUTPUTS),
    ]
    parts = {}
    for key in listed + single:
        try:
            parts[key] = sha256(store.get_bytes(key))
        except KeyError:
            continue
    return digest({"artifacts": parts, "step": STEP_VERSION["report"]})


def report_run(store: Store, run_id: str, *, force: bool = False) -> dict:
    """Write ``report/index.html`` and ``manifest.json``; returns their keys and ``reused``."""
    run = keys.run_prefix(run_id)
    if not store.list(run):
        known = sorted({k.split("/")[1] for k in store.list("runs")})
        raise InputError(
            f"run {run_id!r} does not exist in {store.uri} (runs there: "
            f"{', '.join(known)[:200] or 'none'})"
        )
    inputs = report_inputs(store, run_id)
    manifest_key = keys.manifest_key(run_id)
    try:
        old = keys.get_json(store, manifest_key)
    except (KeyError, ValueError):
        old = None
    page = keys.report_key(run_id)
    if not force and is_sealed(old) and old.get("inputs") == inputs and _intact(store, old):
        log.info("report of run %s was made from the same inputs: re-used", run_id)
        return {"report": page, "manifest": manifest_key, "reused": 1}
    page = build_report(store, run_id)
    write_manifest(store, run_id, {"inputs": inputs}, seal=sealed)
    return {"report": page, "manifest": manifest_key, "reused": 0}


def _intact(store: Store, manifest: dict) -> bool:
    """Every report file the manifest lists still holds the bytes it recorded (a page cut
    short or edited since is made again, not re-used; an edited manifest fails its seal)."""
    prefix = keys.report_prefix(str(manifest.get("run_id"))) + "/"
    listed = [
        a
        for a in manifest.get("artifacts") or []
        if isinstance(a, dict) and str(a.get("key", "")).startswith(prefix)
    ]
    if not listed:
        return False
    for artifact in listed:
        try:
            if sha256(store.get_bytes(artifact["key"])) != artifact.get("sha256"):
                return False
        except KeyError:
            return False
    return True
