"""The four real sessions (WhisperX words, else
the tiny.en transcript a `silkpipe run` stored) aligned with and without class channels
(issue 24, helper gt). Not shipped.

    python bench/notes/class_channels_real.py WEIGHT [LIFT]
"""

import sys
from pathlib import Path

from silkpipe.alignment import AlignConfig, align_session
from silkpipe.sessions import load_session
from silkpipe.transcripts import extract_commands, load_transcript

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "sessions"
#: tiny.en transcripts of the sessions without a WhisperX one (a `silkpipe run` store's).
STORED = Path("/tmp/gt/realstore2/runs/local/transcripts")

if __name__ == "__main__":
    w = float(sys.argv[1])
    lift = float(sys.argv[2]) if len(sys.argv) > 2 else AlignConfig.class_channel_lift
    cfg = AlignConfig(class_channel_weight=w, class_channel_lift=lift)
    for folder in sorted(DATA.iterdir()):
        s = load_session(folder)
        path = s.transcript_path or STORED / f"{folder.name}.json"
        cmds = extract_commands(load_transcript(path)).commands
        _, r = align_session(folder.name, s.motion(), cmds, cfg)
        print(
            f"w={w} {folder.name} offset={r.offset_s} q={r.quality:.2f} p={r.quality_p_value:.3f}"
            f" scale={r.clock_scale} sig={r.signature_p:.3f} cls={r.class_p_value:.3f}"
            f" excluded={r.excluded} gate={r.gate!r}"
        )
