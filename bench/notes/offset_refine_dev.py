"""Dev harness (issue 24, helper nz): would a final fine refinement of the offset (the
median residual between each event word's expected peak, word + offset + word_to_peak_s,
and the motion peak it snaps to) bring found offsets closer to the truth? Oracle words,
the offset and clock scale align_session finds (cached by noise_labels.found_fit).

    PYTHONPATH=. python bench/notes/offset_refine_dev.py DIR...
"""

import sys
from dataclasses import replace

import numpy as np

import bench.notes.label_dev as ld
from bench.notes.noise_labels import found_fit
from silkpipe.alignment import AlignConfig, event_peaks
from silkpipe.vocabulary import EVENT_CLASSES


def residual(cmds, offset, motion, cfg, classes=EVENT_CLASSES):
    """Median and count of (snapped peak - expected peak) over event words that snap."""
    peaks = event_peaks(cmds, offset, motion, cfg)
    r = [
        p - (c.start + offset + cfg.word_to_peak_s)
        for c, p in zip(cmds, peaks, strict=True)
        if c.cls in classes and p is not None
    ]
    return (float(np.median(r)) if r else 0.0), len(r)


def main(dirs):
    cfg = AlignConfig()
    rows = []
    for f in ld.folders_of(dirs):
        truth, clock, cmds = ld.load(f, True)
        offset, scale, refused = found_fit(f)
        if offset is None:
            continue
        cmds = [replace(c, start=c.start * scale, end=c.end * scale) for c in cmds]
        err = offset - truth["offset_s"]
        med, n = residual(cmds, offset, clock.motion, cfg)
        jt, _ = residual(cmds, offset, clock.motion, cfg, ("jump", "punch"))
        at_true, _ = residual(cmds, truth["offset_s"], clock.motion, cfg)
        it = offset
        for _ in range(3):  # iterated: the snap windows move with the offset
            it += residual(cmds, it, clock.motion, cfg)[0]
        rows.append((err, err + med, err + jt, it - truth["offset_s"], refused, at_true))
        print(
            f"{f.name:22s} err {err:+.3f} refined {err + med:+.3f} (jump/punch only "
            f"{err + jt:+.2f}; x3 {rows[-1][3]:+.2f}) words {n} residual at the true offset"
            f" {at_true:+.2f}"
            f"{' refused' if refused else ''}"
        )
    a = np.array([r[:4] for r in rows])
    near = np.abs(a[:, 0]) <= 1.0
    for k, name in enumerate(("found", "refined", "refined j/p", "refined x3")):
        e = np.abs(a[near, k])
        print(
            f"{name:12s} within 0.3 s {int((np.abs(a[:, k]) <= 0.3).sum())}/{len(a)}; "
            f"sessions within 1 s: median |err| {np.median(e):.3f}, within 0.1 s {(e <= 0.1).sum()}"
        )
    print(f"residual at the true offset: median {np.median([r[5] for r in rows]):+.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
