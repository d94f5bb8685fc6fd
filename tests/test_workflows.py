"""The Hera WorkflowTemplate, offline: compiles, validates against Argo's models, runs only
commands the real CLI accepts, and keeps the cluster rules (GPU fan-out, retries, security)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hera.workflows import models as m

from silkpipe.cli import build_parser

REPO = Path(__file__).resolve().parents[1]
from workflows import manifests  # noqa: E402
from workflows.silkpipe_workflow import S3_SECRET, UID, Settings, build, compile_yaml  # noqa: E402
from workflows.submit import main as submit_main  # noqa: E402
from workflows.submit import make_workflow, parse_params  # noqa: E402

PLACEHOLDER = re.compile(r"\{\{\s*([a-z]+)\.parameters\.([A-Za-z0-9_-]+)\s*\}\}")
PROMETHEUS_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
CLI_STEPS = {"sessions", "transcribe", "align", "train", "report"}


@pytest.fixture(scope="module")
def wt() -> dict:
    return yaml.safe_load(compile_yaml())


def templates(doc: dict) -> dict[str, dict]:
    return {t["name"]: t for t in doc["spec"]["templates"]}


def dag_tasks(doc: dict) -> dict[str, dict]:
    (dag,) = [t for t in doc["spec"]["templates"] if "dag" in t]
    return {task["name"]: task for task in dag["dag"]["tasks"]}


def parameter_defaults(doc: dict) -> dict[str, str]:
    return {p["name"]: p.get("value") for p in doc["spec"]["arguments"]["parameters"]}


def resolve(argv: list[str], workflow_params: dict[str, str], inputs: dict[str, str]) -> list[str]:
    """Substitute Argo parameters the way the controller does; anything left is an error."""

    def sub(match: re.Match) -> str:
        scope, name = match.groups()
        values = workflow_params if scope == "workflow" else inputs
        assert values.get(name) is not None, f"{match.group(0)} has no value"
        return values[name]

    out = [PLACEHOLDER.sub(sub, a) for a in argv]
    leftovers = [a for a in out if "{{" in a]
    assert not leftovers, f"unresolved Argo expressions in {leftovers}"
    return out


def argo_round_trip(kind_model, doc: dict) -> None:
    """Parse with Hera's Argo models and dump back: a dropped (unknown) field shows as a diff."""
    model = kind_model.model_validate(doc)
    back = json.loads(model.model_dump_json(by_alias=True, exclude_none=True))
    assert back == json.loads(json.dumps(doc)), "fields unknown to the Argo schema were dropped"


def cli_contract(doc: dict, session: str = "20251017_135233_session") -> list[list[str]]:
    """Every container command of the template parsed by the real ``silkpipe`` parser."""
    params = parameter_defaults(doc) | {"run-id": "contract-run"}
    parser = build_parser()
    parsed = []
    for tmpl in doc["spec"]["templates"]:
        container = tmpl.get("container")
        if container is None:
            continue
        assert container["command"] == ["silkpipe"], tmpl["name"]
        inputs = {p["name"]: session for p in tmpl.get("inputs", {}).get("parameters", [])}
        argv = resolve(container["args"], params, inputs)
        try:
            args = parser.parse_args(argv)
        except SystemExit as err:  # argparse exits on unknown commands or options
            raise AssertionError(f"{tmpl['name']}: silkpipe rejects {argv}") from err
        assert args.command in CLI_STEPS and callable(args.func), tmpl["name"]
        if "--store" in argv:
            assert args.store == params["store"]
        parsed.append(argv)
    return parsed


def test_compiles_to_a_workflow_template(wt):
    assert wt["apiVersion"] == "argoproj.io/v1alpha1" and wt["kind"] == "WorkflowTemplate"
    assert wt["spec"]["entrypoint"] == "pipeline"
    assert set(templates(wt)) == {
        "list-sessions",
        "transcribe-gpu",
        "transcribe-cpu",
        "align",
        "train-gpu",
        "train-cpu",
        "report",
        "publish-report",
        "pipeline",
    }


def test_argo_models_accept_every_field(wt):
    argo_round_trip(m.WorkflowTemplate, wt)


def test_round_trip_detects_unknown_fields(wt):
    """The check above can fail: a misspelt field is dropped by the model and caught."""
    broken = json.loads(json.dumps(wt))
    broken["spec"]["templates"][0]["retryStrateggy"] = {"limit": 1}
    with pytest.raises(AssertionError, match="unknown"):
        argo_round_trip(m.WorkflowTemplate, broken)


def test_every_container_command_parses_with_the_real_cli(wt):
    parsed = cli_contract(wt)
    steps = {argv[0] for argv in parsed}
    assert steps == CLI_STEPS


@pytest.mark.parametrize("backend", ["whisperx", "faster-whisper"])
def test_no_container_command_gives_an_option_the_cli_refuses(wt, backend):
    """The CLI refuses an option given where it would do nothing (a command's
    _refuse_unused, after parsing): no template may pass one, whichever transcription
    backend a run picks (the GPU template passes --model-dir with either)."""
    doc = json.loads(json.dumps(wt))
    for p in doc["spec"]["arguments"]["parameters"]:
        p["value"] = backend if p["name"] == "backend" else p.get("value")
    parser, checked = build_parser(), set()
    for argv in cli_contract(doc):
        args = parser.parse_args(argv)
        refuse = getattr(sys.modules[args.func.__module__], "_refuse_unused", None)
        if refuse is not None:
            refuse(args)  # InputError: the pod would exit 2 naming the option
            checked.add(args.command)
    assert checked == {"transcribe", "train"}


def test_contract_rejects_an_unknown_option(wt):
    broken = json.loads(json.dumps(wt))
    templates(broken)["align"]["container"]["args"].append("--no-such-option")
    with pytest.raises(AssertionError, match="rejects"):
        cli_contract(broken)


def test_fan_out_one_pod_per_chunk_on_gpu(wt):
    tasks = dag_tasks(wt)
    for name in ("transcribe-gpu", "transcribe-cpu"):
        task = tasks[name]
        assert task["withParam"] == "{{tasks.list-sessions.outputs.result}}"
        assert task["arguments"]["parameters"] == [{"name": "chunk", "value": "{{item}}"}]
        assert task["continueOn"] == {"failed": True, "error": True}
    gpu = templates(wt)["transcribe-gpu"]
    res = gpu["container"]["resources"]
    assert res["limits"]["nvidia.com/gpu"] == "1" and res["requests"]["nvidia.com/gpu"] == "1"
    assert gpu["nodeSelector"] == {
        "cloud.google.com/gke-accelerator": "{{workflow.parameters.gpu-accelerator}}"
    }
    keys = {t["key"] for t in gpu["tolerations"]}
    assert "{{workflow.parameters.gpu-toleration-key}}" in keys
    assert "nvidia.com/gpu" not in json.dumps(templates(wt)["transcribe-cpu"])
    (dag,) = [t for t in wt["spec"]["templates"] if "dag" in t]
    assert dag["parallelism"] == Settings().parallelism


def test_join_runs_after_failed_sessions_and_train_gpu_is_optional(wt):
    tasks = dag_tasks(wt)
    for fan in ("transcribe-gpu", "transcribe-cpu"):
        for state in ("Succeeded", "Failed", "Skipped"):
            assert f"{fan}.{state}" in tasks["align"]["depends"]
    assert tasks["train-gpu"]["when"] == "{{workflow.parameters.train-gpu}} == true"
    assert tasks["train-cpu"]["when"] == "{{workflow.parameters.train-gpu}} != true"
    assert "nvidia.com/gpu" in json.dumps(templates(wt)["train-gpu"]["container"]["resources"])
    assert tasks["publish-report"]["depends"] == "report"


def test_a_failed_train_pod_stops_the_report(wt):
    """Why `train --store --run-id` exits 0 after naming and skipping a bad clip (README,
    "Exit status and bad input"; tests/test_reliability.py pins the 0): the report, which
    names the skipped clip, runs only after a train pod succeeded."""
    tasks = dag_tasks(wt)
    assert tasks["report"]["depends"] == "(train-gpu.Succeeded || train-cpu.Succeeded)"
    assert not any("continueOn" in tasks[t] for t in ("train-gpu", "train-cpu"))


def test_both_train_templates_pass_the_test_split_parameter(wt):
    """The run's test-split parameter reaches train as the CLI reads it: "false" trains on
    every window (train --no-test-split), the default "true" holds out a test set."""
    assert parameter_defaults(wt)["test-split"] == "true"
    params = {
        p["name"]: p["value"]
        for p in make_workflow(
            "silkpipe", "silkpipe", "run-7", "s3://x", parse_params(["test-split=false"])
        ).to_dict()["spec"]["arguments"]["parameters"]
    }
    assert params["test-split"] == "false"
    parser = build_parser()
    for value, expected in (("true", True), ("false", False)):
        doc = json.loads(json.dumps(wt))
        for p in doc["spec"]["arguments"]["parameters"]:
            p["value"] = value if p["name"] == "test-split" else p.get("value")
        trains = [parser.parse_args(argv) for argv in cli_contract(doc) if argv[0] == "train"]
        assert len(trains) == 2 and all(args.test_split is expected for args in trains)


def test_a_test_split_other_than_true_or_false_is_refused_at_submission(wt, tmp_path):
    """train refuses it only when it runs, after every transcription: Argo refuses it at
    submission (the parameter's enum) and so does submit, before uploading; a misspelt
    parameter name (which Argo would keep and no step read) is refused the same way."""
    (param,) = [p for p in wt["spec"]["arguments"]["parameters"] if p["name"] == "test-split"]
    assert param["enum"] == ["true", "false"] and param["value"] in param["enum"]
    sessions = tmp_path / "sessions"
    sessions.mkdir()
    store = tmp_path / "store"
    for item, says in (
        ("test-split=no", "give one of true, false"),
        ("test_split=false", "not a parameter of the template"),
    ):
        argv = ["--sessions", str(sessions), "--store", str(store), "-p", item]
        with pytest.raises(SystemExit) as exit_:
            submit_main(argv)
        assert says in str(exit_.value.code) and item.split("=")[0] in str(exit_.value.code)
        assert not store.exists()  # refused before the upload


def test_retries_cover_preemption_with_backoff_and_not_bad_input(wt):
    for name, tmpl in templates(wt).items():
        if "container" not in tmpl:
            continue
        retry = tmpl["retryStrategy"]
        assert retry["retryPolicy"] == "Always" and int(retry["limit"]) >= 1, name
        assert {"duration", "factor", "maxDuration"} <= set(retry["backoff"]), name
        for phrase in ("pod deleted", "node shutdown"):
            assert phrase in retry["expression"], name
        assert 'exitCode != "2"' in retry["expression"], name
        assert tmpl["activeDeadlineSeconds"] > 0, name
    spec = wt["spec"]
    assert spec["activeDeadlineSeconds"] > 0
    assert spec["podGC"]["strategy"] == "OnPodSuccess"
    assert spec["ttlStrategy"]["secondsAfterSuccess"] > 0


GO_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|m|s)")


def go_seconds(text: str) -> float:
    """A Go duration string ("30m", "1h30m", "14610s") in seconds; a bare number is seconds."""
    if re.fullmatch(r"\d+", text):
        return float(text)
    parts = GO_DURATION.findall(text)
    assert "".join(n + u for n, u in parts) == text, f"not a duration: {text}"
    return sum(float(n) * {"h": 3600, "m": 60, "s": 1}[u] for n, u in parts)


def attempts_with_full_deadline(tmpl: dict) -> int:
    """Argo's retry rules, worst case: every attempt runs to its deadline (killed by it, or
    preempted just before). Argo schedules a retry only while less than maxDuration has
    passed since the FIRST attempt started, and cuts each retried pod's deadline at that
    mark; count the attempts that still get the whole step deadline."""
    retry, deadline = tmpl["retryStrategy"], float(tmpl["activeDeadlineSeconds"])
    backoff = retry.get("backoff") or {}
    window = go_seconds(backoff["maxDuration"]) if "maxDuration" in backoff else float("inf")
    wait = go_seconds(backoff.get("duration", "0"))
    factor = float(backoff.get("factor", 1))
    start, full = 0.0, 0
    for attempt in range(int(retry["limit"]) + 1):
        if attempt and start > window:
            break  # "Max duration limit exceeded": no more retries
        full += start + deadline <= window
        start += deadline + wait * factor**attempt
    return full


def assert_retry_windows(doc: dict) -> None:
    for name, tmpl in templates(doc).items():
        if "container" in tmpl:
            limit = int(tmpl["retryStrategy"]["limit"])
            assert attempts_with_full_deadline(tmpl) == limit + 1, (name, tmpl["retryStrategy"])


def test_every_retry_gets_a_full_step_deadline(wt):
    assert_retry_windows(wt)
    for settings in (Settings(retries=1, step_deadline_s=600), Settings(retries=6)):
        assert_retry_windows(yaml.safe_load(build(settings).to_yaml()))


def test_retry_window_check_can_fail(wt):
    """The check above catches a window that cuts retries (the old 30m against 3600 s)."""
    broken = json.loads(json.dumps(wt))
    templates(broken)["align"]["retryStrategy"]["backoff"]["maxDuration"] = "30m"
    assert attempts_with_full_deadline(templates(broken)["align"]) == 0
    with pytest.raises(AssertionError):
        assert_retry_windows(broken)


def test_report_is_an_unarchived_argo_artifact(wt):
    publish = templates(wt)["publish-report"]
    (artifact,) = publish["outputs"]["artifacts"]
    assert artifact["archive"] == {"none": {}}
    assert artifact["path"] == publish["container"]["args"][-1]
    assert artifact["path"].startswith("/tmp/")  # on the emptyDir: the root FS is read-only


def assert_restricted(doc: dict) -> None:
    """Pod Security 'restricted': non-root fixed UID, read-only root, no privilege, seccomp."""
    pod = doc["spec"]["securityContext"]
    assert pod["runAsNonRoot"] is True and pod["runAsUser"] == UID
    assert pod["seccompProfile"] == {"type": "RuntimeDefault"}
    for tmpl in doc["spec"]["templates"]:
        if "container" not in tmpl:
            continue
        sc = tmpl["container"]["securityContext"]
        assert sc["runAsNonRoot"] is True and sc["runAsUser"] == UID, tmpl["name"]
        assert sc["readOnlyRootFilesystem"] is True, tmpl["name"]
        assert sc["allowPrivilegeEscalation"] is False, tmpl["name"]
        assert sc["capabilities"] == {"drop": ["ALL"]}, tmpl["name"]
        assert sc["seccompProfile"] == {"type": "RuntimeDefault"}, tmpl["name"]
        mounts = {v["mountPath"]: v["name"] for v in tmpl["container"]["volumeMounts"]}
        assert mounts["/tmp"] == "tmp", tmpl["name"]
    volumes = {v["name"]: v for v in doc["spec"]["volumes"]}
    assert "emptyDir" in volumes["tmp"]


def assert_credentials_only_from_secret(doc: dict, secret: str = S3_SECRET) -> None:
    for tmpl in doc["spec"]["templates"]:
        if "container" not in tmpl:
            continue
        env = {e["name"]: e for e in tmpl["container"]["env"]}
        for name in ("SILKPIPE_S3_ENDPOINT", "SILKPIPE_S3_ACCESS_KEY", "SILKPIPE_S3_SECRET_KEY"):
            assert "value" not in env[name], (tmpl["name"], name)
            assert env[name]["valueFrom"]["secretKeyRef"]["name"] == secret, (tmpl["name"], name)
        assert "SILKPIPE_PUSHGATEWAY" in env


def test_pods_are_restricted(wt):
    assert_restricted(wt)


def test_credentials_come_only_from_the_secret(wt):
    assert_credentials_only_from_secret(wt)


def test_argo_metrics_follow_prometheus_conventions(wt):
    metrics = list(wt["spec"]["metrics"]["prometheus"])
    for tmpl in templates(wt).values():
        if "container" in tmpl:
            step = tmpl["metrics"]["prometheus"]
            assert {x["name"] for x in step} == {
                "silkpipe_argo_step_duration_seconds",
                "silkpipe_argo_steps_total",
            }, tmpl["name"]
            metrics += step
    for metric in metrics:
        assert PROMETHEUS_NAME.match(metric["name"]) and metric["help"], metric
        if "counter" in metric:
            assert metric["name"].endswith("_total")
        if "histogram" in metric:
            assert metric["name"].endswith("_seconds")
    # Argo requires one label set and help text per metric name.
    by_name: dict[str, set] = {}
    for metric in metrics:
        by_name.setdefault(metric["name"], set()).add(
            (metric["help"], tuple(sorted(lbl["key"] for lbl in metric.get("labels", []))))
        )
    assert all(len(v) == 1 for v in by_name.values()), by_name


def test_committed_copy_equals_a_fresh_compile():
    assert manifests.COMPILED.read_text() == manifests.compiled_text(), (
        "charts/silkpipe/files/workflowtemplate.yaml is stale: run `make manifests`"
    )
    result = subprocess.run(
        [sys.executable, "-m", "workflows.manifests", "--check"],
        cwd=manifests.ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_settings_change_the_compiled_template():
    doc = yaml.safe_load(build(Settings(parallelism=3, retries=1)).to_yaml())
    (dag,) = [t for t in doc["spec"]["templates"] if "dag" in t]
    assert dag["parallelism"] == 3
    assert templates(doc)["align"]["retryStrategy"]["limit"] == 1


def test_submitted_workflow_references_the_template():
    wf = make_workflow(
        "silkpipe", "silkpipe", "run-7", "s3://silkpipe/x", parse_params(["gpu-transcribe=false"])
    )
    doc = wf.to_dict()
    argo_round_trip(m.Workflow, doc)
    assert doc["spec"]["workflowTemplateRef"] == {"name": "silkpipe"}
    params = {p["name"]: p["value"] for p in doc["spec"]["arguments"]["parameters"]}
    assert params == {"run-id": "run-7", "store": "s3://silkpipe/x", "gpu-transcribe": "false"}
    compiled = parameter_defaults(yaml.safe_load(compile_yaml()))
    assert set(params) <= set(compiled), "submit passes a parameter the template lacks"
    with pytest.raises(SystemExit):
        parse_params(["no-equals-sign"])


# ---- `silkpipe sessions` (the fan-out list, uploads, report export) ----


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    from silkpipe.cli import main

    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_sessions_upload_then_list_on_s3(data_dir, s3_env, clean_env, capsys, tmp_path):
    store = "s3://silkpipe-k8s-test/upload"
    code, out, err = run_cli(
        [
            "sessions",
            "upload",
            str(data_dir / "sessions"),
            "--store",
            store,
            "--clips",
            str(data_dir / "clips-dev"),
        ],
        capsys,
    )
    assert code == 0, err
    uploaded = json.loads(out)
    code, out, err = run_cli(["sessions", "list", "--store", store], capsys)
    assert code == 0, err
    listed = json.loads(out.strip().splitlines()[-1])
    with_sensors = sorted(
        p.name for p in (data_dir / "sessions").iterdir() if (p / "sensor_data.csv").is_file()
    )
    assert listed == with_sensors and set(listed) <= set(uploaded)
    assert s3_env["SILKPIPE_S3_SECRET_KEY"] not in out + err

    from silkpipe.store import open_store

    clips = open_store(store).list("clips")
    assert len(clips) == len(list((data_dir / "clips-dev").glob("*.csv"))) > 0


def test_sessions_list_skips_folders_without_sensor_data(tmp_path, clean_env, capsys):
    (tmp_path / "sessions" / "a_session").mkdir(parents=True)
    (tmp_path / "sessions" / "a_session" / "sensor_data.csv").write_text("x\n")
    (tmp_path / "sessions" / "audio_only").mkdir()
    (tmp_path / "sessions" / "audio_only" / "audio_16k.wav").write_bytes(b"RIFF")
    code, out, _ = run_cli(["sessions", "list", "--store", str(tmp_path)], capsys)
    assert code == 0 and json.loads(out) == ["a_session"]
    (tmp_path / "empty").mkdir()  # a store folder that does not exist is refused (sweep 60)
    code, out, _ = run_cli(["sessions", "list", "--store", str(tmp_path / "empty")], capsys)
    assert code == 0 and json.loads(out) == []


def test_sessions_export_report(tmp_path, clean_env, capsys):
    store = tmp_path / "store"
    report = store / "runs" / "r1" / "report"
    (report / "timelines").mkdir(parents=True)
    (report / "index.html").write_text("<html>ok</html>")
    (report / "timelines" / "s1.png").write_bytes(b"\x89PNG")
    dest = tmp_path / "out"
    code, out, err = run_cli(
        ["sessions", "export-report", "--store", str(store), "--run-id", "r1", str(dest)], capsys
    )
    assert code == 0, err
    assert out == "" and err.splitlines()[-1] == f"report of run r1 copied to {dest} (2 files)"
    assert (dest / "index.html").read_text() == "<html>ok</html>"
    assert (dest / "timelines" / "s1.png").read_bytes() == b"\x89PNG"
    code, _, err = run_cli(
        ["sessions", "export-report", "--store", str(store), "--run-id", "nope", str(dest)], capsys
    )
    assert code == 2 and "no report" in err


def test_sessions_upload_rejects_a_missing_folder(tmp_path, clean_env, capsys):
    code, _, err = run_cli(
        ["sessions", "upload", str(tmp_path / "missing"), "--store", str(tmp_path / "s")], capsys
    )
    assert code == 2 and "missing" in err


# ---- `make submit`: the request Hera sends to the Argo Server ----


class _ArgoServerRecorder:
    """Records the Argo Server API calls of one submission (no Argo Server exists offline):
    POST /api/v1/workflows/<ns> answers with the named workflow, GET reports it Succeeded."""

    def __init__(self):
        import http.server
        import threading

        calls = self.calls = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def _reply(self, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                calls.append(("POST", self.path, body, self.headers.get("Authorization")))
                wf = body["workflow"]
                wf["metadata"]["name"] = "silkpipe-abc12"
                self._reply(wf)

            def do_GET(self):  # noqa: N802
                calls.append(("GET", self.path, None, self.headers.get("Authorization")))
                self._reply(
                    {
                        "metadata": {"name": "silkpipe-abc12"},
                        "spec": {},
                        "status": {"phase": "Succeeded", "progress": "9/9"},
                    }
                )

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_submit_uploads_creates_and_follows_a_run(data_dir, s3_env, clean_env, capsys, monkeypatch):
    from workflows import submit

    recorder = _ArgoServerRecorder()
    monkeypatch.setenv("ARGO_TOKEN", "token-that-must-not-be-printed")
    try:
        code = submit.main(
            [
                "--server",
                recorder.url,
                "--namespace",
                "silkpipe",
                "--store",
                "s3://silkpipe-submit",
                "--sessions",
                str(data_dir / "sessions"),
                "--run-id",
                "r-submit",
                "-p",
                "gpu-transcribe=false",
                "--wait",
                "--poll",
                "0.01",
            ]
        )
    finally:
        recorder.close()
    out, err = capsys.readouterr()
    assert code == 0, out + err
    method, path, body, auth = recorder.calls[0]
    assert (method, path) == ("POST", "/api/v1/workflows/silkpipe")
    assert auth == "Bearer token-that-must-not-be-printed"
    argo_round_trip(m.Workflow, body["workflow"])
    params = {p["name"]: p["value"] for p in body["workflow"]["spec"]["arguments"]["parameters"]}
    assert params == {
        "run-id": "r-submit",
        "store": "s3://silkpipe-submit",
        "gpu-transcribe": "false",
    }
    assert recorder.calls[1][:2] == ("GET", "/api/v1/workflows/silkpipe/silkpipe-abc12")
    assert f"{recorder.url}/workflows/silkpipe/silkpipe-abc12?tab=workflow" in out
    assert "Succeeded 9/9" in out
    for secret in ("token-that-must-not-be-printed", s3_env["SILKPIPE_S3_SECRET_KEY"]):
        assert secret not in out + err

    from silkpipe.commands.sessions import list_sessions
    from silkpipe.store import open_store

    assert "20251017_135233_session" in list_sessions(open_store("s3://silkpipe-submit"))
    # the run owns what it uploaded: its steps and fan-out read runs/r-submit/inputs.json
    from silkpipe.steps.common import read_run_inputs
    from silkpipe.store import get_json, run_inputs_key

    recorded = get_json(open_store("s3://silkpipe-submit"), run_inputs_key("r-submit"))
    assert set(recorded["sessions"]) == set(
        read_run_inputs(open_store("s3://silkpipe-submit"), "r-submit")["sessions"]
    )
    assert "20251017_135233_session" in recorded["sessions"]


def test_kind_config_is_a_kind_cluster():
    config = yaml.safe_load((REPO / "workflows" / "kind-config.yaml").read_text())
    assert config["kind"] == "Cluster" and config["apiVersion"] == "kind.x-k8s.io/v1alpha4"
    assert {n["role"] for n in config["nodes"]} == {"control-plane", "worker"}


def test_submit_uploads_every_clips_folder_it_is_given(tmp_path, clean_env, capsys):
    """`submit --clips A --clips B` uploads both for the run (clips/1/, clips/2/), as
    `silkpipe run` and `sessions upload` take them; the last one alone was kept before."""
    import badinputs
    from test_run_clip_folders import _two_days

    from silkpipe.store import get_json, open_store, run_inputs_key
    from workflows import submit

    day, other = _two_days(tmp_path)
    badinputs.good_sessions(tmp_path / "sessions")
    store = str(tmp_path / "store")
    recorder = _ArgoServerRecorder()
    try:
        argv = ["--server", recorder.url, "--store", store, "--run-id", "r-clips"]
        argv += ["--sessions", str(tmp_path / "sessions"), "--clips", str(day)]
        assert submit.main([*argv, "--clips", str(other)]) == 0, capsys.readouterr()
    finally:
        recorder.close()
    clips = get_json(open_store(store), run_inputs_key("r-clips"))["clips"]
    assert {"1/jump_sample01.csv", "2/jump_sample01.csv"} <= set(clips), sorted(clips)


def test_submit_refuses_clips_without_sessions(tmp_path, clean_env, capsys):
    """--clips is uploaded with --sessions only: alone it did nothing and the run was
    submitted without the clips; now it is one error and nothing is submitted."""
    import badinputs

    from workflows import submit

    clips = badinputs.sample_clips(tmp_path / "day", per_class=1)
    recorder = _ArgoServerRecorder()
    try:
        argv = ["--server", recorder.url, "--store", str(tmp_path / "store"), "--clips", str(clips)]
        assert submit.main(argv) == 2
    finally:
        recorder.close()
    err = capsys.readouterr().err.strip().splitlines()
    assert recorder.calls == [] and len(err) == 1 and "--clips" in err[0] and "--sessions" in err[0]


def test_the_report_pod_names_its_workflow(wt):
    """The report tells an earlier attempt's figures folder by the workflow's uid
    (report.WORKFLOW_ENV): a killed report pod's folder no longer waits the hour."""
    from silkpipe.report import WORKFLOW_ENV

    env = {e["name"]: e for e in templates(wt)["report"]["container"]["env"]}
    assert env[WORKFLOW_ENV]["value"] == "{{workflow.uid}}"
