"""`silkpipe evaluate`: score a model folder on labelled data, or cross-validate."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from silkpipe.commands import (
    MAX_SEEDS,
    adapt_config,
    adapt_flags,
    add_adapt_options,
    add_dir_option,
    add_training_settings,
    check_config,
    counted,
    refuse_above,
    refuse_unused,
    training_config,
    training_flags,
)
from silkpipe.errors import InputError, shown

log = logging.getLogger(__name__)
CV_CHOICES = ("time-range", "leave-day-out", "leave-block-out", "all")
#: Options that set what --cv folds train on and how: without --cv they do nothing.
CV_ONLY = (
    *("--seeds", "--seed", "--epochs", "--preset", "--shots", "--adapt"),
    *("--train-clips", "--store", "--run-id"),
)
#: Training settings --cv has no use for: folds train with the preset as given, so the
#: default preset's switch for voice-labelled sessions alone (training.for_streams) is
#: never made (--seed, --epochs, --preset and --shots are evaluate's own options).
CV_SKIPPED = ("sessions_preset",)
#: Options of scoring one --model: --cv trains and scores a model per fold instead.
MODEL_ONLY = ("--model", "--spot", "--backend")


def register(sub) -> None:
    p = sub.add_parser(
        "evaluate",
        help="score a trained model folder on labelled clips/sessions, or cross-validate",
        description=(
            "With --model: window the labelled data exactly as the model was trained "
            "(config.json), predict with the exported ONNX model and report macro-F1, accuracy, "
            "per-class recall/precision/F1/support, the confusion matrix and per-group scores; "
            "--spot also slides it over stitched clip streams, and over whole --sessions "
            "with truth.json (silkpipe synth --realistic), and scores events. "
            "With --cv: train a fresh model per fold and seed and print per-fold and pooled "
            "window macro-F1 (with the min/max fold), punch-vs-noise confusion and event-level "
            "spotting scores on stitched streams of the held-out clips."
        ),
    )
    p.add_argument("--model", metavar="DIR", help="model folder: train --out's DIR, or DIR/model")
    add_dir_option(
        p,
        "--clips",
        "the model is scored on them (either layout); repeat for several days",
        clips=True,
        repeat=True,
    )
    p.add_argument(
        "--sessions",
        metavar="DIR",
        help="folder of session folders with sensor_data.csv and labels.csv "
        "(start,end,label); sessions without labels.csv are skipped (with --spot, one "
        "with a truth.json is scored on its truth instead)",
    )
    p.add_argument("--cv", choices=CV_CHOICES, help="cross-validate instead of scoring --model")
    p.add_argument(
        "--seeds", type=int, default=1, help="--cv: training seeds per fold (default %(default)s)"
    )
    from silkpipe.training import TrainConfig

    base = TrainConfig()
    p.add_argument(
        "--seed",
        type=int,
        help="--cv: the first training seed; --seeds N trains seeds SEED..SEED+N-1 "
        f"(default {base.seed})",
    )
    p.add_argument(
        "--epochs", type=int, help=f"--cv: most training epochs (default {base.max_epochs})"
    )
    p.add_argument(
        "--preset",
        default="default",
        help="--cv: training settings the options below then change, as in train: "
        "'default', 'within-day' (raw axes with the arm pose) or 'cross-day' "
        "(orientation-free inputs, class-balanced batches) (default %(default)s); see README",
    )
    add_training_settings(p, skip=CV_SKIPPED, scope="--cv: ")
    _add_new_day_options(p)
    _add_training_only_options(p)
    _add_output_options(p)
    p.set_defaults(func=run)


def _add_output_options(p) -> None:
    """What --model scores besides windows (--spot), how, and where results go."""
    p.add_argument(
        "--spot",
        action="store_true",
        help="--model: also spot events: on stitched streams of --clips, and on whole "
        "--sessions that carry truth.json (synth; scored on its truth, labels.csv or not)",
    )
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.add_argument(
        "--report",
        metavar="DIR",
        help="also write metrics.json and confusion.png (--cv: cv.json) into DIR",
    )
    p.add_argument(
        "--backend",
        choices=("onnx", "torchscript"),
        default="onnx",
        help="exported model to run (default %(default)s)",
    )


def _add_training_only_options(p) -> None:
    """--cv: a voice run's labelled sessions, or clip folders, as extra training data
    (never scored)."""
    add_dir_option(
        p,
        "--train-clips",
        "--cv: every fold also trains on these clips, never scored (another day's clips, "
        "as `train --clips A --clips B` ships them); clips of a day a fold tests, or the day "
        "before or after, are left out of that fold; repeatable",
        clips=True,
        repeat=True,
        dest="train_clips",
    )
    p.add_argument(
        "--store",
        help="--cv: artifact store of the --run-id runs (a folder, file://PATH or s3://...)",
    )
    p.add_argument(
        "--run-id",
        dest="training_runs",  # not run_id: metrics groups a step by args.run_id
        action="append",
        default=[],
        metavar="ID",
        help="--cv: every fold also trains on this run's labelled sessions (as `train "
        "--store --run-id` finds them); never scored, their labels are voice labels; a "
        "session of a day a fold tests is left out of that fold; repeatable",
    )


def _check_train_clips(args) -> None:
    """Each --train-clips an existing folder, and none a folder given again (by any path)
    or one that --clips tests: refused before any clip loads."""
    from silkpipe.clips import distinct_folders, folder_problem

    if not args.train_clips:
        return
    for folder in args.train_clips:
        if why := folder_problem(folder):
            raise InputError(f"clips folder {why}", path=str(folder))
    tested, extra = args.clips or [], args.train_clips
    flags = ["--clips"] * len(tested) + ["--train-clips"] * len(extra)
    distinct_folders([*tested, *extra], flags, both="its clips would be trained on and tested")


def _training_only(args):
    """--store/--run-id parsed into TrainingOnlyConfig (None without them); --train-clips
    checked first, so that any misuse of training-only data fails before clips load."""
    from silkpipe.training_only import TrainingOnlyConfig

    _check_train_clips(args)
    if not (args.store or args.training_runs):
        return None
    if not (args.store and args.training_runs):
        raise InputError("training-only sessions need both --store and --run-id")
    if len(set(args.training_runs)) < len(args.training_runs):
        raise InputError("a --run-id is given twice: its sessions would count twice")
    return TrainingOnlyConfig(args.store, tuple(args.training_runs))


def _add_new_day_options(p) -> None:
    """--cv leave-day-out variants that use the test day: unlabelled (--adapt) or its
    first few labelled samples (--shots)."""
    p.add_argument(
        "--adapt",
        action="store_true",
        help="--cv leave-day-out: each fold's model self-trains on the test day's recordings "
        "with their labels unused (as `train --adapt-to`); see README",
    )
    add_adapt_options(p)
    p.add_argument(
        "--shots",
        type=int,
        default=0,
        metavar="K",
        help="--cv leave-day-out: each fold also trains on the test day's first K labelled "
        "samples per class and scores the rest (few-shot calibration of a new day)",
    )


def _streams(args, truth_streams: dict | None = None) -> tuple[list, list]:
    """(labelled clips and sessions, a training-only run per --train-clips folder); a
    session without labels.csv is scored against its truth when ``truth_streams`` (--spot:
    sessions with truth.json) has it."""
    from silkpipe.dataset import load_session_streams

    if not (args.clips or args.sessions):
        raise InputError("nothing to evaluate on: give --clips DIR and/or --sessions DIR")
    streams, train_clips = _clip_sets(args)
    truth_streams = truth_streams or {}
    if args.sessions:
        sessions, skipped = load_session_streams(args.sessions)
        _refuse_labels_off_stream(sessions, Path(args.sessions))
        for name in skipped:
            if name in truth_streams:
                sessions.append(truth_streams[name])
            else:
                log.warning("session %s has no labels.csv: skipped", name)
        streams += sessions
    if not streams:
        raise InputError("no labelled sessions or clips found")
    return streams, train_clips


def _refuse_labels_off_stream(sessions: list, folder: Path) -> None:
    """A session whose labels.csv holds no label on its sensor stream gave no window and
    the others were scored without a word: refused, as a session that cannot be read is
    (a part of the folder is not scored as the whole)."""
    from silkpipe.labels_on_stream import labels_off_stream

    for st in sessions:
        if why := labels_off_stream(st):
            where = str(folder / st.name / "labels.csv")
            raise InputError(f"{why}: not scored", session=st.name, path=where)


def _clip_sets(args) -> tuple[list, list]:
    """(the --clips streams, a TrainingOnlyRun per --train-clips folder), loaded together
    so that a clip name met twice is named <block>/<name> (clips.load_clip_folder_sets)."""
    from silkpipe.clips import load_clip_folder_sets
    from silkpipe.training_only import TrainingOnlyRun

    tested, extra = args.clips or [], args.train_clips or []
    sets = load_clip_folder_sets([*tested, *extra])
    runs = [
        TrainingOnlyRun(str(folder), loaded, kind="clips")
        for folder, loaded in zip(extra, sets[len(tested) :], strict=True)
    ]
    return [st for loaded in sets[: len(tested)] for st in loaded], runs


def _refuse_unused(args) -> None:
    """An option that would do nothing in the mode given (--cv or --model) is refused,
    named in one line, before anything is read."""
    if not args.cv:
        why = "acts on --cv folds only (what each fold trains on, and how): without --cv it "
        cv_only = (*CV_ONLY, *training_flags(CV_SKIPPED), *adapt_flags())
        refuse_unused(args, cv_only, why + "would do nothing")
        return
    why = "acts when scoring --model only: --cv trains and scores a model per fold, so it "
    refuse_unused(args, MODEL_ONLY, why + "would do nothing")
    if args.cv != "leave-day-out":  # run_protocol refuses them too, but after clips load
        why = f"acts on --cv leave-day-out folds only (the test day is a new day), not {args.cv}"
        refuse_unused(args, ("--adapt", "--shots"), why)
    if not args.adapt:
        why = "sets how --adapt self-trains each fold: without --adapt it would do nothing"
        refuse_unused(args, adapt_flags(), why)


def run(args) -> dict:
    _refuse_unused(args)
    _refuse_report_file(args.report)
    if args.cv:
        return run_cv(args)
    if not args.model:
        raise InputError("give --model DIR (score a model) or --cv PROTOCOL (cross-validate)")
    from silkpipe.evaluation import evaluate, write_report

    model_dir = _model_folder(Path(args.model))
    truth = _truth_sessions(args.sessions) if args.spot and args.sessions else ([], {})
    streams, _ = _streams(args, {s.stream.name: s.stream for s in truth[0]})
    trained_on = _warn_trained_on(model_dir, streams)
    result = evaluate(model_dir, streams, backend=args.backend)
    result["recordings_trained_on"] = trained_on  # of the recordings scored; 0: held out
    if args.spot:
        result.update(_spot(model_dir, streams, truth, args.backend))
    if args.report:
        write_report(result, args.report)
    if args.json:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        _print(result)
    _raise_if_left_out(truth[1])
    return {
        "macro_f1": result["macro_f1"],
        "accuracy": result["accuracy"],
        "windows": result["windows"],
    }


def _warn_trained_on(model_dir: Path, streams: list) -> int:
    """A score on recordings the model was trained on (its own --clips folder, a copy of
    it) is not held out, and was printed like one without a word: say how many (returned,
    for the printed score and the JSON too)."""
    from silkpipe.model import read_config
    from silkpipe.trained_on import motion_digest

    sources = (read_config(model_dir).get("training") or {}).get("trained_on") or []
    seen = {d for src in sources if isinstance(src, dict) for d in src.get("motions") or []}
    same = [st.name for st in streams if motion_digest(st) in seen]
    if same:
        log.warning(
            "%d of the %d recordings scored (%s, ...) are ones this model was trained on: "
            "their score is not held out",
            len(same),
            len(streams),
            shown(same[0]),
        )
    return len(same)


def _model_folder(given: Path) -> Path:
    """The model folder --model names: the folder itself, or the ``model`` folder inside
    what `train --out DIR` was given (``evaluate --model DIR`` was refused as "not a model
    folder", the train's own folder)."""
    if (given / "config.json").is_file():
        return given
    if (given / "model" / "config.json").is_file():
        log.info("--model %s: scoring the model in %s", given, given / "model")
        return given / "model"
    raise InputError("not a model folder (no config.json in it or in its model/)", path=str(given))


def _refuse_report_file(report) -> None:
    """--report DIR naming a file: refused before anything is scored, or trained (--cv
    folds take hours); it ended the finished evaluation with exit 1, "[Errno 17] File
    exists: 'DIR'", and no result written."""
    from silkpipe.clips import output_folder_problem

    if report and (why := output_folder_problem(report)):
        raise InputError(f"{why}: --report writes a folder", path=report)
    _refuse_report_in_model(report)
    _refuse_folders_named_like_its_files(report)


def _refuse_folders_named_like_its_files(report) -> None:
    """DIR/metrics.json, confusion.png or cv.json a folder: refused before anything is
    scored or trained (the finished work ended exit 1 with the pair half replaced)."""
    from silkpipe.evaluation import REPORT_FILES, report_file_problem

    if report and (problem := report_file_problem(report, (*REPORT_FILES, "cv.json"))):
        raise problem


def _refuse_report_in_model(report) -> None:
    """--report DIR a model folder (--model's own, say) or a folder inside one: its
    metrics.json and confusion.png were written among the model's files, and the next
    `train --out` of that model replaced the folder whole, the report deleted with it.
    Refused before anything is scored, as export-report refuses a folder of other files."""
    if not report:
        return
    from silkpipe.model_files import refuse_writing_in_model

    refuse_writing_in_model(report, "--report would write")


def _raise_if_left_out(errors: dict[str, str]) -> None:
    """--spot --sessions scored without a session it could not read (each named above):
    exit 2 with a `partial:` line, as score-voice exits for a bad truth.json, so a script
    does not take the scores for the whole folder's."""
    if errors:
        from silkpipe.errors import BAD_INPUT, PartialFailure

        left_out = counted(sorted(errors), "session(s) left out")
        raise PartialFailure(
            f"{left_out}, each named above; the scores are of the others", BAD_INPUT
        )


def _truth_sessions(sessions_dir: str) -> tuple[list, dict[str, str]]:
    """--spot --sessions: every session folder with its truth.json, on the aligner's clock
    (a bad one is named in one error line and left out)."""
    from silkpipe.session_spotting import load_truth_sessions
    from silkpipe.sessions import find_sessions, named_into

    unread: dict[str, str] = {}  # a stream that is a pipe or links out: left out, named
    folders = find_sessions(sessions_dir, on_error=named_into(unread))
    streamless = _streamless(Path(sessions_dir))
    if not folders:
        raise InputError("no session folders with sensor_data.csv", path=str(sessions_dir))
    sessions, errors = load_truth_sessions(folders)
    return sessions, {**streamless, **unread, **errors}


def _streamless(sessions_dir: Path) -> dict[str, str]:
    """Session folders that carry a truth.json but no sensor_data.csv at all: named in one
    error line each, so a session that lost its stream is not passed over in silence."""
    from silkpipe.errors import one_line

    errors = {}
    for truth in sorted(sessions_dir.glob("*/truth.json")):
        stream = truth.parent / "sensor_data.csv"
        if stream.exists() or stream.is_symlink():
            continue  # read, or named by find_sessions (a link out of the folder)
        name = truth.parent.name
        err = InputError(
            "truth.json but no sensor_data.csv: not scored", session=name, path=str(stream)
        )
        errors[name] = one_line(err)
        log.error("%s", errors[name])
    return errors


def _spot(model_dir: Path, streams: list, truth: tuple[list, dict], backend: str) -> dict:
    """events: stitched clip streams; session_events: whole sessions slid over."""
    from silkpipe.dataset import WindowConfig
    from silkpipe.model import Predictor
    from silkpipe.session_spotting import spot_sessions
    from silkpipe.spotting import spot

    predictor = Predictor(model_dir, backend=backend)
    cfg = WindowConfig.from_dict(predictor.config["window"])
    clips = [st for st in streams if st.kind == "clip"]
    sessions, errors = truth
    if not clips and not sessions:
        raise InputError(
            "--spot needs --clips DIR (stitched) or --sessions DIR whose sessions carry "
            "truth.json (silkpipe synth)" + ("; none could be read" if errors else "")
        )
    out: dict = {}
    if clips:
        out["events"] = spot(predictor, clips, cfg)["per_class"]
    if sessions:
        spotted = spot_sessions(predictor, sessions, cfg)
        out["session_events"] = spotted["per_class"]
        out["session_spotting"] = {
            "sessions": spotted["sessions"],
            "gestures": spotted["gestures"],
            "gestures_undelivered": spotted["gestures_undelivered"],
            "gestures_undelivered_at_peak": spotted["gestures_undelivered_at_peak"],
            "errors": errors,
        }
    return out


def _print(result: dict) -> None:
    seen = result.get("recordings_trained_on")
    print(
        f"macro-F1 {result['macro_f1']:.3f}  accuracy {result['accuracy']:.3f}  "
        f"({result['windows']} windows"
        + (f"; {seen} of the recordings scored were trained on: not held out)" if seen else ")")
    )
    absent = result.get("predicted_without_truth") or {}
    if absent:
        named = ", ".join(
            f"{n} window{'s' if n != 1 else ''} called {c}" for c, n in absent.items()
        )
        print(
            f"  {named}, which the truth never holds: misses of their true classes; "
            f"macro-F1 counting each such class at F1 0: {result['macro_f1_with_absent']:.3f}"
        )
    if result.get("flawed_sample_windows"):
        from silkpipe.whole_samples import whole_line

        print(whole_line(result))
    for name, c in result["per_class"].items():
        if not c["support"] and name not in absent:
            continue  # neither in the truth nor predicted
        print(
            f"  {name:6s} recall {c['recall']:.3f} precision {c['precision']:.3f} "
            f"f1 {c['f1']:.3f} support {c['support']}"
        )
    for group, g in result["per_group"].items():
        print(
            f"  [{group}] macro-F1 {g['macro_f1']:.3f} accuracy {g['accuracy']:.3f} "
            f"({g['windows']} windows)"
        )
    for name, e in result.get("events", {}).items():
        print(
            f"  events {name:6s} precision {e['precision']:.3f} recall {e['recall']:.3f} "
            f"F1 {e['f1']:.3f} (stitched clip streams, match within 0.5 s)"
        )
    if "session_events" in result:
        n = result["session_spotting"]
        print(
            f"  events on {n['sessions']} whole sessions, {n['gestures']} gestures "
            f"({n['gestures_undelivered']} more not delivered: not scored; "
            f"{n.get('gestures_undelivered_at_peak', 0)} of them with rows but too few "
            "arrived in the window on their motion peak):"
        )
    for name, e in result.get("session_events", {}).items():
        print(
            f"  session events {name:6s} precision {e['precision']:.3f} recall "
            f"{e['recall']:.3f} F1 {e['f1']:.3f} (tp {e['tp']} fp {e['fp']} fn {e['fn']}; "
            "match within 0.5 s)"
        )


def _print_fold_result(text: str, report) -> None:
    """A protocol's scores, printed as it ends. Its reader gone (`| head`): with --report
    the protocols go on into cv.json, the rest not printed (the broken pipe ended the
    command at the next print, exit 1, and hours of folds were lost with no cv.json);
    without it nothing would keep them, and the command ends there."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        if not report:
            raise
        _stdout_to_devnull()
        log.warning("stdout closed (its reader left): the rest is written to %s only", report)


def _stdout_to_devnull() -> None:
    """Later prints (and the exit's flush of what the closed pipe refused) go nowhere."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no file descriptor (a captured stdout)
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process


def run_cv(args) -> dict:
    """Cross-validate one protocol or all; print (or --json) and write cv.json."""
    from silkpipe.crossval import PROTOCOLS, format_result, run_protocol
    from silkpipe.training import preset, with_overrides

    if args.seeds < 1:
        raise InputError("--seeds must be at least 1")
    refuse_above(args, {"seeds": MAX_SEEDS})
    if args.shots < 0:
        raise InputError("--shots must be 0 or more")
    base = with_overrides(preset(args.preset), max_epochs=args.epochs, seed=args.seed)
    cfg = training_config(args, base)  # as train builds it: the preset, then the options
    seeds = [cfg.seed + i for i in range(args.seeds)]
    check_config(with_overrides(cfg, seed=seeds[-1]))  # the last seed in range too
    adapt = adapt_config(args) if args.adapt else None
    extra_cfg, extra = _training_only(args), []
    if extra_cfg is not None:  # before the clips: a mistyped run id fails at once
        from silkpipe.steps.train import training_only_runs

        extra = training_only_runs(extra_cfg)
    streams, train_clips = _streams(args)
    extra += train_clips
    protocols = PROTOCOLS if args.cv == "all" else (args.cv,)
    results = []
    for protocol in protocols:
        results.append(
            run_protocol(
                streams,
                protocol,
                cfg,
                seeds,
                adapt=adapt,
                shots=args.shots,
                training_only=extra or None,
                preset=args.preset,
            )
        )
        if args.cv != "all" and "pooled_macro_f1" not in results[-1]:
            # asked for one protocol, it made no fold: exit 0 and "no folds" read as a score
            why = "; ".join(results[-1].get("notes") or []) or "no fold could be made"
            raise InputError(f"--cv {protocol} scored nothing: {why}")
        if not args.json:
            _print_fold_result(format_result(results[-1]), args.report)
    if args.report:
        from silkpipe.store import write_whole

        write_whole(Path(args.report) / "cv.json", json.dumps(results, indent=2).encode())
    if args.json:
        sys.stdout.write(json.dumps(results) + "\n")
    return {r["protocol"]: r.get("pooled_macro_f1") for r in results}
