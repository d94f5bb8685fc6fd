#!/bin/bash
# Held-out check of the voice-path alignment (issue 24), the protocol of stops 44-51.
# Run from the repo root:
#   bash bench/notes/held51.sh SET CODE_DIR SEED... [-- STAGE...]
#   e.g. bash bench/notes/held51.sh fresh51 /tmp/head51 957 958 ... 972
# SET names the session set (/tmp/held51/SET); CODE_DIR is the code tree measured (a git
# archive of the commit, e.g. `git archive 1a13d3e | tar -x -C /tmp/head51`); rows are tagged
# with its basename. STAGEs (default all, in this order): gen 4 32 report.
#  gen: R12 training side of clips-dev (voice_path.split_clips) -> /tmp/held51/r12/train, then
#       `silkpipe synth --from-clips TRAIN --realistic --gestures 30 --delivery D --seed S`
#       (4 sessions a seed) -> /tmp/held51/SET/D/S for D in never_drains, drains (kept if there)
#  4:   nd40.py collect (= fresh38.py collect: session-class rounds, 40 shuffles, exact words,
#       4 controls a session), one run per seed -> /tmp/held51/rows/SET_D_TAG.json
#  32:  runs of 32 (8 consecutive seeds of one delivery, a folder of links /tmp/held51/SET/m_D/mK)
#       -> /tmp/held51/rows/m_SET_D_TAG.json (only whole groups of 8 seeds)
#  report: fresh38.py report of every rows file of SET and TAG; then per file the offset error
#       of the sessions within 0.5 s (median, mean |error|) and every session outside 0.3 s
# Env: SYNTH_EXTRA (more synth arguments, e.g. "--pace fast"), DELIV (default "never_drains drains"), CLIPS (default ../shared/data/clips-dev, else
# /work/shared/data/clips-dev), PY (default /work/main/.venv/bin/python).
set -e
REPO=$PWD SET=$1 CODE=$(cd "$2" && pwd); shift 2
SEEDS=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do SEEDS+=("$1"); shift; done
[ "$1" = -- ] && shift
STAGES=("$@"); [ ${#STAGES[@]} -eq 0 ] && STAGES=(gen 4 32 report)
[ -z "$CLIPS" ] && { CLIPS=../shared/data/clips-dev; [ -d $CLIPS ] || CLIPS=/work/shared/data/clips-dev; }
CLIPS=$(cd "$CLIPS" && pwd) PY=${PY:-/work/main/.venv/bin/python}
H=/tmp/held51 TAG=$(basename "$CODE") DELIV=${DELIV:-never_drains drains}
export OMP_NUM_THREADS=1 PYTHONPATH=$CODE
mkdir -p $H/rows
say() { echo "== $(date -u +%H:%M:%S) UTC $*"; }
for st in "${STAGES[@]}"; do case $st in
gen)
  if [ ! -d $H/r12/train ]; then
    (cd "$REPO" && PYTHONPATH=$REPO $PY -c "import sys; from pathlib import Path
from bench.voice_path import REALISTIC_RUNS, split_clips
run = next(r for r in REALISTIC_RUNS if r.name == 'R12')
print(*split_clips(Path(sys.argv[1]), run, Path(sys.argv[2])))" "$CLIPS" $H/r12)
  fi
  say "gen $SET ${SEEDS[*]} from $(ls $H/r12/train | wc -l) train clips"
  for d in $DELIV; do for s in "${SEEDS[@]}"; do
    o=$H/$SET/$d/$s; [ -d $o ] && continue
    # from CODE: `python -m` takes the working folder's package before PYTHONPATH's
    (cd "$CODE" && nice $PY -m silkpipe synth --from-clips $H/r12/train --out $o.tmp \
      --realistic --gestures 30 --delivery $d --seed $s $SYNTH_EXTRA > /dev/null) && mv $o.tmp $o
  done; done
  say "gen done: $(ls $H/$SET/*/[0-9]*/*/truth.json | wc -l) sessions" ;;
4)
  for d in $DELIV; do
    say "collect 4-session $SET $d $TAG"
    (cd "$CODE" && nice $PY bench/notes/nd40.py collect $H/rows/${SET}_${d}_$TAG.json -- \
      $(for s in "${SEEDS[@]}"; do echo $H/$SET/$d/$s; done)) > $H/rows/${SET}_${d}_$TAG.log
  done ;;
32)
  for d in $DELIV; do
    runs=() k=0
    for ((i = 0; i + 8 <= ${#SEEDS[@]}; i += 8)); do
      m=$H/$SET/m_$d/m$k; mkdir -p $m; k=$((k + 1)); runs+=($m)
      for s in "${SEEDS[@]:i:8}"; do ln -sfn $H/$SET/$d/$s/* $m/; done
    done
    [ ${#runs[@]} -eq 0 ] && continue
    say "collect runs of 32 $SET $d $TAG: ${runs[*]}"
    (cd "$CODE" && nice $PY bench/notes/nd40.py collect $H/rows/m_${SET}_${d}_$TAG.json -- \
      "${runs[@]}") > $H/rows/m_${SET}_${d}_$TAG.log
  done ;;
report)
  say "report (code $CODE)"
  F=$(ls $H/rows/{,m_}${SET}_*_$TAG.json 2>/dev/null)
  (cd "$CODE" && $PY bench/notes/fresh38.py report $F && $PY -c "import sys, statistics as st
sys.path.insert(0, 'bench/notes')
from fresh38 import finals, verdict
for p in sys.argv[1:]:  # sessions outside 0.3 s; offset error of the sessions within 0.5 s
    rs = [r for _, n, k, r in finals(p) if k == 'session']
    e = [r['err'] for r in rs if r['err'] is not None and abs(r['err']) <= 0.5]
    print(p.split('/')[-1], f'within 0.5 s {len(e)}: median {st.median(e):+.3f} mean|e| {st.mean(map(abs, e)):.3f}')
    for n, r in ((n, r) for _, n, k, r in finals(p) if k == 'session'):
        if r['err'] is None or abs(r['err']) > 0.3:
            err = '-' if r['err'] is None else f\"{r['err']:+.2f}\"
            print(f\"   {n[4:10]} {err} {verdict('session', r)} [{r['gate']}] q {r.get('quality', float('nan')):.2f} class words {r.get('cls_words')}\")" $F) ;;
esac; done
say done
