"""`silkpipe score-voice`: the voice path scored end to end against truth.json."""

from __future__ import annotations

import json

from silkpipe.commands import (
    MAX_EPOCHS,
    MAX_SEEDS,
    add_dir_option,
    counted,
    failure_code,
    refuse_above,
    refuse_below_one,
    refuse_unused,
)


def register(sub) -> None:
    p = sub.add_parser(
        "score-voice",
        help="score transcribe -> align -> train on synthetic/semi-real sessions against truth",
        description=(
            "For sessions written by `silkpipe synth` (each with truth.json): transcribe with "
            "the real Whisper backend, align, train a model on the voice-derived labels only and "
            "evaluate it on held-out clips. Prints the offset error per session, label "
            "precision/recall per class (time overlap with the true intervals), the label error "
            "per spoken word (where the label placed for each word starts against where its true "
            "gesture starts, on true time: the rebuilt clock's error counts), the macro-F1 of "
            "the voice-trained model next to a clip-trained model on the same evaluation clips, "
            "and controls the align step's quality gate must exclude: every session again with "
            "another session's audio, and aligned with its offset search confined around a "
            "wrong offset (one gesture period, 1.5-3 s, and 5-20 s from the truth). On "
            "realistic sessions (synth --realistic) labels are scored on the motion under them "
            "(rows that arrived late count where they were made) and labelled time on "
            "unlabelled truth counts as wrong."
        ),
    )
    _add_inputs(p)
    _add_run_options(p)
    p.set_defaults(func=run)


def _add_inputs(p) -> None:
    """What is scored, what the models are evaluated on, and where the run is kept."""
    p.add_argument(
        "sessions_dir",
        metavar="SESSIONS_DIR",
        help="folder of session folders, each with truth.json",
    )
    add_dir_option(
        p,
        "--clips",
        "both models are evaluated on them (from a block the sessions were not built from)",
        clips=True,
        required=True,
        metavar="EVAL_CLIPS_DIR",
    )
    add_dir_option(
        p,
        "--train-clips",
        "the clip-trained baseline learns from them (default: "
        "the clips the sessions were built from, named in their truth.json by "
        "`silkpipe synth --from-clips`; else SESSIONS_DIR/../clips when it exists)",
        clips=True,
    )
    add_dir_option(
        p,
        "--align-clips",
        "the align step's offset search and gate use their "
        "class model (as `silkpipe align --clips`; default: none, the self-trained "
        "class evidence); clips the sessions were built from would be scored "
        "in-sample",
        clips=True,
    )
    p.add_argument(
        "--store",
        default=None,
        metavar="DIR",
        help="artifact store for the run (folder, file:// or s3://; default: a new "
        "temporary folder); transcripts in it are reused",
    )
    p.add_argument(
        "--run-id", default="score-voice", help="run id in the store (default %(default)s)"
    )


def _add_run_options(p) -> None:
    """How the steps run: the transcriber (or the exact words), controls, training."""
    from silkpipe.training import TrainConfig

    p.add_argument(
        "--backend",
        default="faster-whisper",
        help="transcription backend (default %(default)s: real Whisper tiny.en)",
    )
    p.add_argument(
        "--model",
        default=None,
        metavar="DIR",
        help="local CTranslate2 Whisper model folder (default: the bundled tiny.en)",
    )
    p.add_argument(
        "--no-controls",
        action="store_true",
        help="skip the shuffled- and shifted-audio controls",
    )
    p.add_argument(
        "--epochs",
        type=int,
        default=None,
        help=f"most training epochs for both models (default {TrainConfig().max_epochs})",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="parallel transcription processes (default: one per core)",
    )
    p.add_argument(
        "--oracle",
        action="store_true",
        help="skip speech recognition: give the align step the exact words said (from "
        "truth.json), to tell aligner errors from transcriber errors (--backend, --model and "
        "--workers then do nothing and are refused)",
    )
    p.add_argument(
        "--seeds",
        type=int,
        default=3,
        help="train every model this many times (seeds) and average its macro-F1: one small "
        "training set's luck moves it by 0.03-0.10 on semi-real sessions (default "
        "%(default)s)",
    )
    p.add_argument("--json", action="store_true", help="print the full result as JSON")


def run(args) -> dict:
    from silkpipe.voice_report import summary_lines
    from silkpipe.voice_score import score_voice

    _refuse_counts(args)
    if args.oracle:  # every session then has its own transcript: no recogniser runs
        why = "acts on speech recognition only: with --oracle (the exact words) it would do nothing"
        refuse_unused(args, ("--backend", "--model", "--workers"), why)
    result = score_voice(
        args.sessions_dir,
        args.clips,
        store_uri=args.store,
        run_id=args.run_id,
        train_clips_dir=args.train_clips,
        backend=args.backend,
        model=args.model,
        controls=not args.no_controls,
        epochs=args.epochs,
        workers=args.workers,
        oracle=args.oracle,
        seeds=args.seeds,
        align_clips_dir=args.align_clips,
    )
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print("\n".join(summary_lines(result)))
    raise_if_partial(result)
    figures = {
        "offset_within_0_3s": result["offset"]["within_0_3s"],
        "controls_excluded": result["controls"]["excluded"],
        "controls": result["controls"]["n"],
        "offset_false_passes": result["offset"]["false_passes"],
        "word_false_passes": result["offset"]["word_false_passes"],
        "wall_seconds": result["wall_seconds"],
    }
    if result.get("shifted_controls"):
        figures["shifted_controls_false_pass_rate"] = result["shifted_controls"]["false_pass_rate"]
    for key in ("voice", "voice_adapted", "clips"):
        if key in result["models"]:
            figures[f"{key}_macro_f1"] = result["models"][key]["macro_f1"]
    return figures


def _refuse_counts(args) -> None:
    """--epochs, --seeds or --workers under 1 (as train, evaluate and run refuse them):
    --epochs 0 trained the default 30 epochs, --epochs -1 none (a random model's macro-F1
    printed as the score), --seeds 0 one seed; refused before any session is read, as are
    --epochs and --seeds past the bounds train and evaluate hold them to."""
    refuse_below_one(args, ("epochs", "seeds") if args.oracle else ("epochs", "seeds", "workers"))
    refuse_above(args, {"epochs": MAX_EPOCHS, "seeds": MAX_SEEDS})


def raise_if_partial(result: dict) -> None:
    """Scored without some of the user's input (each named above): exit 2 with a `partial:`
    line, as `run` exits: a session refused for its truth.json, one whose transcription or
    alignment failed (its row says why), an --align-clips clip align skipped. A control's
    failure is not the user's input: its row says it. Exit 1 when any failure was a fault."""
    from silkpipe.errors import PartialFailure
    from silkpipe.store import open_store

    controls = set(result["controls"].get("sessions") or {})
    failed = {**result["transcribe_failed"], **result["align_failed"]}
    failed = {s: why for s, why in failed.items() if s not in controls}
    parts = [
        counted(sorted(names), what)
        for names, what in (
            (list(result["sessions_refused"]), "session(s) not scored (bad truth.json)"),
            (list(failed), "session(s) failed, not scored"),
            (result["align_clips_skipped"], "align clip(s) skipped"),
        )
        if names
    ]
    if not parts:
        return
    code = failure_code(open_store(result["store"]), result["run_id"], failed)
    raise PartialFailure("; ".join(parts), code)
