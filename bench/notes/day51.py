"""Tables of bench/notes/day51.sh (issue 22's leave-day-out rows with the real voice run, at
main 1a13d3e): per fold mean [min-max seed] and per seed, pooled [fold min-max], per-class F1,
punches called noise, from cv.json (--report) or the --json output.

    python3 bench/notes/day51.py [/tmp/day51/cv]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from statistics import mean

ROWS = (
    ("ldo_clips", "clips only", "ldo_clips/cv.json"),
    ("ldo_voice", "+ voice run real51", "ldo_voice/cv.json"),
    ("ldo_adapt_voice", "+ voice run and --adapt", "ldo_adapt_voice.json"),
    ("tr_clips", "time-range, clips only", "tr_clips/cv.json"),
    ("tr_voice", "time-range, + voice run", "tr_voice/cv.json"),
)


def _load(path: Path) -> dict | None:
    if not path.is_file() or path.stat().st_size == 0:
        return None
    data = json.loads(path.read_text())
    return data[0] if isinstance(data, list) else data


def table(out: Path, name: str, title: str, rel: str) -> list[str]:
    r = _load(out / rel)
    if r is None:
        return [f"{title}: not run"]
    lines = [f"{title} ({name}: {r['protocol']}, seeds {r['seeds']})"]
    folds: dict[str, list[float]] = {}
    for f in r["folds"]:
        folds.setdefault(f["fold"], []).append(f["macro_f1"])
    for fold, v in folds.items():
        lines.append(
            f"  {fold:<26s} {mean(v):.3f} [{min(v):.3f}-{max(v):.3f}]  per seed "
            + " ".join(f"{x:.3f}" for x in v)
        )
    per_seed = " ".join(f"{x:.3f}" for x in r["pooled_macro_f1_per_seed"])
    lines.append(
        f"  pooled {r['pooled_macro_f1']:.3f} [{r['fold_min']:.3f}-{r['fold_max']:.3f}]  "
        f"per seed {per_seed}"
    )
    pc = " ".join(f"{c} {v['f1']:.2f}" for c, v in r["per_class"].items() if v.get("support", 1))
    lines.append(f"  per class F1 {pc}")
    pn = r["punch_noise"]
    lines.append(
        f"  punch called noise {pn['punch_called_noise']:.3f} of {pn['punch_windows']}; "
        f"whole-gesture samples only {r['whole_sample_macro_f1']:.3f}"
    )
    for run in r.get("training_only", []):
        lines.append(
            f"  training only: run {run['run_id']}, {len(run['sessions'])} sessions, "
            f"{run['windows']} windows"
        )
    return lines


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/day51/cv")
    for row in ROWS:
        print("\n".join(table(out, *row)))


if __name__ == "__main__":
    main()
