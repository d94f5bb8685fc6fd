"""`silkpipe train`: windows -> CNN/LSTM -> model folder (local folders or a run's store)."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from silkpipe.commands import (
    TEST_SPLIT_FLAGS,
    adapt_config,
    adapt_flags,
    add_adapt_options,
    add_dir_option,
    add_test_split_option,
    add_training_settings,
    chosen_test_split,
    refuse_unused,
    training_config,
)
from silkpipe.errors import InputError
from silkpipe.steps.train import model_figures

log = logging.getLogger(__name__)


def register(sub) -> None:
    p = sub.add_parser(
        "train",
        help="train the gesture model on labelled clips and/or voice-labelled sessions",
        description=(
            "Folder mode: --clips DIR [--clips DIR2 ...] [--sessions DIR] --out DIR writes the "
            "model folder to DIR/model/ (weights.pt, model.ts, model.onnx, config.json, "
            "history.json). "
            "Store mode: --store URI --run-id ID trains on the run's labelled sessions "
            "(runs/ID/labels/) plus clips, holds out whole sessions/blocks (or, with a single "
            "block, its latest time range) as a test set (none with --no-test-split: every "
            "window is trained on), and writes runs/ID/model/ and "
            "runs/ID/model/VERSION/ (model files, metrics.json, confusion.png), switched in by "
            "runs/ID/model.json; --clips there replaces the run's clips. config.json "
            "(training.trained_on) lists each clip folder and day trained on. A model trained "
            "on the same labels, clips and settings is re-used unless --force."
        ),
    )
    _add_inputs(p)
    _add_training_options(p)
    p.set_defaults(func=run)


def _add_inputs(p) -> None:
    """What is trained on and where the model goes: local folders, or a run in a store."""
    add_dir_option(
        p,
        "--clips",
        "the model is trained on them (either layout); repeat for several days (a clip name "
        "met twice becomes <block>/<name>, as in evaluate)",
        clips=True,
        repeat=True,
    )
    p.add_argument(
        "--sessions",
        metavar="DIR",
        help="folder of session folders, each with sensor_data.csv and labels.csv "
        "(start,end,label on the IMU clock); sessions without labels.csv are skipped",
    )
    add_dir_option(
        p,
        "--out",
        "output folder (folder mode): trains in DIR/model.partial/ (a killed or interrupted "
        "run resumes there) and renames it to DIR/model/ once whole",
    )
    p.add_argument(
        "--store", help="artifact store (store mode): a folder, file://PATH or s3://BUCKET/PREFIX"
    )
    p.add_argument("--run-id", help="run whose labels are trained on (store mode)")
    add_dir_option(
        p,
        "--adapt-to",
        "folder mode: a new day's recordings (a clip folder or a folder of session folders), "
        "labels unused: the model self-trains on them (see README)",
    )
    add_dir_option(
        p,
        "--calibrate",
        "folder mode: a few labelled clips of a new day (either layout), e.g. its first 3 "
        "samples of each class; they count SHOT_REPEAT (4) times in training (see README)",
    )
    add_adapt_options(p)
    add_test_split_option(p)
    p.add_argument(
        "--force",
        action="store_true",
        help="retrain although a model from the same inputs exists (sessions the align step "
        "excluded stay excluded)",
    )


def _add_training_options(p) -> None:
    """How training runs; every TrainConfig and WindowConfig field can be set."""
    from silkpipe.training import TrainConfig

    base = TrainConfig()
    p.add_argument("--epochs", type=int, help=f"maximum epochs (default {base.max_epochs})")
    p.add_argument("--seed", type=int, help=f"random seed (default {base.seed})")
    p.add_argument("--no-progress", action="store_true", help="no progress bars on stderr")
    p.add_argument(
        "--preset",
        default="default",
        help="named settings the options below then change: 'default' (voice-labelled "
        "sessions alone: the --sessions-preset settings), 'within-day' (raw axes with the "
        "arm pose) or 'cross-day' (orientation-free inputs) (default %(default)s); see README",
    )
    add_training_settings(p)


def _config(args):
    from silkpipe.training import preset, with_overrides

    cfg = with_overrides(preset(args.preset), max_epochs=args.epochs, seed=args.seed)
    return training_config(args, cfg)


def _refuse_unused(args) -> None:
    """An option that would do nothing in the mode given is refused, named in one line:
    store mode reads the run's sessions and writes into the store; folder mode always
    trains (nothing to re-use); only --adapt-to self-trains."""
    if args.store or args.run_id:
        why = "works in folder mode (--out DIR) only: store mode would ignore it"
        refuse_unused(args, ("--out", "--sessions", "--adapt-to", "--calibrate"), why)
        chosen_test_split(args)
    else:
        why = "retrains a store run's model (store mode): folder mode always trains, so "
        refuse_unused(args, ("--force",), why + "it would do nothing")
        why = "sets store mode's test split: folder mode holds out none (it trains on every "
        refuse_unused(args, TEST_SPLIT_FLAGS, why + "window), so it would do nothing")
    if not args.adapt_to:
        why = "sets how --adapt-to self-trains: without --adapt-to it would do nothing"
        refuse_unused(args, adapt_flags(), why)


def run(args) -> dict:
    _refuse_unused(args)
    cfg, adapt = _config(args), adapt_config(args)  # bad settings: refused before any read
    if args.store or args.run_id:
        if not (args.store and args.run_id):
            raise InputError("store mode needs both --store and --run-id")
        return run_store(args, cfg)
    if not args.out:
        raise InputError("give --out DIR (folder mode) or --store and --run-id (store mode)")
    if not (args.clips or args.sessions):
        raise InputError("nothing to train on: give --clips DIR and/or --sessions DIR")
    out = Path(args.out)
    from silkpipe.clips import folder_problem, output_folder_problem

    if why := output_folder_problem(out):
        raise InputError(f"--out {why}", path=str(out))
    _refuse_out_in_model(out)
    _refuse_out_in_store(out)
    _refuse_foreign_names(out)

    for flag, folder in [("--clips", c) for c in args.clips or []] + [
        ("--sessions", args.sessions)
    ]:
        if folder and (why := folder_problem(folder)):
            raise InputError(f"{flag} folder {why}", path=str(folder))
    _refuse_folders_again(args)  # before any recording is read
    from silkpipe.locks import folder_held, one_training
    from silkpipe.steps.train import check_classes
    from silkpipe.store import replace_folder
    from silkpipe.training import train

    skipped = Skipped()
    streams = _folder_streams(args, skipped)
    check_classes(streams, "folder mode")
    staging = out / "model.partial"  # a killed run resumes from its checkpoint there
    held = folder_held(out, f"--out {out}")  # seen by a twin of another TMPDIR too
    with held, one_training(_out_lock(out), f"--out {out}"), _kept_to_resume(staging):
        if args.adapt_to or args.calibrate:
            figures = _train_new_day(args, cfg, adapt, streams, staging, skipped)
        else:
            summary = train(streams, staging, config=cfg, progress=not args.no_progress)
            figures = model_figures(summary, streams)
        replace_folder(staging, out / "model")
    skipped.raise_if_any(out / "model")
    _say_written(out / "model", figures)
    return figures


@contextmanager
def _kept_to_resume(staging: Path) -> Iterator[None]:
    """DIR/model.partial kept, when the training fails or is stopped, only while it holds a
    checkpoint a rerun resumes from or a finished model whose publish failed (a refused
    rename: the user recovers it there): a training refused after it began (an empty side
    of the split), diverged (its checkpoint dropped) or stopped before its first epoch left
    it in DIR, empty, for ever."""
    from silkpipe.model_files import CONFIG_NAME
    from silkpipe.training import CHECKPOINT_NAME

    try:
        yield
    except BaseException:
        kept = (CHECKPOINT_NAME, CONFIG_NAME)
        if staging.is_dir() and not any(any(staging.rglob(name)) for name in kept):
            shutil.rmtree(staging, ignore_errors=True)
        raise


def _say_written(model: Path, figures: dict) -> None:
    """Where the model is and what it scored on its validation range: the command ended
    without a word, the user left to find DIR/model and how to score it."""
    import sys

    val = figures.get("val_macro_f1")
    scored = (
        f"validation macro-F1 {val:.3f} on {figures['val_windows']} windows of a time range "
        "of them, not held out"
        if isinstance(val, float)
        else "no validation range"
    )
    print(
        f"model written to {model} ({figures['train_windows']} training windows from "
        f"{figures['clips']} clip(s) and {figures['sessions']} session(s); {scored}); score "
        f"it on other recordings: silkpipe evaluate --model {model.parent} --clips DIR",
        file=sys.stderr,
    )


def _refuse_out_in_model(out: Path) -> None:
    """--out DIR a model folder (the DIR/model evaluate was given) or a folder inside one:
    the new model was written into DIR/model/ inside the old one, and the line's `evaluate
    --model DIR` scored the old model (DIR holds its config.json). Refused before training."""
    from silkpipe.model_files import model_folder_around, model_folder_problem

    if (model := model_folder_around(out)) is not None:
        raise InputError(
            f"--out {model_folder_problem(out)}: train writes its model into DIR/model/, so "
            f"it would nest inside the old one; give {model.parent} or a new folder",
            path=str(out),
        )


def _refuse_out_in_store(out: Path) -> None:
    """--out inside a folder store (its runs/R, say): DIR/model replaced whole was the
    store's own runs/R/model, every published model version deleted with it. Refused, as
    export-report refuses a folder inside its store."""
    from silkpipe.store import folder_store_around

    if (store := folder_store_around(out)) is not None:
        where = "is" if store == out.resolve() else "lies inside"
        raise InputError(
            f"--out {where} the store {store}: train replaces DIR/model/ whole, which may be "
            "the store's own (runs/R/model); give a folder outside it",
            path=str(out),
        )


def _refuse_foreign_names(out: Path) -> None:
    """DIR/model, model.partial and model.old are folders this command writes: a file or
    a link of such a name (notes saved as DIR/model, a link to "the current model") was
    renamed to model.old and, its delete failing in silence, every later training ended
    with exit 1 ("Not a directory: ...model.old"). Refused before training, untouched."""
    for name in ("model", "model.partial", "model.old"):
        path = out / name
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            kind = "link" if path.is_symlink() else "file"
            raise InputError(
                f"is a {kind}, not a folder train wrote: --out DIR holds its model in "
                "DIR/model/ (model.partial/ and model.old/ while it works); move it away",
                path=str(path),
            )


def _folder_streams(args, skipped: Skipped) -> list:
    """The labelled streams of --clips and --sessions; what cannot be read is named and
    left out (kept in ``skipped``)."""
    from silkpipe.clips import load_clip_folders
    from silkpipe.dataset import load_session_streams

    streams = []
    if args.clips:
        progress = not args.no_progress
        streams += load_clip_folders(args.clips, progress=progress, on_error=skipped.clip)
    if args.sessions:
        sessions, unlabelled = load_session_streams(args.sessions, on_error=skipped.session)
        for name in unlabelled:
            log.warning("session %s has no labels.csv: skipped", name)
        streams += _labels_on_their_streams(sessions, Path(args.sessions), skipped)
    return streams


def _labels_on_their_streams(sessions: list, folder: Path, skipped: Skipped) -> list:
    """The sessions any of whose labels lies on its sensor stream; one whose labels.csv
    holds none there gave no window, yet the model said it was trained on it, exit 0
    without a word: named and left out."""
    from silkpipe.labels_on_stream import labels_off_stream

    kept = []
    for st in sessions:
        if why := labels_off_stream(st):
            where = str(folder / st.name / "labels.csv")
            skipped.session(folder / st.name, InputError(f"{why}: not trained on", path=where))
        else:
            kept.append(st)
    return kept


def _out_lock(out: Path) -> Path:
    """The lock file of an --out folder, in TMPDIR (nothing is left in DIR): two trainings
    into one DIR/model.partial at once deleted its files under each other (exit 1)."""
    from silkpipe.locks import tmp_path

    return tmp_path("train-out", str(out.resolve()), ".lock")


def _refuse_folders_again(args) -> None:
    """--calibrate or --adapt-to naming a --clips or --sessions folder would train on its
    recordings twice (SHOT_REPEAT more times, or again as their own guesses): refused."""
    from silkpipe.clips import distinct_folders

    given = [("--clips", c) for c in args.clips or []]
    given += [("--sessions", args.sessions)] if args.sessions else []
    for flag, folder in (("--calibrate", args.calibrate), ("--adapt-to", args.adapt_to)):
        if folder:
            flags, folders = zip(*given, (flag, folder), strict=True)
            harm = "it would be trained on twice"
            distinct_folders(list(folders), list(flags), both=harm, last_only=True)


def _train_new_day(args, cfg, adapt, streams: list, out: Path, skipped: Skipped) -> dict:
    """Train on the labelled streams plus the new day's few labelled clips (--calibrate,
    counted SHOT_REPEAT times), then self-train on its recordings (--adapt-to)."""
    from silkpipe.adapt import adapt_streams, self_train
    from silkpipe.crossval import SHOT_REPEAT
    from silkpipe.dataset import concat_windows, load_clip_streams, unlabelled_windows
    from silkpipe.trained_on import trained_on
    from silkpipe.training import for_streams, train_windows, training_windows
    from silkpipe.whole_samples import merge

    cfg = for_streams(cfg, streams)
    windows, left_out = training_windows(streams, cfg.window)
    sources = trained_on(streams, windows)
    if args.calibrate:
        calibrate = load_clip_streams(args.calibrate, on_error=skipped.clip)
        shots, calibrate_left_out = training_windows(calibrate, cfg.window, warn=False)
        windows = concat_windows([windows] + [shots] * SHOT_REPEAT)
        left_out = merge([left_out, calibrate_left_out])
        sources += trained_on(calibrate, shots)  # counted once here, SHOT_REPEAT in training
    progress = not args.no_progress
    if not args.adapt_to:
        summary = train_windows(
            windows, out, config=cfg, progress=progress, left_out=left_out, sources=sources
        )
        return model_figures(summary, streams)
    new_day = adapt_streams(args.adapt_to, on_error=skipped.session, on_clip_error=skipped.clip)
    pool = unlabelled_windows(new_day, cfg.window)
    summary = self_train(
        windows,
        pool,
        out,
        cfg,
        adapt,
        progress=progress,
        left_out=left_out,
        sources=sources,
        pool_streams=new_day,
    )
    return {**model_figures(summary, streams), "adapt": summary["adapt"]}


class Skipped:
    """The clips and session folders folder mode named and left out: the model is still
    written, and the command then exits 2 with a `partial:` line, as `run` and `sessions
    upload` do, so a script does not take a model trained without them for a whole one."""

    def __init__(self) -> None:
        self.clips: list[str] = []
        self.sessions: list[str] = []

    def clip(self, path: Path, err: Exception) -> None:
        log.warning("skipped clip %s: %s", path.name, err)
        self.clips.append(path.name)

    def session(self, folder: Path, err: Exception) -> None:
        """A session folder that cannot be read is named and left out; training goes on."""
        from silkpipe.errors import one_line

        where = None if isinstance(err, InputError) else str(folder)
        log.warning("skipped %s", one_line(err, session=folder.name, path=where))
        self.sessions.append(folder.name)

    def raise_if_any(self, model: Path) -> None:
        from silkpipe.errors import BAD_INPUT, PartialFailure, shown

        parts = [
            f"{len(names)} {what} skipped ({', '.join(map(shown, names))[:300]})"
            for names, what in ((self.clips, "clip(s)"), (self.sessions, "session folder(s)"))
            if names
        ]
        if parts:
            written = f"model written to {shown(str(model))} without them; each named above"
            raise PartialFailure("; ".join([*parts, written]), BAD_INPUT)


def run_store(args, cfg) -> dict:
    """Store mode: the train step on the run's label set and clips."""
    from silkpipe.steps import train_run
    from silkpipe.store import open_store

    return train_run(
        open_store(args.store),
        args.run_id,
        cfg,
        force=args.force,
        progress=not args.no_progress,
        clips_dirs=[Path(c) for c in args.clips or []],  # none: the run's own clips
        test_split=chosen_test_split(args),
    )
