"""Dev harness (issue 24, label extent): label realistic sessions with oracle words at the
TRUE offset, on the true session clock, and score label time-overlap against truth.json
(unlabelled truth time counts as wrong). Not shipped; dev sessions only (never R12/R13/RB).

    PYTHONPATH=. python bench/notes/label_dev.py /tmp/b24dev/s6*   [--found]

--found: labels at the offset align_session finds (on the session's own time model).
--words=DIR: the words of DIR/<session>.json (a transcript a run left, e.g. Whisper's)
instead of the exact ones: words apart from the offset."""

import json
import pickle
import sys
from pathlib import Path

from silkpipe.alignment import (
    AlignConfig,
    align_session,
    event_bursts,
    event_peaks,
    label_intervals,
    motion_consistent_states,
)
from silkpipe.transcripts import extract_commands, parse_transcript
from silkpipe.vocabulary import CLASSES
from silkpipe.voice_score import (
    clock_pairs,
    label_overlap,
    labelled_share,
    oracle_transcript,
    session_clock,
    session_times,
)

CACHE = Path("/tmp/b24cache")


def true_clock_text(folder: Path, truth: dict) -> str:
    """The session CSV with each row stamped at its production (session) time."""
    lines = (folder / "sensor_data.csv").read_text().splitlines()
    t = session_times(truth, len(lines) - 1)
    out = [lines[0]]
    for line, ts in zip(lines[1:], t, strict=True):
        head, _, _ = line.rpartition(",")
        out.append(f"{head},{float(ts)!r}")
    return "\n".join(out) + "\n"


def load(folder: Path, found: bool, words: Path | None = None):
    tag = "" if words is None else "_" + words.as_posix().replace("/", "_")[-60:]
    key = CACHE / f"{folder.parent.name}_{folder.name}_{int(found)}{tag}.pkl"
    if key.exists():
        return pickle.loads(key.read_bytes())
    truth = json.loads((folder / "truth.json").read_text())
    own = found or "row_clock" not in truth  # sample-generator sessions: arrival is true
    text = (folder / "sensor_data.csv").read_text() if own else true_clock_text(folder, truth)
    clock = session_clock(text, truth, folder.name)
    said = (
        oracle_transcript(truth)
        if words is None
        else json.loads((words / f"{folder.name}.json").read_text())
    )
    cmds = extract_commands(parse_transcript(said, session=folder.name)).commands
    CACHE.mkdir(exist_ok=True)
    key.write_bytes(pickle.dumps((truth, clock, cmds)))
    return truth, clock, cmds


def labels_at(motion, cmds, offset, cfg):
    span = (float(motion.t[0]), float(motion.t[-1]))
    peaks = event_peaks(cmds, offset, motion, cfg)
    states = motion_consistent_states(label_intervals(cmds, offset, span, cfg, peaks), motion, cfg)
    return event_bursts(states, motion, cfg)


def spoken_only(truth: dict) -> dict:
    """truth.json with only the spoken gestures marked (recall of what could be labelled)."""
    said = [[g["start"], g["end"], g["class"]] for g in truth["gestures"] if g["spoken"]]
    return dict(truth, intervals=said)


def score(folders, cfg, found=False, spoken=False, words=None):
    pairs = []
    for f in folders:
        truth, clock, cmds = load(f, found, words)
        if found:
            ivs, rep = align_session(f.name, clock.motion, cmds, cfg)
            if rep.excluded:
                continue
        else:
            ivs = labels_at(clock.motion, cmds, truth["offset_s"], cfg)
        truth = spoken_only(truth) if spoken else truth
        pairs.append(clock_pairs(clock, truth, [(iv.start, iv.end, iv.label) for iv in ivs]))
    return label_overlap(pairs), labelled_share(pairs), len(pairs)


def fmt(lab, share, n):
    cells = []
    for c in CLASSES:
        p, r = lab[c]["precision"], lab[c]["recall"]
        cells.append(
            f"{c} P={'-' if p is None else f'{p:.2f}'} R={'-' if r is None else f'{r:.2f}'}"
        )
    return f"n={n} share={share}  " + "  ".join(cells)


def folders_of(args):
    return [f.parent for d in args for f in sorted(Path(d).glob("*/truth.json"))]


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    found = "--found" in sys.argv
    given = [Path(a.split("=", 1)[1]) for a in sys.argv[1:] if a.startswith("--words=")]
    words = given[0] if given else None
    lab, share, n = score(folders_of(args), AlignConfig(), found, words=words)
    print(fmt(lab, share, n))
    said = score(folders_of(args), AlignConfig(), found, spoken=True, words=words)[0]
    print("recall of spoken gestures: " + "  ".join(f"{c} {said[c]['recall']}" for c in CLASSES))
