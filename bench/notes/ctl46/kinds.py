"""The spread kind of every uncertain loss in the sessions clock45's loss rule fired on
(/tmp/c45/B_fired.txt; issue 24, helper ctl46, bench/notes/ctl46.txt). Not shipped.

    python bench/notes/ctl46/kinds.py
"""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from align_dev import load  # noqa: E402


def main():
    seen = set()
    for line in open("/tmp/c45/B_fired.txt"):
        m = re.match(r"(\S+)_never_drains_(s\d+) FIRED /s\d+/(\S+)/sensor", line)
        if m is None or m.groups() in seen:
            continue
        seen.add(m.groups())
        _, motion, _ = load(Path(f"/tmp/h44/{m[1]}/never_drains/{m[2]}/{m[3]}"))
        tm = motion.time_model
        kinds = tm["uncertain_loss_kinds"]
        print(
            m[3][4:10],
            [(loss[:3], k) for loss, k in zip(tm["uncertain_losses"], kinds, strict=True)],
        )


if __name__ == "__main__":
    main()
