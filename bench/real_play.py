"""Is the benchmark as hard as real play? Real voice sessions against realistic ones (issue 24).

The held-out figures of issue 24 come from realistic semi-real sessions (`silkpipe synth
--from-clips --realistic`). This bench sets them beside the real voice sessions that carry a
transcript (``whisperx_output.json``, WhisperX large-v3) on what makes an offset easy or hard
to find, and prints one table:

- pace: command words a minute, the median gap between two words of one class and at a
  class change, the mean and longest same-class run of words; the same for the event
  words (jump, punch, turn) alone;
- word-locked motion: the mean smoothed motion energy (the aligner's own search signal,
  standardised per session) at word + t for every jump/punch/turn word, its rise from
  before the word to its highest point in the 0.8 s after it, and each word's prominence
  (highest point in [-0.4, 1.2] s less the median of [-2.5, 3.5] s). Each is also given at
  four wrong offsets (the null: what motion alone gives).

Realistic sessions are built at both paces of `synth --realistic --pace` (calm, the
default every held-out set used; fast). Real sessions are read at the offset the aligner
settles on (no truth exists); realistic ones at that offset and at their true one. The
word-locked rise is therefore biased up on real sessions, if anything. PNGs of the
word-locked profiles and of 40 s of one session per source go to ``--out``.

    python -m bench.real_play                       # ../shared/data, synth seeds 7 and 8
    python -m bench.real_play --seeds 7 --clips DIR --sessions DIR
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from bench.table import print_table

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
WORK = REPO / "build" / "real_play"
GRID_S = np.round(np.arange(-1.0, 2.01, 0.1), 2)  # word-locked profile: word + t
AFTER_S = (0.0, 0.8)  # where a word's motion is expected
BEFORE_S = (-1.0, -0.5)
NULL_SHIFTS_S = (-11.0, -7.0, 5.0, 9.0)  # wrong offsets: what motion alone gives


@dataclass
class Played:
    """One session's words (class, IMU time at its offset) on the motion they were matched to."""

    name: str
    motion: object  # silkpipe.sessions.Motion, on the aligner's clock
    words: list[tuple[str, float]]

    @cached_property
    def signal(self) -> np.ndarray:
        """The aligner's energy signal: log energy, smoothed, z-scored over valid time
        (once per session: every shift and figure reads it)."""
        import silkpipe.alignment as al

        return al.motion_signal(self.motion, al.AlignConfig().smooth_s)


def settled(name: str, motion, commands, offset_s: float | None = None) -> Played:
    """The words where the aligner puts them (alignment.settle): its clock scale, its sized
    losses moved, and its settled offset (or ``offset_s``, the true one, on the same clock)."""
    import silkpipe.alignment as al

    cfg = al.AlignConfig()
    reachable, _ = al.reachable_words(motion, commands, cfg)
    placed = al.settle(motion, reachable, cfg)
    offset_s = placed.offset_s if offset_s is None else offset_s
    return Played(name, placed.motion, [(c.cls, c.start + offset_s) for c in placed.scaled])


def pace(words: list[tuple[str, float]]) -> dict:
    """How fast and how repetitive the play is: words a minute, gaps, same-class runs."""
    classes = [c for c, _ in words]
    times = np.array([t for _, t in words])
    same = np.array([a == b for a, b in zip(classes, classes[1:], strict=False)], dtype=bool)
    gaps = np.diff(times)
    runs = np.diff(np.flatnonzero(np.r_[True, ~same, True]))
    minutes = max(float(times[-1] - times[0]), 1e-9) / 60 if len(times) > 1 else np.nan
    return {
        "words": len(words),
        "per_min": len(words) / minutes,
        "same_gap": float(np.median(gaps[same])) if same.any() else np.nan,
        "change_gap": float(np.median(gaps[~same])) if (~same).any() else np.nan,
        "mean_run": float(runs.mean()),
        "longest_run": int(runs.max()),
    }


def locked_profiles(played: Played, shift_s: float = 0.0) -> np.ndarray:
    """Rows of the standardised signal at word + shift + GRID_S, one per event word whose
    whole grid lies on the stream."""
    from silkpipe.vocabulary import EVENT_CLASSES

    z, t = played.signal, played.motion.t
    at = [w + shift_s + GRID_S for c, w in played.words if c in EVENT_CLASSES]
    rows = [np.interp(g, t, z) for g in at if g[0] >= t[0] and g[-1] <= t[-1]]
    return np.array(rows).reshape(-1, len(GRID_S))


def rise(profile: np.ndarray) -> float:
    """Highest mean level in AFTER_S less the mean level in BEFORE_S."""
    after = (GRID_S >= AFTER_S[0]) & (GRID_S <= AFTER_S[1])
    before = (GRID_S >= BEFORE_S[0]) & (GRID_S <= BEFORE_S[1])
    return float(profile[after].max() - profile[before].mean())


def prominence(played: Played, shift_s: float = 0.0) -> float:
    """Median over event words of (highest signal in word + [-0.4, 1.2] s) less the median
    of word + [-2.5, 3.5] s: how far each word's motion stands out of its surroundings."""
    from silkpipe.vocabulary import EVENT_CLASSES

    z, t = played.signal, played.motion.t
    out = []
    for c, w in played.words:
        near = (t >= w + shift_s - 0.4) & (t <= w + shift_s + 1.2)
        around = (t >= w + shift_s - 2.5) & (t <= w + shift_s + 3.5)
        if c in EVENT_CLASSES and near.sum() >= 10:
            out.append(z[near].max() - np.median(z[around]))
    return float(np.median(out)) if out else np.nan


def locked(group: list[Played]) -> dict:
    """Word-locked figures of a group of sessions, at its offsets and at the null shifts."""

    def pooled(shift: float) -> np.ndarray:
        rows = [locked_profiles(p, shift) for p in group]
        return np.vstack(rows).mean(axis=0) if sum(len(r) for r in rows) else GRID_S * np.nan

    profile = pooled(0.0)
    nulls = [rise(pooled(s)) for s in NULL_SHIFTS_S]
    prom = [prominence(p) for p in group]
    prom_null = [prominence(p, s) for p in group for s in NULL_SHIFTS_S]
    return {
        "profile": profile,
        "rise": rise(profile),
        "rise_null": float(np.nanmean(nulls)),
        "prominence": float(np.nanmedian(prom)),
        "prominence_null": float(np.nanmedian(prom_null)),
    }


def real_sessions(folder: Path) -> tuple[list[Played], list[str]]:
    """Real sessions with a WhisperX transcript, at the aligner's offset (+ skipped lines)."""
    from silkpipe.dataset import session_motion
    from silkpipe.transcripts import extract_commands, parse_transcript

    played, skipped = [], []
    for f in sorted(p for p in folder.iterdir() if p.is_dir()):
        words = f / "whisperx_output.json"
        if not words.is_file():
            skipped.append(f"{f.name}: no whisperx_output.json (needs Whisper first): not read")
            continue
        transcript = parse_transcript(json.loads(words.read_text()), session=f.name)
        played.append(settled(f.name, session_motion(f), extract_commands(transcript).commands))
    return played, skipped


def realistic_sessions(clips: Path, seeds: list[int], pace: str) -> tuple[list, list]:
    """Realistic sessions of ``seeds`` at ``pace``, exact words: at the aligner's offset and
    at the true one. Built afresh each run into a scratch folder, so a changed clip folder
    or generator is never read from an earlier run's sessions."""
    from silkpipe import realistic

    aligned, true = [], []
    for seed in seeds:
        with tempfile.TemporaryDirectory(prefix="real-play-") as scratch:
            options = realistic.RealisticOptions(seed=seed, pace=pace)
            realistic.generate(clips, Path(scratch) / "sessions", options)
            at_fit, at_truth = sessions_in(Path(scratch))
        aligned += at_fit
        true += at_truth
    return aligned, true


def sessions_in(folder: Path) -> tuple[list[Played], list[Played]]:
    """Every realistic session below ``folder`` (its truth.json's exact words): at the
    aligner's offset and at the true one."""
    from silkpipe.dataset import session_motion
    from silkpipe.transcripts import extract_commands, parse_transcript
    from silkpipe.voice_score import oracle_transcript

    aligned, true = [], []
    for t in sorted(folder.glob("**/truth.json")):
        truth = json.loads(t.read_text())
        said = parse_transcript(oracle_transcript(truth), session=t.parent.name)
        commands, motion = extract_commands(said).commands, session_motion(t.parent)
        aligned.append(settled(t.parent.name, motion, commands))
        true.append(settled(t.parent.name, motion, commands, truth["offset_s"]))
    return aligned, true


def event_words(played: Played) -> list[tuple[str, float]]:
    from silkpipe.vocabulary import EVENT_CLASSES

    return [(c, t) for c, t in played.words if c in EVENT_CLASSES]


def row(source: str, group: list[Played]) -> dict:
    p = [pace(x.words) for x in group]
    e = [pace(event_words(x)) for x in group if len(event_words(x)) > 2]
    w = locked(group)
    return {
        "source": source,
        "sessions": len(group),
        "words/min": f"{np.mean([x['per_min'] for x in p]):.0f}",
        "same-class gap s": f"{np.nanmedian([x['same_gap'] for x in p]):.2f}",
        "class-change gap s": f"{np.nanmedian([x['change_gap'] for x in p]):.2f}",
        "run mean (longest)": f"{np.mean([x['mean_run'] for x in p]):.1f} "
        f"({max(x['longest_run'] for x in p)})",
        "event words/min": f"{np.mean([x['per_min'] for x in e]):.0f}",
        "event same-class gap s": f"{np.nanmedian([x['same_gap'] for x in e]):.2f}",
        "word-locked rise (null)": f"{w['rise']:+.2f} ({w['rise_null']:+.2f})",
        "prominence (null)": f"{w['prominence']:.2f} ({w['prominence_null']:.2f})",
        "_profile": w["profile"],
    }


def print_rows(rows: list[dict]) -> None:
    """The table: every row's printed columns (the profile stays for the figure)."""
    print_table([{k: v for k, v in r.items() if not k.startswith("_")} for r in rows])


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4))
    for r in rows:
        ax.plot(GRID_S, r["_profile"], label=f"{r['source']} ({r['sessions']})")
    ax.axvspan(*AFTER_S, color="0.9")
    ax.set_xlabel("seconds after the word (jump, punch, turn)")
    ax.set_ylabel("mean standardised motion energy")
    ax.set_title("Word-locked motion: real voice sessions vs realistic semi-real ones")
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_stretches(groups: list[tuple[str, Played]], path: Path, seconds: float = 40.0) -> None:
    """The signal the aligner searches over the ``seconds`` of one session per source that
    hold the most event words, marked where its offset puts them: "word-locked" to see."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colour = {"jump": "tab:red", "punch": "tab:green", "turn": "tab:purple"}
    fig, axes = plt.subplots(len(groups), 1, figsize=(12, 2.2 * len(groups)), squeeze=False)
    for ax, (source, played) in zip(axes[:, 0], groups, strict=True):
        t, z = played.motion.t, played.signal
        words = np.array([w for _, w in event_words(played)] or [t[0] + 2.0])
        held = [np.sum((words >= w) & (words <= w + seconds - 4.0)) for w in words]
        start = float(words[int(np.argmax(held))]) - 2.0  # the stretch with the most words
        shown = (t >= start) & (t <= start + seconds)
        ax.plot(t[shown], z[shown], lw=0.8, color="0.3")
        for c, w in event_words(played):
            if start <= w <= start + seconds:
                ax.axvline(w, color=colour[c], lw=1.2)
        ax.set_title(f"{source}: {played.name}", fontsize=9)
    axes[-1, 0].set_xlabel("seconds (event words: jump red, punch green, turn purple)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=Path, default=DATA / "sessions")
    ap.add_argument("--clips", type=Path, default=DATA / "clips-dev")
    ap.add_argument("--seeds", type=int, nargs="+", default=[7, 8])
    ap.add_argument("--out", type=Path, default=WORK)
    args = ap.parse_args(argv)
    real, skipped = real_sessions(args.sessions)
    for line in skipped:
        print(line, file=sys.stderr)
    rows = [row(f"real {p.name[:15]}", [p]) for p in real]
    shown = [("real", p) for p in real]
    for pace in ("calm", "fast"):
        aligned, true = realistic_sessions(args.clips, args.seeds, pace)
        rows += [row(f"{pace}, aligned offset", aligned), row(f"{pace}, true offset", true)]
        shown.append((f"{pace}, true offset", true[0]))
    print_rows(rows)
    plot(rows, args.out / "word_locked.png")
    plot_stretches(shown, args.out / "stretches.png")
    print(f"figures: {args.out / 'word_locked.png'}, {args.out / 'stretches.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
