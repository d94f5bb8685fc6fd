#!/bin/bash
# Dev-only harness behind bench/notes/voice_adapt.txt (helper va, stop 29): realistic
# sessions from R12's training clips, scored by score-voice with oracle words, no controls,
# 3 training seeds, on R12's held-out clips (not the held-out bench: the lead runs that).
# Clip folders are copied (-L): score-voice does not read links out of a clip folder.
# Usage: bench/notes/voice_adapt.sh SEED...   (results: /tmp/va/rSEED.json)
set -e
cd "$(dirname "$0")/../.."
export PYTHONPATH=$PWD OMP_NUM_THREADS=1
PY=${PY:-/work/main/.venv/bin/python}
mkdir -p /tmp/va/clips
[ -d /tmp/va/clips/eval ] || cp -rL /tmp/g24split/r12/eval /tmp/va/clips/eval
[ -d /tmp/va/clips/train ] || cp -rL /tmp/g24split/r12/train /tmp/va/clips/train
for S in "$@"; do
  [ -d /tmp/va/s$S ] || nice $PY -m silkpipe.cli synth --from-clips /tmp/g24split/r12/train \
    --realistic --gestures 30 --seed $S --out /tmp/va/s$S
  nice $PY -m silkpipe.cli score-voice /tmp/va/s$S --clips /tmp/va/clips/eval \
    --train-clips /tmp/va/clips/train --oracle --no-controls --store /tmp/va/store$S \
    --json > /tmp/va/r$S.json
done
