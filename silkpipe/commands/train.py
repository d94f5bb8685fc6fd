"""`silkpipe train`: windows -> CNN/LSTM -> model folder (local folders or a run's store)."""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
from pathlib import Path

from silkpipe.errors import InputError

log = logging.getLogger(__name__)


def register(sub) -> None:
    p = sub.add_parser(
        "train",
        help="train the gesture model on labelled clips and/or voice-labelled sessions",
        description=(
            "Folder mode: --clips DIR [--sessions DIR] --out DIR writes the model folder to "
            "DIR/model/ (weights.pt, model.ts, model.onnx, config.json, history.json). "
            "Store mode: --store URI --run-id ID trains on the run's labelled sessions "
            "(runs/ID/labels/) plus clips, holds out whole sessions/blocks (or, with a single "
            "block, its latest time range) as a test set, and writes runs/ID/model/ and "
            "runs/ID/report/metrics.json + confusion.png. A finished model is reused unless "
            "--force."
        ),
    )
    p.add_argument("--clips", metavar="DIR", help="folder of button-labelled <class>_...csv clips")
    p.add_argument(
        "--sessions",
        metavar="DIR",
        help="folder of session folders, each with sensor_data.csv and labels.csv "
        "(start,end,label on the IMU clock); sessions without labels.csv are skipped",
    )
    p.add_argument("--out", metavar="DIR", help="output folder (folder mode): writes DIR/model/")
    p.add_argument(
        "--store", help="artifact store (store mode): a folder, file://PATH or s3://BUCKET/PREFIX"
    )
    p.add_argument("--run-id", help="run whose labels are trained on (store mode)")
    p.add_argument(
        "--force",
        action="store_true",
        help="retrain although a finished model exists, and include sessions the align "
        "step excluded",
    )
    p.add_argument("--epochs", type=int, help="maximum epochs (default: TrainConfig.max_epochs)")
    p.add_argument("--seed", type=int, help="random seed (default: TrainConfig.seed)")
    p.add_argument(
        "--device",
        choices=("cpu", "cuda", "auto"),
        help="where to train (default cpu; cuda uses bf16 autocast)",
    )
    p.add_argument(
        "--threads",
        type=int,
        help="torch CPU threads (default: TrainConfig.threads; 1 wins on a busy machine)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bars on stderr")
    p.set_defaults(func=run)


def _config(args):
    from silkpipe.training import TrainConfig, with_overrides

    return with_overrides(TrainConfig(), max_epochs=args.epochs, seed=args.seed,
                          device=args.device, threads=args.threads)  # fmt: skip


def run(args) -> dict:
    if args.store or args.run_id:
        if not (args.store and args.run_id):
            raise InputError("store mode needs both --store and --run-id")
        return run_store(args)
    if not args.out:
        raise InputError("give --out DIR (folder mode) or --store and --run-id (store mode)")
    if not (args.clips or args.sessions):
        raise InputError("nothing to train on: give --clips DIR and/or --sessions DIR")
    from silkpipe.dataset import load_clip_streams, load_session_streams
    from silkpipe.training import train

    streams = []
    if args.clips:
        streams += load_clip_streams(args.clips, progress=not args.no_progress, on_error=_skip)
    if args.sessions:
        sessions, skipped = load_session_streams(args.sessions)
        for name in skipped:
            log.warning("session %s has no labels.csv: skipped", name)
        streams += sessions
    if not streams:
        raise InputError("no labelled sessions or clips found")
    summary = train(streams, Path(args.out) / "model", config=_config(args),
                    progress=not args.no_progress)  # fmt: skip
    return _figures(summary, streams)


def _skip(path: Path, err: Exception) -> None:
    log.warning("skipped clip %s: %s", path.name, err)


def _figures(summary: dict, streams, test: dict | None = None) -> dict:
    figures = {
        "epochs": summary["epochs"],
        "best_epoch": summary["best_epoch"],
        "train_seconds": summary["train_seconds"],
        "windows": summary["windows"],
        "train_windows": summary["train_windows"],
        "val_windows": summary["val_windows"],
        "val_macro_f1": summary["val_macro_f1"],
        "sessions": sum(s.kind == "session" for s in streams),
        "clips": sum(s.kind == "clip" for s in streams),
    }
    if test is not None:
        figures.update(macro_f1=test["macro_f1"], accuracy=test["accuracy"],
                       test_windows=test["windows"])  # fmt: skip
        figures.update({f"f1_{name}": c["f1"] for name, c in test["per_class"].items()})
    return figures


def run_store(args) -> dict:
    """Train from a run's labels in the store; write the model and the held-out report."""
    from silkpipe.dataset import load_clip_streams, parse_labels_csv, session_stream
    from silkpipe.sessions import parse_sensor_csv, resample
    from silkpipe.store import (
        clips_prefix,
        download_prefix,
        get_json,
        labels_key,
        model_prefix,
        open_store,
        put_file,
        put_json,
        report_prefix,
        run_prefix,
        session_prefix,
    )
    from silkpipe.training import train_with_test

    store = open_store(args.store)
    model_key = f"{model_prefix(args.run_id)}/config.json"
    if store.exists(model_key) and not args.force:
        log.info("model exists at %s: skipped (use --force to retrain)", model_key)
        figures = {"skipped": 1}
        try:
            metrics = get_json(store, f"{report_prefix(args.run_id)}/metrics.json")
            figures.update(macro_f1=metrics["macro_f1"], accuracy=metrics["accuracy"])
        except (KeyError, ValueError, TypeError):
            pass  # a model without a report: nothing more to say
        return figures
    summary_key = f"{run_prefix(args.run_id)}/labels/summary.json"
    try:
        labels_summary = get_json(store, summary_key)
    except KeyError:
        raise InputError("labels summary is missing (run align first)", path=summary_key) from None
    excluded = labels_summary.get("excluded", {}) or {}
    streams = []
    for name in labels_summary.get("sessions", []):
        if name in excluded and not args.force:
            log.info("session %s excluded by align (%s): skipped", name, excluded[name])
            continue
        key = labels_key(args.run_id, name)
        try:
            intervals = parse_labels_csv(store.get_bytes(key).decode(), source=key, session=name)
            sensor_key = f"{session_prefix(name)}/sensor_data.csv"
            raw = parse_sensor_csv(store.get_bytes(sensor_key).decode(), source=sensor_key,
                                   session=name)  # fmt: skip
        except KeyError as err:
            raise InputError(f"missing in store: {err}", session=name) from None
        if intervals:
            streams.append(session_stream(name, resample(raw), intervals))
    # A fixed work folder per run (not a random temp dir), so a killed training that is
    # started again on this machine resumes from its epoch checkpoint.
    where = hashlib.sha256(f"{args.store}|{Path(args.store).resolve()}".encode()).hexdigest()[:12]
    tmp = Path(tempfile.gettempdir()) / f"silkpipe-train-{args.run_id}-{where}"
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        clips_dir = Path(args.clips) if args.clips else None
        if clips_dir is None and store.list(clips_prefix()):
            shutil.rmtree(tmp / "clips", ignore_errors=True)
            clips_dir = download_prefix(store, clips_prefix(), tmp / "clips")
        if clips_dir is not None:

            def record(path: Path, err: Exception) -> None:
                log.warning("skipped clip %s: %s", path.name, err)
                put_json(store, f"{run_prefix(args.run_id)}/failures/train/{path.stem}.json",
                         {"session": path.stem, "step": "train", "error": str(err)})  # fmt: skip

            streams += load_clip_streams(clips_dir, progress=not args.no_progress, on_error=record)
        if not streams:
            raise InputError(f"run {args.run_id}: no labelled sessions and no clips to train on")
        summary, test = train_with_test(streams, tmp / "model", config=_config(args),
                                        progress=not args.no_progress)  # fmt: skip
        from silkpipe.evaluation import write_report

        write_report(test, tmp / "report")
        for name in ("metrics.json", "confusion.png"):
            put_file(store, f"{report_prefix(args.run_id)}/{name}", tmp / "report" / name)
        put_json(store, f"{model_prefix(args.run_id)}/test_split.json",
                 {"scheme": test["test_scheme"], "groups": test["test_groups"]})  # fmt: skip
        # config.json last: its presence marks a finished model
        for name in ("weights.pt", "model.ts", "model.onnx", "history.json", "config.json"):
            put_file(store, f"{model_prefix(args.run_id)}/{name}", tmp / "model" / name)
    finally:
        if (tmp / "model" / "checkpoint.pt").exists():
            log.info("kept %s: a re-run resumes from its checkpoint", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return _figures(summary, streams, test)
