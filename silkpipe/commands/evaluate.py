"""`silkpipe evaluate`: score a model folder on labelled clips and/or sessions."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from silkpipe.errors import InputError

log = logging.getLogger(__name__)


def register(sub) -> None:
    p = sub.add_parser(
        "evaluate",
        help="score a trained model folder on labelled clips and/or sessions",
        description=(
            "Window the labelled data exactly as the model was trained (config.json), predict "
            "with the exported ONNX model and report macro-F1, accuracy, per-class recall/"
            "precision/F1/support, the confusion matrix (with its label order) and per-group "
            "scores."
        ),
    )
    p.add_argument("--model", required=True, metavar="DIR", help="model folder (DIR/model)")
    p.add_argument("--clips", metavar="DIR", help="folder of button-labelled <class>_...csv clips")
    p.add_argument(
        "--sessions",
        metavar="DIR",
        help="folder of session folders with sensor_data.csv and labels.csv "
        "(start,end,label); sessions without labels.csv are skipped",
    )
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.add_argument(
        "--report", metavar="DIR", help="also write metrics.json and confusion.png into DIR"
    )
    p.add_argument(
        "--backend",
        choices=("onnx", "torchscript"),
        default="onnx",
        help="exported model to run (default %(default)s)",
    )
    p.set_defaults(func=run)


def run(args) -> dict:
    from silkpipe.dataset import load_clip_streams, load_session_streams
    from silkpipe.evaluation import evaluate, write_report

    model_dir = Path(args.model)
    if not (model_dir / "config.json").is_file():
        raise InputError("not a model folder (no config.json)", path=str(model_dir))
    if not (args.clips or args.sessions):
        raise InputError("nothing to evaluate on: give --clips DIR and/or --sessions DIR")
    streams = []
    if args.clips:
        streams += load_clip_streams(args.clips)
    if args.sessions:
        sessions, skipped = load_session_streams(args.sessions)
        for name in skipped:
            log.warning("session %s has no labels.csv: skipped", name)
        streams += sessions
    if not streams:
        raise InputError("no labelled sessions or clips found")
    result = evaluate(model_dir, streams, backend=args.backend)
    if args.report:
        write_report(result, args.report)
    if args.json:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        print(f"macro-F1 {result['macro_f1']:.3f}  accuracy {result['accuracy']:.3f}  "
              f"({result['windows']} windows)")  # fmt: skip
        for name, c in result["per_class"].items():
            print(f"  {name:6s} recall {c['recall']:.3f} precision {c['precision']:.3f} "
                  f"f1 {c['f1']:.3f} support {c['support']}")  # fmt: skip
        for group, g in result["per_group"].items():
            print(f"  [{group}] macro-F1 {g['macro_f1']:.3f} accuracy {g['accuracy']:.3f} "
                  f"({g['windows']} windows)")  # fmt: skip
    return {"macro_f1": result["macro_f1"], "accuracy": result["accuracy"],
            "windows": result["windows"]}  # fmt: skip
