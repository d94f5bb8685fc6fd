"""CLI wrappers, one module per step; see silkpipe.cli."""

STORE_HELP = "artifact store: a folder, file://PATH or s3://BUCKET/PREFIX"


def add_store_args(parser, run_help: str) -> None:
    """``--store`` and ``--run-id``, the two options every store-to-store step takes."""
    parser.add_argument("--store", required=True, help=STORE_HELP)
    parser.add_argument("--run-id", required=True, help=run_help)


def raise_if_failed(store, run_id: str, failed: dict[str, str], step: str) -> None:
    """PartialFailure when sessions failed: exit 2 if all were bad input, 1 if any fault."""
    from silkpipe.errors import BAD_INPUT, FAULT, PartialFailure
    from silkpipe.steps.common import failure_kinds

    if not failed:
        return
    kinds = failure_kinds(store, run_id)
    code = FAULT if any(kinds.get(s) == "fault" for s in failed) else BAD_INPUT
    names = ", ".join(sorted(failed))
    raise PartialFailure(f"{len(failed)} session(s) failed in {step} ({names[:300]}); "
                         f"reasons in runs/{run_id}/failures/{step}/", code)  # fmt: skip
