"""Sample data with known truth: voice sessions and labelled clips in the real dialects.

`make run` must work without our real recordings, and tests must be able to score the
alignment and the offset recovery. So we write sessions exactly as the watch app does
(sparse event CSV with host-arrival seconds in bursts with gaps, sign-flipping
quaternions, 16 kHz speech audio, metadata.json) from a script of gestures whose motion
we shape ourselves, speak the commands with real speech synthesis at a known
audio->IMU offset (``t_imu = t_audio + offset_s``) and write that truth beside them.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from scipy.ndimage import gaussian_filter1d

from silkpipe.speech import SAMPLE_RATE, synthesize, write_wav
from silkpipe.vocabulary import CLASSES, EVENT_CLASSES, word_class

BASE_RATE = 100.0  # Hz of the shaped motion before each sensor samples it
SENSORS = ("linear_acceleration", "gyroscope", "rotation_vector")
HEADER_LINE = (
    "accel_x,accel_y,accel_z,gyro_x,gyro_y,gyro_z,rot_w,rot_x,rot_y,rot_z,sensor,timestamp"
)

#: How players say each class (first word carries the time), following silkpipe.vocabulary.
SAYINGS: dict[str, tuple[str, ...]] = {
    "jump": ("jump", "jump", "jump"),
    "punch": ("punch", "punch", "attack"),
    "turn": ("turn", "turn", "turn left", "turn right"),
    "walk": ("walk", "walking", "walk start", "start walking"),
    "idle": ("idle", "rest", "stop", "idle"),
    "noise": ("noise", "noise", "this is noise"),
}
#: Chat between commands; none of these words names a class (checked by the tests).
FILLERS = (
    "okay",
    "let me see",
    "here we go",
    "this game is hard",
    "alright then",
    "one more time",
    "wow",
    "hmm okay",
    "that boss again",
    "come on",
)
ESPEAK_VOICES = ("en-us", "en-us+m3", "en-us+f3", "en-gb", "en-us+m7", "en-us+f2")
#: File-name classes of synthetic clips.
CLIP_NAMES = (
    "jump",
    "punch",
    "turn_left",
    "turn_right",
    "walk",
    "idle",
    "noise_action",
    "noise_locomotion",
)
CLIP_EPOCH_MS = 1767258000000  # 2026-01-01 09:00 UTC: host clock of the synthetic clip block


@dataclass
class Action:
    """One scripted gesture: its motion span (IMU clock) and what is said about it."""

    cls: str  # class, or "fidget" for unlabelled filler motion
    start: float
    end: float
    phrase: str = ""
    word_time: float | None = None  # IMU time of the phrase onset
    sign: float = 1.0  # turn direction (+ = left / counter-clockwise)


@dataclass
class Streams:
    """Per-sensor watch events: times (seconds on the watch clock) and values."""

    times: dict[str, np.ndarray] = field(default_factory=dict)
    values: dict[str, np.ndarray] = field(default_factory=dict)


# ---------------------------------------------------------------- motion shaping


def _bump(n: int, centre: float, width: float) -> np.ndarray:
    x = np.arange(n) / BASE_RATE
    return np.exp(-0.5 * ((x - centre) / width) ** 2)


def _smooth_noise(rng: np.random.Generator, n: int, sigma_s: float, dims: int = 3) -> np.ndarray:
    raw = rng.normal(size=(n, dims))
    out = gaussian_filter1d(raw, sigma_s * BASE_RATE, axis=0, mode="wrap")
    return out / (out.std(axis=0, keepdims=True) + 1e-9)


def gesture_motion(
    cls: str, n: int, rng: np.random.Generator, sign: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Linear acceleration (m/s^2) and gyro (rad/s), device frame, for n samples of a class."""
    d = n / BASE_RATE
    acc = np.zeros((n, 3))
    gyr = np.zeros((n, 3))
    amp = rng.uniform(0.75, 1.3)
    if cls == "jump":  # crouch, vertical take-off spike, flight, landing spike
        acc[:, 2] += -3 * amp * _bump(n, 0.2 * d, 0.08)
        acc[:, 2] += 16 * amp * _bump(n, 0.38 * d, 0.05)
        acc[:, 2] += -2 * amp * _bump(n, 0.55 * d, 0.1)
        acc[:, 2] += 14 * amp * _bump(n, 0.75 * d, 0.04)
        acc[:, 0] += 2 * amp * _bump(n, 0.38 * d, 0.08)
        gyr[:, 0] += 1.5 * amp * (_bump(n, 0.35 * d, 0.08) - _bump(n, 0.75 * d, 0.06))
    elif cls == "punch":  # forward burst and recoil, wrist rotation
        acc[:, 0] += 20 * amp * _bump(n, 0.3 * d, 0.05)
        acc[:, 0] += -14 * amp * _bump(n, 0.55 * d, 0.06)
        acc[:, 1] += 3 * amp * _bump(n, 0.35 * d, 0.08)
        gyr[:, 1] += 4 * amp * _bump(n, 0.32 * d, 0.07)
        gyr[:, 2] += -1.5 * amp * _bump(n, 0.5 * d, 0.1)
    elif cls == "turn":  # yaw rotation of 90-180 degrees, sideways acceleration
        angle = rng.uniform(math.pi / 2, math.pi)
        shape = np.sin(np.pi * np.arange(n) / max(n - 1, 1)) ** 2
        gyr[:, 2] += sign * angle * shape / (shape.sum() / BASE_RATE)
        acc[:, 1] += sign * 3 * amp * (_bump(n, 0.3 * d, 0.1) - _bump(n, 0.7 * d, 0.1))
        acc[:, 0] += 1.5 * amp * shape
    elif cls == "walk":  # steps at ~2 Hz, arm swing at half the step rate
        f = rng.uniform(1.7, 2.2)
        t = np.arange(n) / BASE_RATE
        phase = rng.uniform(0, 2 * math.pi)
        acc[:, 2] += 2.5 * amp * np.sin(2 * math.pi * f * t + phase)
        acc[:, 2] += 0.8 * amp * np.sin(4 * math.pi * f * t + phase)
        acc[:, 0] += 1.5 * amp * np.sin(math.pi * f * t + phase)
        gyr[:, 1] += 1.2 * amp * np.sin(math.pi * f * t + phase)
        gyr[:, 0] += 0.4 * amp * np.sin(2 * math.pi * f * t)
    elif cls == "noise":  # random movements that are none of the gestures
        acc += 4 * amp * _smooth_noise(rng, n, 0.08)
        gyr += 1.8 * amp * _smooth_noise(rng, n, 0.12)
    elif cls == "fidget":  # small unlabelled hand motion between commands
        acc += 0.35 * _smooth_noise(rng, n, 0.2)
        gyr += 0.15 * _smooth_noise(rng, n, 0.25)
    elif cls != "idle":
        raise ValueError(f"unknown motion class {cls!r}")
    if cls in ("walk", "noise", "fidget") and n > 10:  # fade in and out
        ramp = np.minimum(1.0, np.minimum(np.arange(n), np.arange(n)[::-1]) / (0.15 * BASE_RATE))
        acc *= ramp[:, None]
        gyr *= ramp[:, None]
    return acc, gyr


def _integrate(gyro: np.ndarray, q0: np.ndarray) -> np.ndarray:
    """Orientation quaternions (w, x, y, z) from body-frame angular velocity."""
    dt = 1.0 / BASE_RATE
    out = np.empty((len(gyro), 4))
    w, x, y, z = (float(v) for v in q0)
    for i, (gx, gy, gz) in enumerate(gyro.tolist()):
        out[i] = (w, x, y, z)
        ang = math.sqrt(gx * gx + gy * gy + gz * gz) * dt
        if ang > 0:
            s = math.sin(ang / 2) / (ang / dt)
            c = math.cos(ang / 2)
            dx, dy, dz = gx * s, gy * s, gz * s
            w, x, y, z = (
                w * c - x * dx - y * dy - z * dz,
                w * dx + x * c + y * dz - z * dy,
                w * dy - x * dz + y * c + z * dx,
                w * dz + x * dy - y * dx + z * c,
            )
            norm = math.sqrt(w * w + x * x + y * y + z * z)
            w, x, y, z = w / norm, x / norm, y / norm, z / norm
    return out


def random_quaternion(rng: np.random.Generator) -> np.ndarray:
    """A watch pose: tilted a little from flat, any compass heading."""
    yaw = rng.uniform(0, 2 * math.pi)
    tilt = rng.uniform(0, 0.6)
    axis = rng.uniform(0, 2 * math.pi)
    qz = np.array([math.cos(yaw / 2), 0, 0, math.sin(yaw / 2)])
    qt = np.array(
        [
            math.cos(tilt / 2),
            math.cos(axis) * math.sin(tilt / 2),
            math.sin(axis) * math.sin(tilt / 2),
            0.0,
        ]
    )
    w1, x1, y1, z1 = qz
    w2, x2, y2, z2 = qt
    return np.array(
        [
            w1 * w2 - x1 * x2 - y1 * y2 - z1 * z2,
            w1 * x2 + x1 * w2 + y1 * z2 - z1 * y2,
            w1 * y2 - x1 * z2 + y1 * w2 + z1 * x2,
            w1 * z2 + x1 * y2 - y1 * x2 + z1 * w2,
        ]
    )


def render_motion(
    actions: list[Action], duration: float, rng: np.random.Generator, t0: float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The shaped base signal: times, accel, gyro, quaternions at BASE_RATE from t0."""
    n = int(math.ceil(duration * BASE_RATE)) + 1
    t = t0 + np.arange(n) / BASE_RATE
    acc = rng.normal(0, 0.04, size=(n, 3))
    gyr = rng.normal(0, 0.012, size=(n, 3))
    for a in actions:
        i0 = max(int(round((a.start - t0) * BASE_RATE)), 0)
        i1 = min(int(round((a.end - t0) * BASE_RATE)), n)
        if i1 - i0 < 2:
            continue
        da, dg = gesture_motion(a.cls, i1 - i0, rng, a.sign)
        acc[i0:i1] += da
        gyr[i0:i1] += dg
    quat = _integrate(gyr, random_quaternion(rng))
    return t, acc, gyr, quat


def sample_sensors(
    t: np.ndarray,
    acc: np.ndarray,
    gyr: np.ndarray,
    quat: np.ndarray,
    rng: np.random.Generator,
    rates: dict[str, float] | None = None,
) -> Streams:
    """Each sensor samples the base signal at its own rate with jitter; quaternions get w >= 0."""
    out = Streams()
    sources = {"linear_acceleration": acc, "gyroscope": gyr, "rotation_vector": quat}
    for sensor in SENSORS:
        rate = (rates or {}).get(sensor) or rng.uniform(48.5, 50.5)
        times = np.arange(t[0] + rng.uniform(0, 1 / rate), t[-1], 1 / rate)
        times = np.clip(times + rng.normal(0, 0.0008, size=len(times)), t[0], t[-1])
        times.sort()
        src = sources[sensor]
        vals = np.stack([np.interp(times, t, src[:, j]) for j in range(src.shape[1])], axis=1)
        if sensor == "rotation_vector":
            vals /= np.linalg.norm(vals, axis=1, keepdims=True)
            vals *= np.where(vals[:, :1] < 0, -1.0, 1.0)  # the watch reports w >= 0
        out.times[sensor] = times
        out.values[sensor] = vals.astype(np.float32)
    return out


# ---------------------------------------------------------------- writers


def _fmt(v: float) -> str:
    return f"{v:.9g}"


def _row_cells(sensor: str, vals: np.ndarray, empty: str, zero_rot: str) -> str:
    cells = [empty] * 10
    if sensor == "linear_acceleration":
        cells[0:3] = [_fmt(v) for v in vals]
    elif sensor == "gyroscope":
        cells[3:6] = [_fmt(v) for v in vals]
    else:
        cells[6:10] = [_fmt(v) for v in vals]
    if zero_rot and sensor != "rotation_vector":
        cells[6] = zero_rot
    return ",".join(cells)


def session_rows(
    streams: Streams,
    rng: np.random.Generator,
    keep: float = 0.92,
    gaps: int | None = None,
    origin: float | None = None,
) -> tuple[str, float, float, list[tuple[float, float]]]:
    """Session-dialect CSV text: events as the host receives them.

    The watch sends events in batches; the host stamps each row on arrival (seconds since
    the session started), so rows come in bursts a few ms apart, some events are lost
    (``keep``) and the link sometimes stalls (``gaps`` windows without rows).
    Returns (text, origin, mean latency, gap windows on the watch clock): a watch time w
    lies at IMU time ``w - origin + latency``.
    """
    watch, sensors, rows = _interleave(streams)
    mask, windows = _lost_events(watch, rng, keep, gaps)
    arrival, batch, n_batches = _arrivals(watch, rng)
    if keep < 0.6:
        mask &= (rng.random(n_batches) < keep)[batch]
    origin = float(watch[0]) - rng.uniform(0.04, 0.1) if origin is None else origin
    stamps = arrival - origin
    latency = float(np.mean(arrival[mask] - watch[mask]))
    lines = [HEADER_LINE]
    for k in np.flatnonzero(mask):
        lines.append(f"{_row_cells(sensors[k], rows[k], '', '')},{sensors[k]},{float(stamps[k])!r}")
    return "\n".join(lines) + "\n", origin, latency, windows


def _interleave(streams: Streams) -> tuple[np.ndarray, list[str], list[np.ndarray]]:
    """Every sensor's events in one list ordered by watch time (stable: ties keep order)."""
    sensors: list[str] = []
    times: list[np.ndarray] = []
    rows: list[np.ndarray] = []
    for sensor in SENSORS:
        t = streams.times[sensor]
        sensors += [sensor] * len(t)
        times.append(t)
        rows.extend(streams.values[sensor])
    watch = np.concatenate(times)
    order = np.argsort(watch, kind="stable")
    return watch[order], [sensors[i] for i in order], [rows[i] for i in order]


def _lost_events(
    watch: np.ndarray, rng: np.random.Generator, keep: float, gaps: int | None
) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Which events survive: single losses (dense streams) and stalls of the link (gaps)."""
    start, end = float(watch[0]), float(watch[-1])
    # a dense stream loses single events; a sparse one whole bursts (as in 20251017_143627)
    mask = rng.random(len(watch)) < keep if keep >= 0.6 else np.ones(len(watch), dtype=bool)
    n_gaps = int(rng.integers(0, 3)) if gaps is None else gaps
    windows = []
    for _ in range(n_gaps):
        g0 = rng.uniform(start + 0.2 * (end - start), start + 0.9 * (end - start))
        g1 = g0 + rng.uniform(1.0, 6.0)
        windows.append((g0, g1))
        mask &= ~((watch >= g0) & (watch < g1))
    return mask, windows


def _arrivals(watch: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, int]:
    """Host arrival time and batch number of each event; returns them and the batch count."""
    # batches: the watch flushes every 15-50 ms; arrival = flush + latency; rows of a burst
    # arrive a few ms apart
    arrival = np.empty(len(watch))
    batch = np.empty(len(watch), dtype=np.int64)
    flush = float(watch[0])
    i = b = 0
    last = -math.inf
    while i < len(watch):
        flush += rng.uniform(0.015, 0.05)
        if watch[i] > flush:  # nothing sampled since the last flush (a gap between clips)
            flush = watch[i] + rng.uniform(0.0, 0.05)
        j = int(np.searchsorted(watch, flush, side="right"))
        base = flush + rng.uniform(0.01, 0.04)
        steps = np.cumsum(rng.uniform(0.0003, 0.004, size=j - i))
        arrival[i:j] = np.maximum(base + steps - steps[0], last + 1e-5 + steps - steps[0])
        batch[i:j] = b
        last = arrival[j - 1]
        i, b = j, b + 1
    return arrival, batch, b


def clip_text(streams: Streams, rng: np.random.Generator, boot_ns: int) -> str:
    """Clip-dialect CSV text: watch nanoseconds, zero-filled columns, rows partly out of order."""
    recs = []
    for sensor in SENSORS:
        for t, v in zip(streams.times[sensor], streams.values[sensor], strict=True):
            recs.append((boot_ns + int(round(t * 1e9)), sensor, v))
    recs.sort(key=lambda r: r[0])
    for i in range(1, len(recs)):  # the watch delivers sensors interleaved out of order
        if rng.random() < 0.25:
            recs[i - 1], recs[i] = recs[i], recs[i - 1]
    lines = [HEADER_LINE]
    for ns, sensor, v in recs:
        lines.append(f"{_row_cells(sensor, v, '0.0', '1.0')},{sensor},{ns}")
    if rng.random() < 0.3:  # a step_detector row now and then (the parser drops them)
        at = int(rng.integers(1, len(lines)))
        ns = recs[min(at - 1, len(recs) - 1)][0]
        lines.insert(at, "0.0,0.0,0.0,0.0,0.0,0.0,1.0,0.0,0.0,0.0,step_detector," + str(ns))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- scripts and speech


def plan_script(rng: np.random.Generator, start: float, end: float) -> list[Action]:
    """Gestures between start and end (IMU clock): every class, then a random mix."""
    order = list(CLASSES)
    rng.shuffle(order)
    weights = np.array([3, 3, 3, 1.5, 1.5, 1.2])
    actions: list[Action] = []
    t = start
    queue = list(order)
    while True:
        cls = queue.pop(0) if queue else str(rng.choice(CLASSES, p=weights / weights.sum()))
        repeats = int(rng.choice([1, 1, 2, 3])) if cls in EVENT_CLASSES else 1
        pause = rng.uniform(0.8, 2.0)
        if rng.random() < 0.2:
            pause = rng.uniform(2.5, 4.0)  # room for chat
        if cls == "walk":
            dur = rng.uniform(4.0, 8.0)
        elif cls == "idle":
            dur = rng.uniform(3.0, 6.0)
        elif cls == "noise":
            dur = rng.uniform(1.5, 3.0)
        else:
            dur = rng.uniform(0.6, 1.0)
        total = pause + repeats * dur + (repeats - 1) * 0.7
        if t + total > end:
            break
        if pause > 0.3:
            actions.append(Action("fidget", t, t + pause))
        t += pause
        for r in range(repeats):
            sign = float(rng.choice([-1.0, 1.0]))
            phrase = str(rng.choice(SAYINGS[cls]))
            if cls == "turn" and phrase != "turn":
                phrase = "turn left" if sign > 0 else "turn right"
            lag = float(np.clip(rng.normal(0.05, 0.15), -0.3, 0.4))  # reaction lead/lag
            actions.append(Action(cls, t, t + dur, phrase, t + lag, sign))
            t += dur + (0.7 if r < repeats - 1 else 0.0)
    return actions


class Voice:
    """Speech synthesis with a per-run cache (the same phrase in the same voice sounds alike)."""

    def __init__(self, voices: tuple[str, ...] = ESPEAK_VOICES) -> None:
        self.voices = voices
        self._cache: dict[tuple[str, str, int], np.ndarray] = {}

    def say(self, text: str, rng: np.random.Generator) -> np.ndarray:
        voice = str(rng.choice(self.voices))
        wpm = int(rng.choice([140, 155, 170, 185]))
        if voice.startswith("festival:"):  # a slow call: one rate keeps the cache small
            wpm = 165
        key = (text, voice, wpm)
        if key not in self._cache:
            self._cache[key] = trim_silence(synthesize(text, voice=voice, words_per_minute=wpm))
        return self._cache[key]


def trim_silence(audio: np.ndarray, threshold: float = 0.02) -> np.ndarray:
    """Drop leading/trailing silence so the phrase onset is the placement time."""
    loud = np.flatnonzero(np.abs(audio) > threshold * max(float(np.abs(audio).max()), 1e-9))
    if not len(loud):
        return audio
    return audio[loud[0] : loud[-1] + 1]


class _SpeechTrack:
    """The speech channel being written: where each clip lands, and until when it is busy."""

    def __init__(self, n: int, rng: np.random.Generator):
        self.speech = np.zeros(n, dtype=np.float32)
        self.rng = rng
        self.busy_until = -math.inf

    def place(self, clip: np.ndarray, at_s: float) -> tuple[float, float] | None:
        """Add the clip at a random level; None when it does not fit in the audio."""
        i0 = int(round(at_s * SAMPLE_RATE))
        if i0 < 0 or i0 + len(clip) > len(self.speech):
            return None
        peak = max(np.abs(clip).max(), 1e-6)
        self.speech[i0 : i0 + len(clip)] += clip * self.rng.uniform(0.4, 0.8) / peak
        self.busy_until = (i0 + len(clip)) / SAMPLE_RATE
        return i0 / SAMPLE_RATE, self.busy_until


def render_audio(
    actions: list[Action],
    length_s: float,
    offset_s: float,
    rng: np.random.Generator,
    voice: Voice,
    snr_db: float = 30.0,
    drift_ppm: float = 0.0,
    filler_prob: float = 0.6,
) -> tuple[np.ndarray, list[dict], list[dict]]:
    """Speech for every action's phrase at audio time (t_imu - offset) / (1 + drift), plus chat.

    Returns audio, the commands said (with audio onset/end) and the fillers said.
    """
    track = _SpeechTrack(int(length_s * SAMPLE_RATE), rng)
    commands: list[dict] = []
    fillers: list[dict] = []
    scale = 1.0 + drift_ppm * 1e-6
    for a in actions:
        if a.cls == "fidget":
            if (said := _say_filler(track, a, voice, offset_s, scale, filler_prob)) is not None:
                fillers.append(said)
            continue
        clip = voice.say(a.phrase, rng)
        at = ((a.start if a.word_time is None else a.word_time) - offset_s) / scale
        at = max(at, track.busy_until + 0.05)  # a repeat said while the last word still plays
        if (span := track.place(clip, at)) is None:
            continue
        commands.append(
            {
                "text": a.phrase,
                "class": a.cls,
                "audio_start": round(span[0], 4),
                "audio_end": round(span[1], 4),
                "imu_time": round(span[0] * scale + offset_s, 4),
            }
        )
    return _with_noise(track.speech, snr_db, rng), commands, fillers


def _say_filler(
    track: _SpeechTrack, a: Action, voice: Voice, offset_s: float, scale: float, prob: float
) -> dict | None:
    """Chat during a long enough fidget, when the speaker is free and it ends in time."""
    if a.end - a.start < 2.4 or track.rng.random() >= prob:
        return None
    text = str(track.rng.choice(FILLERS))
    clip = voice.say(text, track.rng)
    at = (a.start + 0.3 - offset_s) / scale
    if at <= track.busy_until or a.start + 0.3 + len(clip) / SAMPLE_RATE >= a.end - 0.3:
        return None
    span = track.place(clip, at)
    return None if span is None else {"text": text, "audio_start": span[0], "audio_end": span[1]}


def _with_noise(speech: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """Speech plus smoothed Gaussian noise at the given SNR, kept below full scale."""
    n = len(speech)
    speech_rms = float(np.sqrt(np.mean(speech[speech != 0] ** 2))) if speech.any() else 0.1
    noise_rms = speech_rms / (10 ** (snr_db / 20))
    noise = gaussian_filter1d(rng.normal(size=n), 1.0)
    noise *= noise_rms / (noise.std() + 1e-12)
    audio = (speech + noise).astype(np.float32)
    peak = float(np.abs(audio).max())
    if peak > 0.99:
        audio *= 0.99 / peak
    return audio


def check_fillers() -> list[str]:
    """Filler words that would be heard as commands (must be empty)."""
    return [w for text in FILLERS for w in text.split() if word_class(w)]


# ---------------------------------------------------------------- sessions and clips


def dump_json(obj: dict) -> str:
    """Indented JSON with short lists (intervals) kept on one line."""
    text = json.dumps(obj, indent=1)
    return (
        re.sub(r"\[\s+([^\[\]{}]*?)\s+\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", text)
        + "\n"
    )


def _metadata(name: str, recorded: datetime, sensor_s: float, audio_s: float, points: int) -> dict:
    return {
        "session_name": name,
        "recording_date": recorded.isoformat(),
        "duration_sec": 600,
        "actual_duration_sec": sensor_s,
        "audio_duration_sec": audio_s,
        "sensor_data_points": points,
        "audio_sample_rate": SAMPLE_RATE,
        "audio_chunks": int(audio_s * SAMPLE_RATE / 1024),
        "sensors_collected": ["rotation_vector", "linear_acceleration", "gyroscope"],
    }


def truth_intervals(actions: list[Action], shift: float) -> list[list]:
    """Labelled motion spans on the IMU clock (watch time + shift)."""
    return [
        [round(a.start + shift, 4), round(a.end + shift, 4), a.cls]
        for a in actions
        if a.cls != "fidget"
    ]


def write_session(
    folder: Path,
    name: str,
    rng: np.random.Generator,
    voice: Voice,
    duration: float,
    offset_s: float,
    recorded: datetime,
    snr_db: float = 30.0,
) -> dict:
    """One synthetic voice session folder plus truth.json; returns the truth."""
    audio_len = duration + rng.uniform(2.0, 8.0)
    # plan where both recordings run: IMU [0, duration] and audio [offset, offset + audio_len]
    lo = max(0.0, offset_s) + 1.5
    hi = min(duration, offset_s + audio_len) - 2.5
    actions = plan_script(rng, lo, hi)
    t, acc, gyr, quat = render_motion(actions, duration, rng)
    streams = sample_sensors(t, acc, gyr, quat, rng)
    text, origin, latency, gaps = session_rows(streams, rng, keep=rng.uniform(0.9, 0.99))
    shift = latency - origin
    audio, commands, fillers = render_audio(
        actions, audio_len, offset_s - shift, rng, voice, snr_db
    )
    for c in commands:  # onsets said relative to motion on the IMU clock
        c["imu_time"] = round(c["audio_start"] + offset_s, 4)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sensor_data.csv").write_text(text)
    write_wav(folder / "audio_16k.wav", audio)
    points = text.count("\n") - 1
    last = float(text.rstrip("\n").rsplit(",", 1)[1])
    meta = _metadata(name, recorded, round(last, 3), round(len(audio) / SAMPLE_RATE, 3), points)
    (folder / "metadata.json").write_text(json.dumps(meta, indent=2) + "\n")
    truth = {
        "session": name,
        "offset_s": round(offset_s, 4),
        "drift_ppm": 0.0,
        "convention": "t_imu = t_audio + offset_s",
        "intervals": truth_intervals(actions, shift),
        "commands": commands,
        "fillers": fillers,
        "gaps_imu": [[round(a + shift, 3), round(b + shift, 3)] for a, b in gaps],
    }
    (folder / "truth.json").write_text(dump_json(truth))
    return truth


def write_clips(folder: Path, rng: np.random.Generator, per_class: int) -> list[str]:
    """One collection block of button-labelled clips in the real clip dialect."""
    names = [c for c in CLIP_NAMES for _ in range(per_class)]
    rng.shuffle(names)
    actions: list[Action] = []
    t = 2.0
    for clip in names:
        cls = clip.split("_")[0] if not clip.startswith("noise") else "noise"
        cls = "turn" if clip.startswith("turn") else cls
        dur = {"walk": rng.uniform(3, 5), "idle": rng.uniform(3, 5), "noise": rng.uniform(1.5, 3)}
        d = dur.get(cls, rng.uniform(0.6, 1.0))
        sign = 1.0 if clip == "turn_left" else -1.0
        actions.append(Action(cls, t, t + d, clip, None, sign))
        t += d + rng.uniform(4.0, 9.0)
    motion_actions = [Action(a.cls, a.start, a.end, sign=a.sign) for a in actions]
    t_base, acc, gyr, quat = render_motion(motion_actions, t + 1.0, rng)
    streams = sample_sensors(t_base, acc, gyr, quat, rng, rates=dict.fromkeys(SENSORS, 50.0))
    boot_ns = int(rng.integers(100_000, 300_000)) * 1_000_000_000
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for a in actions:
        press = a.start - rng.uniform(0.3, 1.0)  # button pressed before the gesture
        release = a.end + rng.uniform(0.3, 1.2)
        lo, hi = a.start - rng.uniform(0.1, 0.3), a.end + rng.uniform(0.1, 0.3)
        part = Streams()
        for s in SENSORS:
            keep = (streams.times[s] >= lo) & (streams.times[s] <= hi)
            part.times[s] = streams.times[s][keep]
            part.values[s] = streams.values[s][keep]
        t0_ms, t1_ms = CLIP_EPOCH_MS + int(press * 1000), CLIP_EPOCH_MS + int(release * 1000)
        stem = f"{a.phrase}_{t0_ms}_to_{t1_ms}"
        (folder / f"{stem}.csv").write_text(clip_text(part, rng, boot_ns))
        written.append(stem)
    return written


def generate(
    out_dir: str | Path,
    sessions: int = 4,
    offset_s: float | None = None,
    seed: int = 0,
    duration: float = 120.0,
    clips_per_class: int = 10,
    snr_db: float = 30.0,
) -> dict:
    """Write OUT_DIR/sessions/<name>/ (+ truth.json) and OUT_DIR/clips/; returns a summary."""
    out = Path(out_dir)
    if sessions < 1 or duration < 20:
        raise ValueError("need at least one session of at least 20 seconds")
    voice = Voice()
    day = datetime(2026, 1, 5, 10, 0, 0) + timedelta(days=int(seed % 300))
    summary: dict = {"sessions": [], "offsets": {}, "commands": 0, "clips": 0}
    for i in range(sessions):
        srng = np.random.default_rng([seed, i])
        off = float(srng.uniform(-20, 20)) if offset_s is None else float(offset_s)
        recorded = day + timedelta(minutes=17 * i, seconds=int(srng.integers(0, 59)))
        name = recorded.strftime("%Y%m%d_%H%M%S") + "_session"
        truth = write_session(
            out / "sessions" / name, name, srng, voice, duration, off, recorded, snr_db
        )
        summary["sessions"].append(name)
        summary["offsets"][name] = truth["offset_s"]
        summary["commands"] += len(truth["commands"])
    if clips_per_class > 0:
        summary["clips"] = len(
            write_clips(out / "clips", np.random.default_rng([seed, 999]), clips_per_class)
        )
    return summary
