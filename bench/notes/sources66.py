"""The clock's rate source of every held-out session, and whether its clock is off.

    CODE=/tmp/tree python bench/notes/sources66.py OUT.json SET_DIR...
        # per session (SET_DIR/*/*/truth.json): [time model kind, rate source, seconds of
        # rows more than 0.5 s from the truth less its median error]; prints the count of
        # (kind, rate source, misclocked: >= 1 s of such rows)

CODE is the checkout measured (its silkpipe is imported). Truth is used only to score."""

import collections
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, os.environ.get("CODE", "."))
from twoloss63 import _session  # noqa: E402


def main(out: str, sets: list[str]) -> None:
    from silkpipe.sessions import read_sensor_csv

    rows = {}
    for d in sets:
        for f in sorted(Path(d).glob("*/*/truth.json")):
            tm = read_sensor_csv(f.parent / "sensor_data.csv").time_model
            key = f"{Path(d).parent.name}/{Path(d).name}/{f.parent.name}"
            rows[key] = [tm["kind"], tm["rate_source"], _session(f.parent)["misclocked_s"]]
    Path(out).write_text(json.dumps(rows, indent=1))
    count = collections.Counter((k, s, m >= 1.0) for k, s, m in rows.values())
    for (kind, source, off), n in sorted(count.items()):
        print(f"{kind:8s} {source:9s} {'misclocked' if off else 'right':10s} {n}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
