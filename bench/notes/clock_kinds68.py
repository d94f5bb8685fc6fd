"""Clock census by time-model kind (stop 68, align step 71): per session the time model's
kind, reason and the measures _choose reads, and the seconds of rows the rebuilt clock puts
more than 0.5 s from the truth less its median error (twoloss63.clock_errors).

    CODE=/tmp/s71 python bench/notes/clock_kinds68.py OUT.json SET_DIR...
        # SET_DIR/{drains,never_drains}/SEED/SESSION/ (held51.sh's layout)
    python bench/notes/clock_kinds68.py diff OLD.json NEW.json
        # the sessions whose kind or clock changed, and the totals

CODE is the checkout measured (its silkpipe is imported). Truth is used only to score.
"""

import glob
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from twoloss63 import clock_errors  # noqa: E402

FIELDS = (
    "kind",
    "reason",
    "arrival_share",
    "row_spacing",
    "queue_ratio",
    "drains",
    "max_backlog_s",
    "pause_share",
    "rate_source",
)


def census(out_path, set_dirs):
    sys.path.insert(0, os.environ.get("CODE", "."))
    from silkpipe.sessions import read_sensor_csv

    out = {}
    for d in set_dirs:
        for f in sorted(glob.glob(d + "/*/*/*/sensor_data.csv")):
            if f.split("/")[-4] not in ("drains", "never_drains"):
                continue  # the run folders of links (m_*, g*_*)
            folder = f.rsplit("/", 1)[0]
            raw = read_sensor_csv(f)
            errors = clock_errors(raw, Path(folder))
            row = {k: raw.time_model.get(k) for k in FIELDS}
            row.update(mis=errors["misclocked_s"], max_err=errors["max_err"])
            out[folder] = row
    json.dump(out, open(out_path, "w"), indent=1)


def diff(old_path, new_path):
    old, new = json.load(open(old_path)), json.load(open(new_path))
    for k, a in old.items():
        b = new.get(k)
        if b and (a["kind"], a["mis"], a["max_err"]) != (b["kind"], b["mis"], b["max_err"]):
            print(
                f"  {k}: {a['kind']} {a['mis']} s off (max {a['max_err']}) -> "
                f"{b['kind']} {b['mis']} s off (max {b['max_err']})"
            )
    for name, d in (("old", old), ("new", new)):
        v = [d[k] for k in old if k in new]
        print(
            f"{name}: {len(v)} sessions, {sum(x['mis'] >= 1 for x in v)} misclocked, "
            f"{sum(x['mis'] for x in v):.1f} s of rows > 0.5 s off"
        )


if __name__ == "__main__":
    if sys.argv[1] == "diff":
        diff(*sys.argv[2:4])
    else:
        census(sys.argv[1], sys.argv[2:])
