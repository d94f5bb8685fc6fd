"""Collect every bench/bench_*.py module's rows() into one table.

Usage: python -m bench [NAME ...]   (names like `parse`, `training`; default: all)
Each row: what was measured, the figure, the target, the machine and the command.
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
import traceback
from pathlib import Path


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}"


def main(argv: list[str]) -> int:
    names = sorted(p.stem[len("bench_") :] for p in Path(__file__).parent.glob("bench_*.py"))
    chosen = [n for n in names if not argv or n in argv]
    rows, failures = [], []
    for name in chosen:
        print(f"running bench_{name} ...", file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(f"bench.bench_{name}")
            rows.extend(module.rows())
        except Exception:  # one broken benchmark must not hide the others
            failures.append(name)
            traceback.print_exc()
    host = machine()
    header = ("benchmark", "figure", "target", "machine", "command")
    table = [header] + [
        (r["name"], r["figure"], r.get("target", ""), r.get("machine", host), r["command"])
        for r in rows
    ]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    for i, row in enumerate(table):
        print(" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
        if i == 0:
            print("-+-".join("-" * w for w in widths))
    if failures:
        print(f"benchmarks that failed: {', '.join(failures)}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
