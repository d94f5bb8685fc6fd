"""`make image-test`: every container of the compiled WorkflowTemplate, run in DAG order in
the built image, the way the pod would run it: the template's command, args and env (the S3
credentials from a secret-like env file, resolved through the template's secretKeyRefs), a
fresh writable /tmp and /models per pod, the template's securityContext (UID 10001,
read-only root filesystem, all capabilities dropped, no privilege escalation), and a network
that only reaches an S3-protocol server (moto) bound to 127.0.0.1 (host networking).

It tests the images and the template's commands, not Argo: no controller, no executor
containers, no artifact repository, no scheduling, retries or resource limits.
Needs podman with runc (as root); the image comes from images/podman-build.sh.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from graphlib import TopologicalSorter
from pathlib import Path

import yaml

from workflows.silkpipe_workflow import compile_yaml

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"\{\{\s*(workflow|inputs)\.parameters\.([A-Za-z0-9_-]+)\s*\}\}")
TASK_REF = re.compile(
    r"([a-z][a-z0-9-]*)\.(?:Succeeded|Failed|Skipped|Errored)|^([a-z][a-z0-9-]*)$"
)
ULIMITS = ["--ulimit", "nofile=16384:16384", "--ulimit", "nproc=8192:8192"]
ARGO_RESULT_LIMIT = 256 * 1024


def resolve(text: str, params: dict[str, str], inputs: dict[str, str]) -> str:
    def sub(match: re.Match) -> str:
        scope, name = match.groups()
        return (params if scope == "workflow" else inputs)[name]

    out = PLACEHOLDER.sub(sub, text)
    if "{{" in out:
        raise SystemExit(f"unresolved Argo expression in {text!r}")
    return out


def when_holds(expr: str | None, params: dict[str, str]) -> bool:
    if not expr:
        return True
    left, op, right = re.fullmatch(r"(.+?) (==|!=) (.+)", resolve(expr, params, {})).groups()
    return (left.strip() == right.strip()) == (op == "==")


def dag_order(doc: dict) -> list[dict]:
    """The DAG's tasks, each after every task its ``depends`` names."""
    (dag,) = [t["dag"] for t in doc["spec"]["templates"] if "dag" in t]
    tasks = {t["name"]: t for t in dag["tasks"]}
    graph = {}
    for name, task in tasks.items():
        refs = re.split(r"[()&|! ]+", task.get("depends", ""))
        graph[name] = {m.group(1) or m.group(2) for r in refs if r and (m := TASK_REF.match(r))}
    return [tasks[n] for n in TopologicalSorter(graph).static_order()]


def security_flags(sc: dict) -> list[str]:
    """The pod securityContext as podman flags; refuses a context the pod would not have."""
    need = {"runAsNonRoot": True, "readOnlyRootFilesystem": True, "allowPrivilegeEscalation": False}
    for key, value in need.items():
        if sc.get(key) is not value:
            raise SystemExit(f"template securityContext lacks {key}: {value}")
    if (sc.get("capabilities") or {}).get("drop") != ["ALL"]:
        raise SystemExit("template securityContext does not drop ALL capabilities")
    user = f"{sc['runAsUser']}:{sc.get('runAsGroup', sc['runAsUser'])}"
    return [
        "--user",
        user,
        "--read-only",
        "--read-only-tmpfs=false",
        "--cap-drop",
        "ALL",
        "--security-opt",
        "no-new-privileges",
    ]


def env_file(container: dict, params: dict, secret: dict[str, str], path: Path) -> Path:
    """The container's env as a podman env file; secretKeyRefs read from ``secret``."""
    lines = []
    for e in container.get("env") or []:
        ref = (e.get("valueFrom") or {}).get("secretKeyRef")
        if ref is not None:
            if ref["key"] not in secret:
                if ref.get("optional"):
                    continue
                raise SystemExit(f"secret lacks key {ref['key']}")
            lines.append(f"{e['name']}={secret[ref['key']]}")
        else:
            lines.append(f"{e['name']}={resolve(e.get('value', ''), params, {})}")
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    return path


class Pods:
    """Runs one template as one 'pod': a container with fresh /tmp and /models volumes."""

    def __init__(self, image: str, doc: dict, params: dict, secret: dict, work: Path):
        self.image, self.params, self.secret, self.work = image, params, secret, work
        self.templates = {t["name"]: t for t in doc["spec"]["templates"]}
        self.uid = doc["spec"]["securityContext"]["runAsUser"]
        self.count = 0
        self.log: list[tuple[str, str, float, int]] = []

    def run(self, name: str, inputs: dict[str, str]) -> tuple[int, str, Path]:
        tmpl, self.count = self.templates[name], self.count + 1
        c = tmpl["container"]
        pod = self.work / f"pod-{self.count:03d}-{name}"
        mounts = []
        for m in c["volumeMounts"]:  # emptyDirs: new and writable by the pod's UID
            host = pod / m["name"]
            host.mkdir(parents=True)
            os.chown(host, self.uid, self.uid)
            mounts += ["-v", f"{host}:{m['mountPath']}:rw"]
        cmd = [
            "podman",
            "--runtime",
            "runc",
            "run",
            "--rm",
            "--network",
            "host",
            *ULIMITS,
            *security_flags(c["securityContext"]),
            *mounts,
            "--env-file",
            str(env_file(c, self.params, self.secret, pod / "env")),
            "--entrypoint",
            c["command"][0],
            self.image,
            *[resolve(a, self.params, inputs) for a in c["args"]],
        ]
        started = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        (pod / "stderr.log").write_text(proc.stderr)
        item = ",".join(inputs.values())
        self.log.append((name, item, seconds, proc.returncode))
        print(f"  {name:<16} {item:<8} rc={proc.returncode} {seconds:6.1f} s", flush=True)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr[-4000:])
        return proc.returncode, proc.stdout, pod


def start_s3(work: Path) -> tuple[subprocess.Popen, str]:
    binary = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = open(work / "moto.log", "w")  # noqa: SIM115 (lives as long as the server)
    proc = subprocess.Popen([binary, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, f"127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("moto_server did not start")


def run_dag(pods: Pods, doc: dict, params: dict) -> dict[str, Path]:
    """Each task in DAG order (``when`` evaluated, ``withParam`` fanned out); any failure
    stops the test. Returns the pod folder of each task."""
    results: dict[str, str] = {}
    pod_dirs: dict[str, Path] = {}
    for task in dag_order(doc):
        name = task["name"]
        if not when_holds(task.get("when"), params):
            print(f"  {name:<16} skipped (when: {resolve(task['when'], params, {})})")
            continue
        if "withParam" in task:
            source = re.fullmatch(r"\{\{tasks\.([a-z-]+)\.outputs\.result\}\}", task["withParam"])
            result = results[source.group(1)]
            if len(result.encode()) >= ARGO_RESULT_LIMIT:
                raise SystemExit(f"{source.group(1)} result is over Argo's 256 kB")
            items = json.loads(result)
            if not (isinstance(items, list) and all(isinstance(i, str) for i in items) and items):
                raise SystemExit(f"fan-out list does not parse as a list of names: {result!r}")
            (arg,) = task["arguments"]["parameters"]
            runs = [(item, pods.run(task["template"], {arg["name"]: item})) for item in items]
            if any(rc for _, (rc, _, _) in runs):
                raise SystemExit(f"{name} failed for {[i for i, (rc, _, _) in runs if rc]}")
            pod_dirs[name] = runs[-1][1][2]
            continue
        rc, out, pod = pods.run(task["template"], {})
        if rc:
            raise SystemExit(f"{name} failed (rc {rc}); log: {pod / 'stderr.log'}")
        results[name], pod_dirs[name] = out.strip(), pod
    return pod_dirs


def check_outputs(doc: dict, pod_dirs: dict[str, Path], store: str, run_id: str) -> list[str]:
    """The report artifact (on the publishing pod's volume) and the run manifest (in S3)."""
    from silkpipe.store import manifest_key, open_store

    templates = {t["name"]: t for t in doc["spec"]["templates"]}
    found = []
    for task, pod in pod_dirs.items():
        for art in (templates[task].get("outputs") or {}).get("artifacts", []):
            mounts = templates[task]["container"]["volumeMounts"]
            (m,) = [m for m in mounts if art["path"].startswith(m["mountPath"] + "/")]
            local = pod / m["name"] / os.path.relpath(art["path"], m["mountPath"])
            if not (local / "index.html").is_file():
                raise SystemExit(f"artifact {art['name']} has no index.html at {local}")
            found.append(f"artifact {art['name']}: {sum(1 for _ in local.rglob('*'))} files")
    if not open_store(store).exists(manifest_key(run_id)):
        raise SystemExit(f"no manifest {manifest_key(run_id)} in {store}")
    found.append(f"manifest {store}/{manifest_key(run_id)}")
    return found


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m workflows.image_test", description=__doc__)
    p.add_argument("--image", default="localhost/silkpipe-cpu:dev")
    p.add_argument("--data", type=Path, help="sessions/ and clips/ to upload (default: synth)")
    p.add_argument("--work", type=Path, default=ROOT / "build" / "image-test")
    p.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE")
    args = p.parse_args(argv)
    doc = yaml.safe_load(compile_yaml())
    params = _params(doc, args.param)
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    server, endpoint = start_s3(args.work)
    secret = _s3_secret(args.work, endpoint)
    try:
        data = args.data or synth(args.work / "data")
        _upload(data, params)
        print(f"image-test: {args.image}, S3 at {endpoint}, run {params['run-id']}")
        started = time.perf_counter()
        pods = Pods(args.image, doc, params, secret, args.work)
        found = check_outputs(doc, run_dag(pods, doc, params), params["store"], params["run-id"])
    finally:
        server.terminate()
    print("\n".join(f"  ok: {f}" for f in found))
    summary = {
        "image": args.image,
        "pods": pods.log,
        "found": found,
        "seconds": round(time.perf_counter() - started, 1),
    }
    (args.work / "summary.json").write_text(json.dumps(summary, indent=1))
    print(f"image-test passed: {len(pods.log)} pods in {summary['seconds']} s")
    return 0


def _params(doc: dict, overrides: list[str]) -> dict[str, str]:
    """The template's parameters for a CPU-only run against the local S3 server, then the
    KEY=VALUE overrides from the command line."""
    params = {x["name"]: x.get("value", "") for x in doc["spec"]["arguments"]["parameters"]}
    params |= {
        "run-id": "image-test",
        "store": "s3://silkpipe-image-test",
        "gpu-transcribe": "false",
        "train-gpu": "false",
        "pushgateway": "",
    }
    params |= dict(kv.split("=", 1) for kv in overrides)
    return params


def _s3_secret(work: Path, endpoint: str) -> dict[str, str]:
    """The S3 credentials as the pods get them (an env file) and as this process does."""
    secret = {
        "endpoint": endpoint,
        "access_key": "image-test",
        "secret_key": "image-test-secret",
        "secure": "0",
    }
    (work / "secret.env").write_text("".join(f"{k}={v}\n" for k, v in secret.items()))
    os.environ.update({f"SILKPIPE_S3_{k.upper()}": v for k, v in secret.items()})
    return secret


def _upload(data: Path, params: dict[str, str]) -> None:
    """Sessions and clips into the store, as a user does before submitting a run. A
    partial upload (exit 2, the uploaded names on stdout, each refusal named on stderr)
    goes on with them as `make submit` does; nothing uploaded or a fault stops the test
    in one line (it was a CalledProcessError traceback on a partial one too)."""
    from workflows.submit import partial_upload_names

    cli = [sys.executable, "-m", "silkpipe.cli"]
    sessions, clips = str(data / "sessions"), str(data / "clips")
    upload = [*cli, "sessions", "upload", sessions, "--store", params["store"], "--clips", clips]
    done = subprocess.run(
        [*upload, "--run-id", params["run-id"]], stdout=subprocess.PIPE, text=True, check=False
    )
    if partial_upload_names(done.returncode, done.stdout):
        print("image-test: partial upload: going on with the uploaded sessions", file=sys.stderr)
    elif done.returncode != 0:
        raise SystemExit(f"image-test: sessions upload failed (rc {done.returncode})")


def synth(dest: Path) -> Path:
    """Two sessions of real (espeak-ng) speech and their clips, as `make e2e` uses."""
    cmd = [
        sys.executable,
        "-m",
        "silkpipe.cli",
        "synth",
        str(dest),
        "--sessions",
        "2",
        "--seed",
        "11",
    ]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return dest


if __name__ == "__main__":
    sys.exit(main())
