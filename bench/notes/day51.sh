#!/bin/bash
# Issue 22: the leave-day-out rows with the REAL voice run, re-measured at main 1a13d3e (train
# step 22, the bursty-clock augmentation of stop 50) (helper day51, stop 51). Exactly the product
# commands of bench/notes/thirdday.sh and bench/notes/voice_day_adapt.sh; only the paths differ:
# code frozen at /tmp/head51 (git archive 1a13d3e), data by absolute path (../shared/data does
# not resolve from /tmp/head51), outputs under /tmp/day51. Nothing tuned or chosen.
#   bash bench/notes/day51.sh [steps]     (steps: any of run ldo tr; default "run ldo")
# Writes /tmp/day51/{store,cv}; bench/notes/thirdday.py /tmp/day51/cv prints the cv.json tables.
set -eu
export OMP_NUM_THREADS=1
CODE=${CODE:-/tmp/head51}
S=/tmp/day51/store OUT=/tmp/day51/cv DATA=/work/shared/data
STEPS=${*:-run ldo}
mkdir -p $OUT
cd $CODE
silkpipe() { PYTHONPATH=$CODE nice /work/main/.venv/bin/python -m silkpipe "$@"; }
CLIPS="--clips $DATA/clips-dev --clips $DATA/clips-20251014"
VOICE="--store $S --run-id real51"
cv() {  # cv NAME PROTOCOL SEEDS [extra options]: timed, text output and cv.json kept
  local name=$1 protocol=$2 seeds=$3; shift 3
  /usr/bin/time -f "$name %e s" -a -o $OUT/times.txt \
    bash -c "$(declare -f silkpipe); CODE=$CODE; silkpipe evaluate --cv $protocol --seeds $seeds $CLIPS $* \
      --report $OUT/$name" > $OUT/$name.txt 2> $OUT/$name.log
}
for step in $STEPS; do case $step in
run)  # the voice run: 4 sessions of 2025-10-17 (the gate passes 3 at main)
  /usr/bin/time -f "run %e s" -a -o $OUT/times.txt \
    bash -c "$(declare -f silkpipe); CODE=$CODE; silkpipe run $DATA/sessions $VOICE" > $OUT/run.log 2>&1 ;;
ldo)  # (a) clips only, (b) + voice run, (c) + voice run and --adapt (voice_day_adapt.sh's command)
  cv ldo_clips leave-day-out 4
  cv ldo_voice leave-day-out 4 $VOICE
  /usr/bin/time -f "ldo_adapt_voice %e s" -a -o $OUT/times.txt \
    bash -c "$(declare -f silkpipe); CODE=$CODE; silkpipe evaluate --cv leave-day-out --adapt --seeds 4 \
      $CLIPS $VOICE --json" > $OUT/ldo_adapt_voice.json 2> $OUT/ldo_adapt_voice.log ;;
tr)   # time-range folds, 2 seeds, with and without the voice run (thirdday.sh)
  cv tr_clips time-range 2
  cv tr_voice time-range 2 $VOICE ;;
esac; done
