"""Progress shown one way by every command: a bar on a terminal; off one (a log file, a pipe,
an Argo pod's log) plain lines, each whole and ended by a newline, so a log line never
shares a line with a bar and a bar's redraws never fill a log with carriage returns."""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Iterable, Iterator

#: Off a terminal, a line each time this share of the total is done (and at the end) ...
LINE_EVERY_SHARE = 0.1
#: ... unless the last line is more recent than this (a fast bar is one line, not a burst) ...
LINE_GAP_S = 1.0
#: ... and one for the step that ends a quieter stretch than this, so a slow step shows life.
QUIET_LINE_S = 30.0


def progress_bar(
    iterable: Iterable | None = None,
    *,
    total: int | None = None,
    desc: str,
    unit: str,
    enabled: bool = True,
    initial: int = 0,
):
    """A tqdm bar on a terminal (gone once done), plain lines elsewhere, nothing when not
    ``enabled``; both take the same calls (iterate, update, set_postfix, close)."""
    if enabled and not sys.stderr.isatty():
        return ProgressLines(iterable, total=total, desc=desc, unit=unit, initial=initial)
    from tqdm import tqdm

    return tqdm(
        iterable,
        total=total,
        desc=desc,
        unit=unit,
        initial=initial,
        disable=not enabled,
        leave=False,
    )


class ProgressLines:
    """Progress as lines on stderr: 'DESC: N/TOTAL UNIT, S s[, postfix]' at each tenth of the
    total not too soon after the last line, after a quiet stretch, and for the last step."""

    def __init__(
        self,
        iterable: Iterable | None = None,
        *,
        total: int | None = None,
        desc: str,
        unit: str,
        initial: int = 0,
    ):
        if total is None and iterable is not None and hasattr(iterable, "__len__"):
            total = len(iterable)  # type: ignore[arg-type]
        self.iterable, self.total, self.desc, self.unit = iterable, total, desc, unit
        self.n = self.said = initial
        self.postfix = ""
        self.started = self.last_line = time.monotonic()
        self.stride = max(1, math.ceil(total * LINE_EVERY_SHARE)) if total else 0

    def __iter__(self) -> Iterator:
        for item in self.iterable or ():
            yield item
            self.update(1)
        self.close()

    def update(self, n: int = 1) -> None:
        before, self.n = self.n, self.n + n
        now = time.monotonic()
        crossed = bool(self.stride) and before // self.stride < self.n // self.stride
        gap = now - self.last_line
        if (crossed and gap >= LINE_GAP_S) or self.n == self.total or gap >= QUIET_LINE_S:
            self._say(now)

    def set_postfix(self, **values) -> None:
        """Shown on the following lines (not a line of its own: that would double them)."""
        self.postfix = "".join(f", {k}={v}" for k, v in values.items())

    def close(self) -> None:
        if self.n != self.said:
            self._say(time.monotonic())

    def _say(self, now: float) -> None:
        of = f"/{self.total}" if self.total else ""
        line = f"{self.desc}: {self.n}{of} {self.unit}, {now - self.started:.0f} s{self.postfix}"
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
        self.said, self.last_line = self.n, now


def say_line(line: str) -> None:
    """A line on stderr of its own while a bar may be drawn (the bar is redrawn below it)."""
    from tqdm import tqdm

    tqdm.write(line, file=sys.stderr)
