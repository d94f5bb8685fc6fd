#!/bin/sh
# gate4 held-out sets and runs (issue 24). make: generate seeds 271-278 (clips-dev realistic
# from gate2's R12 train split, and D14-like); before|after: the run-level harness with the
# rule off (class_peak_margin=-inf, main's gate) or at its default. Run once each.
cd "$(dirname "$0")/../.." || exit 1
export PYTHONPATH=$PWD OMP_NUM_THREADS=1
P=/work/main/.venv/bin/python
W=$1
if [ "$W" = make ]; then
  for s in 271 272 273 274 275 276 277 278; do
    nice $P -m silkpipe synth --from-clips /tmp/gate2/hold/r12/train --out /tmp/gate4/hold/cd/s$s \
      --realistic --gestures 30 --seed $s > /dev/null 2>&1 && echo "cd $s done"
  done
  nice $P bench/notes/d14_dev.py make /tmp/gate4/hold/d14 271 272 273 274 275 276 277 278
  exit 0
fi
X=""; [ "$W" = before ] && X="class_peak_margin=-inf"
mkdir -p /tmp/gate4/runs/h14a /tmp/gate4/runs/h14b
for s in 271 272 273 274; do ln -sfn /tmp/gate4/hold/d14/s$s/* /tmp/gate4/runs/h14a/; done
for s in 275 276 277 278; do ln -sfn /tmp/gate4/hold/d14/s$s/* /tmp/gate4/runs/h14b/; done
nice $P bench/notes/gate4.py collect /tmp/gate4/hold_d14_$W.json $X -- /tmp/gate4/runs/h14a /tmp/gate4/runs/h14b > /tmp/gate4/hold_d14_$W.log 2>&1
nice $P bench/notes/gate4.py collect /tmp/gate4/hold_cd_$W.json $X -- $(ls -d /tmp/gate4/hold/cd/s*) > /tmp/gate4/hold_cd_$W.log 2>&1
