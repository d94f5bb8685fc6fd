"""Dev harness of the clip-trained alignment (issue 24, helper a24). Not shipped.

Protocol: the R12 training side of clips-dev (bench.voice_path.split_clips: outside 320-530 s
of the gesture block, noise block 0) is split clip by clip, per class, into two halves: the
even clips build the dev sessions (`silkpipe synth --from-clips HALF --realistic --seed S
--gestures 30`, S = 51..62, two sessions each), the odd clips train the clip model. Words are
the oracle's (exact words at the true times). Prints per session the offset error, energy
quality, class p and gate, and for each session three shifted-audio controls (one gesture
period twice, 5-20 s once) and one shuffled (another session's words).

    python bench/notes/clip_align_dev.py split OUT            # OUT/sess_clips, OUT/model_clips
    python bench/notes/clip_align_dev.py DEV_DIR... [--clips=MODEL_CLIPS] [--nocontrols]
"""

import collections
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from align_dev import load  # noqa: E402

from silkpipe.alignment import AlignConfig, align_session  # noqa: E402
from silkpipe.clip_evidence import clip_model_from_folder  # noqa: E402
from silkpipe.voice_score import SHIFTS, shifted_control  # noqa: E402


def split(out: Path) -> None:
    from bench.voice_path import Run, split_clips

    clips = Path(__file__).resolve().parents[2].parent / "shared/data/clips-dev"
    train, _ = split_clips(clips, Run("R12", (320.0, 530.0), 0, 12, realistic=True), out / "r12")
    by = collections.defaultdict(list)
    for p in sorted(train.glob("*.csv")):
        by[p.name.split("_")[0]].append(p)
    for name in ("sess_clips", "model_clips"):
        (out / name).mkdir(parents=True, exist_ok=True)
    for cls, paths in by.items():
        for i, p in enumerate(paths):
            half = "sess_clips" if i % 2 == 0 or cls == "baseline" else "model_clips"
            shutil.copyfile(os.path.realpath(p), out / half / p.name)


def main(dirs, clips=None, controls=True):
    model = clip_model_from_folder(clips) if clips else None
    data = {
        f.parent.name: load(f.parent) for d in dirs for f in sorted(Path(d).glob("*/truth.json"))
    }
    names = sorted(data)
    cfg = AlignConfig()
    rows, ctl = [], []
    t0 = time.time()
    for i, n in enumerate(names):
        truth, motion, cmds = data[n]
        _, rep = align_session(n, motion, cmds, cfg, clip_model=model)
        err = None if rep.offset_s is None else rep.offset_s - truth["offset_s"]
        line = (
            f"{n:19s} {truth['delivery']['kind'][:5]:5s} err={'-' if err is None else f'{err:+.2f}':>6s} "
            f"q={rep.quality:5.2f} p={rep.quality_p_value:.3f} cp={rep.class_p_value:.4f} "
            f"ex={int(rep.excluded)} g={rep.gate[:14]:14s}"
        )
        if controls:
            rng = np.random.default_rng([0, i])
            for kind, lo, hi in SHIFTS + (("period", 1.5, 3.0),):
                shift = float(rng.choice([-1.0, 1.0]) * rng.uniform(lo, hi))
                r = shifted_control(
                    n, motion, cmds, truth["offset_s"], shift, cfg, clip_model=model
                )
                ctl.append(r["outcome"])
                line += f" |{kind[:3]}{shift:+.1f}:{r['outcome'][:4]} e={r['offset_error']} q={r['quality']:.1f}"
            donor = names[(i + 1) % len(names)]
            _, crep = align_session(n + "-ctl", motion, data[donor][2], cfg, clip_model=model)
            ctl.append("excluded" if crep.excluded else "false pass")
            line += f" |shuf:{'ex' if crep.excluded else 'PASS'} q={crep.quality:.1f}"
        print(line, flush=True)
        rows.append((err, rep.excluded))
    ok = sum(e is not None and abs(e) <= 0.3 for e, _ in rows)
    bad = sum(e is not None and abs(e) > 0.5 and not x for e, x in rows)
    right = sum(e is not None and abs(e) <= 0.3 and not x for e, x in rows)
    print(
        f"within0.3 {ok}/{len(rows)}  passed {sum(not x for _, x in rows)} (right {right})  "
        f"false-pass {bad}  controls false-pass {ctl.count('false pass')}/{len(ctl)}  "
        f"({time.time() - t0:.0f}s)"
    )


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["split"]:
        split(Path(args[1]))
    else:
        clips = next((a.split("=", 1)[1] for a in args if a.startswith("--clips=")), None)
        main([a for a in args if not a.startswith("--")], clips, "--nocontrols" not in args)
