#!/bin/bash
# Issue 24 (and 22): the voice path's model from the REAL voice sessions (2025-10-17) against the
# clip model (clips-dev, 2025-10-19), both scored on a day neither saw (clips-20251014), and the
# two training sets together (lead, stop 36). Product commands only; 3 seeds; writes /tmp/s36/vc.
#   bash bench/notes/real_voice_vs_clip.sh      (from the repository root; ~15 min on 2 cores)
set -eu
export OMP_NUM_THREADS=1
S=/tmp/s36/realstore OUT=/tmp/s36/vc DATA=../shared/data
mkdir -p $OUT
silkpipe() { nice .venv/bin/silkpipe "$@"; }
silkpipe run $DATA/sessions --store $S --run-id real36 > $OUT/run.log 2>&1
keep() {  # copy the run's current model version to $OUT/$1 (the store keeps one version)
  v=$(python3 -c "import json;print(json.load(open('$S/runs/real36/model.json'))['version'])")
  rm -rf "$OUT/$1"; cp -r "$S/runs/real36/model/$v" "$OUT/$1"
}
score() {  # score() MODEL_DIR NAME: evaluate on each clip folder, JSON per folder
  for d in clips-20251014 clips-dev; do
    silkpipe evaluate --model "$1" --clips $DATA/$d --json 2>/dev/null > "$OUT/eval_$2_$d.json"
  done
}
for seed in 1337 1338 1339; do
  silkpipe train --store $S --run-id real36 --seed $seed --force --no-progress > $OUT/voice_$seed.log 2>&1
  keep voice_$seed && score $OUT/voice_$seed voice_$seed
  silkpipe train --clips $DATA/clips-dev --out $OUT/clip_$seed --seed $seed --no-progress > $OUT/clip_$seed.log 2>&1
  score $OUT/clip_$seed/model clip_$seed
  silkpipe train --store $S --run-id real36 --clips $DATA/clips-dev --seed $seed --force --no-progress > $OUT/both_$seed.log 2>&1
  keep both_$seed && score $OUT/both_$seed both_$seed
done
python3 - <<'PY'
import json, pathlib
out = pathlib.Path("/tmp/s36/vc")
for kind in ("voice", "clip", "both"):
    for day in ("clips-20251014", "clips-dev"):
        rows = [json.loads((out / f"eval_{kind}_{s}_{day}.json").read_text()) for s in (1337, 1338, 1339)]
        f1 = [r["macro_f1"] for r in rows]
        print(f"{kind:5s} on {day:14s} macro-F1 {sum(f1)/3:.3f} (per seed {' '.join(f'{v:.3f}' for v in f1)})"
              f"  with absent classes at 0: {sum(r['macro_f1_with_absent'] for r in rows)/3:.3f}")
PY
