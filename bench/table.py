"""One plain-text table for the benchmarks that print their own (voice_commands, voice_path)."""

from __future__ import annotations


def print_table(rows: list[dict]) -> None:
    """Rows of one shape as an aligned table, the first row's keys as the header."""
    if not rows:
        return
    keys = list(rows[0])
    widths = {k: max(len(k), *(len(str(r[k])) for r in rows)) for k in keys}
    print(" | ".join(k.ljust(widths[k]) for k in keys))
    print("-+-".join("-" * widths[k] for k in keys))
    for r in rows:
        print(" | ".join(str(r[k]).ljust(widths[k]) for k in keys))
