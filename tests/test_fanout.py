"""The workflow's fan-out run for real, offline: the template's own commands (resolved the way
Argo resolves them) executed by the real CLI against a local store. A CPU-only submission
transcribes with faster-whisper on CPU; 10,000 sessions fit through ``outputs.result``; a
transcription pod takes a chunk of sessions, loads the model once, and a retry redoes only
the unfinished sessions."""

from __future__ import annotations

import json
import re
import shutil
import sys
import types

import numpy as np
import pytest
import yaml

from silkpipe import transcription
from silkpipe.cli import main
from silkpipe.commands.sessions import fanout_key, read_chunk
from silkpipe.errors import InputError
from silkpipe.speech import write_wav
from silkpipe.store import get_json, open_store, transcript_key
from tests.test_workflows import dag_tasks, parameter_defaults, resolve, templates
from workflows.silkpipe_workflow import compile_yaml
from workflows.submit import make_workflow, parse_params

#: Argo keeps at most 256 kB of a step's stdout as ``outputs.result`` (the withParam source).
ARGO_RESULT_LIMIT = 256 * 1024
SHORT = "20251017_110929_session"  # 17 s of real speech
LONG = "20251017_135233_session"  # 89 s


@pytest.fixture(scope="module")
def wt() -> dict:
    return yaml.safe_load(compile_yaml())


def submitted_params(wt: dict, store: str, *params: str) -> dict[str, str]:
    """Template defaults overlaid with what `make submit ARGS="-p ..."` sends."""
    wf = make_workflow("silkpipe", "silkpipe", "r1", store, parse_params(list(params))).to_dict()
    sent = {p["name"]: p["value"] for p in wf["spec"]["arguments"]["parameters"]}
    return parameter_defaults(wt) | sent


def when_holds(expr: str, params: dict[str, str]) -> bool:
    """Argo's ``when`` for the template's two forms: ``A == B`` and ``A != B``."""
    left, op, right = re.fullmatch(r"(.+?) (==|!=) (.+)", resolve([expr], params, {})[0]).groups()
    return (left.strip() == right.strip()) == (op == "==")


def run_step(wt: dict, name: str, params: dict, inputs: dict, capsys) -> tuple[int, str]:
    argv = resolve(templates(wt)[name]["container"]["args"], params, inputs)
    capsys.readouterr()
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out + err


def upload(tmp_path, data_dir, store: str, *sessions: str, run_id: str | None = None) -> None:
    src = tmp_path / f"upload-{run_id}"
    src.mkdir()
    for name in sessions:
        shutil.copytree(data_dir / "sessions" / name, src / name)  # links out are refused
    run = ["--run-id", run_id] if run_id else []
    assert main(["sessions", "upload", str(src), "--store", store, *run]) == 0


def test_fan_out_covers_the_runs_own_inputs_only(wt, tmp_path, data_dir, clean_env, capsys):
    """Two submissions share a store: each run's fan-out lists the sessions it uploaded, not
    the other run's (read from runs/<run-id>/inputs.json)."""
    store = str(tmp_path / "store")
    upload(tmp_path, data_dir, store, SHORT, run_id="r1")
    upload(tmp_path, data_dir, store, LONG, run_id="r2")
    params = submitted_params(wt, store, "sessions-per-pod=8")
    code, out = run_step(wt, "list-sessions", params, {}, capsys)
    assert code == 0, out
    (item,) = json.loads(out.strip().splitlines()[0])
    assert read_chunk(open_store(store), "r1", item) == [SHORT]


def test_cpu_only_submission_transcribes_with_faster_whisper_on_cpu(
    wt, tmp_path, data_dir, clean_env, capsys
):
    store = str(tmp_path / "store")
    upload(tmp_path, data_dir, store, SHORT)
    params = submitted_params(wt, store, "gpu-transcribe=false")
    tasks = dag_tasks(wt)
    chosen = [
        t for t in ("transcribe-gpu", "transcribe-cpu") if when_holds(tasks[t]["when"], params)
    ]
    assert chosen == ["transcribe-cpu"]
    code, out = run_step(wt, "list-sessions", params, {}, capsys)
    assert code == 0, out
    items = json.loads(out.strip().splitlines()[0])
    (input_name,) = [p["name"] for p in templates(wt)["transcribe-cpu"]["inputs"]["parameters"]]
    for item in items:
        code, out = run_step(wt, "transcribe-cpu", params, {input_name: item}, capsys)
        assert code == 0, out
    meta = json.loads((tmp_path / "store" / transcript_key("r1", SHORT)).read_text())["silkpipe"]
    assert (meta["backend"], meta["device"]) == ("faster-whisper", "cpu")
    assert meta["model"] == "bundled:tiny.en"


@pytest.mark.parametrize("per_pod", ["1", None])
def test_fan_out_list_of_10k_sessions_fits_argo_result(wt, tmp_path, clean_env, capsys, per_pod):
    root = tmp_path / "store"
    names = [f"20251017_{i // 100:06d}_session_{i:05d}" for i in range(10_000)]
    for name in names:
        (root / "sessions" / name).mkdir(parents=True)
        (root / "sessions" / name / "sensor_data.csv").write_text("t\n")
    params = submitted_params(wt, str(root), *([f"sessions-per-pod={per_pod}"] if per_pod else []))
    code, out = run_step(wt, "list-sessions", params, {}, capsys)
    assert code == 0, out
    result = out.strip().splitlines()[0]
    assert len(result.encode()) < ARGO_RESULT_LIMIT, len(result.encode())
    items = json.loads(result)
    store = open_store(str(root))
    chunks = get_json(store, fanout_key("r1"))["chunks"]
    assert list(chunks) == items
    assert [n for item in items for n in chunks[item]] == sorted(names)
    assert read_chunk(store, "r1", items[-1]) == chunks[items[-1]]
    assert len(items) == -(-len(names) // int(params["sessions-per-pod"]))


def test_a_pod_loads_the_model_once_and_a_retry_redoes_only_unfinished(
    tmp_path, data_dir, clean_env, monkeypatch
):
    store_dir = tmp_path / "store"
    upload(tmp_path, data_dir, str(store_dir), SHORT, LONG)
    bad = store_dir / "sessions" / "bad_session"
    bad.mkdir()
    (bad / "sensor_data.csv").write_text("t\n")
    (bad / "audio_16k.wav").write_bytes(b"RIFF-not-a-wave")
    loads = []
    monkeypatch.setitem(transcription.__dict__, "_MODELS", {})
    import faster_whisper

    original = faster_whisper.WhisperModel
    monkeypatch.setattr(
        faster_whisper, "WhisperModel", lambda *a, **k: loads.append(1) or original(*a, **k)
    )
    assert (
        main(
            [
                "sessions",
                "list",
                "--store",
                str(store_dir),
                "--run-id",
                "r",
                "--sessions-per-pod",
                "3",
            ]
        )
        == 0
    )
    code = main(["transcribe", "--chunk", "00000", "--store", str(store_dir), "--run-id", "r"])
    assert code == 2  # the bad session is reported; the others are done
    assert len(loads) == 1
    done = {s: store_dir / transcript_key("r", s) for s in (SHORT, LONG)}
    assert all(p.is_file() for p in done.values())
    assert not (store_dir / transcript_key("r", "bad_session")).exists()
    record = json.loads((store_dir / "runs/r/failures/transcribe/bad_session.json").read_text())
    assert "bad_session" in record["error"]  # align names the reason from it
    stamps = {s: p.stat().st_mtime_ns for s, p in done.items()}
    done[LONG].unlink()  # as if the pod was preempted while on LONG
    with pytest.raises(InputError, match="1 of 3 sessions failed"):
        transcription.transcribe_sessions(
            open_store(str(store_dir)), [SHORT, LONG, "bad_session"], "r"
        )
    assert done[SHORT].stat().st_mtime_ns == stamps[SHORT]  # finished: not redone
    assert done[LONG].is_file()


class _FakeWhisperX(types.ModuleType):
    """Counts model loads; transcribes every clip as one word (enough to follow the path)."""

    def __init__(self):
        super().__init__("whisperx")
        self.loads = {"asr": 0, "align": 0}

    def load_model(self, *args, **kwargs):
        self.loads["asr"] += 1
        return types.SimpleNamespace(
            transcribe=lambda audio, batch_size, language: {
                "segments": [{"start": 0.0, "end": 1.0, "text": "jump"}]
            }
        )

    def load_align_model(self, **kwargs):
        self.loads["align"] += 1
        return object(), {}

    def align(self, segments, model, metadata, audio, device, return_char_alignments):
        word = {"word": "jump", "start": 0.5, "end": 0.8, "score": 0.9}
        return {"segments": [{"start": 0.0, "end": 1.0, "text": "jump", "words": [word]}]}


def test_whisperx_models_stay_loaded_for_a_chunk_only(tmp_path, monkeypatch):
    fake = _FakeWhisperX()
    monkeypatch.setitem(sys.modules, "whisperx", fake)
    monkeypatch.setitem(transcription.__dict__, "_MODELS", {})
    store = open_store(str(tmp_path / "store"))
    rng = np.random.default_rng(0)
    wav = tmp_path / "noise.wav"
    write_wav(wav, rng.normal(0, 0.01, 16000).astype(np.float32))
    for name in ("s1", "s2", "s3"):
        store.put_bytes(f"sessions/{name}/audio_16k.wav", wav.read_bytes())
    totals = transcription.transcribe_sessions(
        store, ["s1", "s2", "s3"], "r", backend="whisperx", model="large-v3"
    )
    assert totals["sessions"] == 3 and fake.loads == {"asr": 1, "align": 1}
    for name in ("s1", "s2"):  # the cache would answer: force the transcription
        transcription.transcribe_session(
            store, name, "r2", backend="whisperx", model="large-v3", force=True
        )
    assert fake.loads == {"asr": 3, "align": 3}  # one session per process: loads each time


def test_a_crash_in_one_session_lets_the_others_finish_then_fails_the_pod(tmp_path, monkeypatch):
    done = []

    def fake(store, session, run_id, **kwargs):
        if session == "s2":
            raise RuntimeError("CUDA error: an illegal memory access")
        done.append(session)
        return {"audio_seconds": 1.0, "words": 1, "cached": 0}

    monkeypatch.setattr(transcription, "transcribe_session", fake)
    store = open_store(str(tmp_path))
    with pytest.raises(RuntimeError, match="illegal memory"):
        transcription.transcribe_sessions(store, ["s1", "s2", "s3"], "r")
    assert done == ["s1", "s3"]


#: Argo's phases a task can be in after it ran (or not); a bare task name in ``depends``
#: means ``Succeeded || Skipped || Daemoned`` (Argo's "enhanced depends logic").
PHASES = ("Succeeded", "Failed", "Errored", "Skipped", "Omitted", "Daemoned")
_TERM = re.compile(r"([a-z][a-z0-9-]*)(?:\.([A-Za-z]+))?")


def depends_holds(expr: str, phases: dict[str, str]) -> bool:
    """Argo's ``depends`` expression for the task phases given (&&, ||, !, parentheses)."""

    def term(match: re.Match) -> str:
        task, phase = match.groups()
        assert task in phases, f"{task} has no phase"
        wanted = (phase,) if phase else ("Succeeded", "Skipped", "Daemoned")
        assert set(wanted) <= set(PHASES), phase
        return str(phases[task] in wanted)

    python = _TERM.sub(term, expr).replace("&&", " and ").replace("||", " or ")
    return bool(eval(python.replace("!", " not "), {"__builtins__": {}}))  # noqa: S307


def _argo_phase(exit_status: int) -> str:
    """A container's final node phase: exit 0 Succeeded, any other exit Failed (exit 1 is
    retried first, exit 2 is not: the retry expression keeps its final status)."""
    return "Succeeded" if exit_status == 0 else "Failed"


def test_train_runs_after_align_failed_for_one_session(wt, tmp_path, clean_env, capsys):
    """The template's own align/train commands on a good session (one that passes the gate on
    its own) and one whose IMU is damaged: align exits 2 naming it, Argo marks the node
    Failed, the train task still runs (its depends and align's continueOn) and trains on the
    session that aligned."""
    import badinputs

    sessions = tmp_path / "in"
    badinputs.copy_session(badinputs.GOOD[1], sessions, "good")
    bad = badinputs.copy_session(badinputs.GOOD[0], sessions, "damaged")
    (bad / "sensor_data.csv").write_text("not,a,sensor,file\n")
    store = str(tmp_path / "store")
    assert main(["sessions", "upload", str(sessions), "--store", store, "--run-id", "r1"]) == 0
    for name in ("good", "damaged"):
        main(["transcribe", name, "--store", store, "--run-id", "r1"])
    params = submitted_params(wt, store, "gpu-transcribe=false")
    code, out = run_step(wt, "align", params, {}, capsys)
    assert code == 2 and "damaged" in out, out
    tasks = dag_tasks(wt)
    phases = {"align": _argo_phase(code)}
    assert depends_holds(tasks["train-cpu"]["depends"], phases)
    assert tasks["align"]["continueOn"] == {"failed": True}  # the handled failure ends well
    assert depends_holds(tasks["train-gpu"]["depends"], phases)
    assert not depends_holds(tasks["train-cpu"]["depends"], {"align": "Errored"})
    assert when_holds(tasks["train-cpu"]["when"], params)
    code, out = run_step(wt, "train-cpu", params, {}, capsys)
    assert code == 0, out
    assert (tmp_path / "store" / "runs" / "r1" / "model.json").is_file()


@pytest.mark.parametrize(
    "damaged", [{"chunks": ["00000"]}, ["00000"], {"chunks": "00000"}], ids=str
)
def test_a_fanout_file_of_another_shape_is_bad_input_naming_it(tmp_path, damaged):
    """runs/<id>/fanout.json edited into a list (or its chunks into one): `transcribe
    --chunk` exited 1 'TypeError: list indices must be integers or slices, not str', naming
    no file (sweep 52)."""
    store = open_store(str(tmp_path / "store"))
    store.put_bytes(fanout_key("r1"), json.dumps(damaged).encode())
    with pytest.raises(InputError, match=r"file runs/r1/fanout\.json: not a fan-out file"):
        read_chunk(store, "r1", "00000")
