"""`silkpipe report`: the run's HTML report, then its manifest (the run's last write)."""

from __future__ import annotations

import os
import sys

from silkpipe import metrics
from silkpipe.commands import add_store_args
from silkpipe.steps import report_run
from silkpipe.store import FileStore, open_store


def register(sub) -> None:
    p = sub.add_parser(
        "report",
        help="write the run's HTML report (report/index.html) and its manifest",
        description=(
            "Build runs/RUN_ID/report/index.html from the run's artifacts: a self-contained page "
            "(images embedded, opens offline) with the run summary, a per-session table, label "
            "timelines, training curves, the confusion matrix, per-class scores and links to the "
            "model files. Missing pieces are shown as missing. Then write "
            "runs/RUN_ID/manifest.json (every artifact with sha256 and size, and the report's "
            "inputs: a report of the same inputs is re-used), the run's last write. A run id "
            "the store does not hold is an error. With SILKPIPE_PUSHGATEWAY set, also delete "
            "the Pushgateway groups of runs reported over SILKPIPE_PUSHGATEWAY_RETENTION "
            "seconds ago (default 3600)."
        ),
    )
    add_store_args(p, run_help="run to report on")
    p.add_argument("--force", action="store_true", help="rebuild although nothing changed")
    p.add_argument(
        "--open",
        action="store_true",
        help="open the report in a web browser afterwards (folder stores only)",
    )
    p.set_defaults(func=run)


def run(args) -> dict:
    store = open_store(args.store, create=False)  # the run must be there already
    written = report_run(store, args.run_id, force=args.force)
    retention = float(os.environ.get("SILKPIPE_PUSHGATEWAY_RETENTION", "3600"))
    metrics.cleanup_finished_runs(min_age_s=retention, keep=args.run_id)
    key = written["report"]
    if isinstance(store, FileStore):
        path = store.root / key
        print(f"report: {path}\nmanifest: {store.root / written['manifest']}", file=sys.stderr)
        if args.open:
            import webbrowser

            webbrowser.open(path.as_uri())
    else:
        print(f"report: {store.uri}/{key}", file=sys.stderr)
        if args.open:
            print("silkpipe report: --open needs a folder store; download the key", file=sys.stderr)
    return {"reused": written["reused"]}
