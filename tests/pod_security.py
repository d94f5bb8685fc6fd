"""Pod Security Standards, "restricted" profile (which includes "baseline"), as the rule list
of https://kubernetes.io/docs/concepts/security/pod-security-standards/ states it, evaluated
on a pod spec. ``violations(pod_spec)`` returns one line per broken rule (empty: admitted).

Also how Argo Workflows (emissary executor) turns a template into a pod: the controller adds
an ``init`` and a ``wait`` container (image argoexec) whose securityContext is the
controller ConfigMap's ``executor.securityContext`` (argo-helm chart: ``executor.
securityContext``), merges ``mainContainer`` defaults into the step container, uses the
template's or workflow's ``securityContext`` as the pod's, and adds emptyDir volumes
(``var-run-argo``, ``tmp-dir-argo`` for the wait container's /tmp, input artifacts;
workflow/controller/workflowpod.go).
"""

from __future__ import annotations

from typing import Any

#: Baseline: capabilities that may be added (restricted narrows this to NET_BIND_SERVICE).
BASELINE_CAPS = {
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
}
SAFE_SYSCTLS = {
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
}
SELINUX_TYPES = {
    None,
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
}
#: Restricted: the only volume types allowed.
RESTRICTED_VOLUMES = {
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
}
APPARMOR = {None, "RuntimeDefault", "Localhost"}


def _containers(pod: dict) -> list[tuple[str, dict]]:
    out = []
    for kind in ("initContainers", "containers", "ephemeralContainers"):
        out += [(f"{kind}[{c.get('name')}]", c) for c in pod.get(kind) or []]
    return out


def _baseline(pod: dict, psc: dict, errors: list[str]) -> None:
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.get(field):
            errors.append(f"host namespaces: {field}")
    if (psc.get("windowsOptions") or {}).get("hostProcess"):
        errors.append("HostProcess: pod")
    for vol in pod.get("volumes") or []:
        if "hostPath" in vol:
            errors.append(f"hostPath volume {vol.get('name')}")
    for sysctl in psc.get("sysctls") or []:
        if sysctl.get("name") not in SAFE_SYSCTLS:
            errors.append(f"sysctl {sysctl.get('name')}")
    for where, ctx in [("pod", psc)] + [
        (n, c.get("securityContext") or {}) for n, c in _containers(pod)
    ]:
        if (ctx.get("seccompProfile") or {}).get("type") == "Unconfined":
            errors.append(f"seccomp Unconfined: {where}")
        se = ctx.get("seLinuxOptions") or {}
        if se.get("type") not in SELINUX_TYPES or se.get("user") or se.get("role"):
            errors.append(f"SELinux options: {where}")
        if (ctx.get("appArmorProfile") or {}).get("type") not in APPARMOR:
            errors.append(f"AppArmor: {where}")
    for name, c in _containers(pod):
        sc = c.get("securityContext") or {}
        if sc.get("privileged"):
            errors.append(f"privileged: {name}")
        if (sc.get("windowsOptions") or {}).get("hostProcess"):
            errors.append(f"HostProcess: {name}")
        added = set((sc.get("capabilities") or {}).get("add") or [])
        if added - BASELINE_CAPS:
            errors.append(f"capabilities added beyond baseline: {name}")
        if sc.get("procMount") not in (None, "Default"):
            errors.append(f"procMount: {name}")
        for port in c.get("ports") or []:
            if port.get("hostPort"):
                errors.append(f"hostPort: {name}")


def _restricted(pod: dict, psc: dict, errors: list[str]) -> None:
    for vol in pod.get("volumes") or []:
        kinds = set(vol) - {"name"}
        if not kinds <= RESTRICTED_VOLUMES:
            errors.append(f"volume type {sorted(kinds)}: {vol.get('name')}")
    if psc.get("runAsUser") == 0:
        errors.append("runAsUser 0: pod")
    for name, c in _containers(pod):
        sc = c.get("securityContext") or {}
        if sc.get("allowPrivilegeEscalation") is not False:
            errors.append(f"allowPrivilegeEscalation not false: {name}")
        non_root = sc.get("runAsNonRoot", psc.get("runAsNonRoot"))
        if non_root is not True:
            errors.append(f"runAsNonRoot not true: {name}")
        if sc.get("runAsUser") == 0:
            errors.append(f"runAsUser 0: {name}")
        seccomp = (sc.get("seccompProfile") or psc.get("seccompProfile") or {}).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            errors.append(f"seccompProfile not RuntimeDefault/Localhost: {name}")
        caps = sc.get("capabilities") or {}
        if "ALL" not in (caps.get("drop") or []):
            errors.append(f"capabilities do not drop ALL: {name}")
        if set(caps.get("add") or []) - {"NET_BIND_SERVICE"}:
            errors.append(f"capabilities added beyond NET_BIND_SERVICE: {name}")


def violations(pod: dict) -> list[str]:
    """Broken rules of the restricted profile for a pod spec (``spec`` of a Pod)."""
    psc = pod.get("securityContext") or {}
    errors: list[str] = []
    _baseline(pod, psc, errors)
    _restricted(pod, psc, errors)
    return errors


def argo_pod(template: dict, workflow_spec: dict, controller_config: dict) -> dict[str, Any]:
    """The pod spec Argo's controller builds for one container template (emissary)."""
    executor = controller_config.get("executor") or {}
    main_defaults = controller_config.get("mainContainer") or {}
    main = dict(template["container"])
    main["name"] = "main"
    if "securityContext" not in main and "securityContext" in main_defaults:
        main["securityContext"] = main_defaults["securityContext"]

    def argoexec(name: str) -> dict:
        c = {"name": name, "image": "quay.io/argoproj/argoexec"}
        if executor.get("securityContext"):
            c["securityContext"] = executor["securityContext"]
        return c

    volumes = list(template.get("volumes") or workflow_spec.get("volumes") or [])
    volumes.append({"name": "var-run-argo", "emptyDir": {}})
    volumes.append({"name": "tmp-dir-argo", "emptyDir": {}})  # the wait container's /tmp
    if (template.get("inputs") or {}).get("artifacts"):
        volumes.append({"name": "input-artifacts", "emptyDir": {}})
    pod: dict[str, Any] = {
        "initContainers": [argoexec("init")],
        "containers": [argoexec("wait"), main],
        "volumes": volumes,
    }
    psc = template.get("securityContext") or workflow_spec.get("securityContext")
    if psc:
        pod["securityContext"] = psc
    return pod


def workflow_pods(doc: dict, controller_config: dict) -> dict[str, dict]:
    """Every pod a WorkflowTemplate (or Workflow) makes, by template name."""
    spec = doc["spec"]
    return {
        t["name"]: argo_pod(t, spec, controller_config)
        for t in spec["templates"]
        if "container" in t
    }
