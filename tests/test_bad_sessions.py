"""Bad voice sessions (and the clips beside them): every error names the user's file, one bad
session never sinks the others, and the closing line counts sessions and clips apart.

Built from the real recordings (tests/badinputs.py); nothing is stored in the repository.
"""

from __future__ import annotations

import json
from pathlib import Path

import badinputs
import pytest

RUN = "bs"


@pytest.fixture(scope="module", autouse=True)
def _real_data():
    if not badinputs.SESSIONS.is_dir():
        pytest.fail(f"real data not found at {badinputs.DATA} (tests read ../shared/data)")


def _records(store: Path, step: str) -> dict[str, dict]:
    folder = store / "runs" / RUN / "failures" / step
    return {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}


def _healthy_session(root: Path) -> None:
    """The real session with its own transcript that passes the gate on its own: the healthy
    part of a run (a second one only adds its alignment time)."""
    name = badinputs.GOOD[1]
    badinputs.copy_session(
        name, root, name, files=("sensor_data.csv", "metadata.json", "whisperx_output.json")
    )


@pytest.fixture(scope="module")
def store_run(tmp_path_factory):
    """`silkpipe run` over a healthy session, a session with a NaN reading, healthy clips,
    a clip with a NaN reading, an empty clip and a clip whose name the store refuses."""
    root = tmp_path_factory.mktemp("storerun")
    sessions = root / "user-sessions"
    _healthy_session(sessions)
    case = badinputs.nan_csv(sessions)
    clips = badinputs.clips_subset(root / "user-clips", per_class=2)
    bad = badinputs.bad_clips(clips)
    (clips / "jump bad name.csv").write_bytes((clips / bad[1]).read_bytes())
    tmp = root / "tmp"
    tmp.mkdir()
    proc = badinputs.cli(
        *("run", str(sessions), "--clips", str(clips), "--store", str(root / "store")),
        *("--run-id", RUN, "--workers", "1"),
        cwd=root,
    )
    return {"root": root, "proc": proc, "case": case, "bad": bad, "clips": clips}


def test_store_mode_clip_errors_name_the_users_clip_not_a_scratch_copy(store_run):
    """Clips are read from a work copy in the temp folder; the error must name the file in
    the folder the user gave (--clips), where they can open and fix it."""
    records = _records(store_run["root"] / "store", "train")
    for name in store_run["bad"]:
        error = records[Path(name).stem]["error"]
        assert f"file {store_run['clips'] / name}:" in error, error
    stderr = store_run["proc"].stderr
    assert "silkpipe-align-clips-" not in stderr and "silkpipe-train-" not in stderr
    assert f"{store_run['clips'] / store_run['bad'][0]}" in stderr


def test_store_mode_session_errors_name_the_users_session_file(store_run):
    case = store_run["case"]
    error = _records(store_run["root"] / "store", "align")[case.session]["error"]
    user_file = store_run["root"] / "user-sessions" / case.session / "sensor_data.csv"
    assert f"file {user_file}:" in error, error


def test_closing_line_counts_clips_skipped_at_upload_apart_from_sessions(store_run):
    proc = store_run["proc"]
    assert proc.returncode == 2, proc.stderr[-2000:]
    last = proc.stderr.strip().splitlines()[-1]
    assert f"1 session(s) failed ({store_run['case'].session})" in last, last
    assert "1 clip(s) skipped at upload (jump bad name)" in last, last
    assert f"{len(store_run['bad'])} clip(s) skipped by train" in last, last
    assert "Traceback" not in proc.stderr


def test_clips_train_names_and_skips_make_the_run_partial(tmp_path):
    """A healthy session, healthy clips and two damaged ones that upload but that train names
    and skips: the model is trained on the others, and run says so and exits 2 (it exited 0,
    as if every clip had been trained on), as for clips refused at upload."""
    sessions = tmp_path / "user-sessions"
    _healthy_session(sessions)
    clips = badinputs.clips_subset(tmp_path / "user-clips", per_class=2)
    bad = sorted(Path(name).stem for name in badinputs.bad_clips(clips))
    proc = badinputs.cli(
        *("run", str(sessions), "--clips", str(clips), "--store", str(tmp_path / "store")),
        *("--run-id", RUN, "--workers", "1"),
        cwd=tmp_path,
    )
    last = proc.stderr.strip().splitlines()[-1]
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert f"2 clip(s) skipped by train ({', '.join(bad)})" in last, last
    assert "steps with failures: none" in last and "Traceback" not in proc.stderr
    assert (tmp_path / "store" / "runs" / RUN / "model.json").is_file()


# ---- folder mode: train --sessions ------------------------------------------------------


def _labelled(root: Path, name: str) -> Path:
    """A real session with a labels.csv (start,end,label on the IMU clock)."""
    folder = badinputs.copy_session(badinputs.GOOD[0], root, name, files=("sensor_data.csv",))
    (folder / "labels.csv").write_text(
        "start,end,label\n10.0,20.0,walk\n30.0,40.0,idle\n50.0,52.0,jump\n60.0,62.0,punch\n"
    )
    return folder


def test_folder_mode_train_names_a_bad_session_and_trains_on_the_others(tmp_path):
    sessions = tmp_path / "sessions"
    _labelled(sessions, "good_one")
    bad = _labelled(sessions, "bad_one")
    (bad / "sensor_data.csv").write_text((bad / "sensor_data.csv").read_text()[:-5000] + "x,y\n")
    unreadable = _labelled(sessions, "bad_labels")
    (unreadable / "labels.csv").write_text("start,end,label\n5.0,nan,walk\n")
    out = tmp_path / "out"
    proc = badinputs.cli(
        *("train", "--sessions", str(sessions), "--out", str(out), "--epochs", "1"),
        "--no-progress",
        cwd=tmp_path,
    )
    assert proc.returncode == 2, proc.stderr[-2000:]  # partial: the model, without them
    assert "partial:" in proc.stderr.splitlines()[-1]
    assert (out / "model" / "model.onnx").is_file()
    for name, file in (("bad_one", "sensor_data.csv"), ("bad_labels", "labels.csv")):
        line = next(ln for ln in proc.stderr.splitlines() if f"session {name}" in ln)
        assert f"{sessions / name / file}" in line, line


# ---- upload ------------------------------------------------------------------------------


def test_unreadable_session_file_is_refused_and_the_others_upload(tmp_path, monkeypatch):
    """A file the OS will not hand over (chmod 000 for a normal user; simulated, since a
    root test process reads anything) refuses its session, naming it; the run goes on."""
    from silkpipe.pipeline import upload_inputs
    from silkpipe.store import FileStore

    sessions = tmp_path / "in"
    good = badinputs.good_sessions(sessions)
    bad = badinputs.copy_session(badinputs.GOOD[0], sessions, "bad_unreadable")
    real = Path.read_bytes

    def read_bytes(self):
        if self == bad / "sensor_data.csv":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    skipped: dict[str, str] = {}
    store = FileStore(tmp_path / "store")
    assert upload_inputs(store, sessions, None, skipped, run_id="r") == sorted(good)
    why = skipped["bad_unreadable"]
    assert f"file {bad / 'sensor_data.csv'}: cannot read: Permission denied" in why, why
    assert not store.list("sessions/bad_unreadable")


# ---- audio -------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [1, 3, 4])
def test_8_24_and_32_bit_pcm_wavs_decode_like_the_16_bit_one(width):
    """A recorder's 8-, 24- or 32-bit PCM file is the same speech: it was refused (the
    session lost), now it decodes to what its 16-bit original does."""
    import io
    import wave

    import numpy as np

    from silkpipe.speech import decode_wav

    real = (badinputs.SESSIONS / badinputs.AUDIO / "audio_16k.wav").read_bytes()
    with wave.open(io.BytesIO(real)) as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.int64)
        rate = w.getframerate()
    if width == 1:
        raw = ((pcm >> 8) + 128).astype(np.uint8).tobytes()
    else:
        wide = pcm << (8 * width - 16)
        raw = b"".join(int(v).to_bytes(width, "little", signed=True) for v in wide[:48000])
        pcm = pcm[:48000]
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(raw)
    got = decode_wav(buf.getvalue(), "x.wav")
    want = decode_wav(real, "x.wav")[: len(got)]
    assert len(got) == len(want) > 1000
    tolerance = 2 / 128 if width == 1 else 1e-6
    assert np.max(np.abs(got - want)) <= tolerance


# ---- score-voice: truth.json -------------------------------------------------------------


@pytest.mark.parametrize(
    "text, words",
    [
        ("{}", "offset_s"),
        ('{"offset_s": "x", "intervals": []}', "offset_s"),
        ('{"offset_s": NaN, "intervals": []}', "offset_s"),
        ('{"offset_s": 1.0}', "intervals"),
        ('{"offset_s": 1.0, "intervals": [[2.0, 1.0, "jump"]]}', "intervals"),
        ('{"offset_s": 1.0, "intervals": [], "commands": [{"text": "jump"}]}', "commands"),
        ('{"offset_s": 1.0, "intervals": [], "row_clock": [[0]]}', "row_clock"),
        (
            '{"offset_s": 1.0, "intervals": [], "commands": [{"text": "jump", "audio_start": 1,'
            ' "audio_end": 2, "class": "jump", "imu_time": "x"}]}',
            "imu_time",
        ),
        ('{"offset_s": 1.0, "intervals": [], "gestures": [{"class": "jump"}]}', "gestures"),
        (
            '{"offset_s": 1.0, "intervals": [], "gestures": [{"class": "jump", "start": 1,'
            ' "end": 2, "spoken": "yes"}]}',
            "gestures",
        ),
        ("[1, 2]", "json object"),
        ("{not json", "invalid json"),
    ],
)
def test_score_voice_refuses_a_bad_truth_json_up_front(tmp_path, text, words):
    """A truth.json the scorer cannot read stopped score-voice after all the work with
    `error: KeyError: 'offset_s'` (exit 1); now it is refused before any work, named, and
    its session left out (the others are scored); with no good truth nothing is done."""
    from silkpipe.errors import InputError
    from silkpipe.voice_score import read_inputs

    sessions = tmp_path / "sessions"
    good = badinputs.copy_session(badinputs.GOOD[0], sessions, "a_good", files=("sensor_data.csv",))
    (good / "truth.json").write_text('{"offset_s": 0.5, "intervals": [[1.0, 2.0, "jump"]]}')
    bad = badinputs.copy_session(badinputs.GOOD[0], sessions, "b_bad", files=("sensor_data.csv",))
    (bad / "truth.json").write_text(text)
    (tmp_path / "clips").mkdir()
    folders, truths, refused = read_inputs(sessions, tmp_path / "clips")
    assert folders == [good] and list(truths) == ["a_good"] and list(refused) == ["b_bad"]
    assert f"session b_bad, file {bad / 'truth.json'}" in refused["b_bad"]
    assert words in refused["b_bad"].lower()
    (good / "truth.json").write_text(text)
    with pytest.raises(InputError, match="no session can be scored"):
        read_inputs(sessions, tmp_path / "clips")


def test_session_file_that_is_a_folder_or_a_pipe_is_named_at_upload(tmp_path):
    """audio_16k.wav as a folder or a named pipe was passed over in silence and the session
    failed later with 'no audio' naming no file; now upload refuses it, naming the file."""
    import os

    from silkpipe.pipeline import upload_inputs
    from silkpipe.store import FileStore

    sessions = tmp_path / "in"
    good = badinputs.good_sessions(sessions)
    made = {}
    for name, make in (("bad_dir", Path.mkdir), ("bad_fifo", os.mkfifo)):
        folder = badinputs.copy_session(badinputs.AUDIO, sessions, name, files=("sensor_data.csv",))
        make(folder / "audio_16k.wav")
        made[name] = folder / "audio_16k.wav"
    skipped: dict[str, str] = {}
    assert upload_inputs(FileStore(tmp_path / "store"), sessions, None, skipped) == sorted(good)
    for name, path in made.items():
        assert f"session {name}, file {path}: is not a regular file" in skipped[name]


# ---- report ------------------------------------------------------------------------------


def test_report_does_not_plot_a_session_align_refused_for_its_span(tmp_path):
    """The report re-read a refused session's sensor_data.csv and sized its plot grid from
    the span (timestamps in ms: 2.5 days, minutes and 10 GB); it now applies align's check."""
    from silkpipe.report import _timeline
    from silkpipe.store import FileStore

    src = badinputs.SESSIONS / badinputs.GOOD[0] / "sensor_data.csv"
    lines = src.read_text().splitlines()
    half = len(lines) // 2
    for i in range(half, len(lines)):
        row = lines[i].split(",")
        row[11] = repr(float(row[11]) + 5000.0)  # a second recording 5000 s later
        lines[i] = ",".join(row)
    store = FileStore(tmp_path / "store")
    store.put_bytes("sessions/two/sensor_data.csv", ("\n".join(lines) + "\n").encode())
    info = {"session": "two", "transcript": None, "report": None, "labels": []}
    png, why = _timeline(store, "r", info)
    assert png is None
    assert "stretches" in why and "sensor_data.csv" in why, why


def test_adapt_to_sessions_skips_a_session_it_cannot_read(tmp_path):
    """train --adapt-to DIR of session folders: one unreadable session is reported through
    on_error and the others still feed self-training."""
    from silkpipe.adapt import adapt_streams

    new = tmp_path / "new"
    badinputs.copy_session(badinputs.GOOD[0], new, "a_good", files=("sensor_data.csv",))
    bad = badinputs.copy_session(badinputs.GOOD[0], new, "b_bad", files=("sensor_data.csv",))
    (bad / "sensor_data.csv").write_text("garbage\n")
    seen: list[tuple[str, str]] = []
    streams = adapt_streams(new, on_error=lambda folder, err: seen.append((folder.name, str(err))))
    assert [s.name for s in streams] == ["a_good"]
    assert seen and seen[0][0] == "b_bad" and "sensor_data.csv" in seen[0][1]


def test_every_session_folder_linking_out_is_refused_named_unread(tmp_path, monkeypatch):
    """A linked-out session folder with no session files was ignored without a word (one
    with them was refused): both are now refused, named, without listing the target."""
    from silkpipe.pipeline import upload_inputs
    from silkpipe.store import FileStore

    outside = tmp_path / "outside"
    (outside / "empty").mkdir(parents=True)
    badinputs.copy_session(badinputs.GOOD[0], outside, "full", files=("sensor_data.csv",))
    sessions = tmp_path / "in"
    good = badinputs.good_sessions(sessions)
    for name in ("empty", "full"):
        (sessions / f"linked_{name}").symlink_to(outside / name)
    real = Path.exists

    def exists(self, **kwargs):
        assert not self.resolve().is_relative_to(outside), f"read {self}"
        return real(self, **kwargs)

    monkeypatch.setattr(Path, "exists", exists)
    skipped: dict[str, str] = {}
    store = FileStore(tmp_path / "store")
    assert upload_inputs(store, sessions, None, skipped, run_id="r") == sorted(good)
    assert sorted(skipped) == ["linked_empty", "linked_full"]
    for name, why in skipped.items():
        assert f"session {name}, file {sessions / name}: is a link out of" in why, why


def test_score_voice_session_errors_name_the_users_file_with_oracle_words(tmp_path):
    """score-voice's own store named the store key (sessions/S/F) in a session's error; it
    now records where each session came from, as `silkpipe run` does. The oracle words it
    writes after upload are recorded too (they still pass the run's hash check)."""
    from silkpipe import synth
    from silkpipe.sessions import find_sessions
    from silkpipe.steps.common import origin_of
    from silkpipe.voice_score import run_steps

    synth.generate(tmp_path / "data", sessions=2, seed=21, duration=30, clips_per_class=1)
    sessions = tmp_path / "data" / "sessions"
    folders = find_sessions(sessions)
    truths = {f.name: json.loads((f / "truth.json").read_text()) for f in folders}
    bad = folders[1] / "sensor_data.csv"
    lines = bad.read_text().split("\n")
    lines[5] = ",".join([*lines[5].split(",")[:-1], "nan"])  # a timestamp
    bad.write_text("\n".join(lines))
    store = tmp_path / "store"
    steps = run_steps(
        *(sessions, folders, truths, str(store), "sv", "faster-whisper", None),
        controls=False,
        workers=1,
        progress=False,
        oracle=True,
    )
    assert steps.failed == {}  # the oracle transcripts were taken as this run's inputs
    failures = store / "runs" / "sv" / "failures" / "align"
    error = json.loads((failures / f"{folders[1].name}.json").read_text())["error"]
    assert f"file {bad.resolve()}:" in error, error
    assert not (failures / f"{folders[0].name}.json").exists()
    inputs = json.loads((store / "runs" / "sv" / "inputs.json").read_text())
    words = f"sessions/{folders[0].name}/whisperx_output.json"
    assert origin_of(inputs, words) == words  # written by score-voice: no user copy to name


# ---- sensor clocks far from the audio's ---------------------------------------------------


def _align_alone(tmp_path: Path, name: str) -> str:
    """Upload, transcribe (its own words) and align tmp_path/sessions/name: its exclusion."""
    from silkpipe.pipeline import upload_inputs
    from silkpipe.steps import align_run
    from silkpipe.store import open_store
    from silkpipe.voice_score import transcribe_all

    store = open_store(str(tmp_path / "store"))
    upload_inputs(store, tmp_path / "sessions", run_id=RUN)
    assert transcribe_all(str(tmp_path / "store"), [name], RUN, "faster-whisper", None, 1) == {}
    return align_run(store, RUN, progress=False)["excluded"][name]


def _text_copy(tmp_path: Path, name: str) -> Path:
    return badinputs.copy_session(
        badinputs.GOOD[0],
        tmp_path / "sessions",
        name,
        files=("sensor_data.csv", "metadata.json", "whisperx_output.json"),
    )


@pytest.mark.parametrize("shift", [7_258_118_400.0, -1_000.0])
def test_sensor_times_far_from_the_audio_blame_the_clocks_not_the_transcript(tmp_path, shift):
    """Sensor timestamps moved to the year 2200 or 1000 s before the audio: every command
    word lies far outside the sensor times and was dropped as a glitch, and the session was
    excluded as "only 0 command(s) found" (the transcript holds dozens): now the reason says
    the audio and sensor clocks do not overlap."""
    folder = _text_copy(tmp_path, "far_clock")
    lines = (folder / "sensor_data.csv").read_text().splitlines()
    for i in range(1, len(lines)):
        row = lines[i].split(",")
        row[11] = repr(float(row[11]) + shift)
        lines[i] = ",".join(row)
    (folder / "sensor_data.csv").write_text("\n".join(lines) + "\n")
    reason = _align_alone(tmp_path, "far_clock")
    assert "clocks do not overlap" in reason, reason
    assert "only 0 command(s)" not in reason


def test_a_transcript_without_word_times_says_so(tmp_path):
    """Every word without start/end (a WhisperX run without its alignment model): excluded
    as "only 0 command(s) found" over 115 command words; now the reason counts them."""
    folder = _text_copy(tmp_path, "no_times")
    path = folder / "whisperx_output.json"
    doc = json.loads(path.read_text())
    for segment in doc["segments"]:
        for word in segment["words"]:
            word.pop("start", None)
            word.pop("end", None)
    doc.pop("word_segments", None)
    path.write_text(json.dumps(doc))
    reason = _align_alone(tmp_path, "no_times")
    assert "command word(s) carry no start time" in reason, reason


# ---- an empty (or mistyped) store -----------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [["align"], ["sessions", "list"], ["transcribe", "s1"]],
    ids=["align", "sessions-list", "transcribe"],  # transcribe: a failure record, sweep 51
)
def test_a_run_is_not_recorded_from_a_store_without_sessions(tmp_path, capsys, argv):
    """`align --store S --run-id R` on a store holding nothing (a mistyped --store, or
    before `sessions upload`) created the store, recorded R with no inputs and published
    an empty label set (exit 0); a later upload then stayed invisible to R. Now it is bad
    input naming the store, and nothing is written."""
    from silkpipe.cli import main

    store = tmp_path / "mistyped"
    assert main([*argv, "--store", str(store), "--run-id", RUN]) == 2
    err = capsys.readouterr().err
    assert "holds no sessions or clips" in err and str(store) in err, err
    assert not store.exists()


def test_sessions_list_of_a_store_folder_that_does_not_exist_is_refused(tmp_path, capsys):
    """`sessions list --store stroe` (no --run-id) printed [] and exited 0, as for an empty
    store, where a missing bucket is refused (bad_input_sweep60); an empty folder is []."""
    from silkpipe.cli import main

    store = tmp_path / "mistyped"
    assert main(["sessions", "list", "--store", str(store)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and f"store path {store} does not exist" in err, err
    assert not store.exists()
    store.mkdir()
    assert main(["sessions", "list", "--store", str(store)]) == 0
    assert capsys.readouterr().out == "[]\n"


@pytest.mark.parametrize("kind", ["empty", "all-refused"])
def test_a_run_with_no_uploadable_session_records_nothing(tmp_path, capsys, kind):
    """`run SESSIONS` where SESSIONS holds no session (or only ones refused at upload) exited
    2 "no session folders" but had already created the store and recorded runs/R/inputs.json
    with no sessions (align --run-id R then published an empty label set); a folder of
    refused sessions was called one without sessions. Now nothing is written and the line
    says which it was."""
    from silkpipe.cli import main

    sessions = tmp_path / "sessions"
    sessions.mkdir()
    if kind == "all-refused":
        badinputs.copy_session(badinputs.GOOD[0], sessions, "bad name", files=("sensor_data.csv",))
    store = tmp_path / "store"
    argv = ["run", str(sessions), "--store", str(store), "--run-id", RUN, "--workers", "1"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    want = "none of its 1 session folder(s)" if kind == "all-refused" else "no session folders"
    assert want in err and str(sessions) in err, err
    assert not (store / "runs").exists()


def test_a_folder_name_with_a_newline_keeps_every_error_on_one_line(tmp_path, caplog):
    """A session folder named "case<newline>session" is refused at upload, but its name was
    printed raw: the upload's error and run's closing line each broke in two."""
    from silkpipe.commands.run import raise_if_partial
    from silkpipe.errors import PartialFailure
    from silkpipe.pipeline import upload_inputs
    from silkpipe.store import open_store

    sessions = tmp_path / "sessions"
    badinputs.copy_session(badinputs.GOOD[0], sessions, "case\nsession", files=("sensor_data.csv",))
    badinputs.copy_session(badinputs.GOOD[0], sessions, "good", files=("sensor_data.csv",))
    skipped: dict[str, str] = {}
    store = open_store(str(tmp_path / "store"))
    assert upload_inputs(store, sessions, None, skipped, run_id=RUN) == ["good"]
    lines = [r.getMessage() for r in caplog.records if "case" in r.getMessage()]
    assert lines and all("\n" not in line and "case\\nsession" in line for line in lines), lines
    assert "\n" not in skipped["case\nsession"]
    result = {
        "steps": {},
        "skipped_at_upload": ["case\nsession"],
        "transcribe_failed": [],
        "align_failed": [],
        "clips_skipped_at_upload": ["jump\n1.csv"],
    }
    with pytest.raises(PartialFailure) as err:
        raise_if_partial(result, store, RUN)
    assert "\n" not in str(err.value) and "case\\nsession" in str(err.value), str(err.value)


def test_a_run_whose_only_failure_is_a_step_counts_no_sessions(tmp_path):
    """Every session ran and the train step failed (none passed the gate, no clips): the
    closing line began "0 session(s) failed ()", a count of nothing before the step."""
    from silkpipe.commands.run import raise_if_partial
    from silkpipe.errors import PartialFailure
    from silkpipe.store import open_store

    result = {"steps": {"train": 2}, "skipped_at_upload": [], "transcribe_failed": []}
    result["align_failed"] = []
    with pytest.raises(PartialFailure) as err:
        raise_if_partial(result, open_store(str(tmp_path / "store")), RUN)
    assert str(err.value) == "steps with failures: train; see the run report", str(err.value)
    assert err.value.code == 2


def test_a_folder_of_session_folders_inside_the_sessions_folder_is_named(tmp_path, caplog):
    """SESSIONS/day2/S (sessions grouped by day, one level too deep) beside SESSIONS/S1: the
    day's sessions were left out without a word (the run went on with S1, exit 0)."""
    from silkpipe.pipeline import upload_inputs
    from silkpipe.store import open_store

    sessions = tmp_path / "sessions"
    badinputs.copy_session(badinputs.GOOD[0], sessions, "s1", files=("sensor_data.csv",))
    badinputs.copy_session(badinputs.GOOD[0], sessions / "day2", "s2", files=("sensor_data.csv",))
    store = open_store(str(tmp_path / "store"))
    assert upload_inputs(store, sessions, None, {}, run_id=RUN) == ["s1"]
    lines = [r.getMessage() for r in caplog.records if "day2" in r.getMessage()]
    assert len(lines) == 1 and "holds 1 session folder(s) (s2): not read" in lines[0], lines


def test_a_clip_name_with_a_newline_keeps_the_upload_line_on_one_line(tmp_path):
    """A clip named "jump<newline>1.csv" is refused at upload (review39c L1); its path was
    printed raw in the refusal, so `sessions upload` and the run report broke it in two."""
    from silkpipe.pipeline import upload_inputs
    from silkpipe.store import open_store

    sessions, clips = tmp_path / "sessions", tmp_path / "clips"
    badinputs.copy_session(badinputs.GOOD[0], sessions, "good", files=("sensor_data.csv",))
    clips.mkdir()
    good = sorted((badinputs.DATA / "clips-dev").glob("*.csv"))[0]
    (clips / "jump\n1.csv").write_bytes(good.read_bytes())
    skipped: dict[str, str] = {}
    store = open_store(str(tmp_path / "store"))
    assert upload_inputs(store, sessions, clips, skipped, run_id=RUN) == ["good"]
    why = skipped["jump\n1"]
    assert "\n" not in why and "jump\\n1.csv" in why, why


def test_a_folder_name_that_is_not_utf8_is_refused_and_the_others_run(tmp_path):
    """A session folder whose name holds bytes that are not UTF-8 (Python keeps them as
    surrogates) is refused at upload; recording that refusal raised UnicodeEncodeError
    and `run` died (exit 1) before the healthy session was transcribed."""
    import os

    from silkpipe.pipeline import _upload_run
    from silkpipe.store import open_store

    sessions = tmp_path / "sessions"
    badinputs.copy_session(badinputs.GOOD[0], sessions, "good", files=("sensor_data.csv",))
    badinputs.copy_session(badinputs.GOOD[0], sessions, "bad", files=("sensor_data.csv",))
    os.rename(bytes(sessions / "bad"), bytes(sessions) + b"/bad\xff\xfename")
    skipped: dict[str, str] = {}
    store = open_store(str(tmp_path / "store"))
    assert _upload_run(store, RUN, sessions, None, (skipped, {})) == ["good"]
    (record,) = _records(tmp_path / "store", "upload").values()
    assert record["session"] == "bad\\udcff\\udcfename", record
    assert "bad\\udcff\\udcfename" in record["error"], record


@pytest.mark.parametrize("inside", ["store", "."])
def test_a_store_inside_the_sessions_folder_is_refused_before_anything_is_written(tmp_path, inside):
    """`run S --store S/store` (or `--store S`) went through once; every later run read the
    store's own folders as sessions and failed them (exit 2). Refused up front instead."""
    sessions = tmp_path / "sessions"
    badinputs.copy_session(badinputs.GOOD[0], sessions, "good", files=("sensor_data.csv",))
    store = (sessions / inside).resolve()
    proc = badinputs.cli("run", str(sessions), "--store", str(store), "--run-id", RUN, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "lies inside the sessions folder" in proc.stderr.splitlines()[-1], proc.stderr[-2000:]
    assert not (store / "runs").exists() and not (store / "sessions").exists()
