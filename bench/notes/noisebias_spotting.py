"""Issue 22: event-level spotting on stitched clip streams with and without the noise-logit
bias (lead, stop 35; results in noisebias.txt). The product's own `evaluate --cv
time-range` path (crossval.run_protocol: window macro-F1 and event P/R/F1 per class on
the test folds' stitched streams), default settings but for ``noise_bias``; nothing tuned.

    python bench/notes/noisebias_spotting.py SEED [SEED ...]
"""

import sys
from dataclasses import replace

from silkpipe.clips import load_clip_streams
from silkpipe.crossval import format_result, run_protocol
from silkpipe.training import TrainConfig

CLIPS = "../shared/data/clips-dev"

if __name__ == "__main__":
    seeds = [int(s) for s in sys.argv[1:]]
    streams = load_clip_streams(CLIPS)
    for bias in (0.0, TrainConfig().noise_bias):
        result = run_protocol(streams, "time-range", replace(TrainConfig(), noise_bias=bias), seeds)
        print(f"noise_bias {bias}")
        print(format_result(result))
        sys.stdout.flush()
