#!/bin/bash
# Issue 22: leave-day-out with BOTH levers of stop 37 and before: the real voice run of
# 2025-10-17 as training-only data (thirdday) and `--adapt` (self-training on the test day's
# unlabelled recordings). Product command only, default settings, nothing tuned (lead, stop 37).
# Needs the run `real37` of bench/notes/thirdday.sh in /tmp/thirdday/store.
#   bash bench/notes/voice_day_adapt.sh      (from the repository root; ~7 min on 2 shared cores)
set -eu
export OMP_NUM_THREADS=1
OUT=/tmp/s37/adaptrun DATA=../shared/data
mkdir -p $OUT
nice .venv/bin/silkpipe evaluate --cv leave-day-out --adapt --seeds 4 \
  --clips $DATA/clips-dev --clips $DATA/clips-20251014 \
  --store /tmp/thirdday/store --run-id real37 --json > $OUT/ldo_adapt_voice.json 2> $OUT/ldo_adapt_voice.log
python3 - <<'PY'
import json, statistics
r = json.load(open("/tmp/s37/adaptrun/ldo_adapt_voice.json"))[0]
by = {}
for f in r["folds"]:
    by.setdefault(f["fold"], []).append(f["macro_f1"])
for fold, v in by.items():
    print(f"{fold}: mean {statistics.mean(v):.3f} [{min(v):.3f}-{max(v):.3f}] per seed {' '.join(f'{x:.3f}' for x in v)}")
print(f"pooled {r['pooled_macro_f1']:.3f} [{r['fold_min']:.3f}-{r['fold_max']:.3f}] "
      f"punch called noise {r['punch_noise']['punch_called_noise']:.3f}")
PY
