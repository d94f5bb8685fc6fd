"""The size of a loss the clock could not size, searched with the offset by the words.

Arrival alone gives one equation for two unknowns where a loss meets a queue: how much
watch time was lost, and where inside it the queue began (bench/notes/nd46.txt,
low46.txt). The time model records such a loss with a spread. The spoken words on both
sides of it can size it: a loss sized wrong moves every word after it against the ones
before, and the fit follows whichever side fits better (771_02: bench/notes/held46.txt).
So the aligner fits the loss's size with the offset, the way silkpipe.clock_fit fits the
clock scale: the motion after the loss is moved by each size tried, the whole offset fit
runs at each, and every shuffle gets the same maximisation over sizes before the best
size's quality is compared with them (trying sizes does not lift the chance level).
Rule and numbers: bench/notes/clock47.txt.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from silkpipe.class_evidence import z_over
from silkpipe.clock_envelope import BRACKET, LATE_QUEUE, WINDOW_PACE
from silkpipe.labels import Interval
from silkpipe.sessions import Motion
from silkpipe.transcripts import Command

if TYPE_CHECKING:
    from silkpipe.alignment import OffsetFit as Fit

#: The smallest size tried (seconds); a loss is never searched away.
MIN_SIZE_S = 0.1
#: Step between sizes tried, and most sizes tried at that step (else this many + 1 evenly).
STEP_S = 0.1
MAX_STEPS = 12


@dataclass
class Moved:
    """One searched loss: where it sits on the rebuilt clock and the size change taken."""

    arrival_s: float  # arrival time of the last row before the gap (the time model's key)
    rebuilt_s: float  # rebuilt time of the first row after the gap, before the change
    recorded_s: float  # the size the clock inserted
    delta_s: float  # fitted size - recorded size

    def row(self) -> list[float]:
        """[arrival s, recorded size, fitted size] (AlignmentReport.loss_sizes)."""
        size = self.recorded_s + self.delta_s
        return [round(float(x), 3) for x in (self.arrival_s, self.recorded_s, size)]


def size_range(size: float, spread: float, kind: str) -> tuple[float, float]:
    """The sizes a loss of this kind may have (clock_envelope._sized_lag): a bracket's
    middle is taken, but its low end is itself too high where the queue began at the loss
    (the stall-free pace reads a queue fast: bench/notes/low46.txt), so it reaches one
    spread lower (where the clock took the low end, a queue held the rows before the gap,
    one spread either side of it and one more below); a late queue's size is the top of
    its range, a window pace's the bottom."""
    if kind == BRACKET:
        lo, hi = size - 2.0 * spread, size + spread
    elif kind == LATE_QUEUE:
        lo, hi = size - spread, size
    elif kind == WINDOW_PACE:
        lo, hi = size, size + spread
    else:
        lo, hi = size - spread, size + spread
    return max(lo, MIN_SIZE_S), max(hi, MIN_SIZE_S)


def sizes_tried(size: float, spread: float, kind: str) -> np.ndarray:
    """The sizes tried for a loss (the recorded one always among them): STEP_S apart where
    the range holds MAX_STEPS of them or fewer, else MAX_STEPS + 1 evenly spaced."""
    lo, hi = size_range(size, spread, kind)
    steps = int(np.ceil((hi - lo) / STEP_S - 1e-9))
    grid = np.linspace(lo, hi, min(max(steps, 1), MAX_STEPS) + 1)
    return np.unique(np.round(np.append(grid, size), 3))


def _gap_end(motion: Motion, at: float) -> int | None:
    """Grid index of the first valid point after the invalid run the loss left before
    rebuilt time ``at`` (None where the grid shows no gap there)."""
    i = motion.index_of(at)
    lo, hi = max(i - 3, 1), min(i + 4, len(motion.t))
    ends = [p for p in range(lo, hi) if motion.valid[p] and not motion.valid[p - 1]]
    return min(ends, key=lambda p: abs(p - i)) if ends else None


def resized(motion: Motion, at: float, delta: float) -> Motion | None:
    """The motion with the loss before rebuilt time ``at`` longer by ``delta`` seconds
    (shorter where negative): invalid grid points added to or cut from its gap, the grid
    kept uniform. None where the gap cannot take the change (not on the grid, or too
    short to cut that much and keep one invalid point)."""
    end = _gap_end(motion, at)
    k = int(round(abs(delta) * motion.rate))
    if end is None:
        return None
    if k == 0:
        return motion
    data, valid = motion.data, motion.valid
    if delta < 0:
        start = end - 1
        while start > 0 and not valid[start - 1]:
            start -= 1
        if end - start - 1 < k:
            return None
        keep = np.r_[0 : end - k, end : len(valid)]
        data, valid = data[keep], valid[keep]
    else:
        data = np.insert(data, end, np.repeat(data[end - 1 : end], k, axis=0), axis=0)
        valid = np.insert(valid, end, np.zeros(k, dtype=bool))
    t = motion.t[0] + np.arange(len(valid)) / motion.rate
    moved = replace(motion, t=t, data=data, valid=valid)
    moved.time_model = _moved_model(motion.time_model, at, k / motion.rate * np.sign(delta))
    return moved


def _moved_model(tm: dict, at: float, delta: float) -> dict:
    """The time model's loss records on the moved clock: the loss at ``at`` resized, the
    rebuilt times of the first rows after it and after the ones later moved (the split
    rule reads them)."""
    tm = copy.deepcopy(tm)
    for loss in tm.get("uncertain_losses", []):
        if abs(loss[3] - at) < 1e-6:
            loss[1] = round(loss[1] + delta, 3)
        if loss[3] > at - 1e-6:
            loss[3] = round(loss[3] + delta, 3)
    for spread in tm.get("spread_losses", []):
        spread[3:5] = [round(x + delta, 3) if x > at - 1e-6 else x for x in spread[3:5]]
    return tm


def unsure_losses(motion: Motion, spread_s: float | None) -> list[tuple[list[float], str]]:
    """The time model's losses (record, kind) whose size may be off by more than
    ``spread_s``, in time order (none where spread_s is None): the ones the size search
    and the split rule (alignment._straddled_loss) read."""
    if spread_s is None:
        return []
    tm = motion.time_model
    losses = tm.get("uncertain_losses", [])
    kinds = tm.get("uncertain_loss_kinds") or [""] * len(losses)
    pairs = zip(losses, kinds, strict=True)
    return sorted(((loss, k) for loss, k in pairs if loss[2] > spread_s), key=lambda p: p[0][3])


def _sides(commands: list[Command], scale: float, offset: float, at: float) -> int:
    """Words on the fewer side of rebuilt time ``at`` at this fit."""
    before = sum(c.start * scale + offset < at for c in commands)
    return min(before, len(commands) - before)


def search_sizes(
    motion: Motion,
    commands: list[Command],
    first: Fit,
    fit_at: Callable[[Motion], Fit],
    spread_s: float | None,
    min_words: int,
    tie_z: float,
) -> tuple[Fit, Motion, list[Moved]]:
    """(the fit, the motion it was made on, the losses moved) over the sizes tried of each
    unsure loss (unsure_losses) with ``min_words`` words or more on each side, one loss
    after the other: the recorded size where its quality lies within ``tie_z`` of the best
    (as clock scales: sizes the words cannot tell apart only move the offset), else the
    size of best quality (the nearest to the recorded one in the tie left 670_00
    half-moved: bench/notes/clock47.txt); where a size moved, its quality a z over the
    shuffles' best over every size tried. ``first``: the fit at the recorded sizes,
    returned as is where none moved (the parent's fit and null: charging the search there
    cost right passes and bought nothing, bench/notes/clock47.txt)."""
    fit, moved, nulls = first, [], [first.null_quality]
    for loss, kind in unsure_losses(motion, spread_s):
        at = next(u[3] for u in motion.time_model["uncertain_losses"] if u[0] == loss[0])
        if _sides(commands, fit.scale, fit.offset_s, at) < min_words:
            continue
        tried = [(0.0, fit, motion)]
        for size in sizes_tried(loss[1], loss[2], kind):
            m = resized(motion, at, size - loss[1])
            if m is None or m is motion:
                continue
            tried.append((float(len(m.t) - len(motion.t)) / motion.rate, fit_at(m), m))
        nulls += [f.null_quality for _, f, _ in tried[1:]]
        best = max(tried, key=lambda x: x[1].quality)
        delta, fit, new = tried[0] if tried[0][1].quality >= best[1].quality - tie_z else best
        if delta:
            moved.append(Moved(loss[0], at, loss[1], delta))
        motion = new
    if not moved:
        return first, motion, moved
    null = np.max(nulls, axis=0)
    quality, p_value = z_over(fit.quality, null)
    null = (null - null.mean()) / (null.std() or 1.0)
    return replace(fit, quality=quality, p_value=p_value, null_quality=null), motion, moved


def on_recorded_clock(intervals: list[Interval], moved: list[Moved]) -> list[Interval]:
    """The labels put back on the time model's clock: times after each moved loss moved
    back by its change (a time inside an added gap to the gap's end)."""
    for m in reversed(moved):
        at_new = m.rebuilt_s + m.delta_s
        for iv in intervals:
            iv.start, iv.end = (_back(x, m.rebuilt_s, at_new) for x in (iv.start, iv.end))
    return intervals


def _back(x: float, at: float, at_new: float) -> float:
    if x >= at_new:
        return x - (at_new - at)
    return at if x >= at else x
