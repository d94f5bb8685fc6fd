"""diag45 (not shipped): the loss rule's split on shifted controls from run rows.
Usage: ctlsplit.py ROWS.json RUN SESSION_DIR  (every period/far control of that session)."""

import json
import sys
from pathlib import Path

sys.path.insert(0, "bench/notes/diag45")
import split45  # noqa: F401  (installs the spy on al._split_offsets; argv-driven loop is skipped)
from align_dev import load

import silkpipe.alignment as al
from silkpipe.voice_score import session_clock, shifted_control

rows, run, d = sys.argv[1], sys.argv[2], Path(sys.argv[3])
cfg = al.AlignConfig()
truth, _, cmds = load(d)
T = truth["offset_s"]
motion = session_clock((d / "sensor_data.csv").read_text(), truth, d.name).motion
for r in json.load(open(rows))[run]["controls"][d.name]:
    if r["kind"] not in ("period", "far") or r.get("fit_offset_s") is None:
        continue
    shift = r["err"] - r["fit_offset_s"] - cfg.word_to_peak_s
    split45.REC.clear()
    row = shifted_control(d.name, motion, cmds, T, shift, cfg)
    print(
        f"{d.name} {r['kind']} row err {r['err']} gate {r['gate']}; shift {shift:+.2f} -> first pass err {row['offset_error']} q {row['quality']} gate {row['gate']}"
    )
    for x in split45.REC:
        if x["out"] is None:
            print("   split: None (too few words a side)")
            continue
        ns = [(s["n"], s["ev"]) if s else None for s in x["sides"]]
        print(
            f"   split offsets diff (after - before) {x['out'][1] - x['out'][0]:+.3f}, sides (words, event) {ns}"
        )
