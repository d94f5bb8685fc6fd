"""`make submit`: start a silkpipe run on a cluster through the Argo Server, with Hera.

Optionally uploads a local folder of sessions (and clips) to the store first (the same
``silkpipe sessions upload`` the CLI offers), then creates a Workflow from the installed
WorkflowTemplate and prints its Argo UI link; ``--wait`` follows it to the end and exits
non-zero unless it succeeded.

Connection settings come from the environment, never from arguments that end up in logs:
ARGO_SERVER (https://host:port), ARGO_TOKEN (optional, "Bearer ..." or bare),
ARGO_NAMESPACE, ARGO_INSECURE_SKIP_VERIFY=true for self-signed kind setups; the store
credentials from SILKPIPE_S3_* as for every silkpipe command.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from hera.workflows import Parameter, Workflow, WorkflowsService
from hera.workflows import models as m

from workflows.silkpipe_workflow import CHOICES, NAME, Settings

FINISHED = {"Succeeded", "Failed", "Error"}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m workflows.submit",
        description="Submit a silkpipe run from the installed WorkflowTemplate (Argo Server).",
    )
    p.add_argument("--sessions", type=Path, help="local folder of session folders to upload first")
    p.add_argument(
        "--clips",
        type=Path,
        action="append",
        help="local folder of labelled clip CSVs to upload first (repeat it for several)",
    )
    p.add_argument("--store", default="s3://silkpipe", help="store URI the run uses (s3://...)")
    p.add_argument("--run-id", help="run id (default: silkpipe-<UTC timestamp>)")
    p.add_argument("--template", default=NAME, help="WorkflowTemplate name (default %(default)s)")
    p.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a workflow parameter (repeatable), e.g. -p gpu-transcribe=false",
    )
    p.add_argument("--namespace", default=os.environ.get("ARGO_NAMESPACE", "silkpipe"))
    p.add_argument(
        "--server",
        default=os.environ.get("ARGO_SERVER", "https://localhost:2746"),
        help="Argo Server URL (env ARGO_SERVER)",
    )
    p.add_argument(
        "--ui", default=os.environ.get("ARGO_UI"), help="Argo UI base URL (default: the server)"
    )
    p.add_argument("--wait", action="store_true", help="follow the run until it finishes")
    p.add_argument("--poll", type=float, default=10.0, help="seconds between progress checks")
    return p


def parse_params(items: list[str]) -> dict[str, str]:
    params = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SystemExit(f"submit: -p expects KEY=VALUE, got {item!r}")
        params[key] = value
    return params


def check_params(params: dict[str, str]) -> None:
    """Refuse, before anything is uploaded, a parameter the template does not declare (Argo
    would keep it and no step would read it: ``-p test_split=false`` would hold out a test
    set after all) or a value its steps refuse only when they run (train runs last)."""
    names = ["run-id", *Settings().parameters]
    for key, value in params.items():
        if key not in names:
            raise SystemExit(
                f"submit: -p {key}: not a parameter of the template (have: {', '.join(names)})"
            )
        if key in CHOICES and value not in CHOICES[key]:
            raise SystemExit(f"submit: -p {key}={value}: give one of {', '.join(CHOICES[key])}")


def make_workflow(
    template: str, namespace: str, run_id: str, store: str, params: dict[str, str], service=None
) -> Workflow:
    """A Workflow that references the installed template (nothing is copied into it)."""
    values = {"run-id": run_id, "store": store, **params}
    return Workflow(
        generate_name=f"{template}-",
        namespace=namespace,
        workflow_template_ref=m.WorkflowTemplateRef(name=template),
        arguments=[Parameter(name=k, value=v) for k, v in values.items()],
        labels={"silkpipe.io/run-id": run_id},
        workflows_service=service,
    )


def _progress(wf) -> str:
    status = wf.status
    return f"{status.phase or 'Pending'} {status.progress or ''}".strip()


def upload_inputs(args: argparse.Namespace, run_id: str) -> int:
    """``silkpipe sessions upload`` of ``--sessions`` (and ``--clips``) for the run: 0 when
    the run has sessions to go on with, else the exit status to stop with. A partial
    upload (exit 2, the uploaded names on stdout) goes on with them, as `silkpipe run`
    goes on with the good sessions, and says which were refused; nothing uploaded (2) or
    a fault (1) stops the submission."""
    import contextlib
    import io

    from silkpipe.cli import main as silkpipe_main

    # The run owns what it uploads (runs/<run-id>/inputs.json): its fan-out and steps
    # never pick up sessions another submission puts in the same store.
    upload = ["sessions", "upload", str(args.sessions), "--store", args.store, "--run-id", run_id]
    for folder in args.clips or []:  # each one: the run records them all (clips/<n>/)
        upload += ["--clips", str(folder)]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = silkpipe_main(upload)
    sys.stdout.write(printed.getvalue())
    if code == 0:
        return 0
    names = partial_upload_names(code, printed.getvalue())
    if not names:
        return code
    print(
        f"submit: going on with the {len(names)} uploaded session(s); the refused ones are "
        "named above (and in the run's inputs.json, `rejected`)",
        file=sys.stderr,
    )
    return 0


def partial_upload_names(code: int, stdout: str) -> list[str]:
    """The sessions a partial ``sessions upload`` uploaded (exit 2, their names as a JSON
    list on its last stdout line), to go on with; [] for any other outcome (nothing
    uploaded prints no names, a fault exits 1)."""
    import json

    if code != 2:
        return []
    try:
        names = json.loads(stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return []
    return names if isinstance(names, list) else []


def check_clips(store: str, run_id: str) -> int:
    """2, after one ``submit: error:`` line, when a clips folder the run uploaded has no
    readable clip: the cluster's align and train refuse it only after every session was
    transcribed; `silkpipe run` names it before transcribing, and submit before the
    Workflow is created. Else 0."""
    from silkpipe.errors import InputError, one_line
    from silkpipe.steps.align import check_run_clips
    from silkpipe.store import open_store

    try:
        check_run_clips(open_store(store), run_id)
    except InputError as err:
        print(f"submit: error: {one_line(err)}", file=sys.stderr)
        return 2
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    params = parse_params(args.param)
    check_params(params)
    if args.clips and args.sessions is None:  # it would do nothing: refused, not ignored
        print("submit: error: --clips is uploaded with --sessions DIR: give both", file=sys.stderr)
        return 2
    run_id = args.run_id or "silkpipe-" + datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    if args.sessions is not None:
        if stop := upload_inputs(args, run_id) or check_clips(args.store, run_id):
            return stop
    service = WorkflowsService(
        host=args.server,
        token=os.environ.get("ARGO_TOKEN") or None,
        namespace=args.namespace,
        verify_ssl=os.environ.get("ARGO_INSECURE_SKIP_VERIFY", "").lower() != "true",
    )
    wf = make_workflow(args.template, args.namespace, run_id, args.store, params, service)
    created = wf.create()
    name = created.metadata.name
    ui = (args.ui or args.server).rstrip("/")
    print(f"run {run_id}: workflow {name}")
    print(f"{ui}/workflows/{args.namespace}/{name}?tab=workflow")
    if not args.wait:
        return 0
    last = ""
    while True:
        time.sleep(args.poll)
        current = service.get_workflow(name, namespace=args.namespace)
        line = _progress(current)
        if line != last:
            print(f"{datetime.now(UTC):%H:%M:%S} {line}", flush=True)
            last = line
        if current.status.phase in FINISHED:
            print(f"report: {args.store}/runs/{run_id}/report/index.html")
            return 0 if current.status.phase == "Succeeded" else 1


if __name__ == "__main__":
    sys.exit(main())
