#!/bin/bash
# Issue 22: leave-day-out and time-range cross-validation with and without a REAL voice run's
# labelled sessions (2025-10-17) as training-only data (`evaluate --cv ... --store S --run-id R`,
# helper thirdday, stop 37). Product commands only, default settings, nothing tuned or chosen.
#   bash bench/notes/thirdday.sh        (from the repository root; ~1 h on 2 shared cores)
# Writes /tmp/thirdday/{store,cv}; then bench/notes/thirdday.py prints the tables.
set -eu
export OMP_NUM_THREADS=1
S=/tmp/thirdday/store OUT=/tmp/thirdday/cv DATA=../shared/data
mkdir -p $OUT
silkpipe() { PYTHONPATH=$PWD nice /work/main/.venv/bin/python -m silkpipe "$@"; }
# the voice run: 4 sessions of 2025-10-17, the gate passes 3 (re-used when already there)
silkpipe run $DATA/sessions --store $S --run-id real37 > $OUT/run.log 2>&1
CLIPS="--clips $DATA/clips-dev --clips $DATA/clips-20251014"
VOICE="--store $S --run-id real37"
cv() {  # cv NAME PROTOCOL SEEDS [extra options]: timed, text output and cv.json kept
  local name=$1 protocol=$2 seeds=$3; shift 3
  /usr/bin/time -f "$name %e s" -a -o $OUT/times.txt \
    bash -c "$(declare -f silkpipe); silkpipe evaluate --cv $protocol --seeds $seeds $CLIPS $* \
      --report $OUT/$name" > $OUT/$name.txt 2> $OUT/$name.log
}
cv ldo_clips leave-day-out 4
cv ldo_voice leave-day-out 4 $VOICE
cv tr_clips time-range 2
cv tr_voice time-range 2 $VOICE
# supplementary (run after the above, nothing chosen on it): the same leave-day-out pair with 8
# seeds (1337-1344: the four above again, then four more), for the per-seed sign of the gain
cv ldo8_clips leave-day-out 8
cv ldo8_voice leave-day-out 8 $VOICE
