"""Dev harness: align realistic sessions with oracle words (or stored transcripts) and
score offsets, gate, shifted and shuffled controls against truth.json. Not shipped."""

import json
import sys
import time
from pathlib import Path

import numpy as np

from silkpipe.alignment import AlignConfig, align_session
from silkpipe.sessions import read_sensor_csv, resample
from silkpipe.transcripts import extract_commands, parse_transcript
from silkpipe.voice_score import SHIFTS, oracle_transcript, shifted_control


def load(folder):
    truth = json.loads((folder / "truth.json").read_text())
    motion = resample(read_sensor_csv(folder / "sensor_data.csv", session=folder.name))
    cmds = extract_commands(
        parse_transcript(oracle_transcript(truth), session=folder.name)
    ).commands
    return truth, motion, cmds


def main(dirs, controls=True):
    rows = []
    data = {}
    for d in dirs:
        for f in sorted(Path(d).glob("*/truth.json")):
            data[f.parent.name] = load(f.parent)
    names = sorted(data)
    cfg = AlignConfig()
    t0 = time.time()
    for i, n in enumerate(names):
        truth, motion, cmds = data[n]
        ts = time.time()
        _, rep = align_session(n, motion, cmds, cfg)
        err = None if rep.offset_s is None else rep.offset_s - truth["offset_s"]
        line = (
            f"{n:22s} {truth['delivery']['kind']:12s} tm={rep.time_model:8s} "
            f"err={'-' if err is None else f'{err:+.2f}':>7s} q={rep.quality:5.2f} "
            f"sig={rep.signature_p:.3f} cp={rep.class_p_value:.3f} sep={rep.class_separation:.2f} p={rep.quality_p_value:.3f} ex={int(rep.excluded)} gate={rep.gate} "
            f"scale={rep.clock_scale:.4f} ({time.time() - ts:.1f}s)"
        )
        if controls:
            rng = np.random.default_rng([0, i])
            for kind, lo, hi in SHIFTS:
                shift = float(rng.choice([-1.0, 1.0]) * rng.uniform(lo, hi))
                r = shifted_control(n, motion, cmds, truth["offset_s"], shift, cfg)
                line += f" | {kind}:{r['outcome'][:4]} e={r['offset_error']} {r['reason'][:25]}"
            donor = names[(i + 1) % len(names)]
            _, crep = align_session(n + "-ctl", motion, data[donor][2], cfg)
            line += f" | shuf:{'ex' if crep.excluded else 'PASS'} q={crep.quality:.1f} cp={crep.class_p_value:.2f} p={crep.quality_p_value:.2f}"
        print(line, flush=True)
        rows.append((err, rep.excluded))
    ok = sum(e is not None and abs(e) <= 0.3 for e, _ in rows)
    bad = sum(e is not None and abs(e) > 0.5 and not x for e, x in rows)
    print(
        f"within0.3 {ok}/{len(rows)}  passed {sum(not x for _, x in rows)}  false-pass {bad}  ({time.time() - t0:.0f}s)"
    )


if __name__ == "__main__":
    main(
        [a for a in sys.argv[1:] if not a.startswith("--")], controls="--nocontrols" not in sys.argv
    )
