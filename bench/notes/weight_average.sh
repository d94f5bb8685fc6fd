#!/bin/sh
# Weight averaging (TrainConfig.weight_average) against the default, as `silkpipe evaluate --cv`
# trains and scores folds (silkpipe.crossval.run_protocol), seeds 1337-1338.
# DEV (chooses): time-range folds of clips-dev alone. HELD OUT (once per chosen variant):
# leave-day-out, both directions, clips-dev + clips-20251014.
# usage: bench/notes/weight_average.sh PROTOCOL VARIANT [SETTING]   (from the repo root)
#   e.g. weight_average.sh time-range ema 0.99 ; weight_average.sh leave-day-out none
set -e
PROTOCOL=$1 VARIANT=$2 SETTING=${3:-} OMP_NUM_THREADS=1 PYTHONPATH=$PWD \
nice ${PYTHON:-python} - <<'PY'
import json, os
from dataclasses import replace

from silkpipe.commands.evaluate import _streams
from silkpipe.crossval import format_result, run_protocol
from silkpipe.training import TrainConfig

protocol, variant, setting = os.environ["PROTOCOL"], os.environ["VARIANT"], os.environ["SETTING"]
cfg = replace(TrainConfig(), weight_average=variant)
if setting:
    cfg = replace(cfg, **{"ema_decay" if variant == "ema" else "swa_start": float(setting)})
clips = ["../shared/data/clips-dev"]
if protocol != "time-range":
    clips.append("../shared/data/clips-20251014")


class Args:
    clips, sessions = clips, None


result = run_protocol(_streams(Args), protocol, cfg, [1337, 1338])
print(format_result(result))
print("JSON", json.dumps(result))
PY
