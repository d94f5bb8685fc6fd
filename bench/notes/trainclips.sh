#!/bin/bash
# Issue 22 (helper trainclips, stop 37): does training on the other days too lift held-out time
# ranges of clips-dev to >= 0.90 with no fold < 0.80? Product commands only; a comparison of
# training sets under one fixed protocol (nothing tuned): `evaluate --cv time-range --clips
# clips-dev`, fresh seeds 1353-1356, four arms:
#   a: clips-dev alone; b: + --train-clips clips-20251014; c: + the voice run real37 (the real
#   2025-10-17 sessions, a copy of /tmp/thirdday/store); d: both.
#   bash bench/notes/trainclips.sh a d b c    (from the repository root; arms in that order)
# Writes /tmp/trainclips/<arm>/{cv.json,out.txt}; bench/notes/trainclips_table.py reads them.
set -eu
export OMP_NUM_THREADS=1
OUT=/tmp/trainclips DATA=../shared/data S=/tmp/trainclips/store
[ -d $S ] || cp -r /tmp/thirdday/store $S
CODE=${CODE:-$PWD}  # the code to run (a snapshot: git archive HEAD silkpipe | tar -x -C DIR)
silkpipe() { PYTHONPATH=$CODE nice /work/main/.venv/bin/python -m silkpipe "$@"; }
for arm in "$@"; do
  case $arm in
    a) extra=() ;;
    b) extra=(--train-clips $DATA/clips-20251014) ;;
    c) extra=(--store $S --run-id real37) ;;
    d) extra=(--train-clips $DATA/clips-20251014 --store $S --run-id real37) ;;
  esac
  mkdir -p $OUT/$arm
  start=$SECONDS
  silkpipe evaluate --cv time-range --clips $DATA/clips-dev \
    "${extra[@]}" --seeds 4 --seed 1353 --report $OUT/$arm > $OUT/$arm/out.txt 2> $OUT/$arm/err.txt
  echo "arm $arm done in $((SECONDS - start)) s"
done
