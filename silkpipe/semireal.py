"""Semi-real voice sessions: real button-labelled wrist motion, synthetic speech, known truth.

Our real voice sessions have no ground truth (their clocks are unaligned). Button clips
are real motion with exact labels, so we rebuild each collection block's IMU stream from
its clips (device-ns rows carry watch nanoseconds; neighbouring clips share events, so rows
are deduplicated; sample-dialect clips are laid on one clock by sample_layout; time between
clips stays a gap), write it in the session dialect as the
host would have received it, and speak every clip's class at a known audio->IMU offset
(``t_imu = t_audio * (1 + drift_ppm / 1e6) + offset_s``).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import numpy as np

from silkpipe.clips import (
    SAMPLE_SLOT_S,
    ClipName,
    block_indices,
    clip_core,
    clip_folder_files,
    is_sample_folder,
    parse_clip_name,
    read_sample_clip,
    read_session_metadata,
    recut_late,
    refuse_copy,
)
from silkpipe.errors import InputError
from silkpipe.motion_span import motion_span, span_flaw
from silkpipe.sessions import RawStreams, read_sensor_csv
from silkpipe.speech import FESTIVAL_VOICES, SAMPLE_RATE, write_wav
from silkpipe.synth import (
    ESPEAK_VOICES,
    SAYINGS,
    SENSORS,
    Action,
    Streams,
    Voice,
    _metadata,
    dump_json,
    render_audio,
    session_rows,
)
from silkpipe.validation import MAX_SPAN_S, check_readings

#: A block longer than this is cut (at a gap between clips) into several sessions.
MAX_SESSION_S = 300.0
#: A continuous recording (sample dialect) is cut into pieces this long, about the length
#: of the device-ns walk and idle clips.
CONTINUOUS_PIECE_S = 5.0


@dataclass
class Clip:
    name: str
    cls: str  # vocabulary class
    clip_name: str  # file-name class, e.g. turn_left
    start: float  # labelled span on the watch clock, seconds (a sample's: motion_span)
    end: float
    host_end: float | None  # host epoch seconds of the button release (or a recording's end)
    host_start: float | None  # ... of the button press, when the name has it
    times: dict[str, np.ndarray]
    values: dict[str, np.ndarray]
    rec_start: float | None = None  # the recording's own extent (what can be played); None:
    rec_end: float | None = None  # the labelled span (a device-ns clip is its button span)
    flaw: str | None = None  # a sample that holds no whole gesture: why (motion_span.span_flaw)

    def extent(self) -> tuple[float, float]:
        """(start, end) of what can be played: a sample's whole recording, around a span
        that labels only its motion; otherwise the labelled span itself."""
        start = self.start if self.rec_start is None else self.rec_start
        end = self.end if self.rec_end is None else self.rec_end
        return start, end


def load_clips(clips_dir: str | Path) -> list[Clip]:
    """Every labelled clip in a folder of either clip dialect, read by silkpipe.clips (the
    model's loader): device-ns clips with their core span (stray shared events dropped),
    blocks and late delivery as there; sample-dialect clips laid out by sample_layout."""
    folder = Path(clips_dir)
    if not folder.is_dir():
        raise InputError("clips folder is missing", path=str(folder))
    paths = [p for p in clip_folder_files(folder) if p.suffix == ".csv"]
    if not paths:
        raise InputError("no clip CSV files", path=str(folder))
    if is_sample_folder(folder):
        return sample_layout(folder, paths)
    clips = []
    for path in paths:
        name = parse_clip_name(path)
        raw = read_sensor_csv(path)
        check_readings(raw, session="", path=str(path))
        start, end = clip_core(raw)
        host_start = name.button[0] if name.button else None
        clips.append(
            Clip(
                path.stem,
                name.label,
                name.name_class,
                start,
                end,
                name.host_end,
                host_start,
                raw.times,
                raw.values,
            )
        )
    clips.sort(key=lambda c: c.start)
    return [c for block in collection_blocks(clips) for c in _recut_late(block)]


def sample_layout(folder: Path, paths: list[Path]) -> list[Clip]:
    """Sample-dialect clips (no shared clock) on one block clock: classes one after another
    in the order session_metadata.json's gestures_completed lists them (the recorder's
    order; classes it does not list follow by name), each class's samples in recording
    order at the model loader's slots (sample NN at NN * SAMPLE_SLOT_S), SAMPLE_SLOT_S
    between classes. A sample's span (where its words are said and truth.json labels) is
    where its motion is (motion_span; a device-ns clip's button span is tight around its
    motion, a sample has none); its events stay whole and its extent (what realistic play
    may play) is the whole sample; its flaw says when it holds no whole gesture. A
    continuous recording follows its class's samples, cut into consecutive
    CONTINUOUS_PIECE_S pieces (like the device-ns walk and idle clips), each keeping the
    file's name."""
    meta = read_session_metadata(folder)
    copies: dict[str, str] = {}
    for path in paths:  # a sample's copy would be played twice, as two gestures
        refuse_copy(copies, path)
    read = [read_sample_clip(path) for path in paths]
    listed = {c: i for i, c in enumerate(meta.get("gestures_completed", []))}

    def group(name: ClipName) -> tuple:
        rank = listed.get(name.name_class, len(listed))
        return (rank, name.name_class, name.sample is None)

    clips: list[Clip] = []
    clock = 0.0
    for key in sorted({group(name) for name, _ in read}):
        members = sorted(
            ((n, raw) for n, raw in read if group(n) == key), key=lambda x: x[0].sample or 0
        )
        first = min(float(t[0]) for _, raw in members for t in raw.times.values())
        shift = clock + SAMPLE_SLOT_S - first
        for name, raw in members:
            times = {s: t + shift for s, t in raw.times.items()}
            whole = (
                min(float(t[0]) for t in times.values()),
                max(float(t[-1]) for t in times.values()),
            )
            start, end = whole if name.sample is None else motion_span(times, raw.values)
            clip = Clip(
                name.stem,
                name.label,
                name.name_class,
                start,
                end,
                None,
                None,
                times,
                raw.values,
                *whole,
                flaw=None if name.sample is None else span_flaw(times, raw.values),
            )
            clips += [clip] if name.sample is not None else continuous_pieces(clip)
            clock = max(clock, whole[1])
    return clips


def continuous_pieces(clip: Clip, piece_s: float = CONTINUOUS_PIECE_S) -> list[Clip]:
    """A long recording cut into consecutive equal pieces, as many as puts their length
    nearest ``piece_s`` seconds (at least one): realistic play uses a clip whole as one
    gesture, and one 150 s walk is no gesture."""
    n = max(1, round((clip.end - clip.start) / piece_s))
    edges = np.linspace(clip.start, clip.end, n + 1)
    out = []
    for a, b in zip(edges, edges[1:], strict=False):
        inside = {s: (t >= a) & (t <= b) for s, t in clip.times.items()}
        times = {s: t[inside[s]] for s, t in clip.times.items()}
        values = {s: v[inside[s]] for s, v in clip.values.items()}
        if all(len(t) > 1 for t in times.values()):
            out.append(Clip(clip.name, clip.cls, clip.clip_name, a, b, None, None, times, values))
    return out


def collection_blocks(clips: list[Clip]) -> list[list[Clip]]:
    """Collection blocks of clips sorted by start (the model's loader uses the same rule)."""
    return [
        [clips[i] for i in members] for members in block_indices([(c.start, c.end) for c in clips])
    ]


def _recut_late(block: list[Clip]) -> list[Clip]:
    """Clips the watch delivered late hold another moment's motion: clips.recut_late (the
    model's loader's rule) moves each to its button time, taking the block's events there,
    or drops it, so truth never labels wrong motion."""
    buttons = [
        (c.host_start, c.host_end) if c.host_start is not None and c.host_end is not None else None
        for c in block
    ]
    raws = [RawStreams(c.name, "clip", c.times, c.values) for c in block]
    recuts = recut_late([(c.start, c.end) for c in block], buttons, raws)
    if not recuts:
        return block
    merged = merge_streams(block)
    out = []
    for i, c in enumerate(block):
        recut = recuts.get(i)
        if recut is None:
            out.append(c)
        elif recut.motion is not None:
            start, end = recut.start, recut.end
            times, values = {}, {}
            for sensor in SENSORS:
                inside = (merged.times[sensor] >= start) & (merged.times[sensor] <= end)
                times[sensor] = merged.times[sensor][inside]
                values[sensor] = merged.values[sensor][inside]
            out.append(
                Clip(
                    c.name, c.cls, c.clip_name, start, end, c.host_end, c.host_start, times, values
                )
            )
    return out


def split_blocks(clips: list[Clip], max_session_s: float = MAX_SESSION_S) -> list[list[Clip]]:
    """Collection blocks, long ones cut into sessions at gaps between clips."""
    out: list[list[Clip]] = []
    for block in collection_blocks(clips):
        parts: list[list[Clip]] = [[]]
        for c in block:
            part = parts[-1]
            reach = max([p.end for p in part], default=c.start)
            if part and c.end - part[0].start > max_session_s and c.start > reach:
                parts.append([])
            parts[-1].append(c)
        merged = [parts[0]]
        for part in parts[1:]:
            if len(part) < 5:  # a few stray clips join the part before them
                merged[-1].extend(part)
            else:
                merged.append(part)
        out.extend(merged)
    return out


def host_offset(block: list[Clip]) -> float | None:
    """Host epoch seconds minus watch seconds: rows arrive before the button's release."""
    ends = [c.host_end - c.end for c in block if c.host_end is not None]
    if ends:
        return float(np.median(ends))
    starts = [c.host_start - c.start for c in block if c.host_start is not None]
    return float(np.median(starts)) if starts else None


def merge_streams(block: list[Clip]) -> Streams:
    """One stream per sensor from all clips of a block; events shared by clips kept once."""
    out = Streams()
    for sensor in SENSORS:
        t = np.concatenate([c.times[sensor] for c in block])
        v = np.concatenate([c.values[sensor] for c in block])
        _, first = np.unique(np.round(t * 1e6).astype(np.int64), return_index=True)
        out.times[sensor] = t[first]
        out.values[sensor] = v[first].astype(np.float32)
    return out


def truth_spans(block: list[Clip]) -> list[list]:
    """Label intervals on the watch clock: clip cores, overlaps split at the midpoint, same
    labels merged (noise segments tile a continuous recording)."""
    spans = sorted([[c.start, c.end, c.cls, c.clip_name] for c in block])
    merged: list[list] = []
    for s in spans:
        if merged and merged[-1][2] == s[2] and s[0] <= merged[-1][1] + 0.3:
            merged[-1][1] = max(merged[-1][1], s[1])
            continue
        merged.append(list(s))
    for a, b in zip(merged, merged[1:], strict=False):
        if a[1] > b[0]:
            mid = (max(a[0], b[0]) + min(a[1], b[1])) / 2
            a[1], b[0] = mid, mid
    return [s for s in merged if s[1] - s[0] > 0.1]


def script(spans: list[list], rng: np.random.Generator) -> list[Action]:
    """What the player says about each span: class words with reaction lead/lag and jitter."""
    actions = []
    for start, end, cls, clip_name in spans:
        times = [start]
        if cls in ("noise", "walk", "idle") and end - start > 8:
            times = list(np.arange(start, end - 2.0, rng.uniform(4.0, 7.0)))  # repeated
        for t in times:
            phrase = str(rng.choice(SAYINGS[cls]))
            if cls == "turn" and phrase != "turn":
                phrase = "turn left" if clip_name == "turn_left" else "turn right"
            if cls == "turn" and clip_name == "turn" and phrase != "turn":
                phrase = "turn"
            lag = float(np.clip(rng.normal(0.1, 0.2), -0.4, 0.6))
            actions.append(Action(cls, start, end, phrase, float(t) + lag))
    # chat goes into the gaps between clips
    said = [(a, a.start if a.word_time is None else a.word_time) for a in actions]
    chat = [
        Action("fidget", a.end + 0.4, t_next - 0.6)
        for (a, _), (_, t_next) in zip(said, said[1:], strict=False)
        if t_next - a.end > 3.5
    ]
    return sorted(actions + chat, key=lambda a: a.word_time if a.word_time is not None else a.start)


def default_voices() -> tuple[str, ...]:
    """Festival voices when installed (more natural), plus espeak-ng voices."""
    voices = list(ESPEAK_VOICES[:4])
    if shutil.which("text2wave"):
        voices = [f"festival:{v}" for v in FESTIVAL_VOICES] * 2 + voices
    return tuple(voices)


def write_block_session(
    out_dir: Path,
    name: str,
    block: list[Clip],
    rng: np.random.Generator,
    voice: Voice,
    *,
    offset_s: float,
    drift_ppm: float,
    snr_db: float,
    keep: float,
    host0: float | None,
    clips_dir: str | None = None,
) -> dict:
    """Write one semi-real session folder (+ truth.json); returns the truth."""
    streams = merge_streams(block)
    text, origin, latency, _ = session_rows(streams, rng, keep=keep, gaps=0)
    shift = latency - origin  # watch seconds -> IMU (sensor_data.csv) seconds
    spans = truth_spans(block)
    sensor_end = float(text.rstrip("\n").rsplit(",", 1)[1])
    audio, commands, fillers = _block_speech(
        spans, sensor_end, shift, rng, voice, offset_s=offset_s, drift_ppm=drift_ppm, snr_db=snr_db
    )
    recorded = datetime.fromtimestamp(host0 + origin, UTC) if host0 is not None else None
    points = text.count("\n") - 1
    write_recording(
        out_dir / name, text, audio, recorded=recorded, sensor_s=sensor_end, points=points
    )
    spoken = {(round(c["imu_time"], 1)) for c in commands}
    truth = {
        "session": name,
        "offset_s": round(offset_s, 4),
        "drift_ppm": drift_ppm,
        "convention": "t_imu = t_audio * (1 + drift_ppm / 1e6) + offset_s",
        "intervals": [[round(s + shift, 4), round(e + shift, 4), cls] for s, e, cls, _ in spans],
        "clips": sorted(c.name for c in block),
        "clips_dir": clips_dir,  # where those clips are: score-voice's clip model learns them
        "watch_start_s": round(origin, 4),  # watch seconds at IMU time 0 (minus latency)
        "host_epoch_start_s": None if host0 is None else round(host0 + origin, 3),
        "events_kept": keep,
        "commands": commands,
        "fillers": fillers,
        "spoken_commands": len(spoken),
    }
    (out_dir / name / "truth.json").write_text(dump_json(truth))
    return truth


def _block_speech(
    spans: list[list],
    sensor_end: float,
    shift: float,
    rng: np.random.Generator,
    voice: Voice,
    *,
    offset_s: float,
    drift_ppm: float,
    snr_db: float,
) -> tuple[np.ndarray, list[dict], list[dict]]:
    """The audio: each clip's command said near its motion, chat in the gaps, on an audio
    clock ``offset_s`` from the IMU clock and drifting; commands carry their IMU time.
    ``shift`` maps the clips' watch seconds to IMU seconds."""
    actions = script(spans, rng)
    scale = 1.0 + drift_ppm * 1e-6
    audio_len = audio_length(sensor_end, offset_s, scale, rng)
    # render_audio places words at (t_watch - off) / scale; we want (t_imu - offset_s) / scale
    audio, commands, fillers = render_audio(
        actions, audio_len, offset_s - shift, rng, voice, snr_db, drift_ppm, filler_prob=0.5
    )
    for c in commands:
        c["imu_time"] = round(c["audio_start"] * scale + offset_s, 4)
    return audio, commands, fillers


def audio_length(
    sensor_end: float, offset_s: float, scale: float, rng: np.random.Generator
) -> float:
    """Seconds of audio: from the audio clock's zero a little past the IMU stream's end.
    Bad input: an offset at or past that end, which leaves no time with both recordings
    (--offset 1e6 made sessions of silence), and audio longer than MAX_AUDIO_S of lead-in
    and motion (--offset -1e6 would have rendered eleven days of it)."""
    if not offset_s < sensor_end:
        raise InputError(
            f"--offset {offset_s:g} s: this session's IMU stream runs {sensor_end:.1f} s, so "
            "the audio would start after it ends; give an offset under that"
        )
    length = max((sensor_end - offset_s) / scale, 5.0) + rng.uniform(1.0, 8.0)
    if length > MAX_AUDIO_S:
        raise InputError(
            f"--offset {offset_s:g} s: this session's audio would run {length / 3600:.0f} h "
            f"before and over its {sensor_end:.1f} s of motion; give an offset within hours"
        )
    return length


#: The longest audio a generated session gets: the longest session silkpipe reads.
MAX_AUDIO_S = MAX_SPAN_S


def write_recording(
    folder: Path,
    text: str,
    audio: np.ndarray,
    *,
    recorded: datetime | None,
    sensor_s: float,
    points: int,
) -> None:
    """The files a real recording leaves: the sensor CSV ``text``, the audio and the
    metadata (``recorded`` at the host time the clips carry, else a fixed day)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sensor_data.csv").write_text(text)
    write_wav(folder / "audio_16k.wav", audio)
    meta = _metadata(
        folder.name,
        recorded or datetime(2025, 1, 1, tzinfo=UTC),
        round(sensor_s, 3),
        round(len(audio) / SAMPLE_RATE, 3),
        points,
    )
    (folder / "metadata.json").write_text(dump_json(meta))


@dataclass(frozen=True)
class GenerateOptions:
    """What every semi-real generator takes (``silkpipe synth --from-clips``)."""

    offset_s: float | None = None  # audio->IMU offset of every session; None: random in ±20 s
    drift_ppm: float = 0.0  # t_imu = t_audio * (1 + drift_ppm / 1e6) + offset_s
    snr_db: float = 20.0  # speech-to-noise ratio of the audio
    seed: int = 0  # the same seed writes the same files
    voices: tuple[str, ...] = ()  # speech voices; empty: default_voices()


@dataclass(frozen=True)
class BlockOptions(GenerateOptions):
    """Semi-real sessions rebuilt block by block (generate_from_clips)."""

    sparse_keep: float = 0.33  # share of events kept in each block's sparse variant; 0: none
    max_session_s: float = MAX_SESSION_S  # longer blocks are cut at a gap between clips


@dataclass
class PlannedSession:
    """A session a generator will write: its name, the key that seeds its random generator,
    and how to write it: ``write(rng, voice, offset_s=...)`` -> its truth."""

    name: str
    key: list[int]
    write: Callable[..., dict]


def write_sessions(planned: Iterable[PlannedSession], options: GenerateOptions, clips: int) -> dict:
    """The session loop of every semi-real generator: each session gets its own generator,
    its offset drawn first from it (unless fixed), then is written; returns the summary."""
    voice = Voice(options.voices or default_voices())
    summary: dict = {"sessions": [], "offsets": {}, "commands": 0, "clips": clips}
    for session in planned:
        rng = np.random.default_rng(session.key)
        off = float(rng.uniform(-20, 20)) if options.offset_s is None else float(options.offset_s)
        truth = session.write(rng, voice, offset_s=off)
        summary["sessions"].append(session.name)
        summary["offsets"][session.name] = truth["offset_s"]
        summary["commands"] += len(truth["commands"])
    return summary


def generate_from_clips(
    clips_dir: str | Path, out_dir: str | Path, options: BlockOptions | None = None
) -> dict:
    """Every collection block of a clip folder -> session folders under OUT_DIR (a dense
    and, unless ``sparse_keep`` is 0, a sparse variant of each); returns a summary."""
    options = options or BlockOptions()
    clips = load_clips(clips_dir)
    blocks = split_blocks(clips, options.max_session_s)
    planned = _block_sessions(blocks, Path(out_dir), options, str(Path(clips_dir).resolve()))
    return write_sessions(planned, options, len(clips))


def _block_sessions(
    blocks: list[list[Clip]], out: Path, options: BlockOptions, clips_dir: str
) -> Iterator[PlannedSession]:
    """The sessions of generate_from_clips: per block, named by its host start time."""
    offsets_by_block = [host_offset(b) for b in blocks]
    for i, block in enumerate(blocks):
        host0 = offsets_by_block[i]
        if host0 is None:  # same watch boot as a neighbouring block with host times
            near = [
                (abs(b[0].start - block[0].start), o)
                for b, o in zip(blocks, offsets_by_block, strict=True)
                if o is not None
            ]
            near = [x for x in near if x[0] < 3600]
            host0 = min(near)[1] if near else None
        kind = "noise" if all(c.cls == "noise" for c in block) else "gestures"
        variants = [("", float(np.random.default_rng([options.seed, i, 0]).uniform(0.88, 0.97)))]
        if options.sparse_keep > 0:
            variants.append(("sparse", options.sparse_keep))
        for v, (suffix, keep) in enumerate(variants):
            stamp = (
                datetime.fromtimestamp(host0 + block[0].start, UTC).strftime("%Y%m%d_%H%M%S")
                if host0 is not None
                else f"w{int(block[0].start)}"
            )
            name = "_".join(x for x in (stamp, kind, suffix, "session") if x)
            write = partial(
                write_block_session,
                out,
                name,
                block,
                drift_ppm=options.drift_ppm,
                snr_db=options.snr_db,
                keep=keep,
                host0=host0,
                clips_dir=clips_dir,
            )
            yield PlannedSession(name, [options.seed, i, v + 1], write)
