"""CLI wrappers, one module per step; see silkpipe.cli."""

STORE_HELP = "artifact store: a folder, file://PATH or s3://BUCKET/PREFIX"


def add_store_args(parser, run_help: str) -> None:
    """``--store`` and ``--run-id``, the two options every store-to-store step takes."""
    parser.add_argument("--store", required=True, help=STORE_HELP)
    parser.add_argument("--run-id", required=True, help=run_help)
