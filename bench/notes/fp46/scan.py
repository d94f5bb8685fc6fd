"""Rows of one voice-path run store per session (gate, error, class margin, first pass); fp46 helper. Not shipped.

python bench/notes/fp46/scan.py RUN... (names under /tmp/gap46/voice_path)
"""

import json
import sys
from pathlib import Path

runs = sys.argv[1:]
for run in runs:
    R = Path("/tmp/gap46/voice_path") / run
    ldir = next((R / "store/runs/bench/labels").glob("v*"))
    for p in sorted(ldir.glob("real*_session.json")):
        s = p.stem
        rep = json.loads(p.read_text())
        tp = R / "sessions" / s / "truth.json"
        if not tp.exists():
            continue
        true = json.loads(tp.read_text())["offset_s"]
        err = None if rep["offset_s"] is None else round(rep["offset_s"] - true, 2)
        fp = rep["inputs"].get("first_pass", "-")
        first = None
        rp = ldir / "rounds" / f"{s}.json"
        if rp.exists():
            for v in json.loads(rp.read_text()):
                if "first_pass" not in v["report"]["inputs"]:
                    first = v["report"]
        ferr = (
            None if not first or first["offset_s"] is None else round(first["offset_s"] - true, 2)
        )
        print(
            json.dumps(
                dict(
                    run=run,
                    s=s[4:10],
                    exc=rep["excluded"],
                    gate=rep["gate"],
                    err=err,
                    q=round(rep["quality"] or 0, 2),
                    p=round(rep["quality_p_value"] or 1, 3),
                    cm=rep["class_model"],
                    cp=round(rep["class_p_value"], 4),
                    m=rep["class_lag_margin"],
                    away=rep["class_best_away_s"],
                    fp=fp,
                    tm=rep["time_model"],
                    first_gate=first and first["gate"],
                    first_exc=first and first["excluded"],
                    first_err=ferr,
                )
            )
        )
