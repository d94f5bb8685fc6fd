"""Dev harness (issue 24, helper nz): does the voice-trained model lose or gain from the
noise label rules (noise_labels.py's "main" vs the default)? Every dev session labelled
from the exact words at the TRUE offset on session time; 3 training seeds; evaluated on
held-out clips (R12's evaluation side).

    PYTHONPATH=. python bench/notes/noise_model_dev.py OUT EVAL_CLIPS DIR...
"""

import json
import sys
from pathlib import Path

import bench.notes.label_dev as ld
from bench.notes.noise_labels import VARIANTS
from silkpipe.dataset import load_clip_streams, session_stream
from silkpipe.training import TrainConfig
from silkpipe.voice_score import ModelFitter

ld.CACHE = Path("/tmp/nz/cache")


def main(out: Path, eval_clips: Path, dirs: list[str]) -> None:
    evals = load_clip_streams(eval_clips)
    for name in ("main", "default"):
        cfg, streams = VARIANTS[name], []
        for f in ld.folders_of(dirs):
            truth, clock, cmds = ld.load(f, False)
            ivs = ld.labels_at(clock.motion, cmds, truth["offset_s"], cfg)
            spans = [(iv.start, iv.end, iv.label) for iv in ivs]
            streams.append(session_stream(f.name, clock.motion, spans))
        fitter = ModelFitter(TrainConfig(), 3, evals, out / name, False, streams)
        fitter.fit("voice", streams)
        m = fitter.models["voice"]
        print(name, json.dumps({k: m.get(k) for k in ("macro_f1", "macro_f1_per_seed", "f1")}))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:])
