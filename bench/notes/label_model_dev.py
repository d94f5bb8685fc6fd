"""Dev harness (issue 24): voice-trained vs clip-trained model when every dev session's
labels are used, placed from the exact words at the TRUE offset on session time (so the
offset search and the gate are out of the picture). Not shipped.

    PYTHONPATH=. python bench/notes/label_model_dev.py OUT EVAL_CLIPS TRAIN_CLIPS DIR... [--old]
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from label_dev import folders_of, labels_at, load  # noqa: E402

from silkpipe.alignment import AlignConfig  # noqa: E402
from silkpipe.dataset import load_clip_streams, session_stream  # noqa: E402
from silkpipe.training import TrainConfig  # noqa: E402
from silkpipe.voice_score import ModelFitter  # noqa: E402

#: The label extents before issue 24 (runs on to the next command, 1 s / 2 s windows).
OLD = AlignConfig(
    event_window_s=1.0,
    punch_window_s=1.0,
    event_lead_s=0.3,
    noise_window_s=2.0,
    state_label_s=15.0,
    event_burst_share=None,
)


def main(out: Path, eval_clips: Path, train_clips: Path, dirs: list[str], cfg: AlignConfig):
    voice, truth_streams = [], []
    for f in folders_of(dirs):
        truth, clock, cmds = load(f, False)
        spans = [
            (iv.start, iv.end, iv.label)
            for iv in labels_at(clock.motion, cmds, truth["offset_s"], cfg)
        ]
        voice.append(session_stream(f.name, clock.motion, spans))
        true = [(float(a), float(b), str(c)) for a, b, c in truth["intervals"]]
        truth_streams.append(session_stream(f.name, clock.motion, true))
    fitter = ModelFitter(TrainConfig(), 3, load_clip_streams(eval_clips), out, False, voice)
    fitter.fit("voice", voice)
    fitter.fit("truth", truth_streams)
    fitter.fit("clips", load_clip_streams(train_clips))
    models = fitter.gaps()
    print(
        json.dumps(
            {
                k: (v.get("macro_f1"), v.get("macro_f1_per_seed"))
                if isinstance(v, dict) and "macro_f1" in v
                else v
                for k, v in models.items()
            }
        )
    )


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(
        Path(args[0]),
        Path(args[1]),
        Path(args[2]),
        args[3:],
        OLD if "--old" in sys.argv else AlignConfig(),
    )
