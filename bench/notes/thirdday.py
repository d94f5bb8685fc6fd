"""Tables of bench/notes/thirdday.sh: cross-validation with and without the voice run's
labelled sessions as training-only data (cv.json of each `evaluate --cv --report`).

    python bench/notes/thirdday.py [/tmp/thirdday/cv]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from statistics import mean


def _f(values: list[float]) -> str:
    return " ".join(f"{v:.3f}" for v in values)


def table(out: Path, name: str) -> list[str]:
    path = out / name / "cv.json"
    if not path.is_file():
        return [f"{name}: not run"]
    (r,) = json.loads(path.read_text())
    lines = [
        f"{name}: {r['protocol']} seeds {r['seeds']} classes {', '.join(r['classes'])}",
        f"  pooled macro-F1 {r['pooled_macro_f1']:.3f} [fold min {r['fold_min']:.3f} - max "
        f"{r['fold_max']:.3f}]  per seed {_f(r['pooled_macro_f1_per_seed'])}"
        f"  (with absent classes at 0: {r['pooled_macro_f1_with_absent']:.3f})",
    ]
    for run in r.get("training_only", []):
        secs = ", ".join(f"{c} {v:.0f}" for c, v in run["labelled_s"].items())
        lines.append(
            f"  training only: run {run['run_id']}, {len(run['sessions'])} sessions "
            f"({secs} s labelled), {run['windows']} windows in the protocol's classes"
        )
    folds: dict[str, list[dict]] = {}
    for f in r["folds"]:
        folds.setdefault(f["fold"], []).append(f)
    for fold, rows in folds.items():
        f1 = [x["macro_f1"] for x in rows]
        extra = sorted({x.get("training_only_windows", 0) for x in rows})
        lines.append(
            f"  {fold:<28s} macro-F1 mean {mean(f1):.3f} [{min(f1):.3f}-{max(f1):.3f}] per seed "
            f"{_f(f1)}  ({rows[0]['windows']} test windows; training-only windows {extra})"
        )
    lines += [f"  note: {n}" for n in r["notes"]]
    return lines


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/thirdday/cv")
    for name in ("ldo_clips", "ldo_voice", "tr_clips", "tr_voice", "ldo8_clips", "ldo8_voice"):
        print("\n".join(table(out, name)))


if __name__ == "__main__":
    main()
