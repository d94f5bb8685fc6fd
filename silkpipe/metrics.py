"""Step metrics: Prometheus gauges per (run, step, session), pushed to a Pushgateway.

Every step is a short batch process, so it cannot be scraped: it records its figures in
a registry of its own and pushes that registry once, when it ends, to the Pushgateway
named by ``SILKPIPE_PUSHGATEWAY`` (host:port). Each push is one *group* keyed by
``job="silkpipe"``, ``run``, ``step`` and ``session`` (when the step has one), or
``chunk`` for a transcription pod of the cluster fan-out (``transcribe --chunk``), so
parallel pods of one run never replace each other's group.

Push semantics (deliberate): a step's group is replaced whole (``push_to_gateway``,
HTTP PUT), never merged (``pushadd``, POST). A group is the complete outcome of one
attempt of one step; when Argo retries a preempted pod, or a user re-runs a step, the
new attempt's figures must not sit beside stale ones from the last attempt (e.g. a
``silkpipe_commands{class="jump"}`` that the new transcript no longer has).
The one value that must outlive runs, ``silkpipe_step_last_success_timestamp_seconds``,
also goes to a separate run-less group ``{job="silkpipe", step=...}``, pushed only on
success, so neither a later failure nor the cleanup of finished runs erases it (the
"no successful run in N days" alert reads it).

Finished runs are removed from the gateway with :func:`delete_run` /
:func:`cleanup_finished_runs` (the report step calls the latter for runs it finished
long enough ago for Prometheus to have scraped them).

Only known figure keys become metrics; unknown keys are ignored and ``class`` labels
only ever take values from the gesture vocabulary, so no figure can create unbounded
series. Everything is also kept in-process (:func:`snapshot`, :func:`exposition`) for
the local runner, which has no Prometheus.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client.exposition import delete_from_gateway, push_to_gateway

from silkpipe.vocabulary import CLASSES

log = logging.getLogger(__name__)

JOB = "silkpipe"
GATEWAY_ENV = "SILKPIPE_PUSHGATEWAY"
PUSH_TIMEOUT_S = 5.0

# figure key -> (metric name, help). Gauges: each value is the state of one run's step.
SIMPLE: dict[str, tuple[str, str]] = {
    # transcribe
    "audio_seconds": ("silkpipe_audio_seconds", "Seconds of audio in the session(s) transcribed."),
    "real_time_factor": (
        "silkpipe_transcription_real_time_factor",
        "Transcription speed: audio seconds per wall-clock second (>1 is faster than real time).",
    ),
    "words": ("silkpipe_transcript_words", "Words in the transcript."),
    "cached": ("silkpipe_transcript_cache_hit", "1 if the transcript was reused from the cache."),
    # align, per session
    "offset_s": (
        "silkpipe_session_offset_seconds",
        "Estimated audio->IMU clock offset of the session (t_imu = t_audio + offset).",
    ),
    "offset_confidence": (
        "silkpipe_session_offset_confidence",
        "Offset peak height over the other lags, in standard deviations.",
    ),
    "quality": (
        "silkpipe_session_label_quality",
        "Label quality: commands' match to motion over shuffled commands, in standard "
        "deviations (about 0 is chance).",
    ),
    "excluded": ("silkpipe_session_excluded", "1 if the session is excluded from training."),
    "failed": ("silkpipe_session_failed", "1 if the step failed for this session."),
    # train / evaluate
    "epochs": ("silkpipe_training_epochs", "Epochs trained."),
    "train_seconds": ("silkpipe_training_seconds", "Wall-clock seconds spent training."),
    "windows": ("silkpipe_training_windows", "Labelled windows in the training set."),
    "final_loss": ("silkpipe_training_loss", "Training loss after the last epoch."),
    "val_macro_f1": ("silkpipe_model_validation_macro_f1", "Macro-F1 on the validation split."),
    "macro_f1": ("silkpipe_model_macro_f1", "Macro-F1 on held-out sessions."),
    "accuracy": ("silkpipe_model_accuracy", "Accuracy on held-out sessions."),
    "held_out": (
        "silkpipe_model_held_out",
        "1 if the model has a held-out test score (macro-F1, accuracy, class F1); 0 if it "
        "was trained with no test split (--no-test-split), so it has none.",
    ),
    "val_accuracy": ("silkpipe_model_validation_accuracy", "Accuracy on the validation split."),
}
# figure keys that only mean something for one step
STEP_SIMPLE: dict[tuple[str, str], tuple[str, str]] = {
    ("transcribe", "wall_seconds"): (
        "silkpipe_transcription_wall_seconds",
        "Wall-clock seconds spent transcribing.",
    ),
}
_CLASS_F1 = "F1 on held-out sessions, per gesture class."
# prefix + <class> + suffix -> metric with a class label (values limited to CLASSES)
PER_CLASS: dict[tuple[str, str], tuple[str, str]] = {
    ("commands_", ""): ("silkpipe_commands", "Spoken commands found, per gesture class."),
    ("labelled_seconds_", ""): (
        "silkpipe_labelled_seconds",
        "Seconds labelled, per gesture class.",
    ),
    ("f1_", ""): ("silkpipe_model_class_f1", _CLASS_F1),
    # the evaluate JSON's per_class: {jump: {f1: ...}} flattened
    ("per_class_", "_f1"): ("silkpipe_model_class_f1", _CLASS_F1),
}
# sessions_<state> -> silkpipe_sessions{state} (values limited to SESSION_STATES)
SESSION_STATES = ("ok", "failed", "excluded", "usable")

DURATION = "silkpipe_step_duration_seconds"
SUCCESS = "silkpipe_step_success"
LAST_SUCCESS = "silkpipe_step_last_success_timestamp_seconds"


@dataclass(frozen=True)
class Group:
    """One Pushgateway group: the outcome of one step (for one session) of one run."""

    run: str | None
    step: str
    session: str | None = None
    chunk: str | None = None

    def grouping_key(self) -> dict[str, str]:
        key = {"step": self.step}
        if self.run:
            key["run"] = self.run
        if self.session:
            key["session"] = self.session
        if self.chunk:
            key["chunk"] = self.chunk
        return key


_LOCK = threading.Lock()
_GROUPS: dict[Group, CollectorRegistry] = {}
_VALUES: dict[Group, dict[str, float]] = {}


def flatten(figures: Mapping) -> dict[str, float]:
    """Numbers only; nested dicts become ``key_subkey`` (``commands: {jump: 3}`` -> ...)."""
    flat: dict[str, float] = {}
    for key, value in figures.items():
        if isinstance(value, Mapping):
            for sub, subvalue in flatten(value).items():
                flat[f"{key}_{sub}"] = subvalue
        elif isinstance(value, bool):
            flat[str(key)] = float(value)
        elif isinstance(value, int | float) and value == value:  # drop NaN
            flat[str(key)] = float(value)
    return flat


def metric_samples(step: str, figures: Mapping) -> list[tuple[str, str, dict[str, str], float]]:
    """Known figure keys -> (metric name, help, labels, value); unknown keys are dropped."""
    out: list[tuple[str, str, dict[str, str], float]] = []
    for key, value in flatten(figures).items():
        known = STEP_SIMPLE.get((step, key)) or SIMPLE.get(key)
        if known:
            out.append((known[0], known[1], {}, value))
            continue
        if key.startswith("sessions_") and key[len("sessions_") :] in SESSION_STATES:
            state = key[len("sessions_") :]
            out.append(("silkpipe_sessions", "Sessions per outcome.", {"state": state}, value))
            continue
        for (prefix, suffix), (name, help_text) in PER_CLASS.items():
            cls = None
            if key.startswith(prefix) and key.endswith(suffix):
                cls = key[len(prefix) : len(key) - len(suffix)]
            if cls in CLASSES:
                out.append((name, help_text, {"class": cls}, value))
                break
    return out


def _build_registry(
    group: Group,
    figures: Mapping,
    *,
    duration_s: float | None = None,
    ok: bool | None = None,
    now: float | None = None,
) -> tuple[CollectorRegistry, dict[str, float]]:
    registry = CollectorRegistry()
    gauges: dict[str, Gauge] = {}
    values: dict[str, float] = {}

    def put(name: str, help_text: str, labels: dict[str, str], value: float) -> None:
        if name not in gauges:
            gauges[name] = Gauge(name, help_text, list(labels), registry=registry)
        gauge = gauges[name]
        (gauge.labels(**labels) if labels else gauge).set(value)
        suffix = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        values[f"{name}{{{suffix}}}" if suffix else name] = value

    for name, help_text, labels, value in metric_samples(group.step, figures):
        put(name, help_text, labels, value)
    if duration_s is not None:
        put(DURATION, "Wall-clock seconds the step took.", {}, duration_s)
    if ok is not None:
        put(SUCCESS, "1 if the step (for this session) succeeded, 0 if it failed.", {}, float(ok))
        if ok:
            put(LAST_SUCCESS, "Unix time the step last succeeded.", {}, now or time.time())
    return registry, values


def _keep(group: Group, registry: CollectorRegistry, values: dict[str, float]) -> None:
    with _LOCK:
        _GROUPS[group] = registry
        _VALUES[group] = values


def gateway() -> str | None:
    """The Pushgateway's host:port from ``SILKPIPE_PUSHGATEWAY`` (None: don't push)."""
    return os.environ.get(GATEWAY_ENV) or None


def _push(group: Group, registry: CollectorRegistry, ok: bool | None) -> bool:
    """PUT the group (replace); on success also the run-less last-success group."""
    target = gateway()
    if not target:
        return False
    try:
        push_to_gateway(
            target,
            job=JOB,
            registry=registry,
            grouping_key=group.grouping_key(),
            timeout=PUSH_TIMEOUT_S,
        )
        if ok and group.grouping_key() != {"step": group.step}:  # else that was the group
            last = CollectorRegistry()
            gauge = Gauge(LAST_SUCCESS, "Unix time the step last succeeded.", registry=last)
            gauge.set(_VALUES.get(group, {}).get(LAST_SUCCESS, time.time()))
            push_to_gateway(
                target,
                job=JOB,
                registry=last,
                grouping_key={"step": group.step},
                timeout=PUSH_TIMEOUT_S,
            )
        return True
    except Exception as err:  # metrics never fail a step
        log.warning("could not push metrics to Pushgateway %s: %s", target, err)
        return False


def record_group(
    group: Group,
    figures: Mapping,
    *,
    duration_s: float | None = None,
    ok: bool | None = None,
) -> dict[str, float]:
    """Record one group's figures in-process and push it when a gateway is configured."""
    registry, values = _build_registry(group, figures, duration_s=duration_s, ok=ok)
    _keep(group, registry, values)
    _push(group, registry, ok)
    return values


def record_session(
    run_id: str | None, step: str, session: str, figures: Mapping, *, ok: bool | None = None
) -> dict[str, float]:
    """Per-session figures from a step that covers all sessions in one process (align).

    ``figures`` may be the session's report as it is (nested ``commands`` /
    ``labelled_seconds`` dicts are flattened). Pushed as group (run, step, session).
    """
    return record_group(Group(run_id, step, session), figures, ok=ok)


@contextlib.contextmanager
def step_metrics(args) -> Iterator[Callable[[dict], None]]:
    """Time a CLI step; yields ``record(figures)``; on exit records duration and status.

    The group is (``args.run_id``, ``args.command``, ``args.session``, ``args.chunk``)
    where present.
    """
    group = Group(
        getattr(args, "run_id", None) or None,
        str(getattr(args, "command", None) or "unknown"),
        getattr(args, "session", None) or None,
        getattr(args, "chunk", None) or None,
    )
    figures: dict = {}
    started = time.perf_counter()
    ok = False
    try:
        yield figures.update
        ok = True
    finally:
        record_group(group, figures, duration_s=time.perf_counter() - started, ok=ok)


# ---- in-process view (the local runner) -------------------------------------------------


def snapshot() -> dict[Group, dict[str, float]]:
    """Every group recorded in this process: ``{Group: {'name{labels}': value}}``."""
    with _LOCK:
        return {group: dict(values) for group, values in _VALUES.items()}


def exposition() -> str:
    """All groups recorded in this process, in the Prometheus text format (with labels)."""
    lines = []
    with _LOCK:
        groups = list(_VALUES.items())
    for group, values in groups:
        key = {"job": JOB, **group.grouping_key()}
        for name, value in values.items():
            base, _, inner = name.partition("{")
            inner = inner.rstrip("}")
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(key.items()))
            labels = f"{labels},{inner}" if inner else labels
            lines.append(f"{base}{{{labels}}} {value!r}")
    return "\n".join(lines) + ("\n" if lines else "")


def registry_text(group: Group) -> bytes:
    """One group's registry in the text format, as pushed."""
    with _LOCK:
        registry = _GROUPS[group]
    return generate_latest(registry)


def reset() -> None:
    """Forget in-process groups (tests, or a long-lived runner between runs)."""
    with _LOCK:
        _GROUPS.clear()
        _VALUES.clear()


# ---- cleanup of finished groups --------------------------------------------------------


def gateway_groups(target: str | None = None) -> list[dict]:
    """The Pushgateway's groups of job silkpipe: ``[{"labels": {...}, "push_time": s}]``."""
    target = target or gateway()
    if not target:
        return []
    url = f"http://{target}/api/v1/metrics"
    with urllib.request.urlopen(url, timeout=PUSH_TIMEOUT_S) as response:
        data = json.load(response).get("data", [])
    groups = []
    for entry in data:
        labels = entry.get("labels", {})
        if labels.get("job") != JOB:
            continue
        push_time = 0.0
        for sample in entry.get("push_time_seconds", {}).get("metrics", []):
            push_time = max(push_time, float(sample.get("value", 0)))
        groups.append({"labels": labels, "push_time": push_time})
    return groups


def _delete(target: str, labels: Mapping[str, str]) -> None:
    key = {k: v for k, v in labels.items() if k != "job"}
    delete_from_gateway(target, job=JOB, grouping_key=key, timeout=PUSH_TIMEOUT_S)


def delete_run(run_id: str, target: str | None = None) -> int:
    """Delete every group of ``run_id`` from the gateway; returns how many."""
    target = target or gateway()
    if not target:
        return 0
    doomed = [g["labels"] for g in gateway_groups(target) if g["labels"].get("run") == run_id]
    for labels in doomed:
        _delete(target, labels)
    return len(doomed)


def cleanup_finished_runs(
    *,
    min_age_s: float = 3600.0,
    max_age_s: float = 7 * 86400.0,
    finished_step: str = "report",
    keep: str | None = None,
    target: str | None = None,
) -> list[str]:
    """Delete runs whose ``finished_step`` group was pushed over ``min_age_s`` ago (so
    Prometheus has scraped it), and runs with no push for ``max_age_s`` (abandoned).

    ``keep`` (the calling run) is never deleted. Run-less groups (last success) stay.
    Returns the deleted run ids; errors are logged, never raised.
    """
    target = target or gateway()
    if not target:
        return []
    now = time.time()
    try:
        groups = gateway_groups(target)
        latest: dict[str, float] = {}
        finished: dict[str, float] = {}
        for group in groups:
            run = group["labels"].get("run")
            if not run:
                continue
            latest[run] = max(latest.get(run, 0.0), group["push_time"])
            if group["labels"].get("step") == finished_step:
                finished[run] = group["push_time"]
        doomed = sorted(
            run
            for run, pushed in latest.items()
            if run != keep
            and (
                (run in finished and now - finished[run] >= min_age_s) or now - pushed >= max_age_s
            )
        )
        for group in groups:
            if group["labels"].get("run") in doomed:
                _delete(target, group["labels"])
        return doomed
    except Exception as err:
        log.warning("could not clean up Pushgateway %s: %s", target, err)
        return []
