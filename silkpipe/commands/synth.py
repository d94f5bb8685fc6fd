"""`silkpipe synth`: sample sessions and clips with known truth (and semi-real ones from clips)."""

from __future__ import annotations

import math
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from silkpipe.commands import SEEDS, add_dir_option, refuse_above, refuse_unused
from silkpipe.errors import InputError, writing_to


def register(sub) -> None:
    p = sub.add_parser(
        "synth",
        help="generate sample sessions + clips with known truth (offset, labels)",
        description=(
            "Write OUT_DIR/sessions/<name>/ (sensor_data.csv in the real session dialect, "
            "audio_16k.wav with spoken commands, metadata.json, truth.json) and OUT_DIR/clips/ "
            "(button-labelled clips in the real clip dialect). Motion is shaped per gesture and "
            "the speech is placed at a known audio->IMU offset (t_imu = t_audio + offset_s). "
            "With --from-clips, rebuild real clip blocks into semi-real voice sessions instead."
        ),
    )
    _add_common(p)
    _add_from_clips(p)
    _add_realistic(p)
    p.set_defaults(func=run)


def _add_common(p) -> None:
    """Where to write, the synthetic sample's size, and what every mode shares (offset,
    seed, speech-to-noise ratio)."""
    p.add_argument(
        "out_dir",
        nargs="?",
        metavar="OUT_DIR",
        help="folder to write (created); with --from-clips use --out",
    )
    p.add_argument(
        "--sessions",
        type=int,
        default=4,
        metavar="N",
        help="number of synthetic sessions (default %(default)s)",
    )
    p.add_argument(
        "--offset",
        type=float,
        default=None,
        metavar="SECONDS",
        help="audio->IMU offset of every session, seconds (default: a random offset per "
        "session in [-20, 20])",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        help="random seed: the same seed writes the same files (default %(default)s)",
    )
    p.add_argument(
        "--duration",
        type=float,
        default=120.0,
        metavar="S",
        help="IMU length of each synthetic session, seconds (default %(default)s)",
    )
    p.add_argument(
        "--clips-per-class",
        type=int,
        default=10,
        metavar="N",
        help="labelled clips per clip class (8 classes; 0: none; default %(default)s)",
    )
    p.add_argument(
        "--snr",
        type=float,
        default=None,
        metavar="DB",
        help="speech-to-noise ratio of the audio in dB (default 30; 20 with --from-clips)",
    )


def _add_from_clips(p) -> None:
    """Semi-real sessions rebuilt from real clip blocks (--from-clips)."""
    add_dir_option(
        p,
        "--from-clips",
        "semi-real sessions are built from its collection "
        "blocks; either clip layout: device-ns (like clips-dev) or sample "
        "(<class>_sampleNN.csv + session_metadata.json, like clips-20251014: one block, "
        "classes in the order gestures_completed lists them, each class's samples in "
        "recording order, a <class>_continuous.csv cut into 5 s pieces)",
        clips=True,
        metavar="CLIPS_DIR",
    )
    add_dir_option(
        p,
        "--out",
        "output folder for --from-clips (sessions are written into it)",
        metavar="OUT_DIR",
    )
    p.add_argument(
        "--drift",
        type=float,
        default=0.0,
        metavar="PPM",
        help="audio clock drift in ppm for --from-clips: "
        "t_imu = t_audio * (1 + ppm/1e6) + offset (default %(default)s)",
    )
    p.add_argument(
        "--voice",
        action="append",
        default=None,
        metavar="VOICE",
        help="speech voice for --from-clips, repeatable: an espeak-ng voice (en-us, en-us+f3) "
        "or festival:slt / festival:kal (default: Festival voices when installed, plus "
        "espeak-ng voices)",
    )
    p.add_argument(
        "--sparse",
        type=float,
        default=None,
        metavar="FRACTION",
        help="--from-clips: share of events kept in the sparse variant of each "
        "block (default 0.33, like 20251017_143627; 0 = no sparse variant)",
    )
    p.add_argument(
        "--max-session",
        type=float,
        default=300.0,
        metavar="S",
        help="--from-clips: a block longer than this is cut, at a gap between clips, "
        "into several sessions (default %(default)s)",
    )


def _add_realistic(p) -> None:
    """Realistic sessions (--from-clips --realistic): continuous play, the recorder's clock."""
    p.add_argument(
        "--realistic",
        action="store_true",
        help="--from-clips: one continuous stream per session, gestures interleaved like play "
        "(same-class runs of 1-3), real non-gesture motion between them, a share never said, "
        "host-arrival timestamps as the real recorder makes them (backlog, losses, the stale "
        "start burst); truth.json marks every gesture and the delivery backlog",
    )
    p.add_argument(
        "--unspoken",
        type=float,
        default=0.3,
        metavar="FRACTION",
        help="--realistic: share of gestures never said (default %(default)s)",
    )
    p.add_argument(
        "--delivery",
        choices=("realtime", "drains", "never_drains"),
        default=None,
        help="--realistic: one delivery kind for every session (default: the three in turn)",
    )
    p.add_argument(
        "--gestures",
        type=int,
        default=40,
        metavar="N",
        help="--realistic: gestures per session (default %(default)s)",
    )
    p.add_argument(
        "--pace",
        choices=("calm", "fast"),
        default="calm",
        help="--realistic: how fast gestures follow. calm (default): gaps 0.3-1.2 s in a "
        "same-class run and 0.8-4 s after it, a sample plays its whole recording; fast: gaps "
        "0-0.25 s and 0.2-0.8 s, a sample plays its labelled span: toward the real "
        "sessions' pace (make real-play-bench)",
    )


def written_whole(out: str, write: Callable[[Path], dict]) -> dict:
    """Run ``write`` into a scratch folder beside ``out`` and rename it to ``out`` once
    whole. A second synth into one folder wrote its sessions and clips among the first's
    (a mix of two seeds, exit 0, no word) and a failed or killed one left half a folder;
    a folder that holds anything is now refused, so nothing in it is lost either."""
    folder = Path(out).absolute()
    from silkpipe.clips import output_folder_problem

    if why := output_folder_problem(folder):
        raise InputError(f"{why}: synth writes a new folder", path=str(out))
    if folder.is_symlink():  # to a folder: written there, as train --out is (the rename
        folder = folder.resolve()  # onto the link failed "Not a directory", after the work)
    held = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    if held:
        raise InputError(
            f"holds {len(held)} entr{'y' if len(held) == 1 else 'ies'} ({held[0]!r}, ...): "
            "synth writes a new folder, whole; give a new or empty folder (or delete this one)",
            path=str(out),
        )
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.partial-"))
    with writing_to(out):
        try:
            summary = write(staging)
            _rename_in(staging, folder, out)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return summary


def _rename_in(staging: Path, folder: Path, out: str) -> None:
    """Rename the finished folder in; a twin synth that filled it first keeps it whole."""
    try:
        staging.rename(folder)
    except OSError:
        if folder.is_dir() and any(folder.iterdir()):
            raise InputError(
                "was filled while this synth wrote (another synth into it at once?): its "
                "output is kept whole, this one's dropped",
                path=str(out),
            ) from None
        raise


def _refuse_voices(voices) -> None:
    """A --voice that cannot speak, refused before any session is written: an espeak-ng
    voice that does not exist ended the synth with exit 1 and espeak-ng's whole command
    line ("CalledProcessError: ... returned non-zero exit status 1")."""
    from silkpipe.speech import voice_problem

    for voice in dict.fromkeys(voices):
        if why := voice_problem(voice):
            raise InputError(f"--voice {voice!r} cannot speak: {why}")


def _from_clips(args, out: Path) -> dict:
    """Semi-real (or, with --realistic, realistic) sessions from a clip folder."""
    from silkpipe import realistic, semireal

    common = {
        "offset_s": args.offset,
        "drift_ppm": args.drift,
        "seed": args.seed,
        "voices": tuple(args.voice or ()),
    }
    if args.snr is not None:  # else the options' default (20 dB)
        common["snr_db"] = args.snr
    _refuse_voices(args.voice or ())
    if args.realistic:
        if not 0 <= args.unspoken < 1 or args.gestures < 4:
            raise InputError("--unspoken must lie in [0, 1) and --gestures be at least 4")
        play = realistic.RealisticOptions(
            **common,
            unspoken=args.unspoken,
            delivery=args.delivery,
            gestures_per_session=args.gestures,
            pace=args.pace,
        )
        return realistic.generate(args.from_clips, out, play)
    if args.sparse is not None:  # else the options' default
        common["sparse_keep"] = args.sparse
    blocks = semireal.BlockOptions(**common, max_session_s=args.max_session)
    return semireal.generate_from_clips(args.from_clips, out, blocks)


def _check_numbers(args) -> None:
    """Refuse numbers no sample can be made from: NaN or infinite (--duration nan looped
    for ever, --offset nan crashed), a seed outside 0..2**32-1, a negative count or one past
    its bound, a share outside [0, 1]."""
    for name in ("duration", "offset", "snr", "drift", "sparse", "max_session", "unspoken"):
        value = getattr(args, name)
        if value is not None and not math.isfinite(value):
            raise InputError(f"--{name.replace('_', '-')} must be a finite number, not {value}")
    if args.seed < 0 or args.clips_per_class < 0:
        raise InputError("--seed and --clips-per-class must be 0 or more")
    if args.seed > SEEDS[1]:  # as train's and align's seeds
        raise InputError(f"--seed must be at most {SEEDS[1]}, not {args.seed}")
    refuse_above(args, {"sessions": MAX_SESSIONS, "clips_per_class": MAX_CLIPS_PER_CLASS})
    if args.max_session <= 0 or not 0 <= (args.sparse or 0) <= 1:
        raise InputError("--max-session must be over 0, --sparse in [0, 1]")
    if abs(args.drift) > MAX_DRIFT_PPM:
        raise InputError(
            f"--drift {args.drift:g} ppm: a clock more than {MAX_DRIFT_PPM:g} ppm (1 %) off is "
            "broken, not drifting; give a drift within that"
        )


def _refuse_model_folder(out: str | None) -> None:
    """OUT a model folder or inside one: the sessions were written among the model's files,
    and the next `train --out` of that model replaced the folder whole, deleting them
    (sweep 55), as evaluate --report and export-report refuse."""
    from silkpipe.model_files import refuse_writing_in_model

    if out:
        refuse_writing_in_model(out, "synth would write its sessions")


def _check_shared_time(offset: float | None, duration: float) -> None:
    """The sample's IMU runs [0, duration], its audio from the offset on, a few seconds longer:
    an offset that leaves under MIN_DURATION_S of both (--offset 1e6 was taken and wrote
    sessions of silence, with no command) is refused."""
    if offset is not None and abs(offset) > duration - MIN_DURATION_S:
        raise InputError(
            f"--offset {offset:g} s leaves under {MIN_DURATION_S:g} s where the IMU (0 to "
            f"{duration:g} s) and the audio both run: give an offset within "
            f"±{duration - MIN_DURATION_S:g} s, or a longer --duration"
        )


#: The shortest synthetic session, and the least time its IMU and audio both run.
MIN_DURATION_S = 20.0

#: The largest audio clock drift synth makes: --drift 1e12 (a typo) was taken, its audio
#: clock running a million times slow. Watch and phone crystals drift by tens of ppm.
MAX_DRIFT_PPM = 1e4

#: The longest synthetic session: --duration 1e9 (a typo for 1e3) ran for ever, its
#: stream of 31 years growing in memory, with no line.
MAX_DURATION_S = 6 * 3600.0

#: The most synthetic sessions one sample holds: hundreds of times the default, each a
#: folder of megabytes; a count typed zeros too long wrote on until the disk was full.
MAX_SESSIONS = 1000

#: The most clips a class of the synthetic sample: several times a real day's folder;
#: every clip is drawn in memory first (this many drew gigabytes for minutes), and a count
#: typed zeros too long ended in MemoryError (bad_input_sweep57).
MAX_CLIPS_PER_CLASS = 200

#: Options of the synthetic sample, of --from-clips, and of --from-clips --realistic.
SYNTHETIC = ("--sessions", "--duration", "--clips-per-class")
FROM_CLIPS = ("--out", "--drift", "--voice", "--sparse", "--max-session", "--realistic")
REALISTIC = ("--unspoken", "--delivery", "--gestures", "--pace")


def _refuse_unused(args) -> None:
    """An option of another mode than the one given would do nothing: refused, named."""
    if not args.from_clips:
        why = "acts with --from-clips only: the synthetic sample would ignore it"
        refuse_unused(args, (*FROM_CLIPS, *REALISTIC), why)
        return
    refuse_unused(args, SYNTHETIC, "acts on the synthetic sample only: --from-clips ignores it")
    if args.out and args.out_dir:
        raise InputError(f"give OUT_DIR or --out, not both ({args.out_dir} would be ignored)")
    if args.realistic:
        why = "acts on --from-clips sessions without --realistic only: --realistic ignores it"
        refuse_unused(args, ("--sparse", "--max-session"), why)
    else:
        refuse_unused(args, REALISTIC, "acts with --realistic only: without it it does nothing")


def run(args) -> dict:
    _refuse_unused(args)
    _check_numbers(args)
    _refuse_model_folder(args.out or args.out_dir)
    started = time.perf_counter()
    if args.from_clips:
        out = args.out or args.out_dir
        if not out:
            raise InputError("--from-clips needs --out OUT_DIR")
        summary = written_whole(out, lambda into: _from_clips(args, into))
    else:
        from silkpipe import synth

        if not args.out_dir:
            raise InputError("OUT_DIR is required")
        if args.sessions < 1:
            raise InputError("--sessions must be at least 1")
        if not MIN_DURATION_S <= args.duration <= MAX_DURATION_S:
            raise InputError(
                f"--duration must be at least {MIN_DURATION_S:.0f} seconds and at most "
                f"{MAX_DURATION_S:.0f} "
                f"(6 hours), not {args.duration:g}"
            )
        _check_shared_time(args.offset, args.duration)
        summary = written_whole(
            args.out_dir,
            lambda into: synth.generate(
                into,
                sessions=args.sessions,
                offset_s=args.offset,
                seed=args.seed,
                duration=args.duration,
                clips_per_class=args.clips_per_class,
                snr_db=30.0 if args.snr is None else args.snr,
            ),
        )
    seconds = time.perf_counter() - started
    for name in summary["sessions"]:
        print(f"{name}: offset {summary['offsets'][name]:+.2f} s")
    clips = (  # --from-clips reads clips; the sample writes its own
        f"built from {summary['clips']} clip(s) of {args.from_clips}"
        if args.from_clips
        else f"and {summary['clips']} clip(s)"
    )
    out = args.out if args.from_clips else args.out_dir
    print(f"{len(summary['sessions'])} session(s) {clips}, written to {out} in {seconds:.1f} s")
    return {
        "sessions": len(summary["sessions"]),
        "clips": summary["clips"],
        "commands": summary["commands"],
        "wall_seconds": round(seconds, 2),
    }
