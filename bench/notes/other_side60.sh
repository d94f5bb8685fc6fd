#!/bin/bash
# Held-out check of the voice-path gate (issue 24) on motion no DEV set was built from:
# realistic sessions from the R12 EVALUATION side of clips-dev (gesture block 320-530 s,
# bench/voice_path.py split_clips), where every held-out set since stop 44 was built from
# the training side. Harness otherwise as held51.sh (nd40.py collect: session-class rounds,
# 40 shuffles, exact words, 4 controls a session).
# Run from the repo root:  bash bench/notes/other_side60.sh SET CODE_DIR SEED... [-- STAGE...]
# The evaluation side (93 usable clips) makes one session a seed, so a run is a group of
# seeds' sessions: "4" = runs of 4 consecutive seeds, "32" = runs of 32.
# STAGEs (default gen 4 32): gen -> /tmp/held51/SET/D/S; 4, 32 -> /tmp/held51/rows/{,m_}SET_D_TAG.json
# (held51.sh's `report` stage reads them: bash bench/notes/held51.sh SET CODE_DIR -- report).
# Env: SYNTH_EXTRA (more synth arguments, e.g. "--pace fast").
set -e
SET=$1 CODE=$(cd "$2" && pwd); shift 2
SEEDS=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do SEEDS+=("$1"); shift; done
[ "$1" = -- ] && shift
STAGES=("$@"); [ ${#STAGES[@]} -eq 0 ] && STAGES=(gen 4 32)
PY=${PY:-/work/main/.venv/bin/python} H=/tmp/held51 TAG=$(basename "$CODE")
DELIV=${DELIV:-never_drains drains} SIDE=$H/r12/eval
export OMP_NUM_THREADS=1 PYTHONPATH=$CODE
[ -d $SIDE ] || { echo "no $SIDE: run held51.sh's gen stage once first"; exit 2; }
mkdir -p $H/rows
say() { echo "== $(date -u +%H:%M:%S) UTC $*"; }
group() {  # group SIZE D: link folders of SIZE consecutive seeds' sessions; prints them
  local k=0 i s m
  for ((i = 0; i + $1 <= ${#SEEDS[@]}; i += $1)); do
    m=$H/$SET/g$1_$2/g$k; mkdir -p $m; k=$((k + 1)); echo $m
    for s in "${SEEDS[@]:i:$1}"; do ln -sfn $H/$SET/$2/$s/* $m/; done
  done
}
for st in "${STAGES[@]}"; do case $st in
gen)
  say "gen $SET ${SEEDS[0]}..${SEEDS[-1]} from $(ls $SIDE | wc -l) evaluation-side clips"
  for d in $DELIV; do for s in "${SEEDS[@]}"; do
    o=$H/$SET/$d/$s; [ -d $o ] && continue
    (cd "$CODE" && nice $PY -m silkpipe synth --from-clips $SIDE --out $o.tmp \
      --realistic --gestures 30 --delivery $d --seed $s $SYNTH_EXTRA > /dev/null) && mv $o.tmp $o
  done; done
  say "gen done: $(ls $H/$SET/*/[0-9]*/*/truth.json | wc -l) sessions" ;;
4|32)
  p=; if [ $st = 32 ]; then p=m_; fi
  for d in $DELIV; do
    say "collect runs of $st $SET $d $TAG"
    (cd "$CODE" && nice $PY bench/notes/nd40.py collect $H/rows/${p}${SET}_${d}_$TAG.json -- \
      $(group $st $d)) > $H/rows/${p}${SET}_${d}_$TAG.log
  done ;;
esac; done
