#!/bin/bash
# Bad-input sweep of what product44 touched (stop 44): align in store mode (a damaged clip
# of the run, a damaged session), score-voice and evaluate --spot --sessions (one damaged
# session of two). Each row: exit status, what was published or scored, the closing line.
# Usage: bench/notes/product44_sweep.sh WORK_DIR   (from the repository root; ~6 min on 2 cores)
set -u
REPO=$(pwd); W=${1:?WORK_DIR}; rm -rf "$W"; mkdir -p "$W"; cd "$W"
export OMP_NUM_THREADS=1 PYTHONPATH=$REPO
PY=${PY:-$REPO/.venv/bin/python}; SP="nice $PY -m silkpipe.cli"
DATA=$REPO/../shared/data; S=$DATA/clips-20251014; G=$DATA/sessions/20251017_143217_session
clipdir() { rm -rf $1; mkdir -p $1; cp $S/session_metadata.json $1/
  for c in jump punch turn noise; do for n in 01 02 03; do cp $S/${c}_sample$n.csv $1/; done; done; }
sessdir() { rm -rf $1; mkdir -p $1/good $1/bad
  for d in good bad; do cp $G/{sensor_data.csv,metadata.json,whisperx_output.json} $1/$d/; done; }
case_align() {  # name, how to damage clips folder c or sessions folder s
  clipdir c; sessdir s; eval "$2"
  rm -rf st; $SP sessions upload s --clips c --store st --run-id r >/dev/null 2>up.err; up=$?
  for x in good bad; do $SP transcribe $x --store st --run-id r >/dev/null 2>&1; done
  $SP align --store st --run-id r >/dev/null 2>al.err; rc=$?
  pub=$($PY -c "import json;print(sorted(json.load(open('st/runs/r/labels.json'))['sessions']))")
  echo "align | $1 | upload rc=$up | align rc=$rc | published: $pub | $(tail -1 al.err | cut -c1-140)"
}
case_align "truncated clip" "head -c 300 c/jump_sample01.csv > c/x && mv c/x c/jump_sample01.csv"
case_align "empty clip" ": > c/punch_sample02.csv"
case_align "device-dialect clip in a sample folder" "cp $DATA/clips-dev/\$(ls $DATA/clips-dev | grep ^jump | head -1) c/"
case_align "truncated session CSV" "head -c 200000 s/bad/sensor_data.csv > s/x && mv s/x s/bad/sensor_data.csv"
case_align "empty session CSV" ": > s/bad/sensor_data.csv"
case_align "session CSV of the clip dialect" "cp $S/jump_sample01.csv s/bad/sensor_data.csv"
$SP synth syn --sessions 2 --duration 60 --clips-per-class 3 --seed 1 >/dev/null 2>&1
clipdir m; $SP train --clips m --out model --epochs 1 >/dev/null 2>&1
for kind in truncated empty clip-dialect; do
  rm -rf d; cp -r syn d; B=$(ls -d d/sessions/*/ | head -1)sensor_data.csv
  case $kind in
    truncated) head -c 20000 syn/sessions/$(basename $(dirname $B))/sensor_data.csv > $B;;
    empty) : > $B;; clip-dialect) cp $S/jump_sample01.csv $B;; esac
  $SP score-voice d/sessions --clips d/clips --oracle --no-controls --seeds 1 --epochs 1 --json > sv.json 2>sv.err; rc=$?
  row=$($PY -c "import json;r=json.load(open('sv.json'));rows=r['sessions'];print(sum('offset_error' in v for v in rows.values()), 'scored,', sum('error' in v for v in rows.values()), 'with an error row')")
  echo "score-voice | $kind session CSV | rc=$rc | $row | lines naming the file: $(grep -c sensor_data.csv sv.err) | $(tail -1 sv.err | cut -c1-110)"
  $SP evaluate --model model/model --sessions d/sessions --spot --json > ev.json 2>ev.err; rc=$?
  n=$($PY -c "import json;s=json.load(open('ev.json'))['session_spotting'];print(s['sessions'], 'scored,', len(s['errors']), 'left out')")
  echo "evaluate --spot | $kind session CSV | rc=$rc | $n | lines naming the file: $(grep -c sensor_data.csv ev.err) | $(tail -1 ev.err | cut -c1-110)"
done
