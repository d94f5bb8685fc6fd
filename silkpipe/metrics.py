"""Step metrics (placeholder interface; the observability work fills it in)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def step_metrics(args) -> Iterator[Callable[[dict], None]]:
    figures: dict = {}
    yield figures.update
