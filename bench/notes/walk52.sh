#!/bin/bash
# walk52: the new-user walk-through's commands (bench/notes/walk52.txt). Scratch in $W.
set -u
W=${W:-/tmp/walk52}
CODE=${CODE:-$(cd "$(dirname "$0")/../.." && pwd)}
DATA=${DATA:-$CODE/../shared/data}
export TMPDIR=$W/tmp OMP_NUM_THREADS=1
mkdir -p "$TMPDIR"
silkpipe() { PYTHONPATH=$CODE nice /work/main/.venv/bin/python -m silkpipe "$@"; }
render() { chromium --headless --no-sandbox --disable-gpu --screenshot="$2" \
    --window-size=1300,10000 "file://$1" >/dev/null 2>&1; }
cd "$W"
time silkpipe run "$DATA/sessions" --clips "$DATA/clips-dev" --store "$W/store" --run-id real
time silkpipe run "$DATA/sessions" --clips "$DATA/clips-dev" --store "$W/store" --run-id real
render "$W/store/runs/real/report/index.html" "$W/r.png"
time silkpipe synth --from-clips "$DATA/clips-dev" --out "$W/synth" --realistic --seed 973
time silkpipe score-voice "$W/synth" --clips "$DATA/clips-dev" --epochs 1 --seeds 1 \
    --store "$W/svstore"
render "$W/svstore/runs/score-voice/score-voice/score-voice.html" "$W/sv.png"
time silkpipe train --clips "$DATA/clips-dev" --clips "$DATA/clips-20251014" --out "$W/model"
silkpipe evaluate --model "$W/model" --clips "$DATA/clips-20251014" --spot  # exit 2 (L1)
time silkpipe evaluate --model "$W/model/model" --clips "$DATA/clips-20251014" --spot
