"""Decisions that differ between two rows files of one held-out set (held51.sh), e.g. the
same sessions run at two align steps.

    python bench/notes/pair66.py OLD_ROWS.json NEW_ROWS.json
        # per session or control whose verdict or offset error changed:
        # (name, kind) (verdict, error s, gate reason) -> (verdict, error s, gate reason)

Truth is used only to score (fresh38.verdict)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from fresh38 import finals, verdict  # noqa: E402


def _load(path: str) -> dict:
    return {(n, k): (verdict(k, r), r["err"], r.get("gate")) for _, n, k, r in finals(path)}


def main(old_path: str, new_path: str) -> None:
    old, new = _load(old_path), _load(new_path)
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a is None or b is None or a[:2] != b[:2]:
            print(key, a, "->", b)


if __name__ == "__main__":
    main(*sys.argv[1:3])
