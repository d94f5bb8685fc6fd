"""Step metrics: mapping, in-process registry, and real Pushgateway + Prometheus round trips.

The service tests talk to the Pushgateway (127.0.0.1:9091) and Prometheus (127.0.0.1:9090)
that `.ci/services.sh start` runs. In CI (CI=true) a missing service is a failure; on a
developer machine those tests skip and say how to start the services.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from silkpipe import metrics
from silkpipe.cli import main
from silkpipe.store import FileStore

REPO = Path(__file__).resolve().parents[1]
RULES = REPO / "charts" / "silkpipe" / "files" / "alert-rules.yaml"
DASHBOARD = REPO / "charts" / "silkpipe" / "files" / "grafana-dashboard.json"
GATEWAY = "127.0.0.1:9091"
PROMETHEUS = "http://127.0.0.1:9090"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _need(what: str) -> None:
    message = f"{what} (run `bash .ci/services.sh start`; apt: prometheus prometheus-pushgateway)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def _get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(autouse=True)
def _fresh_registry():
    metrics.reset()
    yield
    metrics.reset()


@pytest.fixture
def services(monkeypatch):
    if not _ready(f"http://{GATEWAY}/-/ready"):
        _need(f"Pushgateway not running on {GATEWAY}")
    if not _ready(f"{PROMETHEUS}/-/ready"):
        _need(f"Prometheus not running on {PROMETHEUS}")
    monkeypatch.setenv("SILKPIPE_PUSHGATEWAY", GATEWAY)
    return GATEWAY


@pytest.fixture
def run_id(services):
    """A run id unique to the test; its gateway groups are deleted afterwards."""
    rid = f"test-{uuid.uuid4().hex[:10]}"
    yield rid
    metrics.delete_run(rid, GATEWAY)


def gateway_value(run: str, step: str, name: str, session: str | None = None, **labels):
    """A metric's value in the Pushgateway's group (run, step, session), or None."""
    for group in _get_json(f"http://{GATEWAY}/api/v1/metrics")["data"]:
        key = group["labels"]
        if (key.get("job"), key.get("run"), key.get("step"), key.get("session")) != (
            "silkpipe",
            run,
            step,
            session,
        ):
            continue
        for sample in group.get(name, {}).get("metrics", []):
            if all(sample["labels"].get(k) == v for k, v in labels.items()):
                return float(sample["value"])
    return None


def prometheus_query(expr: str) -> dict:
    url = f"{PROMETHEUS}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.load(response)
    except urllib.error.HTTPError as err:  # 400 carries the parse error as JSON
        return json.load(err)


def poll_prometheus(expr: str, timeout_s: float = 30.0) -> list[dict]:
    """Query until Prometheus has scraped a result (bounded), then return it."""
    deadline = time.monotonic() + timeout_s
    while True:
        body = prometheus_query(expr)
        assert body["status"] == "success", body
        if body["data"]["result"] or time.monotonic() > deadline:
            return body["data"]["result"]
        time.sleep(0.5)


# ---- mapping and in-process registry (no services) --------------------------------------


def test_known_figures_map_to_metrics_and_unknown_keys_are_dropped():
    samples = metrics.metric_samples(
        "transcribe",
        {
            "audio_seconds": 89.0,
            "real_time_factor": 35.0,
            "wall_seconds": 2.5,
            "cached": True,
            "commands_jump": 3,
            "commands_dance": 7,
            "words": 70,
            "something_new": 1.0,
            "note": "text is ignored",
            "quality": float("nan"),
        },
    )
    got = {(name, tuple(sorted(labels.items()))): value for name, _, labels, value in samples}
    assert got == {
        ("silkpipe_audio_seconds", ()): 89.0,
        ("silkpipe_transcription_real_time_factor", ()): 35.0,
        ("silkpipe_transcription_wall_seconds", ()): 2.5,
        ("silkpipe_transcript_cache_hit", ()): 1.0,
        ("silkpipe_commands", (("class", "jump"),)): 3.0,
        ("silkpipe_transcript_words", ()): 70.0,
    }
    # the evaluate JSON as it is: per_class flattens to per_class_<cls>_f1
    evaluate = {
        "macro_f1": 0.6,
        "per_class": {"jump": {"f1": 0.5, "recall": 0.4}, "dance": {"f1": 0.1}},
    }
    assert sorted(
        (n, tuple(lb.items()), v) for n, _, lb, v in metrics.metric_samples("evaluate", evaluate)
    ) == [
        ("silkpipe_model_class_f1", (("class", "jump"),), 0.5),
        ("silkpipe_model_macro_f1", (), 0.6),
    ]
    # wall_seconds means transcription time only in the transcribe step
    assert metrics.metric_samples("run", {"wall_seconds": 10}) == []


def test_align_report_is_flattened_into_bounded_class_labels():
    report = {
        "offset_s": 9.7,
        "offset_confidence": 4.0,
        "quality": 0.4,
        "excluded": True,
        "reason": "at chance",
        "commands": {"jump": 2, "idle": 1, "Jump!!": 5},
        "labelled_seconds": {"walk": 12.5},
        "rejected_words": [{"word": "x"}],
    }
    values = metrics.record_session("r", "align", "s1", report)
    assert values == {
        "silkpipe_session_offset_seconds": 9.7,
        "silkpipe_session_offset_confidence": 4.0,
        "silkpipe_session_label_quality": 0.4,
        "silkpipe_session_excluded": 1.0,
        'silkpipe_commands{class="jump"}': 2.0,
        'silkpipe_commands{class="idle"}': 1.0,
        'silkpipe_labelled_seconds{class="walk"}': 12.5,
    }
    assert metrics.snapshot() == {metrics.Group("r", "align", "s1"): values}


def test_step_metrics_records_duration_success_and_failure(clean_env):
    ok_args = argparse.Namespace(command="train", run_id="r1")
    with metrics.step_metrics(ok_args) as record:
        record({"epochs": 12, "final_loss": 0.31, "macro_f1": 0.7})
    bad_args = argparse.Namespace(command="transcribe", run_id="r1", session="s2")
    with pytest.raises(RuntimeError), metrics.step_metrics(bad_args) as record:
        record({"audio_seconds": 5.0})
        raise RuntimeError("boom")
    snap = metrics.snapshot()
    train = snap[metrics.Group("r1", "train")]
    assert train["silkpipe_step_success"] == 1.0
    assert train["silkpipe_training_epochs"] == 12.0
    assert train["silkpipe_model_macro_f1"] == 0.7
    assert train["silkpipe_step_duration_seconds"] >= 0
    assert abs(train["silkpipe_step_last_success_timestamp_seconds"] - time.time()) < 60
    failed = snap[metrics.Group("r1", "transcribe", "s2")]
    assert failed["silkpipe_step_success"] == 0.0
    assert failed["silkpipe_audio_seconds"] == 5.0  # figures recorded before the failure
    assert "silkpipe_step_last_success_timestamp_seconds" not in failed
    text = metrics.exposition()
    assert 'silkpipe_step_success{job="silkpipe",run="r1",session="s2",step="transcribe"} 0.0' in (
        text
    )


def test_parallel_chunk_pods_of_one_run_keep_separate_groups(clean_env):
    """Two `transcribe --chunk` pods of one run push different groups: with PUT semantics a
    shared group would let the pod that finishes last erase the other's figures."""
    for chunk, seconds in (("00000", 60.0), ("00001", 90.0)):
        args = argparse.Namespace(command="transcribe", run_id="r1", session=None, chunk=chunk)
        with metrics.step_metrics(args) as record:
            record({"audio_seconds": seconds})
    snap = metrics.snapshot()
    assert snap[metrics.Group("r1", "transcribe", chunk="00000")]["silkpipe_audio_seconds"] == 60
    assert snap[metrics.Group("r1", "transcribe", chunk="00001")]["silkpipe_audio_seconds"] == 90
    text = metrics.exposition()
    assert 'silkpipe_audio_seconds{chunk="00001",job="silkpipe",run="r1",step="transcribe"}' in text


def _empty_run(store, run_id: str) -> None:
    """A run with no sessions: `report` refuses a run id the store does not hold."""
    FileStore(store).put_bytes(f"runs/{run_id}/inputs.json", b'{"sessions": {}, "clips": {}}')


def test_cli_main_records_the_step_in_process(clean_env, tmp_path):
    _empty_run(tmp_path / "store", "r9")
    assert main(["report", "--store", str(tmp_path / "store"), "--run-id", "r9"]) == 0
    values = metrics.snapshot()[metrics.Group("r9", "report")]
    assert values["silkpipe_step_success"] == 1.0
    assert values["silkpipe_step_duration_seconds"] > 0


def test_push_failure_never_fails_the_step(monkeypatch, tmp_path):
    monkeypatch.setenv("SILKPIPE_PUSHGATEWAY", "127.0.0.1:9")  # nothing listens there
    _empty_run(tmp_path / "store", "r9")
    assert main(["report", "--store", str(tmp_path / "store"), "--run-id", "r9"]) == 0
    assert metrics.snapshot()[metrics.Group("r9", "report")]["silkpipe_step_success"] == 1.0


# ---- chart files ------------------------------------------------------------------------


def _promtool() -> str:
    path = shutil.which("promtool")
    if not path:
        _need("promtool not installed")
    return path


KNOWN = (
    {name for name, _ in metrics.SIMPLE.values()}
    | {name for name, _ in metrics.STEP_SIMPLE.values()}
    | {name for name, _ in metrics.PER_CLASS.values()}
    | {metrics.DURATION, metrics.SUCCESS, metrics.LAST_SUCCESS, "silkpipe_sessions"}
)
# the WorkflowTemplate's own `metrics:` (Argo controller; names defined in workflows/)
ARGO = {"silkpipe_argo_steps_total", "silkpipe_argo_step_duration_seconds"}


def test_argo_metric_names_match_the_workflow_template():
    source = (REPO / "workflows" / "silkpipe_workflow.py").read_text()
    for name in ARGO:
        assert f'"{name}"' in source


# promtool's rule unit tests: the series a failed step / a chance session / a stale
# success leave on the Pushgateway must fire exactly the intended alerts.
RULE_TESTS = {
    "rule_files": [str(RULES)],
    "evaluation_interval": "1m",
    "tests": [
        {
            "interval": "1h",
            "input_series": [
                {
                    "series": 'silkpipe_step_success{job="silkpipe",run="r1",step="train"}',
                    "values": "0x3",
                },
                {
                    "series": 'silkpipe_step_success{job="silkpipe",run="r1",step="align"}',
                    "values": "1x3",
                },
                {
                    "series": 'silkpipe_session_label_quality{job="silkpipe",run="r1",'
                    'session="s1",step="align"}',
                    "values": "0.4x3",
                },
                {
                    "series": 'silkpipe_session_label_quality{job="silkpipe",run="r1",'
                    'session="s2",step="align"}',
                    "values": "6x3",
                },
            ],
            "alert_rule_test": [
                {
                    "eval_time": "1h",
                    "alertname": "SilkpipeStepFailed",
                    "exp_alerts": [
                        {
                            "exp_labels": {"severity": "warning", "run": "r1", "step": "train"},
                            "exp_annotations": {
                                "summary": "silkpipe step train failed in run r1",
                                "description": 'Step train of run r1 (session "") failed. See '
                                "runs/r1/failures/ in the artifact store and the run "
                                "report.",
                            },
                        }
                    ],
                },
                {
                    "eval_time": "1h",
                    "alertname": "SilkpipeSessionLabelsAtChance",
                    "exp_alerts": [
                        {
                            "exp_labels": {"severity": "info", "run": "r1", "session": "s1"},
                            "exp_annotations": {
                                "summary": "session s1 labels at chance (run r1)",
                                "description": "Label quality 0.40 < 4: the spoken commands do not "
                                "match the motion better than shuffled commands "
                                "(audio/IMU offset not found, or wrong words). The "
                                "session was excluded from training unless the run "
                                "used --force.",
                            },
                        }
                    ],
                },
            ],
        },
        {
            "interval": "1m",  # denser than the 5 min staleness, so `for:` can elapse
            # report last succeeded at unix time 0, train keeps succeeding (value = now)
            "input_series": [
                {
                    "series": 'silkpipe_step_last_success_timestamp_seconds{job="silkpipe",'
                    'step="report"}',
                    "values": "0x13000",
                },
                {
                    "series": 'silkpipe_step_last_success_timestamp_seconds{job="silkpipe",'
                    'step="train"}',
                    "values": "0+60x13000",
                },
            ],
            "alert_rule_test": [
                {"eval_time": "6d", "alertname": "SilkpipeNoSuccessfulRun", "exp_alerts": []},
                {
                    "eval_time": "9d",
                    "alertname": "SilkpipeNoSuccessfulRun",
                    "exp_alerts": [
                        {
                            "exp_labels": {"severity": "warning"},
                            "exp_annotations": {
                                "summary": "no successful silkpipe run in 7 days",
                                "description": "The last run that both trained a model and wrote its "
                                "report finished 9d 0h 0m 0s ago.",
                            },
                        }
                    ],
                },
                {"eval_time": "9d", "alertname": "SilkpipeNeverSucceeded", "exp_alerts": []},
            ],
        },
        {
            "interval": "1m",
            # Argo counts: train succeeds every 10 min; align's first failure at 30 min
            "input_series": [
                {
                    "series": 'argo_workflows_silkpipe_argo_steps_total{step="train",'
                    'status="Succeeded"}',
                    "values": "1+0.1x300",
                },
                {
                    "series": 'argo_workflows_silkpipe_argo_steps_total{step="align",'
                    'status="Failed"}',
                    "values": "_x30 1x270",
                },
            ],
            "alert_rule_test": [
                {"eval_time": "20m", "alertname": "SilkpipeArgoStepFailed", "exp_alerts": []},
                {
                    "eval_time": "40m",
                    "alertname": "SilkpipeArgoStepFailed",
                    "exp_alerts": [
                        {
                            "exp_labels": {
                                "severity": "warning",
                                "step": "align",
                                "status": "Failed",
                            },
                            "exp_annotations": {
                                "summary": "Argo ran silkpipe step align to status Failed"
                            },
                        }
                    ],
                },
                {"eval_time": "4h", "alertname": "SilkpipeArgoStepFailed", "exp_alerts": []},
            ],
        },
    ],
}


def test_alert_rules_pass_promtool_and_fire_as_intended(tmp_path):
    promtool = _promtool()
    check = subprocess.run([promtool, "check", "rules", str(RULES)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert set(re.findall(r"silkpipe_[a-z_]+", RULES.read_text())) <= KNOWN | ARGO
    test_file = tmp_path / "rules_test.yaml"
    test_file.write_text(json.dumps(RULE_TESTS))  # JSON is YAML
    result = subprocess.run(
        [promtool, "test", "rules", str(test_file)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _dashboard_exprs() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    assert len(exprs) >= 10
    return exprs


def test_dashboard_uses_only_metrics_the_steps_push():
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] == "silkpipe"
    assert {v["name"] for v in dashboard["templating"]["list"]} == {"datasource", "run"}
    used = {m for e in _dashboard_exprs() for m in re.findall(r"silkpipe_[a-z0-9_]+", e)}
    used = {re.sub(r"_bucket$", "", m) for m in used}
    assert used <= KNOWN | ARGO, used - KNOWN - ARGO


# ---- real Pushgateway and Prometheus ----------------------------------------------------


@pytest.mark.services
def test_step_metrics_reach_pushgateway_and_prometheus(run_id, tmp_path):
    store = tmp_path / "store"
    _empty_run(store, run_id)
    assert main(["report", "--store", str(store), "--run-id", run_id]) == 0
    assert gateway_value(run_id, "report", "silkpipe_step_success") == 1.0
    duration = gateway_value(run_id, "report", "silkpipe_step_duration_seconds")
    assert duration is not None and duration > 0
    # the run-less group keeps the last success for the "no successful run" alert
    last = gateway_value(None, "report", "silkpipe_step_last_success_timestamp_seconds")
    assert last is not None and abs(last - time.time()) < 120

    result = poll_prometheus(f'silkpipe_step_success{{run="{run_id}",step="report"}}')
    assert len(result) == 1, result
    assert result[0]["metric"]["job"] == "silkpipe"  # honor_labels keeps the pushed labels
    assert float(result[0]["value"][1]) == 1.0


@pytest.mark.services
def test_failed_step_pushes_failure_and_per_session_figures(run_id):
    args = argparse.Namespace(command="transcribe", run_id=run_id, session="sess-a")
    with pytest.raises(ValueError), metrics.step_metrics(args) as record:
        record({"audio_seconds": 12.5, "commands_jump": 4})
        raise ValueError("decoder crashed")
    assert gateway_value(run_id, "transcribe", "silkpipe_step_success", "sess-a") == 0.0
    assert gateway_value(run_id, "transcribe", "silkpipe_audio_seconds", "sess-a") == 12.5

    metrics.record_session(run_id, "align", "sess-a", {"quality": 0.3, "commands": {"jump": 4}})
    result = poll_prometheus(
        f'silkpipe_commands{{run="{run_id}",step="align",session="sess-a",class="jump"}}'
    )
    assert [float(r["value"][1]) for r in result] == [4.0]
    failed = poll_prometheus(f'silkpipe_step_success{{run="{run_id}",session="sess-a"}} == 0')
    assert [r["metric"]["step"] for r in failed] == ["transcribe"]


@pytest.mark.services
def test_a_retried_step_replaces_its_group(run_id):
    """push (PUT) semantics: a retry's figures replace the earlier attempt's whole group."""
    args = argparse.Namespace(command="transcribe", run_id=run_id, session="s1")
    with metrics.step_metrics(args) as record:
        record({"commands_jump": 3, "commands_punch": 1})
    assert gateway_value(run_id, "transcribe", "silkpipe_commands", "s1", **{"class": "punch"})
    with metrics.step_metrics(args) as record:
        record({"commands_jump": 2})
    assert gateway_value(run_id, "transcribe", "silkpipe_commands", "s1", **{"class": "jump"}) == 2
    assert (
        gateway_value(run_id, "transcribe", "silkpipe_commands", "s1", **{"class": "punch"}) is None
    )


@pytest.mark.services
def test_cleanup_deletes_finished_runs_but_keeps_last_success(run_id):
    other = f"{run_id}-b"
    for rid in (run_id, other):
        metrics.record_session(rid, "align", "s1", {"quality": 5.0})
        with metrics.step_metrics(argparse.Namespace(command="report", run_id=rid)):
            pass
    # too recent: kept (Prometheus may not have scraped them yet)
    assert metrics.cleanup_finished_runs(min_age_s=3600) == []
    deleted = metrics.cleanup_finished_runs(min_age_s=0, keep=other)
    assert run_id in deleted and other not in deleted
    assert gateway_value(run_id, "align", "silkpipe_session_label_quality", "s1") is None
    assert gateway_value(run_id, "report", "silkpipe_step_success") is None
    assert gateway_value(other, "report", "silkpipe_step_success") == 1.0
    assert gateway_value(None, "report", "silkpipe_step_last_success_timestamp_seconds")
    assert metrics.delete_run(other) == 2
    assert gateway_value(other, "report", "silkpipe_step_success") is None


@pytest.mark.services
def test_a_step_without_run_keeps_its_figures(services):
    """A run-less command's group is {step} itself: its figures stay beside last success."""
    step = f"probe-{uuid.uuid4().hex[:8]}"
    with metrics.step_metrics(argparse.Namespace(command=step)) as record:
        record({"audio_seconds": 3.0})
    assert gateway_value(None, step, "silkpipe_audio_seconds") == 3.0
    assert gateway_value(None, step, "silkpipe_step_last_success_timestamp_seconds")
    metrics._delete(GATEWAY, {"step": step})
    assert gateway_value(None, step, "silkpipe_step_success") is None


@pytest.mark.services
def test_dashboard_and_alert_queries_are_valid_promql(services):
    rules = RULES.read_text()
    exprs = [e.replace("$run", ".*").replace("$__rate_interval", "5m") for e in _dashboard_exprs()]
    exprs.append('silkpipe_step_success{job="silkpipe"} == 0')
    assert "silkpipe_step_success" in rules
    for expr in exprs:
        body = prometheus_query(expr)
        assert body["status"] == "success", (expr, body)


def test_the_macro_f1_panel_says_which_runs_have_no_held_out_score():
    """A model trained with no test split pushes no macro-F1: its run's panel was empty
    and nothing said why. The panel now shows a "no test split" series for it."""
    dashboard = json.loads(DASHBOARD.read_text())
    (panel,) = [p for p in dashboard["panels"] if p["title"] == "Macro-F1"]
    (no_split,) = [t for t in panel["targets"] if "silkpipe_model_held_out" in t["expr"]]
    assert no_split["expr"].endswith("== 0") and "no test split" in no_split["legendFormat"]
    assert "no test split" in panel["description"]


@pytest.fixture(scope="module")
def synth_clips(tmp_path_factory) -> Path:
    """Small synthetic clips of every class (as test_no_test_split trains on)."""
    from silkpipe.synth import generate

    root = tmp_path_factory.mktemp("synth")
    generate(root, sessions=1, seed=5, duration=20, clips_per_class=4)
    return root / "clips"


@pytest.mark.services
def test_train_pushes_whether_the_model_has_a_held_out_score(run_id, tmp_path, synth_clips, capsys):
    """`train --store --no-test-split` (model.json held_out: false) pushes
    silkpipe_model_held_out 0, the panel's query finds that run in Prometheus, and a
    re-used model pushes it again; a model with a test split pushes 1."""
    from silkpipe import store as keys
    from silkpipe.store import open_store

    store = open_store(str(tmp_path / "store"))
    keys.put_json(store, keys.run_inputs_key(run_id), {"sessions": {}, "clips": {}})
    keys.put_json(store, f"{keys.run_prefix(run_id)}/labels/summary.json", {"sessions": []})
    argv = ["train", "--store", store.uri, "--run-id", run_id, "--clips", str(synth_clips)]
    argv += ["--epochs", "1", "--no-progress"]
    for _ in range(2):  # trained, then re-used
        assert main([*argv, "--no-test-split"]) == 0, capsys.readouterr().err[-2000:]
        assert gateway_value(run_id, "train", "silkpipe_model_held_out") == 0.0
        assert gateway_value(run_id, "train", "silkpipe_model_macro_f1") is None
    found = poll_prometheus(f'max by (run) (silkpipe_model_held_out{{run="{run_id}"}}) == 0')
    assert [r["metric"]["run"] for r in found] == [run_id]
    assert main(argv) == 0, capsys.readouterr().err[-2000:]
    assert gateway_value(run_id, "train", "silkpipe_model_held_out") == 1.0
    assert gateway_value(run_id, "train", "silkpipe_model_macro_f1") is not None
