"""Re-align one session of a voice-path run, as the align step did, and show why the gate
passed it (issue 24, helper fp46). Not shipped; reads the run's store, never writes it.

    python bench/notes/fp46/one.py STORE SESSION_DIR [--oracle]
        # first pass (self-trained classes) and the veto / round with the class model of the
        # sessions the published report names (their first-pass labels), Whisper's words or
        # (--oracle) the exact words at their true times; per fit: the energy candidates,
        # each one's energy share and class score, the class model's lag profile, the gate.

The code measured is the one on PYTHONPATH.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from silkpipe import alignment as al
from silkpipe import store as keys
from silkpipe.clip_evidence import FLOOR, bind, word_log_proba
from silkpipe.labels import parse_labels_csv
from silkpipe.session_classes import fit_session_model
from silkpipe.steps.align import read_motion
from silkpipe.steps.common import read_run_inputs
from silkpipe.store import open_store
from silkpipe.transcripts import extract_commands, parse_transcript
from silkpipe.validation import usable_commands
from silkpipe.voice_score import oracle_transcript

RUN = "bench"


def labels_dir(store_root: Path) -> Path:
    return next((store_root / "runs" / RUN / "labels").glob("v*"))


def first_pass(ldir: Path, session: str) -> tuple[dict, str]:
    """A session's first-pass verdict (report, CSV): the published one unless a round or
    the veto replaced it (then the rounds/ entry without class inputs)."""
    rep = json.loads((ldir / f"{session}.json").read_text())
    if "first_pass" not in rep["inputs"]:
        return rep, (ldir / f"{session}.csv").read_text()
    for v in json.loads((ldir / "rounds" / f"{session}.json").read_text()):
        if "first_pass" not in v["report"]["inputs"]:
            return v["report"], v["labels"]
    raise KeyError(session)


def commands_of(store, session: str, motion, cfg, truth: dict | None):
    doc = (
        oracle_transcript(truth)
        if truth
        else keys.get_json(store, keys.transcript_key(RUN, session))
    )
    cmds = extract_commands(parse_transcript(doc, session=session)).commands
    return usable_commands(cmds, (float(motion.t[0]), float(motion.t[-1])), cfg.search_s)[0]


def candidates(motion, commands, cfg, clips):
    """The event stage's energy peaks, each one's energy share and class score."""
    sig = al.search_signal(motion, cfg)
    times = np.array([c.start for c in commands])
    classes = [c.cls for c in commands]
    ev = [i for i, c in enumerate(classes) if c in al.EVENT_CLASSES]
    e_start, prof = al.predicted_profile(times[ev], [classes[i] for i in ev], motion.rate, cfg)
    sig = al.MotionSpectra.of(sig)
    offs, scores = al.lag_scores(sig, motion.t[0], motion.rate, e_start, prof, cfg.search_s)
    from scipy.signal import find_peaks

    peaks, _ = find_peaks(scores, distance=max(int(0.5 * motion.rate), 1))
    top = scores.max()
    keep = [i for i in peaks if scores[i] >= cfg.class_keep * top]
    e_times, labels = al.event_words(times, classes)
    out = []
    for i in sorted(keep, key=lambda i: -scores[i]):
        lag = float(offs[i])
        cs, n = float("nan"), len(labels)
        if clips:
            cs = float(clips.scores(e_times, labels, np.array([lag]))[0])
            lp = word_log_proba(clips.model, clips.traces, clips.t0, clips.rate, e_times + lag)
            n = int(np.isfinite(lp[np.arange(len(labels)), labels]).sum())
        floor = (
            float(clips.scores(e_times, labels, np.array([lag]), missing=FLOOR)[0])
            if clips
            else float("nan")
        )
        out.append(
            (
                round(lag - cfg.word_to_peak_s, 2),
                round(float(scores[i] / top), 3),
                round(cs, 3),
                f"{n}/{len(labels)} words",
                round(floor, 3),
            )
        )
    return out


def profile(commands, lag, clips, step=0.25, reach=6.0):
    e_times, labels = al.event_words(
        np.array([c.start for c in commands]), [c.cls for c in commands]
    )
    shifts = np.arange(-reach, reach + 1e-9, step)
    prof = clips.scores(e_times + lag, labels, shifts, missing=FLOOR)
    return [(round(float(s), 2), round(float(p), 3)) for s, p in zip(shifts, prof, strict=True)]


def show(tag, session, motion, commands, cfg, model, truth_offset, centre=0.0):
    _, rep = al.align_session(session, motion, commands, cfg, clip_model=model)
    clips = bind(model, motion) if model is not None else None
    err = None if rep.offset_s is None else round(rep.offset_s + centre - truth_offset, 3)
    print(
        f"[{tag}] offset {rep.offset_s:.3f} err {err} gate '{rep.gate}' excluded "
        f"{rep.excluded} q {rep.quality:.2f} p {rep.quality_p_value:.3f} conf "
        f"{rep.offset_confidence:.2f} sig p {rep.signature_p:.4f} cls p {rep.class_p_value:.4f} "
        f"({rep.class_model}) margin {rep.class_lag_margin} away {rep.class_best_away_s} "
        f"peak {rep.class_peak_s} level {rep.energy_level}"
    )
    if rep.reason:
        print("   reason:", rep.reason[:300])
    print(
        "   candidates (offset, energy share, class score (skip off-motion words), words scored, score (off-motion words at FLOOR)):",
        candidates(motion, commands, cfg, clips),
    )
    if clips is not None:
        lag = rep.offset_s + cfg.word_to_peak_s
        prof = profile(commands, lag, clips)
        best = max(prof, key=lambda x: x[1])
        print(f"   profile best shift {best}; at 0: {dict(prof)[0.0]}")
        print("   profile:", " ".join(f"{s:+.2f}:{p:.2f}" for s, p in prof[::2]))
    return rep


def main(argv):
    store_root, sess_dir = Path(argv[0]), Path(argv[1])
    oracle = "--oracle" in argv
    session = sess_dir.name
    truth = json.loads((sess_dir / "truth.json").read_text())
    store = open_store(str(store_root))
    inputs = read_run_inputs(store, RUN, write=False)
    cfg = al.AlignConfig()
    motion = read_motion(store, inputs, session)[0]
    commands = commands_of(store, session, motion, cfg, truth if oracle else None)
    ldir = labels_dir(store_root)
    final = json.loads((ldir / f"{session}.json").read_text())
    trainers = final.get("class_sessions") or []
    print(
        session,
        "oracle" if oracle else "whisper",
        "words",
        len(commands),
        "true offset",
        truth["offset_s"],
        "published",
        final["offset_s"],
        final["gate"],
        "trainers",
        trainers,
    )
    show("first pass", session, motion, commands, cfg, None, truth["offset_s"])
    if trainers:
        parts = []
        for s in trainers:
            rep, csv = (
                first_pass(ldir, s)
                if final["inputs"].get("first_pass") == "passed"
                else (json.loads((ldir / f"{s}.json").read_text()), (ldir / f"{s}.csv").read_text())
            )
            parts.append(
                (read_motion(store, inputs, s)[0], parse_labels_csv(csv, source=s, session=s))
            )
        model = fit_session_model(parts)
        show("with trainers' model", session, motion, commands, cfg, model, truth["offset_s"])


if __name__ == "__main__":
    main(sys.argv[1:])
