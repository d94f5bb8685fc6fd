"""Realistic semi-real sessions: real clip motion played like a game, delivered like the recorder.

Sessions rebuilt block by block from clips (``semireal``) hold motion only where the truth
is and keep the collection order (all turns, then all jumps), which is easier than play.
Here every session is one continuous IMU stream: gesture clips in a game-like order
(classes mixed, same-class runs of 1-3), the time between them filled with pieces of real
motion that is no gesture (walk, idle, noise and baseline recordings), every join
crossfaded (quaternions turned to the previous heading first) so the signal has no steps.
A share of gestures is never said. Events are produced at the watch's rate and stamped on
host arrival by ``delivery.deliver`` (backlog, losses, the stale start burst).

Clock of the truth: *session time* is each row's production time on the host clock
(``t_imu = t_audio * (1 + drift_ppm / 1e6) + offset_s`` holds on it); sensor_data.csv's
``timestamp`` is arrival time. ``truth.json`` maps rows to session time (``row_clock``).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

from silkpipe.delivery import KINDS, Delivery, deliver
from silkpipe.errors import InputError
from silkpipe.semireal import (
    Clip,
    GenerateOptions,
    PlannedSession,
    audio_length,
    load_clips,
    write_recording,
    write_sessions,
)
from silkpipe.sessions import continuous_quaternions
from silkpipe.synth import (
    HEADER_LINE,
    SAYINGS,
    SENSORS,
    Action,
    _row_cells,
    dump_json,
    render_audio,
)
from silkpipe.vocabulary import STATE_CLASSES

log = logging.getLogger(__name__)

FADE_S = 0.25  # crossfade between neighbouring pieces of motion
WATCH_RATE = 49.5  # events per second per sensor, as the real watch makes them
UNSPOKEN = 0.3  # share of gestures never said, by default
NOISE_GESTURE_SHARE = 0.15  # at most this share of a session's gestures are noise clips
#: Classes whose clips may fill the time between gestures (a folder without any: an error).
FILLER_CLASSES = ("walk", "idle", "noise")


def whole_gestures(clips: list[Clip]) -> tuple[list[Clip], list[Clip], list[dict]]:
    """(clips that may be gestures, spare filler, what was skipped and why). A sample that
    holds no whole gesture (still, or cut by the recorder inside it: Clip.flaw) is never a
    gesture piece: real play never holds a gesture cut off by a recorder, and a still sample
    is no recording of its gesture. A flawed noise sample is still non-game motion, so it
    fills time between gestures; a flawed jump, punch or turn is played nowhere (as filler
    its part of a gesture would be gesture motion that truth calls no gesture)."""
    keep, spare, skipped = [], [], []
    for c in clips:
        if c.flaw is None or c.cls in STATE_CLASSES:  # a still or cut state is still one
            keep.append(c)
            continue
        filler = c.cls in FILLER_CLASSES
        spare += [c] if filler else []
        skipped.append(
            {
                "clip": c.name,
                "class": c.cls,
                "reason": c.flaw,
                "played_as": "filler" if filler else "none",
            }
        )
    return keep, spare, skipped


@dataclass
class Piece:
    """A span of one clip's motion placed on the session's watch clock."""

    clip: Clip
    src_start: float  # clip watch seconds
    src_end: float
    at: float  # session watch seconds where src_start lands
    gesture: bool
    yaw: float = 0.0  # heading turn applied to its quaternions
    flip: float = 1.0  # quaternion sign to continue the previous piece

    @property
    def end(self) -> float:
        return self.at + self.src_end - self.src_start


def log_skipped(skipped: list[dict], clips: list[Clip]) -> None:
    """One line saying how many samples play no gesture and why (truth.json names them)."""
    if not skipped:
        return
    reasons = sorted({s["reason"] for s in skipped})
    log.info(
        "%d of %d samples hold no whole gesture and play no gesture (%s; %d of them fill "
        "between gestures; truth.json skipped_clips names them)",
        len(skipped),
        sum(c.rec_start is not None for c in clips),
        ", ".join(f"{r} {sum(s['reason'] == r for s in skipped)}" for r in reasons),
        sum(s["played_as"] == "filler" for s in skipped),
    )


def split_pool(
    clips: list[Clip], rng: np.random.Generator, spare: list[Clip] | None = None
) -> tuple[list[Clip], list[Clip]]:
    """(gesture clips, filler clips): baseline recordings, a third of the walk and idle clips
    and the noise clips beyond a small share are motion between gestures, as is ``spare``
    (clips that may only fill). A folder where that leaves no filler (no baseline, no idle,
    no noise, few walks) gives a third of the walk, idle and noise clips it has (at least
    one) to filler."""
    gestures, filler = [], list(spare or [])
    for c in clips:
        if c.clip_name == "baseline_noise" or (c.cls in STATE_CLASSES and rng.random() < 1 / 3):
            filler.append(c)
        else:
            gestures.append(c)
    noise = [c for c in gestures if c.cls == "noise"]
    others = [c for c in gestures if c.cls != "noise"]
    cap = int(NOISE_GESTURE_SHARE * len(others) / (1 - NOISE_GESTURE_SHARE))
    order = rng.permutation(len(noise))
    keep = [noise[i] for i in order[:cap]]
    filler += [noise[i] for i in order[cap:]]
    gestures = others + keep
    if not filler:  # no baseline, no spare noise, no walk/idle drawn: what there is
        spare = [c for c in gestures if c.cls in FILLER_CLASSES]
        moved = {id(spare[i]) for i in rng.permutation(len(spare))[: max(1, len(spare) // 3)]}
        filler = [c for c in gestures if id(c) in moved]
        gestures = [c for c in gestures if id(c) not in moved]
    return gestures, filler


def check_pool(gestures: list[Clip], pool: list[Clip], clips: list[Clip], folder) -> None:
    """One clear line when a folder cannot make a session: no gesture, or no motion that is
    no gesture (walk, idle or noise) to put between them."""
    held = ", ".join(sorted({c.clip_name for c in clips}))
    if not gestures:
        raise InputError(f"no gesture clips to play (the folder holds {held})", path=str(folder))
    if not pool:
        raise InputError(
            f"no motion to put between gestures: needs walk, idle or noise clips "
            f"(the folder holds {held})",
            path=str(folder),
        )


def game_order(clips: list[Clip], rng: np.random.Generator) -> list[list[Clip]]:
    """Runs of 1-3 same-class gestures, each run's class unlike the one before. Classes
    with more clips left are drawn more often so that they mix to the end; what one class
    alone has left at the end is not used (it could only repeat)."""
    by_class: dict[str, list[Clip]] = {}
    for i in rng.permutation(len(clips)):
        by_class.setdefault(clips[i].cls, []).append(clips[i])
    runs: list[list[Clip]] = []
    last = None
    while True:
        options = [k for k, v in by_class.items() if v and k != last]
        if not options:
            return runs
        weights = np.array([len(by_class[k]) for k in options], dtype=float) ** 2
        cls = options[int(rng.choice(len(options), p=weights / weights.sum()))]
        n = min(int(rng.integers(1, 4)), len(by_class[cls]))
        runs.append([by_class[cls].pop() for _ in range(n)])
        last = cls


def _filler_piece(
    pool: list[Clip], length: float, rng: np.random.Generator
) -> tuple[Clip, float, float]:
    """A stretch of ``length`` seconds (or the whole clip when shorter) of non-gesture motion,
    cut anywhere in the clip's recording (a noise sample's quiet part too, not only the
    motion its span labels)."""
    clip = pool[int(rng.integers(len(pool)))]
    lo, hi = clip.extent()
    if hi - lo <= length:
        return clip, lo, hi
    a = rng.uniform(lo, hi - length)
    return clip, a, a + length


def gesture_source(clip: Clip, whole: bool = True) -> tuple[float, float]:
    """The clip seconds a gesture piece plays: its labelled span with room for the
    crossfades (a recording's first and last samples held past its ends), widened to the
    clip's whole recording when ``whole`` (a sample's lead-in and lead-out are the wrist's
    own approach to and recovery from that gesture, which a real session holds around every
    gesture; truth still marks the span). Without it gestures can follow as fast as play."""
    centre, half = (clip.start + clip.end) / 2, (clip.end - clip.start) / 2
    half = max(half + FADE_S / 2, FADE_S + 0.15)
    if not whole:
        return centre - half, centre + half
    lo, hi = clip.extent()
    return min(centre - half, lo), max(centre + half, hi)


@dataclass(frozen=True)
class Pace:
    """How fast gestures follow: the pieces' extent and the gaps (seconds, uniform)."""

    whole_recording: bool  # gesture_source(whole=...)
    within_run: tuple[float, float]  # between gestures of one same-class run
    after_run: tuple[float, float]
    chat: tuple[float, float]  # after a run, one time in ten: room for chat


#: calm: the pace every held-out set of issue 24 was built at; fast: the shortest gaps
#: the crossfades allow, toward the real sessions' pace (bench/real_play.py measures both
#: against the real sessions; bench/notes/pace61.txt).
PACES = {
    "calm": Pace(True, (0.3, 1.2), (0.8, 4.0), (4.0, 8.0)),
    "fast": Pace(False, (0.0, 0.25), (0.2, 0.8), (2.0, 5.0)),
}


def lay_out(
    runs: list[list[Clip]],
    pool: list[Clip],
    lead_s: float,
    rng: np.random.Generator,
    pace: Pace = PACES["calm"],
) -> list[Piece]:
    """Pieces end to end (overlapping by FADE_S): filler, gesture, filler, gesture, ..."""
    pieces: list[Piece] = []
    t = 0.0

    def add(clip: Clip, a: float, b: float, gesture: bool) -> None:
        nonlocal t
        pieces.append(Piece(clip, a, b, t, gesture))
        t += b - a - FADE_S

    def fill(length: float) -> None:
        while length > 0.05:
            clip, a, b = _filler_piece(pool, max(length, 2 * FADE_S + 0.3) + FADE_S, rng)
            b = max(b, a + 2 * FADE_S + 0.3)
            add(clip, a, b, False)
            length -= b - a - FADE_S

    fill(lead_s)
    for run in runs:
        for k, clip in enumerate(run):
            add(clip, *gesture_source(clip, pace.whole_recording), True)
            last = k == len(run) - 1
            gap = rng.uniform(*pace.after_run) if last else rng.uniform(*pace.within_run)
            if last and rng.random() < 0.1:
                gap = rng.uniform(*pace.chat)
            fill(gap)
    fill(3.0)
    return pieces


def _yaw(q: np.ndarray) -> float:
    w, x, y, z = q
    return math.atan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z))


def _turn(q: np.ndarray, yaw: float) -> np.ndarray:
    """Quaternions (n, 4) turned about the world's vertical axis (gravity direction kept)."""
    c, s = math.cos(yaw / 2), math.sin(yaw / 2)
    w, x, y, z = q[:, 0], q[:, 1], q[:, 2], q[:, 3]
    return np.stack([c * w - s * z, c * x - s * y, c * y + s * x, c * z + s * w], axis=1)


def _piece_values(piece: Piece, sensor: str, t: np.ndarray) -> np.ndarray:
    """A piece's sensor values at session watch times t (interpolated, quaternions turned)."""
    times, vals = piece.clip.times[sensor], piece.clip.values[sensor]
    if sensor == "rotation_vector":
        vals = continuous_quaternions(vals)
    src = t - piece.at + piece.src_start
    out = np.stack([np.interp(src, times, vals[:, j]) for j in range(vals.shape[1])], axis=1)
    if sensor == "rotation_vector":
        out = _turn(out / np.linalg.norm(out, axis=1, keepdims=True), piece.yaw) * piece.flip
    return out


def orient(pieces: list[Piece]) -> None:
    """Give each piece the heading (and quaternion sign) of the one before at their join."""
    for prev, cur in zip(pieces, pieces[1:], strict=False):
        at = np.array([cur.at + FADE_S / 2])
        q_prev = _piece_values(prev, "rotation_vector", at)[0]
        q_cur = _piece_values(cur, "rotation_vector", at)[0]
        cur.yaw = _yaw(q_prev) - _yaw(q_cur)
        q_cur = _piece_values(cur, "rotation_vector", at)[0]
        cur.flip = 1.0 if float(q_prev @ q_cur) >= 0 else -1.0


def weight(piece: Piece, t: np.ndarray) -> np.ndarray:
    """Crossfade weight: rises over FADE_S at the start, falls over FADE_S at the end."""
    up = np.clip((t - piece.at) / FADE_S, 0, 1)
    down = np.clip((piece.end - t) / FADE_S, 0, 1)
    return up * down


def event_times(start: float, end: float, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Each sensor's event times at the watch rate (a little different per sensor), jittered."""
    out = {}
    for sensor in SENSORS:
        rate = rng.uniform(WATCH_RATE - 0.3, WATCH_RATE + 0.3)
        t = np.arange(start + rng.uniform(0, 1 / rate), end, 1 / rate)
        out[sensor] = np.sort(t + rng.normal(0, 0.0008, size=len(t)))
    return out


def render(pieces: list[Piece], rng: np.random.Generator) -> tuple[dict, dict]:
    """Per-sensor (times, values) of the continuous stream: pieces blended by their weights."""
    orient(pieces)
    times = event_times(pieces[0].at + FADE_S, pieces[-1].end - FADE_S, rng)
    values = {}
    for sensor, t in times.items():
        dims = 4 if sensor == "rotation_vector" else 3
        acc, total = np.zeros((len(t), dims)), np.zeros(len(t))
        for p in pieces:
            lo, hi = np.searchsorted(t, [p.at, p.end])
            if hi <= lo:
                continue
            w = weight(p, t[lo:hi])
            acc[lo:hi] += w[:, None] * _piece_values(p, sensor, t[lo:hi])
            total[lo:hi] += w
        v = acc / np.maximum(total, 1e-9)[:, None]
        if sensor == "rotation_vector":
            v /= np.linalg.norm(v, axis=1, keepdims=True)
            v *= np.where(v[:, :1] < 0, -1.0, 1.0)  # the watch reports w >= 0
        values[sensor] = v.astype(np.float32)
    return times, values


def gesture_spans(pieces: list[Piece]) -> list[tuple[float, float, Piece]]:
    """Each gesture's labelled span on the watch clock: its clip core where it dominates."""
    out = []
    for p in pieces:
        if p.gesture:
            a = max(p.at + p.clip.start - p.src_start, p.at + FADE_S / 2)
            b = min(p.at + p.clip.end - p.src_start, p.end - FADE_S / 2)
            out.append((a, b, p))
    return out


def merged_rows(times: dict, values: dict) -> tuple[np.ndarray, list[str], list[np.ndarray]]:
    """All sensors' events in production order: watch times, sensor names, values."""
    watch = np.concatenate([times[s] for s in SENSORS])
    names = [s for s in SENSORS for _ in range(len(times[s]))]
    vals = [v for s in SENSORS for v in values[s]]
    order = np.argsort(watch, kind="stable")
    return watch[order], [names[i] for i in order], [vals[i] for i in order]


def csv_text(names: list[str], vals: list[np.ndarray], d: Delivery) -> str:
    """The session dialect: kept rows in arrival order, stamped with host arrival seconds."""
    lines = [HEADER_LINE]
    for k, stamp in zip(d.kept, d.arrival, strict=True):
        lines.append(f"{_row_cells(names[k], vals[k], '', '')},{names[k]},{float(stamp)!r}")
    return "\n".join(lines) + "\n"


def row_clock(d: Delivery, every: int = 50) -> list[list[float]]:
    """[row index, session time] knots: every ``every`` rows and both sides of each loss;
    session time is linear between knots."""
    n = len(d.kept)
    idx = set(range(0, n, every)) | {n - 1}
    jumps = np.flatnonzero(np.diff(d.kept) > 1)
    idx |= set(jumps.tolist()) | set((jumps + 1).tolist())
    idx |= {d.stale_rows - 1, d.stale_rows} & set(range(n))
    return [[int(i), round(float(d.produced[i]), 4)] for i in sorted(idx)]


def backlog_curve(d: Delivery, step_s: float = 1.0) -> list[list[float]]:
    """[session time, arrival minus production] of the first row at or after each step."""
    live = slice(d.stale_rows, None)
    produced, arrival = d.produced[live], d.arrival[live]
    grid = np.arange(produced[0], produced[-1], step_s)
    at = np.searchsorted(produced, grid).clip(0, len(produced) - 1)
    return [[round(float(produced[i]), 3), round(float(arrival[i] - produced[i]), 3)] for i in at]


def phrase(cls: str, clip_name: str, rng: np.random.Generator) -> str:
    """What the player says for a gesture (turns sometimes with their side)."""
    said = str(rng.choice(SAYINGS[cls]))
    if cls == "turn" and said != "turn":
        said = {"turn_left": "turn left", "turn_right": "turn right"}.get(clip_name, "turn")
    return said


def speech_script(spans, fillers, spoken: np.ndarray, rng) -> list[Action]:
    """Command actions (session time) for spoken gestures, with reaction lead/lag, and
    'fidget' stretches between gestures where chat may go."""
    actions = []
    for (a, b, p), say in zip(spans, spoken, strict=True):
        if say:
            lag = float(np.clip(rng.normal(0.1, 0.2), -0.4, 0.6))
            actions.append(
                Action(p.clip.cls, a, b, phrase(p.clip.cls, p.clip.clip_name, rng), a + lag)
            )
    actions += [Action("fidget", a, b) for a, b in fillers]
    return sorted(actions, key=lambda x: x.word_time if x.word_time is not None else x.start)


def _said(spans, unspoken: float, offset_s: float, scale: float, audio_len: float, rng):
    """Per gesture: 'yes', 'unsaid' (the player kept quiet: ``unspoken`` of them) or
    'outside_audio' (the audio was not recording then)."""
    n = len(spans)
    quiet = set(rng.permutation(n)[: int(round(unspoken * n))].tolist())
    out = []
    for i, (a, _, _) in enumerate(spans):
        at = (a - offset_s) / scale
        out.append(
            "unsaid" if i in quiet else "yes" if 0.3 < at < audio_len - 2.0 else "outside_audio"
        )
    return out


def _arrived(a: float, b: float, d: Delivery) -> float:
    """Share of a span's production that reached the host."""
    live = d.produced[d.stale_rows :]
    got = np.searchsorted(live, b) - np.searchsorted(live, a)
    return round(float(min(got / max((b - a) * 3 * WATCH_RATE, 1.0), 1.0)), 3)


def build_stream(runs, pool, rng, kind: str | None, pace: Pace = PACES["calm"]):
    """Pieces, the rendered rows and their delivery for one session."""
    stale_s = 550 / (3 * WATCH_RATE)  # the stale burst never reaches the first gesture
    pieces = lay_out(runs, pool, stale_s + rng.uniform(1.5, 4.0), rng, pace)
    times, values = render(pieces, rng)
    watch, names, vals = merged_rows(times, values)
    d = deliver(watch, rng, kind, rate=3 * WATCH_RATE)
    shift = float(d.produced[d.stale_rows] - watch[d.kept[d.stale_rows]])
    return pieces, names, vals, d, shift


def write_session(
    folder: Path,
    runs,
    pool,
    rng,
    voice,
    *,
    offset_s: float,
    drift_ppm: float,
    snr_db: float,
    unspoken: float,
    kind: str,
    clips_dir: str,
    skipped: list[dict],
    pace: str = "calm",
) -> dict:
    """One realistic session folder (+ truth.json); returns the truth. ``skipped``: the
    folder's clips not played as gestures and why (listed when there are any)."""
    pieces, names, vals, d, shift = build_stream(runs, pool, rng, kind, PACES[pace])
    spans = [(a + shift, b + shift, p) for a, b, p in gesture_spans(pieces)]
    said, audio, commands, fillers = _speech(
        spans,
        d,
        rng,
        voice,
        offset_s=offset_s,
        drift_ppm=drift_ppm,
        snr_db=snr_db,
        unspoken=unspoken,
    )
    text = csv_text(names, vals, d)  # the sensor CSV as delivered
    write_recording(
        folder, text, audio, recorded=None, sensor_s=float(d.arrival[-1]), points=len(d.kept)
    )
    truth = {
        "session": folder.name,
        "realistic": True,
        "pace": pace,
        "offset_s": round(offset_s, 4),
        "drift_ppm": drift_ppm,
        "convention": "t_imu = t_audio * (1 + drift_ppm / 1e6) + offset_s",
        "clock": "t_imu is session time: each row's production time on the host clock; "
        "sensor_data.csv's timestamp is its arrival time; row_clock maps row index (file "
        "order, header excluded) to session time, linear between knots",
        **_motion_truth(pieces, spans, said, d, shift),
        "clips_dir": clips_dir,
        "commands": commands,
        "fillers": fillers,
    }
    if skipped:
        truth["skipped_clips"] = skipped
    (folder / "truth.json").write_text(dump_json(truth))
    return truth


def _speech(
    spans,
    d: Delivery,
    rng,
    voice,
    *,
    offset_s: float,
    drift_ppm: float,
    snr_db: float,
    unspoken: float,
) -> tuple[list[str], np.ndarray, list[dict], list[dict]]:
    """The audio track on its own drifting clock, a little longer than the motion: which
    gestures are said (some never are, some fall outside the audio) and the words placed.
    Returns what each gesture's speech became, the audio, the commands and the fillers."""
    gaps = [(b, a2) for (_, b, _), (a2, _, _) in zip(spans, spans[1:], strict=False)]
    scale = 1.0 + drift_ppm * 1e-6
    audio_len = audio_length(float(d.produced[-1]), offset_s, scale, rng)
    said = _said(spans, unspoken, offset_s, scale, audio_len, rng)
    actions = speech_script(spans, gaps, np.array([s == "yes" for s in said]), rng)
    audio, commands, fillers = render_audio(
        actions, audio_len, offset_s, rng, voice, snr_db, drift_ppm, filler_prob=0.5
    )
    return said, audio, commands, fillers


def _motion_truth(pieces, spans, said: list[str], d: Delivery, shift: float) -> dict:
    """truth.json's account of the motion: every gesture (said or not, when its rows
    arrived), the non-gesture motion between them and how the rows were delivered."""
    return {
        "intervals": [[round(a, 4), round(b, 4), p.clip.cls] for a, b, p in spans],
        "gestures": [
            {
                "class": p.clip.cls,
                "start": round(a, 4),
                "end": round(b, 4),
                "spoken": s == "yes",
                "said": s,
                "clip": p.clip.name,
                "clip_start": round(p.src_start + a - shift - p.at, 4),  # clip watch seconds
                "arrived": _arrived(a, b, d),
            }
            for (a, b, p), s in zip(spans, said, strict=True)
        ],
        "filler_motion": [
            [round(p.at + shift, 3), round(p.end + shift, 3), p.clip.cls]
            for p in pieces
            if not p.gesture
        ],
        "unsaid_share": round(sum(s == "unsaid" for s in said) / max(len(said), 1), 4),
        "delivery": delivery_truth(d),
        "row_clock": row_clock(d),
        "clips": sorted({p.clip.name for p in pieces if p.gesture}),
        "filler_clips": sorted({p.clip.name for p in pieces if not p.gesture}),
    }


def delivery_truth(d: Delivery) -> dict:
    """The delivery as truth.json records it (times are session time)."""
    curve = backlog_curve(d)
    return {
        "kind": d.kind,
        "production_rows_per_s": 3 * WATCH_RATE,
        "stale_rows": d.stale_rows,
        "losses": [[round(a, 3), round(b, 3)] for a, b in d.losses],
        "slow_phases": [
            [round(a, 3), round(min(b, d.host_end), 3), round(f, 3)] for a, b, f in d.slow
        ],
        "stalls": [[round(a, 3), round(b, 3)] for a, b in d.stalls],
        "host_end_s": round(d.host_end, 3),
        "arrived_until_s": round(float(d.produced[-1]), 3),
        "backlog_max_s": max(b for _, b in curve),
        "backlog": curve,
    }


def sessions_of(runs: list[list[Clip]], per_session: int) -> list[list[list[Clip]]]:
    """Consecutive runs grouped into sessions of about ``per_session`` gestures."""
    out: list[list[list[Clip]]] = [[]]
    for run in runs:
        if sum(map(len, out[-1])) >= per_session:
            out.append([])
        out[-1].append(run)
    if len(out) > 1 and sum(map(len, out[-1])) < per_session / 2:
        tail = out.pop()
        out[-1] += tail
    return out


@dataclass(frozen=True)
class RealisticOptions(GenerateOptions):
    """Realistic sessions (generate): play-like order, unspoken gestures, the delivery."""

    unspoken: float = UNSPOKEN  # share of gestures never said
    delivery: str | None = None  # one delivery kind for every session; None: KINDS in turn
    gestures_per_session: int = 40
    pace: str = "calm"  # a key of PACES


def generate(
    clips_dir: str | Path, out_dir: str | Path, options: RealisticOptions | None = None
) -> dict:
    """Realistic sessions from every gesture clip of a folder; returns a summary. Sessions
    take the delivery kinds in turn unless ``delivery`` names one."""
    o = options or RealisticOptions()
    clips = load_clips(clips_dir)
    playable, spare, skipped = whole_gestures(clips)
    log_skipped(skipped, clips)
    rng = np.random.default_rng([o.seed, 0])
    gestures, pool = split_pool(playable, rng, spare)
    check_pool(gestures, pool, clips, clips_dir)
    groups = sessions_of(game_order(gestures, rng), o.gestures_per_session)
    source = str(Path(clips_dir).resolve())
    planned = []
    for i, runs in enumerate(groups):
        name = f"real{o.seed:03d}_{i:02d}_session"
        write = partial(
            write_session,
            Path(out_dir) / name,
            runs,
            pool,
            drift_ppm=o.drift_ppm,
            snr_db=o.snr_db,
            unspoken=o.unspoken,
            clips_dir=source,
            kind=o.delivery or KINDS[i % len(KINDS)],
            skipped=skipped,
            pace=o.pace,
        )
        planned.append(PlannedSession(name, [o.seed, i + 1], write))
    return write_sessions(planned, o, len(clips))
