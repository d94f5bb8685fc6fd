"""Dev harness (issue 24, noise labels; helper nz): where noise label time lands in
realistic sessions and what the noise label rule (window, centre, run joining) does to
precision and recall of every class.

    PYTHONPATH=. python bench/notes/noise_labels.py true  DIR...   # true offset, true clock
    PYTHONPATH=. python bench/notes/noise_labels.py found DIR...   # pipeline's offset and clock
    ... --words=DIR   # the words of DIR/<session>.json (a run's Whisper transcripts)

Words are the oracle ones (truth.json commands and filler talk) unless --words. "true": labels at the
TRUE offset on the session's true clock (bench/notes/label_dev.py). "found": labels at
the offset and clock scale align_session finds on the session's own time model (gate
ignored: every session within 0.3 s of its true offset is scored, and the ones the gate
passes separately). Dev sessions only: choose settings on them, then run held-out once."""

import json
import sys
from dataclasses import replace
from pathlib import Path

import bench.notes.label_dev as ld
from silkpipe.alignment import AlignConfig, align_session, session_labels
from silkpipe.vocabulary import CLASSES
from silkpipe.voice_score import clock_pairs, label_landing, label_overlap

ld.CACHE = Path("/tmp/nz/cache")
WORDS: Path | None = None  # --words=DIR: DIR/<session>.json (e.g. Whisper's) instead of oracle


def found_fit(folder: Path):
    """(offset, clock scale, refused by the gate) align_session finds with the words (cached)."""
    tag = "" if WORDS is None else "_w"
    key = ld.CACHE / f"fit{tag}_{folder.parent.name}_{folder.name}.json"
    if key.exists():
        return json.loads(key.read_text())
    truth, clock, cmds = ld.load(folder, True, WORDS)
    _, rep = align_session(folder.name, clock.motion, cmds, AlignConfig(), keep_refused=True)
    out = [rep.offset_s, rep.clock_scale, "kept although refused" in rep.reason]
    key.write_text(json.dumps(out))
    return out


def pairs_of(folders, cfg: AlignConfig, mode: str):
    """Per scored session, (predicted, true) grids; mode true, found (within 0.3 s) or gate."""
    out = []
    for f in folders:
        truth, clock, cmds = ld.load(f, mode != "true", WORDS)
        offset, scale, excluded = (truth["offset_s"], 1.0, False)
        if mode != "true":
            offset, scale, excluded = found_fit(f)
            if offset is None or abs(offset - truth["offset_s"]) > 0.3:
                continue
            if mode == "gate" and excluded:
                continue
            cmds = [replace(c, start=c.start * scale, end=c.end * scale) for c in cmds]
        m = clock.motion
        ivs = session_labels(cmds, offset, (float(m.t[0]), float(m.t[-1])), m, cfg)
        out.append(clock_pairs(clock, truth, [(iv.start, iv.end, iv.label) for iv in ivs]))
    return out


def table(pairs) -> str:
    lab = label_overlap(pairs)
    cells = []
    for c in CLASSES:
        p, r, s = lab[c]["precision"], lab[c]["recall"], lab[c]["labelled_s"]
        cells.append(
            f"{c[:5]} {'-' if p is None else f'{p:.2f}'}/{'-' if r is None else f'{r:.2f}'}/{s:.0f}s"
        )
    return " ".join(cells)


def landing(pairs, cls: str = "noise") -> str:
    land = label_landing(pairs)[cls]
    return "" if land is None else " ".join(f"{k} {v:.2f}" for k, v in land.items())


# main before this change
_B = AlignConfig(noise_run_words=2, min_event_score=0.1, noise_burst_share=None)
VARIANTS = {
    "main": _B,
    "noise runs": replace(_B, noise_run_words=4),  # the noise run rule alone
    "runs+burst": replace(_B, noise_run_words=4, noise_burst_share=0.3),
    "default": AlignConfig(),  # noise runs + noise burst 0.3
    "default nb.5": AlignConfig(noise_burst_share=0.5),
    "default s.15": AlignConfig(min_event_score=0.15),
    "default s.2": AlignConfig(min_event_score=0.2),  # tried: dev yes, held-out no
    "default s.3": AlignConfig(min_event_score=0.3),
    "run0": replace(_B, noise_run_s=0.0),
    "run3w": replace(_B, noise_run_words=3),
    "run4w c.2": replace(_B, noise_run_words=4, noise_centre_s=0.2),
    "run4w c.2 w.6": replace(_B, noise_run_words=4, noise_centre_s=0.2, noise_window_s=0.6),
    "run4w c.2 w.5": replace(_B, noise_run_words=4, noise_centre_s=0.2, noise_window_s=0.5),
    "run4w c.25 w.6": replace(_B, noise_run_words=4, noise_centre_s=0.25, noise_window_s=0.6),
    "run4w c.2 w.4": replace(_B, noise_run_words=4, noise_centre_s=0.2, noise_window_s=0.4),
}


def main(args):
    global WORDS
    words = [a.split("=", 1)[1] for a in args if a.startswith("--words=")]
    WORDS = Path(words[0]) if words else None
    args = [a for a in args if not a.startswith("--")]
    mode, dirs = args[0], args[1:]
    folders = ld.folders_of(dirs)
    modes = ("found", "gate") if mode == "found" else ("true",)
    for m in modes:
        for name, cfg in VARIANTS.items():
            pairs = pairs_of(folders, cfg, m)
            print(f"{m:5s} n={len(pairs):2d} {name:15s} {table(pairs)}")
            print(f"      noise lands: {landing(pairs)}")
            if name == "default":
                print(f"      turn lands:  {landing(pairs, 'turn')}")


if __name__ == "__main__":
    main(sys.argv[1:])
