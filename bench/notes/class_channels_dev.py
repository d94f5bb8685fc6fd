"""Dev harness of class channels in the offset search (issue 24, helper gt). Not shipped.

Wraps gate_dev.py (oracle words; per session the alignment, two one-period shifted
controls, one 5-20 s shifted control and one shuffled-audio control) with the alignment
config's class-channel fields set, and compares variants session by session.

    python bench/notes/class_channels_dev.py collect OUT.json DIR... [--weight=W] [--residual=0|1]
    python bench/notes/class_channels_dev.py compare A.json B.json ...
"""

import functools
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import gate_dev  # noqa: E402


def collect(out, dirs, weight, residual):
    gate_dev.al.AlignConfig = functools.partial(
        gate_dev.al.AlignConfig, class_channel_weight=weight, class_channel_residual=residual
    )
    gate_dev.collect(out, dirs)


def compare(paths):
    data = [json.loads(Path(p).read_text()) for p in paths]
    for p in paths:
        print(Path(p).name, gate_dev.score(p))
    names = sorted(set.intersection(*(set(d) for d in data)))
    for n in names:
        cells = []
        for d in data:
            s = d[n][0]
            err = "-" if s.get("err") is None else f"{s['err']:+.2f}"
            q = s.get("quality", float("nan"))
            ctl = max(
                (r.get("quality", -9) for r in d[n][1:] if not r.get("excluded", True)),
                default=None,
            )
            cq = " ".join(f"{r.get('quality', float('nan')):.1f}" for r in d[n][1:])
            cells.append(
                f"{err:>6s} q={q:5.2f} {'PASS' if not s['excluded'] else 'ex  '} "
                f"[{cq}]{'!' if ctl is not None else ''}"
            )
        print(f"{n:22s} " + " | ".join(cells))


if __name__ == "__main__":
    args = sys.argv[1:]
    opts = dict(a[2:].split("=", 1) for a in args if a.startswith("--"))
    rest = [a for a in args if not a.startswith("--")]
    if rest[0] == "collect":
        collect(rest[1], rest[2:], float(opts.get("weight", 0)), opts.get("residual", "1") == "1")
    else:
        compare(rest[1:])
