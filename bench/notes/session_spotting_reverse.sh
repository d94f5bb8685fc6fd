#!/bin/bash
# Cross-day the other way: models trained on clips-20251014, spotted on realistic sessions from clips-dev.
for S in 1337 1338 1339; do
  for K in 301 302 303 304 305 306; do
    OMP_NUM_THREADS=2 /work/main/.venv/bin/silkpipe evaluate --model /tmp/lead/rev/m$S/model \
      --sessions /tmp/spot/sess/r12_$K --spot --json 2>/dev/null > /tmp/lead/rev/ev_${S}_$K.json
  done
  OMP_NUM_THREADS=2 /work/main/.venv/bin/silkpipe evaluate --model /tmp/lead/rev/m$S/model \
    --clips /tmp/spot/r12/eval --spot --json 2>/dev/null > /tmp/lead/rev/clips_$S.json
done
