"""End-to-end score of the voice path against truth (sessions written by `silkpipe synth`).

Real voice sessions have no ground truth, so nobody can say whether speech -> words ->
labels -> model works on them. Synthetic and semi-real sessions carry a truth.json
(offset, labelled intervals on the IMU clock). This module runs the real steps on them
(transcribe with the real Whisper backend, align, train on voice-derived labels only),
and scores: offset error per session, label error per spoken word (silkpipe.word_labels),
label precision/recall per class (time overlap on valid IMU time), the voice-trained
model's macro-F1 next to a clip-trained model's on the same held-out clips, and a control
(each session's audio replaced by another session's) that the align step's quality gate
must exclude.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from silkpipe.clips import METADATA_NAME, is_continuous, is_sample_folder
from silkpipe.errors import InputError, folder_file, json_number, parse_json, read_user_bytes
from silkpipe.sessions import Motion, find_sessions, named_into, parse_sensor_csv, resample
from silkpipe.vocabulary import CLASSES
from silkpipe.voice_report import timeline_png, write_report
from silkpipe.word_labels import spoken_words, word_false_pass, word_label_errors, word_summary

log = logging.getLogger(__name__)
CONTROL_SUFFIX = "-shuffled-audio"
#: Tolerance of the offset target (issue 12: within +-0.3 s on >= 90% of sessions).
OFFSET_TOLERANCE_S = 0.3


def read_truth(folder: Path, needs: str = "score-voice needs synthetic sessions") -> dict:
    """A session's truth.json, checked (truth_problem); ``needs`` says who wants it."""
    path = folder_file(folder, "truth.json", "session folder", session=folder.name)
    if path is None:
        raise InputError(
            f"truth.json is missing ({needs})",
            session=folder.name,
            path=str(folder / "truth.json"),
        )
    data = read_user_bytes(path, session=folder.name)
    truth = parse_json(data, session=folder.name, path=str(path))
    problem = truth_problem(truth)
    if problem:
        raise InputError(
            f"not a synth truth record: {problem}", session=folder.name, path=str(path)
        )
    return truth


def _number(value) -> bool:
    return json_number(value) is not None


def _spans(value) -> bool:
    """[[start, end, class], ...] with finite times, start <= end."""
    return isinstance(value, list) and all(
        isinstance(v, list) and len(v) == 3 and _number(v[0]) and _number(v[1])
        and v[0] <= v[1] and isinstance(v[2], str)
        for v in value
    )  # fmt: skip


def truth_problem(truth) -> str:
    """What is wrong with a truth.json's fields the scorer reads ("" when nothing): a
    missing or odd field would otherwise stop the scoring deep inside with a KeyError."""
    if not isinstance(truth, dict):
        return "expected a JSON object"
    if not _number(truth.get("offset_s")) or not _number(truth.get("drift_ppm", 0.0)):
        return "offset_s (and drift_ppm, if given) must be finite numbers"
    if not _spans(truth.get("intervals")) or not _spans(truth.get("filler_motion", [])):
        return "intervals (and filler_motion) must be [[start, end, class], ...]"
    unknown = {c for *_, c in truth["intervals"] + truth.get("filler_motion", [])} - set(CLASSES)
    if unknown:
        return f"unknown class {sorted(unknown)[0]!r} (classes: {', '.join(CLASSES)})"
    said = truth.get("commands", []), truth.get("fillers", [])
    if not all(isinstance(c, list) for c in said) or not all(
        isinstance(c, dict) and isinstance(c.get("text"), str) and c["text"].split()
        and _number(c.get("audio_start")) and _number(c.get("audio_end"))
        for c in [*said[0], *said[1]]
    ):  # fmt: skip
        return "commands and fillers must be lists of {text, audio_start, audio_end}"
    if not isinstance(truth.get("clips", []), list):
        return "clips must be a list of names"
    if problem := _word_truth_problem(truth):
        return problem
    knots = truth.get("row_clock", [[0, 0]])
    if (
        not isinstance(knots, list)
        or not knots
        or not all(
            isinstance(k, list) and len(k) == 2 and _number(k[0]) and _number(k[1]) for k in knots
        )
    ):
        return "row_clock must be [[row, time], ...]"
    if any(a[0] >= b[0] for a, b in zip(knots, knots[1:], strict=False)):
        return "row_clock rows must increase"
    return ""


def _word_truth_problem(truth: dict) -> str:
    """What is wrong with the fields the label error per spoken word reads (word_labels):
    a command's class and imu_time, and the gestures list, each when given."""
    for c in truth.get("commands", []):
        if ("class" in c and c["class"] not in CLASSES) or (
            "imu_time" in c and not _number(c["imu_time"])
        ):
            return "a command's class must be a known class and its imu_time a finite number"
    gestures = truth.get("gestures", [])
    if not isinstance(gestures, list) or not all(
        isinstance(g, dict) and _spans([[g.get("start"), g.get("end"), g.get("class")]])
        and g["class"] in CLASSES and isinstance(g.get("spoken"), bool)
        for g in gestures
    ):  # fmt: skip
        return "gestures must be a list of {class, start, end, spoken}"
    return ""


def _donor(truths: dict[str, dict], name: str, others: list[Path], keep_continuous: bool):
    """The first of ``others`` that shares no clip with session ``name`` (continuous
    recordings not counted unless ``keep_continuous``)."""

    def clips(session: str) -> set[str]:
        named = set(truths[session].get("clips", []))
        return named if keep_continuous else {c for c in named if not is_continuous(c)}

    own = clips(name)
    return next((o for o in others if not own or not own & clips(o.name)), None)


#: Two sessions playing this many gesture clips one after another in the same order share
#: motion: one's words would follow the other's gestures there.
SHARED_RUN = 3


def _played(truth: dict) -> list[str]:
    """The gesture clips a realistic session played, in the order it played them."""
    gestures = [g for g in truth.get("gestures", []) if isinstance(g.get("clip"), str)]
    return [g["clip"] for g in sorted(gestures, key=lambda g: g["start"])]


def _plays_alike(a: list[str], b: list[str]) -> bool:
    """Whether SHARED_RUN consecutive clips of ``a`` are played consecutively in ``b``."""
    runs = {tuple(b[i : i + SHARED_RUN]) for i in range(len(b) - SHARED_RUN + 1)}
    return any(tuple(a[i : i + SHARED_RUN]) in runs for i in range(len(a) - SHARED_RUN + 1))


def _other_order_donor(truths: dict[str, dict], name: str, others: list[Path]):
    """The first of ``others`` that plays the clips it shares with session ``name`` in
    another order (realistic sessions whose truth lists what they played); None where
    either lists nothing."""
    own = _played(truths[name])
    if not own:
        return None
    return next(
        (o for o in others if (p := _played(truths[o.name])) and not _plays_alike(own, p)), None
    )


def make_controls(folders: list[Path], truths: dict[str, dict], out_dir: Path) -> dict[str, str]:
    """Session copies whose audio is another session's; returns control -> audio donor.

    The donor is the next session that was not built from the same clips (a dense/sparse
    twin shares the motion, so its audio would legitimately match). Where every session
    shares some clip, a session sharing only continuous recordings will do: those are cut
    into pieces anywhere, so a shared name is not shared motion. Failing both, a realistic
    session that played the shared clips in another game order will do (sessions of
    several seeds from one small clip folder share every clip, and had no control).
    """
    controls = {}
    names = [f.name for f in folders]
    for i, folder in enumerate(folders):
        others = [folders[(i + k) % len(folders)] for k in range(1, len(folders))]
        donor = (
            _donor(truths, folder.name, others, keep_continuous=True)
            or _donor(truths, folder.name, others, keep_continuous=False)
            or _other_order_donor(truths, folder.name, others)
        )
        if donor is None:
            log.warning("no audio donor for %s (every other session plays its clips)", names[i])
            continue
        name = folder.name + CONTROL_SUFFIX
        dest = out_dir / name
        dest.mkdir(parents=True, exist_ok=True)
        for file in ("sensor_data.csv", "metadata.json"):
            if (folder / file).is_file():
                shutil.copyfile(folder / file, dest / file)
        shutil.copyfile(donor / "audio_16k.wav", dest / "audio_16k.wav")
        controls[name] = donor.name
    return controls


def oracle_transcript(truth: dict) -> dict:
    """A WhisperX-format transcript of exactly what was said, at the true times.

    Scoring with it separates the aligner's errors from the transcriber's.
    """
    words = []
    for c in truth.get("commands", []) + truth.get("fillers", []):
        parts = c["text"].split()
        step = (c["audio_end"] - c["audio_start"]) / len(parts)
        for k, w in enumerate(parts):
            s = c["audio_start"] + k * step
            words.append({"word": w, "start": round(s, 3), "end": round(s + step, 3), "score": 0.9})
    words.sort(key=lambda w: w["start"])
    segments = [
        {"start": w["start"], "end": w["end"], "text": w["word"], "words": [w]} for w in words
    ]
    return {"segments": segments, "word_segments": words}


def transcribe_all(
    store_uri: str,
    sessions: list[str],
    run_id: str,
    backend: str,
    model,
    workers: int | None = None,
) -> dict[str, str]:
    """Transcribe in the runner's worker processes; returns failures (session -> reason)."""
    from silkpipe import pipeline
    from silkpipe.steps import TranscribeConfig
    from silkpipe.transcription import Settings

    workers = workers or max(min(len(sessions), os.cpu_count() or 1), 1)
    settings = Settings(backend=backend, model=model or Settings().model)
    cfg = TranscribeConfig(settings=settings, threads=max((os.cpu_count() or 1) // workers, 1))
    return pipeline.transcribe_all(
        store_uri, run_id, sessions, cfg, workers=workers, progress=False
    )


def share_within(rows: list[dict], tolerance_s: float) -> float | None:
    """Share of session rows whose offset error is within tolerance (no estimate: a miss);
    None for no rows."""
    if not rows:
        return None
    hits = sum(
        r.get("offset_error") is not None and abs(r["offset_error"]) <= tolerance_s for r in rows
    )
    return round(hits / len(rows), 4)


def _label_grid(intervals, t: np.ndarray) -> np.ndarray:
    """Class index per grid time (-1 where no interval covers it)."""
    grid = np.full(len(t), -1, dtype=np.int64)
    for start, end, label in intervals:
        grid[(t >= start) & (t < end)] = CLASSES.index(label)
    return grid


def _truth_grid(truth: dict, t: np.ndarray) -> np.ndarray:
    """Truth per grid time: i on a gesture of class i, -2 - i on the unlabelled motion
    between gestures cut from class i's recordings (truth.json's filler_motion, realistic
    sessions), -1 elsewhere. Precision and recall count only gestures; label_landing tells
    the unlabelled motion apart, since a noise label on noise filler is wrong by the truth
    but lies on the motion it names."""
    grid = _label_grid(truth["intervals"], t)
    filler = _label_grid(truth.get("filler_motion", []), t)
    return np.where((grid == -1) & (filler >= 0), -2 - filler, grid)


LANDINGS = ("own_gesture", "other_gesture", "own_class_filler", "other_filler", "no_truth")


def label_landing(pairs: list[tuple[np.ndarray, np.ndarray]]) -> dict:
    """Per class, where its labelled time lies (shares): on a gesture of its class, on a
    gesture of another class, on unlabelled filler motion from its class's recordings, on
    other filler, on time with no truth. Only the first counts right for precision."""
    out: dict[str, dict[str, float] | None] = {}
    for i, cls in enumerate(CLASSES):
        under = np.concatenate([g[p == i] for p, g in pairs]) if pairs else np.array([])
        if not len(under):
            out[cls] = None
            continue
        counts = (under == i, under >= 0, under == -2 - i, under <= -2, under == -1)
        shares = [float(c.mean()) for c in counts]
        shares[1] -= shares[0]  # other gestures: any gesture less its own class
        shares[3] -= shares[2]
        out[cls] = {k: round(v, 4) for k, v in zip(LANDINGS, shares, strict=True)}
    return out


def label_overlap(pairs: list[tuple[np.ndarray, np.ndarray]]) -> dict:
    """Per-class time-overlap precision/recall over (predicted, true) grids on valid time."""
    out = {}
    for i, cls in enumerate(CLASSES):
        tp = sum(int(((p == i) & (g == i)).sum()) for p, g in pairs)
        pred = sum(int((p == i).sum()) for p, g in pairs)
        true = sum(int((g == i).sum()) for p, g in pairs)
        out[cls] = {
            "precision": round(tp / pred, 4) if pred else None,
            "recall": round(tp / true, 4) if true else None,
            "labelled_s": round(pred / 50.0, 1),
            "truth_s": round(true / 50.0, 1),
        }
    return out


def labelled_share(pairs: list[tuple[np.ndarray, np.ndarray]]) -> float | None:
    """Share of all labelled time that lies on truth of the same class (other-class and
    unlabelled truth both count as wrong)."""
    tp = sum(int(((p >= 0) & (p == g)).sum()) for p, g in pairs)
    pred = sum(int((p >= 0).sum()) for p, _ in pairs)
    return round(tp / pred, 4) if pred else None


@dataclass
class SessionClock:
    """A session's motion on the clock the aligner used, and each row's time on both clocks.

    ``rows`` is every sensor row's time (file order) on the session's own time model (what
    align_run rebuilt: arrival, count or watch_time), ``truth`` its time on the clock the
    truth intervals are written on (truth.json's row_clock for realistic sessions, else the
    CSV's timestamp)."""

    motion: Motion
    rows: np.ndarray
    truth: np.ndarray
    kind: str


def session_clock(text: str, truth: dict, name: str, source: str | None = None) -> SessionClock:
    """Load a session's sensor CSV exactly as align_run does (the session parser picks and
    rebuilds the time model; resampled at the default rate), so labels, the motion they are
    trained on and the truth they are scored against all share one clock. ``source``: the
    file an error names (default ``<name>/sensor_data.csv``)."""
    raw = parse_sensor_csv(text, source=source or f"{name}/sensor_data.csv", session=name)
    if raw.clock_rows is None:
        raise InputError("not in the session dialect (no per-row clock)", session=name)
    arrival, rebuilt = raw.clock_rows[:, 0], raw.clock_rows[:, 1]
    true = session_times(truth, len(arrival)) if "row_clock" in truth else arrival
    kind = str(raw.time_model.get("kind", "arrival"))
    return SessionClock(resample(raw), rebuilt, true, kind)


def session_times(truth: dict, rows: int) -> np.ndarray:
    """Each row's session time (production time) from truth.json's row_clock knots."""
    knots = np.asarray(truth["row_clock"], dtype=float)
    return np.interp(np.arange(rows), knots[:, 0], knots[:, 1])


def clock_grid(clock: SessionClock, rate: float = 50.0) -> tuple[np.ndarray, np.ndarray]:
    """(grid times on the aligner's clock, the true session time at each).

    Each grid point takes its nearest row's *true* time, so a label on late-arriving or
    recounted rows is scored on the motion those rows hold. Grid points with no row within
    0.25 s are left out."""
    order = np.argsort(clock.rows, kind="stable")
    rows, true_t = clock.rows[order], clock.truth[order]
    grid = np.arange(rows[0], rows[-1], 1 / rate)
    k = np.searchsorted(rows, grid).clip(1, len(rows) - 1)
    nearest = np.where(np.abs(rows[k - 1] - grid) <= np.abs(rows[k] - grid), k - 1, k)
    valid = np.abs(rows[nearest] - grid) <= 0.25
    return grid[valid], true_t[nearest][valid]


def clock_pairs(clock: SessionClock, truth: dict, intervals, rate: float = 50.0):
    """(predicted, true) class grids for a session, on the aligner's clock (clock_grid):
    a label at time x marks the rows the aligner's clock puts at x, scored on the truth
    of those rows' true times (as _truth_grid codes it)."""
    grid, true_t = clock_grid(clock, rate)
    return _label_grid(intervals, grid), _truth_grid(truth, true_t)


def truth_on_clock(clock: SessionClock, truth: dict) -> list[list]:
    """The true intervals moved to the aligner's clock (where it puts their rows)."""
    out = []
    for start, end, cls in truth["intervals"]:
        inside = (clock.truth >= start) & (clock.truth < end)
        if inside.any():
            out.append([float(clock.rows[inside].min()), float(clock.rows[inside].max()), cls])
    return out


def clip_blocks(clips_dir: Path) -> set[str]:
    """Names of the clips in a folder (to check evaluation clips were not trained on)."""
    from silkpipe.clips import clip_csvs

    return {p.stem for p in clip_csvs(clips_dir)}


def source_clips(truths: dict[str, dict], out: Path) -> Path | None:
    """The clips the sessions were built from (truth.json: clips_dir + clips), linked into
    ``out``: the clip-trained model learns the same motion the voice model does, from the
    button labels. None when a truth does not say, a clip is gone, or two folders hold
    different clips of one name."""
    wanted = [(t.get("clips_dir"), name) for t in truths.values() for name in t.get("clips", [])]
    if not wanted or any(folder is None for folder, _ in wanted):
        return None
    by_name: dict[str, set[Path]] = {}
    for folder, name in wanted:
        path = Path(str(folder)) / f"{name}.csv"
        if not path.is_file():
            return None
        by_name.setdefault(path.name, set()).add(path.resolve())
    if any(len(paths) > 1 for paths in by_name.values()):  # one name, two clips: no guess
        return None
    folders = {Path(str(folder)) for folder, _ in wanted}
    metas = {f / METADATA_NAME for f in folders if is_sample_folder(f)}
    if metas and len(folders) > 1:  # sample clips need their one folder's metadata
        return None
    if out.is_symlink() or out.is_file():
        out.unlink()
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for name, (path,) in by_name.items():
        shutil.copyfile(path, out / name)  # links out of a clip folder are not read
    for meta in metas:  # sample-dialect clips are read with their folder's metadata
        shutil.copyfile(meta, out / METADATA_NAME)
    return out


@dataclass
class StepOutputs:
    """What the real steps left for scoring: the store, the controls and the failures."""

    store: Any
    store_uri: str
    run_id: str
    out_root: Path  # models and score-voice.html
    failed: dict[str, str]  # session -> transcription error
    donors: dict[str, str]  # shuffled-audio control -> audio donor
    shifted: dict | None  # shifted-audio controls (None: no controls)
    transcribe_s: float
    align_failed: dict[str, str] = field(default_factory=dict)  # session -> align's error
    clips_skipped: list[str] = field(default_factory=list)  # align clips it named, skipped

    def why_unaligned(self, session: str) -> str:
        """Why a session has no alignment output: its transcription's or align's error."""
        return self.failed.get(session) or self.align_failed.get(session) or "no alignment output"


@dataclass
class SessionScores:
    """Per-session rows, label grids and the training streams built from them."""

    rows: dict = field(default_factory=dict)
    pairs_used: list = field(default_factory=list)  # sessions through the gate
    pairs_all: list = field(default_factory=list)
    voice_streams: list = field(default_factory=list)
    # the same sessions with their true labels: separates label errors from what training
    # on session recordings (not clips) costs by itself
    truth_streams: list = field(default_factory=list)
    # every session's motion, passed and refused, its labels unused: what the
    # self-trained voice model ("voice_adapted") pseudo-labels
    motion_streams: list = field(default_factory=list)
    timelines: dict[str, bytes] = field(default_factory=dict)


def _result(
    steps: StepOutputs,
    scores: SessionScores,
    truths: dict[str, dict],
    models: dict,
    oracle: bool,
    backend: str,
) -> dict:
    """What score-voice found: offsets, labels, controls and models, per session and pooled."""
    return {
        "store": steps.store_uri,
        "run_id": steps.run_id,
        "backend": "oracle (truth words)" if oracle else backend,
        "sessions": scores.rows,
        "offset": offset_summary(scores.rows, truths),
        "labels": label_overlap(scores.pairs_used),
        "labelled_on_same_class": labelled_share(scores.pairs_used),
        "labels_land_on": label_landing(scores.pairs_used),
        "labels_all_sessions": label_overlap(scores.pairs_all),
        "labels_land_on_all_sessions": label_landing(scores.pairs_all),
        "sessions_trained_on": [s.name for s in scores.voice_streams],
        "sessions_self_trained_on": [s.name for s in scores.motion_streams],
        "controls": shuffled_controls(steps),
        "shifted_controls": steps.shifted,
        "models": models,
        "transcribe_failed": steps.failed,
        "align_failed": steps.align_failed,
        "align_clips_skipped": steps.clips_skipped,
        "transcribe_seconds": round(steps.transcribe_s, 1),
    }


def score_voice(
    sessions_dir: str | Path,
    eval_clips_dir: str | Path,
    *,
    store_uri: str | None = None,
    run_id: str = "score-voice",
    train_clips_dir: str | Path | None = None,
    backend: str = "faster-whisper",
    model: str | None = None,
    controls: bool = True,
    epochs: int | None = None,
    workers: int | None = None,
    progress: bool = False,
    oracle: bool = False,
    seeds: int = 1,
    align_clips_dir: str | Path | None = None,
) -> dict:
    """Transcribe -> align -> train on voice labels -> evaluate on held-out clips; score it all.
    With ``align_clips_dir`` the align step (and the shifted controls) use the class model of
    those clips (silkpipe.clip_evidence)."""
    started = time.perf_counter()
    sessions_dir, eval_clips_dir = Path(sessions_dir), Path(eval_clips_dir)
    folders, truths, refused = read_inputs(sessions_dir, eval_clips_dir)
    with _temp_results(store_uri) as temp:
        steps = run_steps(
            *(sessions_dir, folders, truths, store_uri, run_id, backend, model),
            controls=controls,
            workers=workers,
            progress=progress,
            oracle=oracle,
            align_clips=align_clips_dir,
            temp=temp,
        )
        scores = score_sessions(steps, folders, truths)
        models, seen, errors = train_models(
            scores,
            truths,
            eval_clips_dir,
            steps.out_root,
            sessions_dir,
            train_clips_dir=train_clips_dir,
            epochs=epochs,
            seeds=seeds,
            progress=progress,
        )
        result = _result(steps, scores, truths, models, oracle, backend)
        result |= {
            "eval_clips": str(eval_clips_dir),
            "align_clips": None if align_clips_dir is None else str(align_clips_dir),
            "eval_clips_seen_in_training": seen,
            "errors": errors,
            "sessions_refused": refused,
            "wall_seconds": round(time.perf_counter() - started, 1),
        }
        result["report"] = str(write_report(steps.out_root, result, scores.timelines))
    return result


def read_inputs(
    sessions_dir: Path, eval_clips_dir: Path
) -> tuple[list[Path], dict[str, dict], dict[str, str]]:
    """The session folders with a good truth.json, their truths, and {session: error} for
    the others: one bad truth is named in one line and its session left out of the run (one
    bad session never sinks the others); with none good, nothing is done."""
    from silkpipe.errors import one_line

    truths: dict = {}
    refused: dict[str, str] = {}
    folders = find_sessions(sessions_dir, on_error=named_into(refused))  # a pipe, a link out
    if not folders:
        raise InputError("no session folders (with sensor_data.csv)", path=str(sessions_dir))
    if not eval_clips_dir.is_dir():
        raise InputError("evaluation clips folder is missing", path=str(eval_clips_dir))
    for folder in folders:
        try:
            truths[folder.name] = read_truth(folder)
        except InputError as err:
            refused[folder.name] = one_line(err)
            log.error("%s", refused[folder.name])
    if not truths:
        raise InputError(f"no session can be scored: {next(iter(refused.values()))}")
    return [f for f in folders if f.name in truths], truths, refused


def _local_store(store_uri: str) -> str | None:
    """The folder of a store given as a path or file:// URI; None for another scheme."""
    plain = store_uri.replace("file://", "")
    return store_uri.removeprefix("file://") if "://" not in plain else None


@contextmanager
def _temp_results(store_uri: str | None) -> Iterator[Path | None]:
    """The temporary folder for the store (none given) or the models and report (a store
    not on disk), kept when score-voice ends well; None for a local store, which holds them.
    One a killed score-voice left is dropped by the next (it stayed in TMPDIR for good)."""
    from silkpipe.locks import temp_output

    if store_uri is not None and _local_store(store_uri) is not None:
        yield None
        return
    with temp_output("silkpipe-score-voice-") as made:
        yield made


def _open_store(
    store_uri: str | None, run_id: str, temp: Path | None = None
) -> tuple[Any, str, Path]:
    """(store, its URI, the folder for models and the report): a new store in ``temp``
    (_temp_results) when none is given; the report goes beside a local store's run, else
    to ``temp``."""
    from silkpipe.store import open_store

    store_uri = store_uri or str(_given(temp) / "store")
    local = _local_store(store_uri)
    out_root = Path(local) / "runs" / run_id / "score-voice" if local else _given(temp)
    return open_store(store_uri), store_uri, out_root


def _given(temp: Path | None) -> Path:
    """_open_store's temporary folder, which a store not on disk, or none, needs."""
    if temp is None:
        raise ValueError("score-voice needs a temporary folder for this store")
    return temp


def _give_words(store, words: dict[str, dict]) -> None:
    """Hand sessions their transcripts (the transcribe step takes a session's own
    whisperx_output.json as-is)."""
    from silkpipe.store import put_json, session_key

    for name, transcript in words.items():
        put_json(store, session_key(name, "whisperx_output.json"), transcript)


def _record_inputs(
    store,
    run_id: str,
    uploaded: tuple[list[str], list[str]],
    sessions_dir: Path,
    rejected: dict[str, str],
    *,
    oracle: bool,
) -> None:
    """Record this run's sessions (the user's, then the controls) as they are in the store
    once the oracle words are in, with where each came from: errors name the user's file;
    a control's or an oracle transcript's name the store key (no user copy exists)."""
    from silkpipe.steps.common import SESSION_FILES, record_run_inputs, sha256
    from silkpipe.store import session_key

    mine, made = uploaded
    origins: dict[str, str | None] = {f"sessions/{n}": None for n in made}
    for name in mine:
        origins[f"sessions/{name}"] = str(sessions_dir.resolve() / name)
        if oracle:
            origins[session_key(name, "whisperx_output.json")] = None
    sessions = {
        name: {
            f: sha256(store.get_bytes(session_key(name, f)))
            for f in SESSION_FILES
            if store.exists(session_key(name, f))
        }
        for name in [*mine, *made]
    }
    record_run_inputs(store, run_id, sessions, {}, rejected, origins=origins)


def run_steps(
    sessions_dir: Path,
    folders: list[Path],
    truths: dict[str, dict],
    store_uri: str | None,
    run_id: str,
    backend: str,
    model,
    *,
    controls: bool,
    workers: int | None,
    progress: bool,
    oracle: bool,
    align_clips: str | Path | None = None,
    temp: Path | None = None,
) -> StepOutputs:
    """The real steps on the sessions and their shuffled-audio controls: upload, transcribe
    (or the exact words with ``oracle``), align (recomputed, never reused); then the
    shifted-audio controls on the same transcripts."""
    from silkpipe.alignment import AlignConfig
    from silkpipe.locks import temp_scratch
    from silkpipe.pipeline import upload_inputs
    from silkpipe.steps import align_run

    store, store_uri, out_root = _open_store(store_uri, run_id, temp)
    with temp_scratch("silkpipe-controls-") as scratch:
        skipped: dict[str, str] = {}
        mine = [n for n in upload_inputs(store, sessions_dir, None, skipped) if n in truths]
        donors = make_controls(folders, truths, scratch) if controls else {}
        made = upload_inputs(store, scratch, None, skipped) if donors else []
        if oracle:  # a control hears exactly its audio donor's words
            _give_words(store, {n: oracle_transcript(t) for n, t in truths.items()})
            _give_words(store, {n: oracle_transcript(truths[d]) for n, d in donors.items()})
        _record_inputs(store, run_id, (mine, made), sessions_dir, skipped, oracle=oracle)
        names = [f.name for f in folders] + sorted(donors)
        t0 = time.perf_counter()
        failed = transcribe_all(store_uri, names, run_id, backend, model, workers)
        transcribe_s = time.perf_counter() - t0
        clips = None if align_clips is None else Path(align_clips)
        aligned = align_run(
            store, run_id, AlignConfig(), progress=progress, force=True, clips_dir=clips
        )
        shifted = shifted_controls(store, run_id, truths, clips_dir=clips) if controls else None
    outputs = StepOutputs(store, store_uri, run_id, out_root, failed, donors, shifted, transcribe_s)
    outputs.align_failed, outputs.clips_skipped = aligned["failed"], aligned["clips_skipped"]
    return outputs


def score_sessions(
    steps: StepOutputs, folders: list[Path], truths: dict[str, dict]
) -> SessionScores:
    """Every session's row and label grids; those through the gate also give the voice-
    and truth-trained models their streams."""
    from silkpipe.dataset import session_stream

    scores = SessionScores()
    for folder in folders:
        name, truth = folder.name, truths[folder.name]
        row, scored = score_session(steps, name, truth)
        scores.rows[name] = row
        if scored is None:
            continue
        clock, intervals, true_intervals, pair = scored
        scores.pairs_all.append(pair)
        scores.motion_streams.append(session_stream(name, clock.motion, []))
        scores.timelines[name] = timeline_png(
            steps.store,
            steps.run_id,
            name,
            clock.motion,
            intervals,
            {**truth, "intervals": true_intervals},
            row.get("offset_s"),
        )
        if row["excluded"]:
            continue
        scores.pairs_used.append(pair)
        spans = [(iv.start, iv.end, iv.label) for iv in intervals if iv.end > iv.start]
        if spans:
            scores.voice_streams.append(session_stream(name, clock.motion, spans))
            scores.truth_streams.append(
                session_stream(name, clock.motion, true_spans(true_intervals))
            )
    return scores


def true_spans(true_intervals: list[list]) -> list[tuple[float, float, str]]:
    """The true intervals a truth-trained model learns from: one whose rows the aligner's
    clock puts at a single instant (truth_on_clock) holds no time and is left out, as the
    voice labels' empty spans are (it stopped score-voice on a fresh RB run, gap48.txt)."""
    return [(float(a), float(b), str(c)) for a, b, c in true_intervals if b > a]


def score_session(steps: StepOutputs, name: str, truth: dict):
    """(row, None) when the session has no usable alignment, else (row, (clock, labels,
    true intervals on the clock, label grids)). Labels, truth and motion are all put on
    the session's own time model, loaded as align_run loads it."""
    from silkpipe.labels import parse_labels_csv
    from silkpipe.store import labels_key, published, session_key

    store, run_id = steps.store, steps.run_id
    row: dict = {"offset_true": truth["offset_s"], "drift_ppm": truth.get("drift_ppm", 0.0)}
    try:
        version = (published(store, run_id, "labels") or {}).get("version")
        report = json.loads(store.get_bytes(labels_key(run_id, name, "json", version)))
        csv_key = labels_key(run_id, name, "csv", version)
        intervals = parse_labels_csv(
            store.get_bytes(csv_key).decode(), source=csv_key, session=name
        )
    except KeyError:
        row["error"] = steps.why_unaligned(name)
        return row, None
    row.update(session_row(report, truth))
    text = store.get_bytes(session_key(name, "sensor_data.csv")).decode()
    clock = session_clock(text, truth, name)
    if clock.kind != (report.get("time_model") or "arrival"):  # one clock or no score
        row["error"] = (
            f"the aligner used time model {report.get('time_model')!r}, the "
            f"scorer's loader {clock.kind!r}"
        )
        return row, None
    spans = [(iv.start, iv.end, iv.label) for iv in intervals]
    pair = clock_pairs(clock, truth, spans)
    row["scored_on"] = clock.kind
    row.update(word_label_row(row, report, truth, clock, spans))
    return row, (clock, intervals, truth_on_clock(clock, truth), pair)


def word_label_row(row: dict, report: dict, truth: dict, clock: SessionClock, spans) -> dict:
    """A session's label error per spoken word (silkpipe.word_labels): its figures, and
    whether it passed the gate with too many words' labels more than 0.5 s off."""
    words = spoken_words(truth)
    errors = word_label_errors(
        words,
        spans,
        report.get("offset_s"),
        float(report.get("clock_scale", 1.0)),
        clock.rows,
        clock.truth,
    )
    out = {"word_labels": word_summary(errors)}
    return out | {"word_false_pass": word_false_pass({**row, **out})}


def shuffled_controls(steps: StepOutputs) -> dict:
    """The shuffled-audio controls' verdicts (each must be excluded) and their false-pass
    rate."""
    from silkpipe.store import labels_key, published

    rows = {}
    version = (published(steps.store, steps.run_id, "labels") or {}).get("version")
    for name, donor in steps.donors.items():
        try:
            key = labels_key(steps.run_id, name, "json", version)
            report = json.loads(steps.store.get_bytes(key))
            rows[name] = {
                "audio_from": donor,
                "excluded": bool(report.get("excluded")),
                "quality": round(report.get("quality", 0.0), 2),
                "reason": report.get("reason", ""),
            }
        except KeyError:
            rows[name] = {
                "audio_from": donor,
                "excluded": None,
                "error": steps.why_unaligned(name),
            }
    passed = sum(r.get("excluded") is False for r in rows.values())
    return {
        "sessions": rows,
        "n": len(rows),
        "excluded": sum(bool(r.get("excluded")) for r in rows.values()),
        "all_excluded": all(r.get("excluded") for r in rows.values()),
        "false_pass_rate": round(passed / len(rows), 4) if rows else None,
    }


def offset_summary(rows: dict[str, dict], truths: dict[str, dict]) -> dict:
    """Offset figures over all sessions and over those that hold gestures: a noise-only
    session's motion gives words nothing to line up with, so its offset is not observable
    (reported, not hidden). Beside the offset false passes, the sessions through the gate
    whose labels are off word by word (word_false_pass), and those sessions' words pooled:
    a rebuilt clock's error moves labels the offset error does not see."""
    every = list(rows.values())
    errs = [r["offset_error"] for r in every if r.get("offset_error") is not None]
    gestures = [
        rows[name] for name in rows if any(iv[2] != "noise" for iv in truths[name]["intervals"])
    ]
    return {
        "sessions": len(every),
        "estimated": len(errs),
        "within_0_3s": share_within(every, OFFSET_TOLERANCE_S) or 0,
        "within_1s": share_within(every, 1.0) or 0,
        "median_abs_error_s": round(float(np.median(np.abs(errs))), 3) if errs else None,
        "gesture_sessions": len(gestures),
        "gesture_sessions_within_0_3s": share_within(gestures, OFFSET_TOLERANCE_S),
        "passed_gate": sum(not r.get("excluded", True) for r in every),
        "false_passes": sum(bool(r.get("false_pass")) for r in every),
        "word_false_passes": sum(bool(r.get("word_false_pass")) for r in every),
        "passed_words": pooled_words([r for r in every if not r.get("excluded", True)]),
    }


def pooled_words(rows: list[dict]) -> dict:
    """Label error per spoken word pooled over sessions (silkpipe.word_labels)."""
    errors = [e for r in rows for e in (r.get("word_labels") or {}).get("errors_s", [])]
    return {k: v for k, v in word_summary(errors).items() if k != "errors_s"}


def clip_training_set(
    truths: dict[str, dict], train_clips_dir, out_root: Path, sessions_dir: Path
) -> Path | None:
    """Clips for the clip-trained baseline: the folder given, else the clips the sessions
    were built from, else SESSIONS_DIR/../clips (None: there are none)."""
    if train_clips_dir:
        return Path(train_clips_dir)
    found = source_clips(truths, out_root / "source-clips")
    if found is None and (sessions_dir.parent / "clips").is_dir():
        found = sessions_dir.parent / "clips"
    return found


def train_models(
    scores: SessionScores,
    truths: dict[str, dict],
    eval_clips_dir: Path,
    out_root: Path,
    sessions_dir: Path,
    *,
    train_clips_dir,
    epochs: int | None,
    seeds: int,
    progress: bool,
) -> tuple[dict, list[str], list[str]]:
    """The voice-, truth- and clip-trained models on the same evaluation clips: (models,
    evaluation clips also seen in training, errors)."""
    from silkpipe.dataset import load_clip_streams
    from silkpipe.training import TrainConfig, with_overrides

    cfg = TrainConfig()
    if epochs:
        cfg = with_overrides(cfg, max_epochs=epochs, min_epochs=min(cfg.min_epochs, epochs))
    fitter = ModelFitter(
        cfg, seeds, load_clip_streams(eval_clips_dir), out_root, progress, scores.voice_streams
    )
    errors: list[str] = []
    if scores.voice_streams:
        for key, streams in (("voice", scores.voice_streams), ("truth", scores.truth_streams)):
            try:
                fitter.fit(key, streams)
            except InputError as err:  # e.g. too few windows: report it, score the rest
                errors.append(f"{key} model: {err}")
        try:
            fitter.fit("voice_adapted", scores.voice_streams, pool=scores.motion_streams)
        except InputError as err:
            errors.append(f"voice_adapted model: {err}")
    else:
        errors.append("voice model: no session passed the quality gate")
    train_clips = clip_training_set(truths, train_clips_dir, out_root, sessions_dir)
    used_clips = {c for t in truths.values() for c in t.get("clips", [])}
    seen = clip_blocks(eval_clips_dir) & used_clips
    if train_clips is not None:
        seen |= clip_blocks(eval_clips_dir) & clip_blocks(train_clips)
        clip_streams = load_clip_streams(train_clips)
        fitter.fit("clips", clip_streams)
        played = played_clips(clip_streams, truths, [s.name for s in scores.truth_streams])
        if played and len(played) < len(clip_streams):
            try:
                fitter.fit("played_clips", played)
            except InputError as err:
                errors.append(f"played-clips model: {err}")
    else:
        errors.append("clip model: no --train-clips folder given")
    return fitter.gaps(), sorted(seen), errors


def played_clips(clip_streams: list, truths: dict[str, dict], sessions: list[str]) -> list:
    """The clip streams that ``sessions`` played as gestures (truth.json "clips").

    Taken from the clip model's own streams, so late clips are re-cut exactly as there.
    A model trained on them sits between the clip model and the truth model: the clip
    model also learns clips the sessions only hold as unlabelled filler, and the clips of
    sessions the gate refused."""
    names = {c for s in sessions for c in truths.get(s, {}).get("clips", [])}
    return [st for st in clip_streams if st.name in names]


class ModelFitter:
    """Trains and scores models on one set of evaluation clips, and on the clips of the
    classes the voice labels taught: a class no voice session taught (noise-only sessions
    cannot be aligned) costs the voice model twice (its own F1 is 0 and its windows land
    in the other classes), so every model is also scored without it."""

    def __init__(
        self,
        cfg,
        seeds: int,
        eval_streams: list,
        out_root: Path,
        progress: bool,
        voice_streams: list,
    ) -> None:
        self.cfg, self.seeds, self.eval_streams = cfg, seeds, eval_streams
        self.out_root, self.progress = out_root, progress
        self.taught = sorted({label for st in voice_streams for _, _, label in st.intervals})
        self.subset = [
            st for st in eval_streams if all(iv.label in self.taught for iv in st.intervals)
        ]
        if not voice_streams or len(self.taught) == len(CLASSES):
            self.subset = []
        self.models: dict = {}

    def fit(self, key: str, streams: list, pool: list | None = None) -> None:
        """Train and score ``key``'s model on ``streams``; with ``pool`` (streams whose
        labels go unused) self-trained on it too (silkpipe.adapt)."""
        folder = self.out_root / (
            "clip-model" if key == "clips" else f"{key.replace('_', '-')}-model"
        )
        self.models[key], taught_f1 = _train_and_score(
            streams,
            folder,
            self.cfg,
            self.seeds,
            (self.eval_streams, self.subset),
            self.progress,
            pool=pool,
        )
        if taught_f1 is not None:
            self.models.setdefault("taught_classes", {"classes": self.taught})[key] = taught_f1

    def gaps(self) -> dict:
        """The models, with the clip-minus-voice macro-F1 gaps added."""
        models = self.models
        if "voice" in models and "clips" in models:
            models["f1_gap"] = round(models["clips"]["macro_f1"] - models["voice"]["macro_f1"], 4)
        part = models.get("taught_classes", {})
        if "voice" in part and "clips" in part:
            part["f1_gap"] = round(part["clips"] - part["voice"], 4)
        if "voice_adapted" in models and "clips" in models:
            gap = models["clips"]["macro_f1"] - models["voice_adapted"]["macro_f1"]
            models["f1_gap_adapted"] = round(gap, 4)
        return models


#: Shifted-audio controls: (name, smallest, largest |shift| from the true offset), seconds:
#: one gesture period, and farther.
SHIFTS = (("period", 1.5, 3.0), ("far", 5.0, 20.0))


def shifted_control(
    name: str,
    motion,
    commands: list,
    true_offset: float,
    shift: float,
    base,
    clip_model=None,
    contradicted: bool = False,
    first_choice_s: float | None = None,
) -> dict:
    """Align a session with its offset search confined to a window around a wrong offset
    (true + shift) that ends 0.5 s short of the true one: what the gate does when the
    search lands there (the classic one-gesture-period error). Such a control must end
    excluded (or corrected to within 0.3 s, which this window cannot reach).
    ``contradicted``, ``first_choice_s``: as align_session's (a re-test with the session
    classes; the choice on the moved words' clock, a first control's ``fit_offset_s``)."""
    from dataclasses import replace

    from silkpipe.alignment import align_session
    from silkpipe.session_classes import weak_energy_pass

    centre = true_offset + shift + base.word_to_peak_s  # the lag the wrong offset has
    cfg = replace(base, search_s=float(max(abs(shift) - 0.5 - scale_slack(motion, centre), 0.1)))
    moved = [replace(c, start=c.start + centre, end=c.end + centre) for c in commands]
    _, report = align_session(
        f"{name}-shifted",
        motion,
        moved,
        cfg,
        clip_model=clip_model,
        contradicted=contradicted,
        first_choice_s=first_choice_s,
    )
    # a count-clock fit scales the moved times too: t_imu = a * (t + centre) + b
    est = None if report.offset_s is None else report.offset_s + report.clock_scale * centre
    error = None if est is None else round(est - true_offset, 3)
    # the best lag on the window's edge: the correlation still rises outward, so no peak
    # was found inside the window (what a gate rule on the edge would refuse)
    lag = None if report.offset_s is None else report.offset_s + base.word_to_peak_s
    edge = bool(lag is not None and abs(lag) >= cfg.search_s - 0.05)
    return {
        "shift_s": round(shift, 3),
        "offset_error": error,
        "quality": round(report.quality, 2),
        "excluded": report.excluded,
        "outcome": _control_outcome(report.excluded, error),
        "reason": report.reason,
        "at_window_edge": edge,
        "clock_scale": report.clock_scale,
        "class_p_value": report.class_p_value,
        "gate": report.gate,
        "fit_offset_s": report.offset_s,  # on the moved words' clock (first_choice_s)
        "weak_energy_pass": weak_energy_pass(
            report.excluded, report.gate, report.quality, report.class_model, cfg
        ),
    }


def _control_outcome(excluded: bool, error: float | None) -> str:
    """A shifted control ends excluded, corrected (moved back within the offset tolerance
    of the truth) or as a false pass."""
    if excluded:
        return "excluded"
    if error is not None and abs(error) <= OFFSET_TOLERANCE_S:
        return "corrected"
    return "false pass"


def scale_slack(motion, centre: float) -> float:
    """How far a count-clock fit can move the true offset inside a shifted control's window.

    The fit scales the moved word times, t_imu = a * (t + centre) + b, so at scale a the
    true offset sits (1 - a) * centre from where a = 1 puts it; the window is shortened by
    the most that can be, so it still ends 0.5 s short of the truth at every scale."""
    from silkpipe.clock_fit import clock_scales

    return float(max(abs(1.0 - a) for a in clock_scales(motion.time_model))) * abs(centre)


def shifted_controls(
    store, run_id: str, truths: dict[str, dict], seed: int = 0, clips_dir: Path | None = None
) -> dict:
    """Both shifts (SHIFTS, random sign) for every session with a transcript, reusing it:
    shifting the audio is shifting its words (with ``clips_dir``: that clip model's gate)."""
    from silkpipe.alignment import AlignConfig
    from silkpipe.steps.align import run_clip_model
    from silkpipe.steps.common import read_run_inputs
    from silkpipe.store import get_json, session_key, transcript_key
    from silkpipe.transcripts import extract_commands, parse_transcript

    clip_model, _ = run_clip_model(store, run_id, read_run_inputs(store, run_id), clips_dir)
    passed = {} if clip_model is not None else passed_sessions(store, run_id, truths)
    rows = {}
    for i, (name, truth) in enumerate(sorted(truths.items())):
        try:
            transcript = get_json(store, transcript_key(run_id, name))
            text = store.get_bytes(session_key(name, "sensor_data.csv")).decode()
        except KeyError:
            continue
        if name in passed:  # already loaded, as align_run loads it
            motion = passed[name][0]
        else:
            motion = session_clock(text, truth, name).motion
        commands = extract_commands(parse_transcript(transcript, session=name)).commands
        others = None if clip_model is not None else _others_model(passed, name)
        rng = np.random.default_rng([seed, i])
        for kind, lo, hi in SHIFTS:
            shift = float(rng.choice([-1.0, 1.0]) * rng.uniform(lo, hi))
            control = partial(
                shifted_control, name, motion, commands, truth["offset_s"], shift, AlignConfig()
            )
            row = control(clip_model=clip_model)
            refused = row["excluded"] and row["offset_error"] is not None
            if clip_model is None and (refused or row["weak_energy_pass"]):
                row = _with_session_classes(row, control, others)
            rows[f"{name}-shift-{kind}"] = row
    n = len(rows)
    passes = sum(r["outcome"] == "false pass" for r in rows.values())
    return {
        "sessions": rows,
        "n": n,
        "excluded": sum(r["excluded"] for r in rows.values()),
        "corrected": sum(r["outcome"] == "corrected" for r in rows.values()),
        "false_passes": passes,
        "false_passes_at_window_edge": sum(
            r["outcome"] == "false pass" and r["at_window_edge"] for r in rows.values()
        ),
        "false_pass_rate": round(passes / n, 4) if n else None,
    }


def passed_sessions(store, run_id: str, truths: dict[str, dict]) -> dict[str, tuple]:
    """The run's gate-passed sessions as the align step's session-class rounds see them:
    {name: (motion as align_run loads it, its label intervals)}."""
    from silkpipe.labels import parse_labels_csv
    from silkpipe.store import labels_key, published, session_key

    version = (published(store, run_id, "labels") or {}).get("version")
    out = {}
    for name, truth in sorted(truths.items()):
        try:
            report = json.loads(store.get_bytes(labels_key(run_id, name, "json", version)))
            csv_key = labels_key(run_id, name, "csv", version)
            csv_text = store.get_bytes(csv_key).decode()
            text = store.get_bytes(session_key(name, "sensor_data.csv")).decode()
        except KeyError:
            continue
        if not report.get("excluded", True):
            labels = parse_labels_csv(csv_text, source=csv_key, session=name)
            out[name] = (session_clock(text, truth, name).motion, labels)
    return out


def _others_model(passed: dict[str, tuple], name: str):
    """The class model of the run's passed sessions other than ``name`` (None: too few)."""
    from silkpipe.session_classes import fit_session_model

    return fit_session_model([v for s, v in sorted(passed.items()) if s != name])


def _with_session_classes(first: dict, control, model) -> dict:
    """A shifted control the first pass refused, or passed on energy alone below
    sure_quality, re-aligned as the align step re-aligns such a session without clips: with
    the class model of the run's other passed sessions (``model``, _others_model), carrying
    a first refusal by the self-trained class evidence (a contradiction, or an unconfirmed
    class choice's offset) as the step's rounds do; the first verdict stands without one."""
    from silkpipe.gate import CHOICE_UNCONFIRMED, CLASS_CONTRADICTS

    if model is None:
        return first
    carried = {"contradicted": first.get("gate") == CLASS_CONTRADICTS}
    if first.get("gate") == CHOICE_UNCONFIRMED:  # the offset it chose, on the moved clock
        carried["first_choice_s"] = first.get("fit_offset_s")
    again = control(clip_model=model, **carried)
    return {**again, "tested_with": "sessions"}


def session_row(report: dict, truth: dict) -> dict:
    """A session's scores from its labels report: the report's own keys (offset_s,
    offset_confidence, quality, excluded, reason, time_model when it has one), the error
    against truth, and whether it passed the gate while more than 0.5 s off."""
    est = report.get("offset_s")
    error = None if est is None else round(est - truth["offset_s"], 3)
    row = {
        "offset_s": None if est is None else round(est, 3),
        "offset_est": None if est is None else round(est, 3),
        "offset_error": error,
        "offset_confidence": round(report.get("offset_confidence", 0.0), 2),
        "quality": round(report.get("quality", 0.0), 2),
        "excluded": bool(report.get("excluded")),
        "reason": report.get("reason", ""),
        "false_pass": not report.get("excluded") and (error is None or abs(error) > 0.5),
        "commands_heard": sum(report.get("commands", {}).values()),
        "commands_said": len(truth.get("commands", [])),
    }
    if "time_model" in report:
        row["time_model"] = report["time_model"]
    return row


def _train_and_score(
    streams,
    model_dir: Path,
    cfg,
    seeds: int,
    evaluation: tuple[list, list],
    progress: bool,
    pool: list | None = None,
) -> tuple[dict, float | None]:
    """Train one model per seed (model_dir, model_dir-seed1, ...); scores of the first seed's
    model with macro-F1 averaged over seeds (one small training set's luck moves it a lot:
    bench/notes/comment_figures52.md), and the mean macro-F1 on the evaluation subset
    (None when empty)."""
    from silkpipe.evaluation import evaluate

    eval_streams, subset = evaluation
    runs, taught = [], []
    for k in range(max(seeds, 1)):
        folder = model_dir if k == 0 else model_dir.with_name(f"{model_dir.name}-seed{k}")
        _fit_one(streams, folder, cfg, cfg.seed + k, progress, pool)
        result = evaluate(folder, eval_streams)
        runs.append(result["macro_f1"])
        if k == 0:
            scores = _model_scores(result)
        if subset:
            taught.append(evaluate(folder, subset)["macro_f1"])
    if len(runs) > 1:
        scores["macro_f1"] = round(float(np.mean(runs)), 4)
        scores["macro_f1_per_seed"] = runs
    return scores, (round(float(np.mean(taught)), 4) if taught else None)


def _fit_one(streams, folder: Path, cfg, seed: int, progress: bool, pool) -> None:
    """One model: trained on ``streams``, or with ``pool`` self-trained on its motion too
    (the same settings, AdaptConfig's share and rounds)."""
    from silkpipe.training import for_streams, train, with_overrides

    cfg = with_overrides(cfg, seed=seed)
    if pool is None:
        train(streams, folder, config=cfg, progress=progress)
        return
    from silkpipe.adapt import AdaptConfig, self_train
    from silkpipe.dataset import unlabelled_windows
    from silkpipe.training import training_windows

    cfg = for_streams(cfg, streams)
    windows, left_out = training_windows(streams, cfg.window)
    pool_windows = unlabelled_windows(pool, cfg.window)
    self_train(
        windows, pool_windows, folder, cfg, AdaptConfig(), progress=progress, left_out=left_out
    )


def _model_scores(result: dict) -> dict:
    return {
        "macro_f1": result["macro_f1"],
        "accuracy": result["accuracy"],
        "windows": result["windows"],
        "f1": {k: v["f1"] for k, v in result["per_class"].items()},
    }
