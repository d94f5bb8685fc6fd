"""Pipeline scaling: the local runner on 1, 4 and 16 generated sessions (2 cores here).

The transcription stage fans out over worker processes, so up to the core count N
sessions should cost far less than N times one session; align/train/report are the
join and run once. Each size runs in a fresh store (no cache hits).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from silkpipe.pipeline import run_pipeline
from silkpipe.synth import generate

SIZES = (1, 4, 16)
SESSION_SECONDS = 60.0


def rows() -> list[dict]:
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root / "clipsrc", sessions=1, seed=3, duration=30, clips_per_class=6)
        for n in SIZES:
            data = root / f"n{n}"
            generate(data, sessions=n, seed=n, duration=SESSION_SECONDS, clips_per_class=0)
            result = run_pipeline(
                data / "sessions",
                str(root / f"store{n}"),
                "bench",
                clips_dirs=[root / "clipsrc" / "clips"],
            )
            steps = result["step_seconds"]
            out.append(
                {
                    "name": f"local runner, {n} session(s) of {SESSION_SECONDS:.0f} s",
                    "figure": f"{result['wall_seconds']:.1f} s total; "
                    f"transcribe {steps['transcribe']:.1f} s, align {steps['align']:.1f} s, "
                    f"train {steps['train']:.1f} s, "
                    f"report {steps['report']:.1f} s",
                    "target": f"transcribe << {n}x the 1-session figure (cores: {os.cpu_count()})",
                    "command": "python -m bench pipeline",
                }
            )
    return out
