"""The transcribe step with real faster-whisper (bundled tiny.en) on real and generated speech."""

from __future__ import annotations

import io
import json
import wave
from pathlib import Path

import numpy as np
import pytest

from silkpipe import transcription
from silkpipe.cli import main as cli_main
from silkpipe.errors import InputError
from silkpipe.speech import SAMPLE_RATE, decode_wav, read_wav, synthesize, write_wav
from silkpipe.store import get_json, open_store, transcript_key
from silkpipe.transcription import Settings, transcribe_audio, transcribe_session
from silkpipe.transcripts import extract_commands, parse_transcript

REAL = "20251017_135233_session"


def _wav_bytes(audio: np.ndarray) -> bytes:
    buf = io.BytesIO()
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2")
    with wave.open(buf, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        handle.writeframes(pcm.tobytes())
    return buf.getvalue()


@pytest.fixture(scope="module")
def real_clip(data_dir) -> bytes:
    """The first 20 s of a real session: the player says idle, turn, walk ... while moving."""
    audio = read_wav(data_dir / "sessions" / REAL / "audio_16k.wav")
    return _wav_bytes(audio[: 20 * SAMPLE_RATE])


@pytest.fixture
def store(tmp_path):
    return open_store(str(tmp_path / "store"))


def _words(result: dict) -> list[dict]:
    return [w for seg in result["segments"] for w in seg["words"]]


def test_real_clip_gives_whisperx_json_with_commands(store, real_clip):
    store.put_bytes(f"sessions/{REAL}/audio_16k.wav", real_clip)
    figures = transcribe_session(store, REAL, "r1", threads=2)
    assert figures["cached"] == 0 and figures["source"] == "transcribed"
    assert figures["audio_seconds"] == pytest.approx(20.0, abs=0.01)
    assert figures["real_time_factor"] > 0
    result = get_json(store, transcript_key("r1", REAL))
    words = _words(result)
    assert figures["words"] == len(words) > 3
    assert result["word_segments"] == words
    for w in words:
        assert 0 <= w["start"] <= w["end"] <= 20.5
        assert 0 <= w["score"] <= 1
    meta = result["silkpipe"]
    assert meta["backend"] == "faster-whisper"
    assert meta["settings"]["compute_type"] == "int8"
    assert meta["audio_sha256"] == transcription.audio_sha256(real_clip)
    found = {c.cls for c in extract_commands(parse_transcript(result)).commands}
    assert {"idle", "walk"} <= found, found


@pytest.mark.parametrize("voice", ["en-us", "festival:slt", "festival:kal"])
def test_generated_speech_known_words_and_onsets(voice):
    """Commands said alone: heard, and their starts snapped to the acoustic onset."""
    gap = np.zeros(int(0.8 * SAMPLE_RATE), np.float32)
    parts, truth, t = [gap], [], 0.8
    for word in ("jump", "walk", "noise", "punch"):
        audio = synthesize(word, voice, 160)
        start = np.flatnonzero(np.abs(audio) > 0.02)[0]
        truth.append((word, t + start / SAMPLE_RATE))
        parts += [audio, gap]
        t += (len(audio) + len(gap)) / SAMPLE_RATE
    result = transcribe_audio(np.concatenate(parts), Settings(), threads=2)
    commands = extract_commands(parse_transcript(result)).commands
    assert [c.cls for c in commands] == [w for w, _ in truth], result["segments"]
    for command, (_, onset) in zip(commands, truth, strict=True):
        assert abs(command.start - onset) < 0.15, (command, onset)
    assert result["silkpipe"]["snapped_words"] >= len(truth)


def test_second_run_transcribes_nothing(store, real_clip, monkeypatch):
    store.put_bytes("sessions/s1/audio_16k.wav", real_clip)
    first = transcribe_session(store, "s1", "r1", threads=2)
    assert first["cached"] == 0

    def must_not_run(*args, **kwargs):
        raise AssertionError("the model was called although the transcript is cached")

    monkeypatch.setattr(transcription, "load_faster_whisper", must_not_run)
    monkeypatch.setattr(transcription, "transcribe_faster_whisper", must_not_run)
    second = transcribe_session(store, "s1", "r2", threads=2)
    assert second["cached"] == 1 and second["source"] == "cache"
    a = get_json(store, transcript_key("r1", "s1"))
    b = get_json(store, transcript_key("r2", "s1"))
    assert a["segments"] == b["segments"]
    cache = [k for k in store.list("cache/transcripts") if k.endswith(".json")]
    assert len(cache) == 1 and transcription.audio_sha256(real_clip) in cache[0]
    # re-running the same run skips; other settings are another cache entry (and would run)
    assert transcribe_session(store, "s1", "r2")["source"] == "run-output"
    other = Settings(beam_size=1)
    assert other.config_hash() != Settings().config_hash()


def test_session_whisperx_output_is_used_as_is(store, data_dir, monkeypatch):
    session = "20251017_143217_session"
    raw = (data_dir / "sessions" / session / "whisperx_output.json").read_bytes()
    store.put_bytes(f"sessions/{session}/whisperx_output.json", raw)
    monkeypatch.setattr(transcription, "transcribe_audio", None)  # must not be reached
    figures = transcribe_session(store, session, "r1")
    assert figures["source"] == "session-transcript" and figures["cached"] == 1
    out = get_json(store, transcript_key("r1", session))
    original = json.loads(raw)
    assert out["segments"] == original["segments"]
    assert out["silkpipe"]["backend"] == "session-whisperx-output"
    assert figures["words"] == sum(len(s.get("words", [])) for s in original["segments"])


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "0 bytes"),
        (b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunkjunk", "not a readable WAV"),
        ("truncated", "truncated"),
    ],
)
def test_bad_audio_names_session_and_file(store, content, message, real_clip):
    if content == "truncated":
        content = real_clip[: len(real_clip) // 2]
    store.put_bytes("sessions/broken/audio_16k.wav", content)
    with pytest.raises(InputError) as err:
        transcribe_session(store, "broken", "r1")
    text = str(err.value)
    assert "session broken" in text and "sessions/broken/audio_16k.wav" in text
    assert message in text


def test_missing_audio_and_missing_model(store, tmp_path):
    store.put_bytes("sessions/silent/metadata.json", b"{}")
    with pytest.raises(InputError, match="no audio"):
        transcribe_session(store, "silent", "r1")
    audio = np.zeros(SAMPLE_RATE, np.float32)
    with pytest.raises(InputError, match="not a CTranslate2 model directory"):
        transcribe_audio(audio, Settings(model=str(tmp_path / "nowhere")))
    with pytest.raises(InputError, match="nothing is downloaded"):
        transcribe_audio(audio, Settings(model="large-v3"))


def test_a_damaged_local_model_folder_is_named_as_damaged(tmp_path):
    """A cut model.bin in a local --model folder is bad input naming the folder as
    damaged, not a model "not available locally" that a download would fix."""
    import shutil

    folder = tmp_path / "whisper"
    shutil.copytree(transcription.bundled_model_dir(), folder)
    data = (folder / "model.bin").read_bytes()
    (folder / "model.bin").write_bytes(data[: len(data) // 50])
    with pytest.raises(InputError, match="cannot load this model folder") as err:
        transcribe_audio(np.zeros(SAMPLE_RATE, np.float32), Settings(model=str(folder)))
    assert str(folder) in str(err.value)


def test_cli_writes_transcript_and_rejects_corrupt_audio(tmp_path, real_clip, clean_env, capsys):
    root = tmp_path / "store"
    write_wav_path = root / "sessions" / "s1" / "audio_16k.wav"
    write_wav_path.parent.mkdir(parents=True)
    write_wav(write_wav_path, decode_wav(real_clip))
    argv = [
        "transcribe",
        "s1",
        "--store",
        str(root),
        "--run-id",
        "r1",
        "--threads",
        "2",
        "--chunk-length",
        "15",
    ]
    assert cli_main(argv) == 0
    written = json.loads((root / "runs" / "r1" / "transcripts" / "s1.json").read_text())
    assert written["silkpipe"]["settings"]["chunk_length"] == 15
    bad = root / "sessions" / "bad" / "audio_16k.wav"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"RIFF")
    assert cli_main(["transcribe", "bad", "--store", str(root), "--run-id", "r1"]) == 2
    assert "session bad" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli_main(["transcribe", "--help"])
    help_text = capsys.readouterr().out
    for option in (
        "--backend",
        "--model",
        "--model-dir",
        "--device",
        "--compute-type",
        "--batch-size",
        "--chunk-length",
        "--threads",
    ):
        assert option in help_text


def test_short_decoding_windows_keep_commands_a_30_s_window_loses():
    """A generated session (bench.voice_commands, British espeak voice, 20 dB) whose speech
    the VAD packs into 30 s windows: tiny.en decodes the first into "turn turn turn ..."
    and loses 20+ commands. In the default 10 s windows it hears nearly all of them."""
    from bench.voice_commands import HIT_S, Utterances, make_session, mix, score

    audio, truth = make_session(Utterances(), "en-gb-x-rp+m3", 170, seed=2001)
    audio = mix(audio, 20.0, 2008)

    def hits(settings: Settings) -> int:
        result = transcribe_audio(audio, settings, threads=2)
        return len(score(truth, extract_commands(parse_transcript(result)).commands, HIT_S))

    assert Settings().chunk_length == 10
    short = hits(Settings())
    assert short >= 0.9 * len(truth)
    assert hits(Settings(chunk_length=30)) < short - 10


def test_segment_as_whisperx_json():
    class W:
        word, start, end, probability = " jump", 1.0, 1.4, 0.9

    class S:
        start, end, text, words = 0.5, 2.0, " jump", [W()]

    seg = transcription._segment_dict(S())
    assert seg["start"] == 0.5 and seg["end"] == 2.0 and seg["text"] == "jump"
    assert seg["words"][0] == {"word": "jump", "start": 1.0, "end": 1.4, "score": 0.9}


def _said(capsys) -> str:
    """The last stderr line (with its newline); stdout stays empty (it is for data)."""
    out, err = capsys.readouterr()
    assert out == "", out
    return err.splitlines()[-1] + "\n"


def test_transcribe_says_in_one_line_what_it_did(tmp_path, data_dir, capsys, monkeypatch):
    """Silent on success before: how many sessions, how many re-used, and where they went."""
    import silkpipe.steps.transcribe as step

    def fake(audio, settings, threads=None):
        return {"segments": [], "language": "en", "silkpipe": {}}

    monkeypatch.setattr(step, "transcribe_audio", fake)
    store = open_store(str(tmp_path / "store"))
    store.put_bytes("sessions/s1/audio_16k.wav", _wav_bytes(np.zeros(SAMPLE_RATE)))
    own = (data_dir / "sessions" / "20251017_143217_session" / "whisperx_output.json").read_bytes()
    store.put_bytes("sessions/s2/whisperx_output.json", own)
    (tmp_path / "names").write_text("s1\ns2\n")
    where = f"into runs/r1/transcripts/ in {store.uri}"
    argv = ["--store", str(tmp_path / "store"), "--run-id", "r1"]
    assert cli_main(["transcribe", "--sessions-file", str(tmp_path / "names"), *argv]) == 0
    assert _said(capsys) == f"transcribed 2 sessions (1 re-used) {where}\n"
    assert cli_main(["transcribe", "s1", *argv]) == 0
    assert _said(capsys) == f"transcribed 1 session (1 re-used) {where}\n"
    assert cli_main(["transcribe", "s1", "--force", *argv]) == 0
    assert _said(capsys) == f"transcribed 1 session (0 re-used) {where}\n"


def test_a_sessions_file_that_is_not_utf8_is_named(tmp_path, capsys):
    """`transcribe --sessions-file FILE` with a Latin-1 name in FILE ended with exit 1,
    "UnicodeDecodeError: ..." naming no file (bad_input_sweep49)."""
    (tmp_path / "names").write_bytes(b"s1\ncaf\xe9_session\n")
    argv = ["--store", str(tmp_path / "store"), "--run-id", "r1"]
    assert cli_main(["transcribe", "--sessions-file", str(tmp_path / "names"), *argv]) == 2
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"file {tmp_path / 'names'}: line 2: not UTF-8 text" in line


def test_a_sessions_file_that_names_no_session_is_bad_input(tmp_path, capsys):
    """A --sessions-file of blank and comment lines only (a script's empty list) exited 0,
    having transcribed nothing (sweep 54): one line naming the file, exit 2."""
    (tmp_path / "names").write_text("# none today\n\n")
    argv = ["--store", str(tmp_path / "store"), "--run-id", "r1"]
    assert cli_main(["transcribe", "--sessions-file", str(tmp_path / "names"), *argv]) == 2
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"file {tmp_path / 'names'}: names no session" in line, line


def test_a_sessions_file_with_a_byte_order_mark_reads_its_first_name(tmp_path, data_dir, capsys):
    """A names file saved by Windows Notepad (a UTF-8 byte-order mark, CRLF): its first
    name was refused as "invalid session name '\\ufeffs2'", naming no file (sweep 52); a
    BOM before a CSV header or JSON text is accepted everywhere else."""
    store = open_store(str(tmp_path / "store"))
    own = (data_dir / "sessions" / "20251017_143217_session" / "whisperx_output.json").read_bytes()
    store.put_bytes("sessions/s2/whisperx_output.json", own)
    (tmp_path / "names").write_bytes("\ufeffs2\r\n".encode())
    argv = ["--store", str(tmp_path / "store"), "--run-id", "r1"]
    assert cli_main(["transcribe", "--sessions-file", str(tmp_path / "names"), *argv]) == 0
    assert _said(capsys).startswith("transcribed 1 session (1 re-used)")


def test_a_name_no_store_key_can_hold_fails_that_session_alone_in_one_line(
    tmp_path, data_dir, capsys
):
    """A line of --sessions-file (or a fan-out chunk) that is no session name ('../x'): the
    step logged "session ../x crashed" with a whole traceback, as for a bug, and a chunk pod
    would be retried for it (sweep 52). It is that session's bad input: one line naming it,
    the other sessions transcribed, exit 2. A '#' comment line is no name at all: skipped."""
    store = open_store(str(tmp_path / "store"))
    own = (data_dir / "sessions" / "20251017_143217_session" / "whisperx_output.json").read_bytes()
    store.put_bytes("sessions/s2/whisperx_output.json", own)
    (tmp_path / "names").write_text("# comment\n../x\ns2\n")
    argv = ["--store", str(tmp_path / "store"), "--run-id", "r1"]
    assert cli_main(["transcribe", "--sessions-file", str(tmp_path / "names"), *argv]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "crashed" not in err and "comment" not in err
    assert "invalid session name '../x'" in err.splitlines()[-1]
    assert store.exists("runs/r1/transcripts/s2.json")
    (tmp_path / "names").write_text("# the day's sessions\ns2\n")
    assert cli_main(["transcribe", "--sessions-file", str(tmp_path / "names"), *argv]) == 0


def test_a_model_folder_replaced_in_place_is_another_transcript_key(tmp_path, monkeypatch):
    """`transcribe --model m` keyed its transcripts by the string 'm': after the model in
    m was replaced (or from another folder holding another m) the old transcripts were
    re-used (stop 54's sweep). The key now holds a hash of the folder's files."""
    for where in ("a", "b"):
        (tmp_path / where / "m").mkdir(parents=True)
        (tmp_path / where / "m" / "config.json").write_text('{"suppress_ids": []}')
        (tmp_path / where / "m" / "model.bin").write_bytes(b"weights of " + where.encode())
    monkeypatch.chdir(tmp_path / "a")
    first = Settings(model="m").config_hash()
    (tmp_path / "a" / "m" / "config.json").write_text('{"suppress_ids": [4916]}')
    replaced = Settings(model="m").config_hash()
    monkeypatch.chdir(tmp_path / "b")
    elsewhere = Settings(model="m").config_hash()
    assert len({first, replaced, elsewhere}) == 3
    assert "model_files" not in Settings().config()  # the bundled model's key as it was
    (tmp_path / "b" / "m" / ".DS_Store").write_bytes(b"a file browser's")  # no new model
    (tmp_path / "b" / "m" / ".cache").mkdir()
    (tmp_path / "b" / "m" / ".cache" / "download.lock").write_text("")
    assert Settings(model="m").config_hash() == elsewhere


def _cached_snapshot(cache: Path, revision: str, weights: bytes) -> None:
    """A Hugging Face cache entry of faster-whisper's `tiny` at `revision` (refs/main)."""
    entry = cache / "models--Systran--faster-whisper-tiny"
    (entry / "snapshots" / revision).mkdir(parents=True)
    (entry / "snapshots" / revision / "model.bin").write_bytes(weights)
    (entry / "refs").mkdir(exist_ok=True)
    (entry / "refs" / "main").write_text(revision)


def test_a_model_name_updated_in_the_cache_is_another_transcript_key(tmp_path, monkeypatch):
    """`--backend whisperx --model tiny` keyed its transcripts by the name alone: after the
    cache was updated to another revision of the model the old transcripts were re-used. The
    key now holds the revision the name resolves to in the cache whisperx loads from."""
    monkeypatch.delenv("HF_HOME", raising=False)
    cache = tmp_path / "models"
    settings = Settings(backend="whisperx", model="tiny", model_dir=str(cache))
    absent = settings.config_hash()  # not in the cache: as before (loading it fails)
    assert "model_revision" not in settings.config()
    _cached_snapshot(cache, "aaa111", b"weights")
    first = settings.config_hash()
    _cached_snapshot(cache, "bbb222", b"new weights")  # refs/main now names bbb222
    updated = settings.config_hash()
    assert settings.config()["model_revision"] == "bbb222"
    assert len({absent, first, updated}) == 3
    monkeypatch.setenv("HF_HOME", str(cache))  # no --model-dir: whisperx loads from $HF_HOME
    assert Settings(backend="whisperx", model="tiny").config_hash() == updated
    assert "model_revision" not in Settings().config()  # the bundled model's key as it was


def test_a_transcript_records_its_settings_and_their_hash_from_one_lookup(monkeypatch):
    """Settings.config() hashes a local model folder's listing and looks up a cached
    revision: it ran twice per transcript (bad_input_sweep57), and the two could disagree
    were the folder replaced between them."""
    calls = []
    real = Settings.config

    def config(self):
        calls.append(1)
        return real(self)

    def fake(audio, settings, threads):
        return {"segments": [{"start": 0.1, "end": 0.4, "text": " jump", "words": []}]}

    monkeypatch.setattr(Settings, "config", config)
    monkeypatch.setattr(transcription, "transcribe_faster_whisper", fake)
    result = transcribe_audio(np.zeros(SAMPLE_RATE, np.float32), Settings())
    assert len(calls) == 1
    meta = result["silkpipe"]
    assert meta["config_hash"] == transcription.config_digest(meta["settings"])
