"""Every pod the template and the chart make passes Pod Security "restricted", evaluated from
the Kubernetes documentation's rule list (tests/pod_security.py), with Argo's own init and
wait containers configured through the argo-workflows chart's real values keys."""

from __future__ import annotations

import copy

import pytest
import yaml

from tests.pod_security import violations, workflow_pods
from tests.test_chart import ALL_ON, by_kind, helm, render  # noqa: F401  (fixture)
from workflows.manifests import CHART, VALUES_FILES
from workflows.silkpipe_workflow import compile_yaml

COMPANION = CHART / "companions" / "argo-workflows-values.yaml"
#: The ``executor`` keys of the argo-workflows chart (argo-helm
#: charts/argo-workflows/values.yaml; templates/controller/workflow-controller-config-map.yaml
#: copies resources, env and securityContext into the controller's ``executor`` config).
ARGO_CHART_EXECUTOR_KEYS = {
    "image": {"registry", "repository", "tag", "pullPolicy"},
    "resources": None,
    "args": None,
    "env": None,
    "securityContext": None,
}


def controller_config(values: dict) -> dict:
    """What the argo-workflows chart writes into the controller ConfigMap from its values."""
    config = {}
    for key in ("executor", "mainContainer"):
        section = values.get(key) or {}
        picked = {k: section[k] for k in ("resources", "env", "securityContext") if section.get(k)}
        if picked:
            config[key] = picked
    return config


def companion_config() -> dict:
    return controller_config(yaml.safe_load(COMPANION.read_text()))


def restricted_pod() -> dict:
    ctx = {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
    }
    return {
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "c", "securityContext": copy.deepcopy(ctx)}],
        "volumes": [{"name": "tmp", "emptyDir": {}}],
    }


BREAKS = {
    "privileged": lambda p: p["containers"][0]["securityContext"].update(privileged=True),
    "escalation": lambda p: p["containers"][0]["securityContext"].pop("allowPrivilegeEscalation"),
    "caps": lambda p: p["containers"][0]["securityContext"].update(
        capabilities={"add": ["NET_ADMIN"]}
    ),
    "root": lambda p: p["securityContext"].update(runAsNonRoot=False),
    "uid0": lambda p: p["containers"][0]["securityContext"].update(runAsUser=0),
    "seccomp": lambda p: p["securityContext"].pop("seccompProfile"),
    "unconfined": lambda p: p["containers"][0]["securityContext"].update(
        seccompProfile={"type": "Unconfined"}
    ),
    "hostPath": lambda p: p["volumes"].append({"name": "h", "hostPath": {"path": "/"}}),
    "hostNetwork": lambda p: p.update(hostNetwork=True),
    "hostPort": lambda p: p["containers"][0].update(ports=[{"containerPort": 80, "hostPort": 80}]),
    "sysctl": lambda p: p["securityContext"].update(
        sysctls=[{"name": "kernel.msgmax", "value": "1"}]
    ),
    "procMount": lambda p: p["containers"][0]["securityContext"].update(procMount="Unmasked"),
    "init": lambda p: p.update(initContainers=[{"name": "init"}]),
}


def test_a_restricted_pod_passes_and_each_broken_rule_is_caught():
    assert violations(restricted_pod()) == []
    for name, breaker in BREAKS.items():
        pod = restricted_pod()
        breaker(pod)
        assert violations(pod), f"{name} not caught"


def test_companion_values_use_only_real_argo_chart_keys():
    values = yaml.safe_load(COMPANION.read_text())
    for key, sub in values["executor"].items():
        assert key in ARGO_CHART_EXECUTOR_KEYS, f"executor.{key} is not an argo-workflows key"
        allowed = ARGO_CHART_EXECUTOR_KEYS[key]
        if allowed is not None:
            assert set(sub) <= allowed, f"executor.{key}: {set(sub) - allowed} unknown"
    assert values["executor"]["securityContext"], "init/wait containers need a securityContext"


def test_every_workflow_pod_with_argo_containers_is_restricted():
    pods = workflow_pods(yaml.safe_load(compile_yaml()), companion_config())
    assert len(pods) == 8
    for name, pod in pods.items():
        assert {c["name"] for c in pod["containers"] + pod["initContainers"]} == {
            "init",
            "wait",
            "main",
        }
        assert violations(pod) == [], name


def test_without_an_executor_security_context_argo_containers_fail():
    """What the base configuration produced: init and wait are rejected."""
    pods = workflow_pods(yaml.safe_load(compile_yaml()), controller_config({}))
    broken = violations(pods["align"])
    assert any("initContainers[init]" in v for v in broken)
    assert any("containers[wait]" in v for v in broken)


@pytest.mark.parametrize("values", VALUES_FILES)
def test_every_pod_the_chart_makes_is_restricted(helm, values):  # noqa: F811
    docs = render(helm, values, *ALL_ON)
    (wt,) = by_kind(docs, "WorkflowTemplate")
    for name, pod in workflow_pods(wt, companion_config()).items():
        assert violations(pod) == [], (values, name)
    jobs = by_kind(docs, "Job")
    assert jobs
    for job in jobs:
        assert violations(job["spec"]["template"]["spec"]) == [], job["metadata"]["name"]
