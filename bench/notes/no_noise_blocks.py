"""Issue 24: the voice path on blocks that hold no noise recordings (lead, stop 34).
Results in no_noise_blocks.txt.

The issue's unseen blocks hold idle, jump, punch, turn and walk only; every bench run so far
plays noise clips and noise filler. This copies clips-dev without its noise and baseline
recordings into a scratch folder (links out of a clip folder are not read), splits it as the
R-runs do (gesture block 320-530 s held out for evaluation), plays realistic sessions from
the rest and scores them with exact words (`score-voice --oracle`), one training seed:

    python bench/notes/no_noise_blocks.py SCRATCH SEED [SEED ...]
    python bench/notes/no_noise_blocks.py --whisper SCRATCH SEED [SEED ...]   # tiny.en's words

(stop 35: --whisper transcribes with the product's CPU Whisper, faster-whisper tiny.en,
instead of exact words.)
"""

import json
import shutil
import sys
from pathlib import Path

from bench.voice_path import Run, generate, split_clips
from silkpipe.voice_score import score_voice

CLIPS = Path(__file__).resolve().parents[3] / "shared" / "data" / "clips-dev"


def no_noise_copy(scratch: Path) -> Path:
    """clips-dev without noise_* and baseline_noise_* recordings."""
    folder = scratch / "clips"
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(CLIPS.glob("*.csv")):
        if not path.name.startswith(("noise", "baseline")):
            shutil.copyfile(path, folder / path.name)
    return folder


def one_run(scratch: Path, clips: Path, seed: int, oracle: bool = True) -> dict:
    run = Run(f"NN{seed}", (320.0, 530.0), 0, seed, realistic=True)
    out = scratch / run.name
    train, held = split_clips(clips, run, out)
    if not (out / "sessions").is_dir():
        generate(run, train, out / "sessions")
    return score_voice(
        out / "sessions",
        held,
        store_uri=str(out / ("store" if oracle else "store-whisper")),
        run_id="no-noise",
        train_clips_dir=train,
        workers=1,
        seeds=1,
        oracle=oracle,
    )


def summary(seed: int, result: dict) -> None:
    o, taught = result["offset"], result["models"].get("taught_classes")
    precision = {k: v["precision"] for k, v in result["labels"].items() if v["precision"]}
    errors = {n: s["offset_error"] for n, s in result["sessions"].items()}
    passed = {n: not s["excluded"] for n, s in result["sessions"].items()}
    controls = result["controls"]["sessions"].values()
    shifted = result["shifted_controls"]["sessions"].values()
    print(
        f"seed {seed}: within 0.3 s {sum(abs(e) <= 0.3 for e in errors.values())}/{len(errors)}"
        f", passed {sum(passed.values())} (errors of passes "
        f"{[round(errors[n], 2) for n in errors if passed[n]]}), false {o['false_passes']}"
    )
    print("  precision " + " ".join(f"{k} {v:.2f}" for k, v in precision.items()))
    if taught is None:  # no session passed the gate: no voice model
        print("  no voice model (no session passed the gate)")
    else:
        print(
            f"  voice {taught['voice']:.3f} truth {taught['truth']:.3f} clips "
            f"{taught['clips']:.3f} gap {taught['f1_gap']:.3f} (classes "
            f"{','.join(taught['classes'])})"
        )
    print(
        f"  shuffled excluded {sum(c['excluded'] for c in controls)}/{len(controls)}, shifted "
        f"not passed {sum(c['outcome'] != 'passed' for c in shifted)}/{len(shifted)}"
    )


if __name__ == "__main__":
    args = sys.argv[1:]
    whisper = args[0] == "--whisper"
    scratch = Path(args[1] if whisper else args[0])
    clips = no_noise_copy(scratch)
    for seed in map(int, args[2 if whisper else 1 :]):
        result = one_run(scratch, clips, seed, oracle=not whisper)
        name = f"NN{seed}{'-whisper' if whisper else ''}.json"
        (scratch / name).write_text(json.dumps(result, default=str))
        summary(seed, result)
