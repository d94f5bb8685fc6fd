"""Step-level check of the veto (helper cf). Not shipped.

Each seed folder (4 realistic sessions, see session_classes_dev.py) goes through the real
steps with oracle words: its sessions are copied with whisperx_output.json = the exact words
(the transcribe step takes it as-is), uploaded to a fresh store, transcribed, aligned
(silkpipe.steps.align_run, default AlignConfig). No controls here (the harness has them).
Rows: offset error, excluded, gate, class sessions, first-pass verdict of the key.

    python bench/notes/session_classes_step.py OUT.json SEED_DIR... [--VETO=0]
"""

import json
import shutil
import sys
import tempfile
from pathlib import Path

from silkpipe import session_classes as sc
from silkpipe.pipeline import upload_inputs
from silkpipe.steps import align_run
from silkpipe.store import labels_key, open_store, published
from silkpipe.voice_score import oracle_transcript, transcribe_all


def run_folder(folder: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix="sc-step-") as tmp:
        data = Path(tmp) / "data"
        names = sorted(p.parent.name for p in folder.glob("*/truth.json"))
        truths = {}
        for n in names:
            shutil.copytree(folder / n, data / n)
            truths[n] = json.loads((data / n / "truth.json").read_text())
            words = json.dumps(oracle_transcript(truths[n]))
            (data / n / "whisperx_output.json").write_text(words)
        store = open_store(str(Path(tmp) / "store"))
        upload_inputs(store, data)
        assert transcribe_all(str(Path(tmp) / "store"), names, "r", "faster-whisper", None, 1) == {}
        align_run(store, "r", progress=False)
        version = published(store, "r", "labels")["version"]
        rows = {}
        for n in names:
            rep = json.loads(store.get_bytes(labels_key("r", n, "json", version)))
            off = rep.get("offset_s")
            rows[n] = dict(
                err=None if off is None else round(off - truths[n]["offset_s"], 3),
                excluded=rep["excluded"],
                gate=rep.get("gate", ""),
                quality=rep.get("quality"),
                class_sessions=rep.get("class_sessions"),
                first_pass=rep["inputs"].get("first_pass"),
            )
        return rows


def summary(runs: dict) -> dict:
    rows = [r for run in runs.values() for r in run.values()]
    ok = [r for r in rows if r["err"] is not None and abs(r["err"]) <= 0.3]
    return dict(
        sessions=len(rows),
        within=len(ok),
        right=sum(not r["excluded"] for r in ok),
        false=sum(not r["excluded"] and r["err"] is not None and abs(r["err"]) > 0.5 for r in rows),
        vetoed=sum(r["first_pass"] == "passed" and r["excluded"] for r in rows),
    )


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    for a in sys.argv[1:]:
        if a.startswith("--VETO="):
            sc.VETO = bool(int(a.split("=", 1)[1]))
    out = Path(args[0])
    runs = json.loads(out.read_text()) if out.exists() else {}
    for d in args[1:]:
        if Path(d).name not in runs:
            runs[Path(d).name] = run_folder(Path(d))
            out.write_text(json.dumps(runs, indent=1))
    print(summary(runs))
