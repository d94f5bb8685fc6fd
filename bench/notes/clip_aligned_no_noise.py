"""Issue 24: does aligning with a clip model lift how many right sessions pass the gate with
Whisper's words, on blocks without noise recordings? (lead, stop 35; results in
clip_aligned_no_noise.txt.) Nothing is tuned here.

clips-dev without its noise recordings (no_noise_blocks.no_noise_copy), split as R13
(320-530 s held out for evaluation). The training side is halved by name order: the even
half plays realistic sessions (`synth --realistic`, 30 gestures, offsets in +-20 s), the
odd half trains the align step's clip model, so that model never saw a session's clips.
Each seed's sessions are scored twice by `score-voice` with tiny.en's words (1 training
seed, the clip model on the whole training side): without clips in the align step (the
bench's default: session-trained classes) and with the odd half (`--align-clips`).

    python bench/notes/clip_aligned_no_noise.py SCRATCH SEED [SEED ...]
"""

import json
import shutil
import sys
from pathlib import Path

from no_noise_blocks import no_noise_copy, summary

from bench.voice_path import Run, generate, split_clips
from silkpipe.voice_score import score_voice


def halves(train: Path, out: Path) -> tuple[Path, Path]:
    """(even, odd) halves of a clip folder by name order, copied into ``out``."""
    even, odd = out / "even", out / "odd"
    for folder in (even, odd):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    for k, path in enumerate(sorted(train.glob("*.csv"))):
        shutil.copyfile(path, (even if k % 2 == 0 else odd) / path.name)
    return even, odd


def one_seed(scratch: Path, clips: Path, seed: int) -> dict[str, dict]:
    run = Run(f"CA{seed}", (320.0, 530.0), 0, seed, realistic=True)
    out = scratch / run.name
    train, held = split_clips(clips, run, out)
    even, odd = halves(train, out)
    if not (out / "sessions").is_dir():
        generate(run, even, out / "sessions")
    results = {}
    for name, align in (("session-classes", None), ("clip-aligned", odd)):
        results[name] = score_voice(
            out / "sessions",
            held,
            store_uri=str(out / f"store-{name}"),
            run_id="ca",
            train_clips_dir=train,
            workers=1,
            seeds=1,
            oracle=False,
            align_clips_dir=align,
        )
    return results


if __name__ == "__main__":
    scratch = Path(sys.argv[1])
    clips = scratch / "clips"  # copied once, before parallel runs share it
    if not clips.is_dir():
        clips = no_noise_copy(scratch)
    for seed in map(int, sys.argv[2:]):
        for name, result in one_seed(scratch, clips, seed).items():
            (scratch / f"CA{seed}-{name}.json").write_text(json.dumps(result, default=str))
            print(name)
            summary(seed, result)
        sys.stdout.flush()
