"""The watch rate read off the arrival envelope, and the losses its steps reveal.

A row never arrives before it was made, so the lower convex hull of arrival time against
row index (the clock-skew estimate of Moon, Skelly and Towsley) lies on production plus
the smallest latency wherever the stream runs in real time or its queue has drained. Its
edges give the watch's rows per second with a bound on the error; a later edge lying
higher than an earlier one is watch time lost in between. silkpipe.watch_clock builds the
count clock on both.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from silkpipe.watch_clock import ClockConfig, SpacingPairs

#: Which test gave an unseen loss its spread (_sized_lag): a queue bracketing the sending
#: pace (mid-range, either way), the recent window's pace, or the late queue
#: (_late_queue_spread: the size at the top of its range, so the loss can only be smaller).
BRACKET, WINDOW_PACE, LATE_QUEUE = "bracket", "window pace", "late queue"
SPREAD_KINDS = (BRACKET, WINDOW_PACE, LATE_QUEUE)


@dataclass
class RateEstimate:
    """The watch rate read off the arrival floor, with the bound on its relative error."""

    rate: float  # rows per second
    uncertainty: float  # |R_true / rate - 1| is at most this
    support_s: float  # seconds of arrival the envelope edges span
    edges: list[list[float]] = field(default_factory=list)  # [start s, end s, rows/s] each
    rows: list[tuple[int, int]] = field(default_factory=list)  # each edge's rows (from n0)
    disagreement: float = 0.0  # how far edges disagree beyond their own bounds (in uncertainty)


def lower_hull(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Indices of the lower convex hull of points sorted by x (monotone chain)."""
    hull: list[int] = []
    for i in range(len(x)):
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            if (y[b] - y[a]) * (x[i] - x[a]) < (y[i] - y[a]) * (x[b] - x[a]):
                break
            hull.pop()
        hull.append(i)
    return np.asarray(hull, dtype=int)


def _gap_jumps(pairs: SpacingPairs | None, row: int, cfg: ClockConfig) -> bool:
    """Whether the wrist turned across the arrival gap before file row ``row`` by more
    than the gyro allows in one period: by ``loss_turn_rad``, or, where the wrist is
    still, by ``still_turn_rad`` and ``still_turn_ratio`` times the largest such excess of
    the ``still_turn_pairs`` rotation pairs on either side (a still wrist's rotation vector
    moves by a milliradian or less per period; turned by tens of them across one gap, it
    turned while rows were missing)."""
    if pairs is None or not len(pairs.turn_row):
        return False
    j = int(np.searchsorted(pairs.turn_row, row))
    if j >= len(pairs.turn_row):
        return False
    excess = float(pairs.turn_excess[j])
    if excess >= cfg.loss_turn_rad:
        return True
    k = cfg.still_turn_pairs
    near = np.abs(np.r_[pairs.turn_excess[max(j - k, 0) : j], pairs.turn_excess[j + 1 : j + 1 + k]])
    return (
        excess >= cfg.still_turn_rad
        and len(near) > 0
        and excess >= cfg.still_turn_ratio * float(near.max())
    )


def envelope_cuts(
    t: np.ndarray, cfg: ClockConfig, pairs: SpacingPairs | None = None, n0: int = 0
) -> np.ndarray:
    """The arrival gaps the envelope must not span: all but the delays.

    A gap is a delay (a stall: rows held, none lost) when arrival after it runs faster
    than R until latency is back to its lowest in the ``steady_window_s`` before the gap
    (less than half ``min_loss_s`` higher, which allows for R being off) within
    ``stall_catchup`` times the rows the gap held, the stream arrived in real time just
    before it (latency there within a quarter of ``min_loss_s`` of that lowest, and so is
    the lowest before the window's last half second: after a loss in a draining backlog
    the queue drains below where it was, and a draining queue lies above its last row
    everywhere before it, while a stall's burst only lifts rows above the floor), and the
    rotation vector does not jump across it (_gap_jumps). The window starts no earlier
    than the latest gap kept as a cut: latency before a loss lies lower by what was lost,
    so a stall soon after it would read as behind by the loss. A loss steps latency up
    for good, which the convex hull cannot follow, so it cuts.
    """
    cuts = np.flatnonzero(np.diff(t) > cfg.gap_s) + 1
    k1 = max(int(cfg.min_steady_s * cfg.rate), 1)
    k5 = max(int(cfg.steady_window_s * cfg.rate), 1)
    e = t - np.arange(len(t)) / cfg.rate
    keep = []
    last = 0  # the first row after the latest loss kept: latency before it lies lower
    for c in cuts:
        before = e[max(c - k5, last) : c].min()
        k = int(cfg.stall_catchup * (t[c] - t[c - 1]) * cfg.rate) + k1
        caught = e[c : c + k].min() - before < cfg.min_loss_s / 2
        caught &= e[c - 1] - before < cfg.min_loss_s / 4  # at the floor, not draining
        recent = e[max(c - k5, last) : c - k1 // 2]
        caught &= not len(recent) or recent.min() - e[c - 1] < cfg.min_loss_s / 4
        still = not _gap_jumps(pairs, n0 + int(c), cfg)
        keep.append(not (caught and still))
        last = int(c) if keep[-1] else last
    return cuts[np.asarray(keep, dtype=bool)] if len(cuts) else cuts


def envelope_edges(
    t: np.ndarray,
    cfg: ClockConfig,
    pairs: SpacingPairs | None = None,
    n0: int = 0,
    stalled: bool = False,
) -> list[tuple[int, int]]:
    """(first, last) row of each lower-envelope edge that can carry the watch rate.

    A row never arrives before it was made, so the lower convex hull of arrival against
    row index lies on production plus the smallest latency wherever the stream runs in
    real time or its queue has drained, and bridges over backlogs. A loss steps
    production up, which a convex hull cannot follow, so the hull is taken separately
    between arrival gaps that are losses (envelope_cuts: a delay is spanned; ``pairs``
    and ``n0`` place the rotation check in file rows). Edges shorter than ``min_edge_s``
    or off R by more than ``rate_band`` (a backlog that never drains, a step) carry no
    rate, nor do edges with an end that is no contact (_steady_at: a queue still draining
    there, or a host stall's burst at the stream's end), unless ``stalled``: then such an
    edge is cut at its last contact (_last_contact), and kept if it still carries R.
    """
    edges: list[tuple[int, int]] = []
    cuts = envelope_cuts(t, cfg, pairs, n0)
    for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(t)], strict=True):
        if hi - lo < 2:
            continue
        v = lower_hull(np.arange(lo, hi, dtype=np.float64), t[lo:hi]) + lo
        for a, b in zip(v[:-1], v[1:], strict=True):
            if _carries_rate(t, int(a), int(b), cfg):
                if not _steady_at(t, int(a), cfg):
                    continue
                end = int(b) if _steady_at(t, int(b), cfg) else None
                if end is None and stalled:
                    end = _last_contact(t, int(a), int(b), cfg)
                if end is not None:
                    edges.append((int(a), end))
    return edges


def _carries_rate(t: np.ndarray, a: int, b: int, cfg: ClockConfig) -> bool:
    """Whether rows a-b span ``min_edge_s`` and arrive within ``rate_band`` of R: an edge
    shorter, or further off (a backlog that never drains, a step), carries no rate."""
    span = float(t[b] - t[a])
    return span >= cfg.min_edge_s and abs((b - a) / span / cfg.rate - 1) <= cfg.rate_band


def _last_contact(t: np.ndarray, a: int, b: int, cfg: ClockConfig) -> int | None:
    """The last row c before hull vertex b that lies on the edge a-b (within
    ``latency_jitter_s``), at least ``min_edge_s`` after a, and is a contact (_steady_at);
    None without one, or where the edge a-c is off R by more than ``rate_band``. A host
    stall just before the stream ends leaves b no steady side, though the rows up to the
    stall ran in real time (held-out 1872_01, bench/notes/ho8diag65.txt)."""
    rows = np.arange(a + 1, b)
    inside = t[a + 1 : b]
    line = t[a] + (rows - a) * (t[b] - t[a]) / (b - a)
    on = rows[(inside - line <= cfg.latency_jitter_s) & (inside - t[a] >= cfg.min_edge_s)]
    for c in on[::-1]:
        if _steady_at(t, int(c), cfg):
            return int(c) if _carries_rate(t, a, int(c), cfg) else None
    return None


def _steady_at(t: np.ndarray, v: int, cfg: ClockConfig) -> bool:
    """Whether the rows on one side of row v arrive at R (within ``steady_tolerance``): v
    is then a contact of real-time arrival, not a row at the end of a queue that drains
    faster than the watch makes rows. A side is ``min_steady_s`` of rows at R, or the rows
    between v and an arrival pause over ``gap_s`` inside them (a host stall: what arrives
    after it is its held rows' burst, not the pace; real-time stretches with a stall every
    second or so have contacts too), where they span enough seconds that arrival jitter
    (``latency_jitter_s`` at each end) cannot move their rate out of the tolerance."""
    k = max(int(cfg.min_steady_s * cfg.rate), 2)
    shortest = 2 * cfg.latency_jitter_s / cfg.steady_tolerance
    for lo, hi in ((v - k, v), (v, v + k)):
        if lo < 0 or hi >= len(t):
            continue
        runs = [(lo, hi)]
        pauses = np.flatnonzero(np.diff(t[lo : hi + 1]) > cfg.gap_s)
        if len(pauses):  # the rows between v and the stall nearest to it
            runs.append((lo + int(pauses[-1]) + 1, hi) if hi == v else (lo, lo + int(pauses[0])))
        for a, b in runs:
            span = t[b] - t[a]
            if (
                b > a
                and span >= shortest
                and abs((b - a) / span / cfg.rate - 1) <= cfg.steady_tolerance
            ):
                return True
    return False


def envelope_rate(
    arrival: np.ndarray,
    n0: int,
    cfg: ClockConfig,
    pairs: SpacingPairs | None = None,
    stalled: bool = False,
) -> RateEstimate | None:
    """Rows/s from the lower envelope of arrival against row index (the lower-hull clock
    skew estimate of Moon, Skelly and Towsley), with a bound on its error.

    Each edge's ends lie within ``latency_jitter_s`` of production plus the latency
    floor, so its rate is off by at most 2 * jitter / span; edges are pooled weighted by
    span squared. Where edges disagree by more than their bounds allow (the floor moves,
    or a step hid in a backlog), the excess widens the bound. None without an edge.
    """
    t = np.asarray(arrival[n0:], dtype=np.float64)
    if len(t) < 2 or np.any(np.diff(t) < 0):
        return None
    found = envelope_edges(t, cfg, pairs, n0, stalled)
    if not found:
        return None
    spans = np.array([t[b] - t[a] for a, b in found])
    rates = np.array([(b - a) / (t[b] - t[a]) for a, b in found])
    w = spans**2
    rate = float((w * rates).sum() / w.sum())
    own = 2 * cfg.latency_jitter_s / spans
    bound = float((w * own).sum() / w.sum())
    excess = float(np.clip(np.abs(rates / rate - 1) - own, 0.0, None).max())
    return RateEstimate(
        rate,
        bound + excess,
        float(spans.sum()),
        [
            [round(float(t[a]), 2), round(float(t[b]), 2), round(r, 3)]
            for (a, b), r in zip(found, rates, strict=True)
        ],
        found,
        excess,
    )


def _turn_jump(pairs: SpacingPairs | None, lo: int, hi: int, cfg: ClockConfig) -> int | None:
    """The row (file order) in (lo, hi] where the wrist turned far more than the gyro
    allows in one period, and clearly more than anywhere else there; None without one."""
    if pairs is None or not len(pairs.turn_row):
        return None
    inside = (pairs.turn_row > lo) & (pairs.turn_row <= hi)
    excess = np.sort(pairs.turn_excess[inside])
    if not len(excess) or excess[-1] < cfg.loss_turn_rad:
        return None
    if len(excess) > 1 and excess[-1] < cfg.loss_turn_margin * excess[-2]:
        return None
    rows = pairs.turn_row[inside]
    return int(rows[np.argmax(pairs.turn_excess[inside])])


def envelope_losses(
    arrival: np.ndarray,
    n0: int,
    est: RateEstimate,
    cfg: ClockConfig,
    pairs: SpacingPairs | None = None,
    inserted: np.ndarray | None = None,
) -> tuple[np.ndarray, list[list[float]], list[tuple[int, int, float]]]:
    """Seconds of lost watch time before each row (cumulative), the losses found, and
    the ones spread (file rows of the first and last row such a loss may lie before, its
    seconds), from steps of the envelope between its edges (``inserted``: losses already found,
    e.g. by unseen_gap_losses, which a step between two edges then leaves out, and the
    latency it is placed by is read net of).

    Against the count clock at the envelope rate, each edge lies on production plus the
    latency floor, and so (after the stale burst) does the anchor row, n0; where a later
    edge lies higher by ``min_loss_s`` or more, that much watch time was lost in between
    (before the first edge too: a loss in a backlog that drains before any edge).
    Causality (no row made after it arrived) allows it anywhere from where the suffix
    minimum of the latency starts to rise (the earliest) to the next edge (the latest).
    Where the suffix minimum rises by most of the step at one row, the loss happened in
    real time there (an arrival gap): it is put there (what the minimum had risen by
    before that row, and what it still rises by after it, where the rotation jumps:
    _place).
    Hidden in a backlog, it is put where the rotation vector jumps between consecutive
    rows (``pairs``: _turn_jump), else at the one arrival gap that never catches up with
    the queue's pace by the step (_lagged_gap: the lost rows took sending time); without
    either, half of it is inserted each way, so no row is off by more than half the loss,
    and it is returned as spread: the rows it may lie among are that far off at most.
    """
    inserted = np.zeros(len(arrival)) if inserted is None else inserted
    pairs = _jumps_unexplained(pairs, inserted)
    losses: list[list[float]] = []
    spread: list[tuple[int, int, float]] = []
    t = np.asarray(arrival[n0:], dtype=np.float64)
    e = t - np.arange(len(t)) / est.rate
    edges = [(0, 0), *sorted(est.rows)]  # the anchor row: the stream starts in real time
    for (_, b), (c, _) in zip(edges[:-1], edges[1:], strict=True):
        if c <= b:
            continue
        net = e[b : c + 1] - inserted[n0 + b : n0 + c + 1]  # latency less the losses found
        step = net[-1] - net[0]  # lost between, unfound
        if step < cfg.min_loss_s:
            continue
        suffix = np.minimum.accumulate(net[::-1])[::-1]
        ramp = np.clip(suffix - net[0], 0.0, step)
        first = b + int(np.argmax(ramp > 0))
        at = _place(t, n0, b, c, first, step, ramp, pairs, est.rate, cfg)
        if at:  # each part of the step from its row on
            ramp = sum(np.where(np.arange(len(ramp)) >= k - b, size, 0.0) for k, size in at)
        else:
            ramp = ramp / 2
            at = [(b + int(np.argmax(ramp > step / 2)), step)]
            spread.append((n0 + first, n0 + c, round(float(step), 3)))
        inserted[n0 + b : n0 + c] += ramp[:-1]
        inserted[n0 + c :] += step
        losses += [[round(float(t[k - 1]), 3), round(float(size), 3)] for k, size in at]
    return inserted, losses, spread


def _jumps_unexplained(pairs: SpacingPairs | None, inserted: np.ndarray) -> SpacingPairs | None:
    """``pairs`` with the rotation jumps at losses already inserted (``inserted``, file
    rows) left out: each jump marks one loss, and a step between envelope edges is net of
    the losses found, so what is left of it went elsewhere."""
    found = np.flatnonzero(np.diff(inserted) > 0) + 1
    if pairs is None or not len(found) or not len(pairs.turn_row):
        return pairs
    at = np.searchsorted(pairs.turn_row, found)
    excess = pairs.turn_excess.copy()
    excess[at[at < len(excess)]] = 0.0
    return replace(pairs, turn_excess=excess)


def _place(
    t: np.ndarray,
    n0: int,
    b: int,
    c: int,
    first: int,
    step: float,
    ramp: np.ndarray,
    pairs: SpacingPairs | None,
    rate: float,
    cfg: ClockConfig,
) -> list[tuple[int, float]]:
    """Where the ``step`` lost between envelope edges b and c went: [(first row after it,
    seconds)] (rows from n0), [] when nothing says (envelope_losses then spreads it).

    All of it at a real-time arrival gap where the suffix minimum of the latency (``ramp``)
    rises by most of it; but where it had already risen by ``min_loss_s`` or more before
    that row, that much was lost earlier: it goes where the rotation jumps before that
    row (_turn_jump; without one, with the rest), and what it still rises by after that
    row, where the rotation jumps after it (_rest_after_gap). Otherwise at the rotation
    jump, else at the one arrival gap that stays behind by the step (_lagged_gap), else
    at the one arrival gap the wrist jumps across (_jumped_gap). Where none of those
    holds, two losses: one at the arrival gap that holds ``min_loss_s`` or more of it,
    one before it where the rotation jumps (_gap_and_turn_before)."""
    jumps = np.diff(ramp)
    j = int(np.argmax(jumps)) + 1 if len(jumps) else 0  # ramp index after the largest jump
    largest = float(jumps[j - 1]) if len(jumps) else 0.0
    if largest >= step / 2:
        at = _gap_and_turn_before(ramp, j, n0, b, first, step, pairs, cfg) or [(b + j, step)]
        return _rest_after_gap(at, ramp, j, (n0, b, c), pairs, rate, cfg)
    turn = _turn_jump(pairs, n0 + first, n0 + c, cfg)
    if turn is not None:
        return [(turn - n0, step)]
    lagged = _lagged_gap(t, first, c, rate, step, cfg)
    if lagged is None:
        lagged = _jumped_gap(t, n0, first, c, pairs, cfg)
    if lagged is not None:
        return [(lagged, step)]
    if largest >= cfg.min_loss_s:  # two losses: one in real time
        return _gap_and_turn_before(ramp, j, n0, b, first, step, pairs, cfg) or []
    return []


def _rest_after_gap(
    at: list[tuple[int, float]],
    ramp: np.ndarray,
    j: int,
    rows: tuple[int, int, int],
    pairs: SpacingPairs | None,
    rate: float,
    cfg: ClockConfig,
) -> list[tuple[int, float]]:
    """``at`` with what the latency's suffix minimum still rises by after the arrival gap
    at ramp index ``j`` (``min_loss_s`` or more) moved from the gap to where the rotation
    jumps after it: a second loss, hidden in the backlog after the gap, that the step
    between the edges holds too (held-out 1992_01, bench/notes/pieces68.txt). Only where
    the minimum stays level for ``min_steady_s`` after the gap: rows then arrived in real
    time, so the gap's share is what it rose by there; rising at once, a queue held part
    of the later loss at the gap and the split is unknown (1972_00). The jump is looked
    for from where the minimum rises again (no row is made after it arrived), past the
    rotation pair across the gap itself. Otherwise ``at`` as it is. ``rows``: n0, and the
    step's edges b and c."""
    n0, b, c = rows
    rest = float(ramp[-1] - ramp[j])
    if rest < cfg.min_loss_s or pairs is None or not len(pairs.turn_row):
        return at
    rises = j + int(np.argmax(ramp[j:] > ramp[j] + cfg.latency_jitter_s))  # the rest begins
    if (rises - j) / rate < cfg.min_steady_s:
        return at
    across = np.searchsorted(pairs.turn_row, n0 + b + j)  # the pair across the gap
    lo = n0 + b + rises - 1
    if across < len(pairs.turn_row):
        lo = max(lo, int(pairs.turn_row[across]))
    where = _turn_jump(pairs, lo, n0 + c, cfg)
    if where is None:
        return at
    *before, (gap, size) = at
    return [*before, (gap, size - rest), (where - n0, rest)]


def _gap_and_turn_before(
    ramp: np.ndarray,
    j: int,
    n0: int,
    b: int,
    first: int,
    step: float,
    pairs: SpacingPairs | None,
    cfg: ClockConfig,
) -> list[tuple[int, float]] | None:
    """Two losses in one step: what the latency's suffix minimum had risen by before the
    arrival gap at ramp index ``j`` (``min_loss_s`` or more) where the rotation jumps before
    that gap, the rest at the gap; None without such a rise or jump. Where the gap holds
    under half the step, the one-jump test over the whole step cannot hold (the gap's own
    rotation jump stands beside the earlier one: held-out 1686_02, bench/notes/false63.txt),
    so only this test, over the rows before the gap, places it."""
    early = float(ramp[j - 1])
    if early < cfg.min_loss_s:
        return None
    where = _turn_jump(pairs, n0 + first, n0 + b + j - 1, cfg)
    return None if where is None else [(where - n0, early), (b + j, step - early)]


def _jumped_gap(
    t: np.ndarray, n0: int, lo: int, hi: int, pairs: SpacingPairs | None, cfg: ClockConfig
) -> int | None:
    """The row (from n0) after the one arrival gap in (lo, hi] that the wrist jumps across
    (_gap_jumps, its still-wrist test included); None without exactly one. A step between
    envelope edges says rows were lost; where no clear turn and no lag says where (a queue
    that drains right after the gap catches its lag up), the one gap across which the wrist
    turned more than a stall allows does."""
    gaps = np.flatnonzero(np.diff(t[lo : hi + 1]) > cfg.gap_s) + lo + 1
    found = [int(g) for g in gaps if _gap_jumps(pairs, n0 + int(g), cfg)]
    return found[0] if len(found) == 1 else None


def _pace(rows: np.ndarray, rate: float) -> float | None:
    """Rows per second of consecutive arrival times, at most ``rate`` (faster is a
    stall's held rows catching up, not the pace of sending); None for too few."""
    if len(rows) < 2 or rows[-1] <= rows[0]:
        return None
    return min((len(rows) - 1) / (rows[-1] - rows[0]), rate)


def _pace_before(t: np.ndarray, g: int, rate: float, cfg: ClockConfig) -> float | None:
    """The pace the rows lost at the arrival gap at row g were sent at (_paces_before)."""
    return _paces_before(t, g, rate, cfg)[0]


def _paces_before(
    t: np.ndarray, g: int, rate: float, cfg: ClockConfig
) -> tuple[float | None, float | None]:
    """(pace the lost rows were sent at, _pace of the ``steady_window_s`` of rows before
    the arrival gap at row g). The first is the window's, or the sending pace of the last
    ``recent_pace_s`` of its rows where that is slower by more than ``pace_drop``: a queue
    began inside the window, and the rows lost in the gap were sent at its pace, not at the
    window's mix of real time and queue. Those rows lie inside the window (a longer
    ``recent_pace_s`` would mix in an older pace the lost rows were not sent at);
    ``recent_pace_s`` 0 (under two rows) reads none: the window's pace alone."""
    k = max(int(cfg.steady_window_s * rate), 2)
    pace = _pace(t[max(g - k, 0) : g], rate)
    last = min(int(cfg.recent_pace_s * rate), k)
    recent = _sending_pace(t[max(g - last, 0) : g], rate, cfg) if last >= 2 else None
    if pace is not None and recent is not None and recent < pace * (1 - cfg.pace_drop):
        return recent, pace
    return pace, pace


def _sending_pace(rows: np.ndarray, rate: float, cfg: ClockConfig) -> float | None:
    """_pace with the arrival pauses over ``gap_s`` left out of the seconds: a stall holds
    rows that then arrive in one burst, and a window that ends in the burst would read
    the stall as slow sending."""
    steps = np.diff(rows)
    sending = float(steps[steps <= cfg.gap_s].sum())
    return min((len(rows) - 1) / sending, rate) if sending > 0 else None


def _gap_lag(t: np.ndarray, g: int, rate: float, cfg: ClockConfig) -> float:
    """Watch seconds missing at the arrival gap before row g (t: arrival from the anchor):
    _lag_at the pace the lost rows were sent at."""
    return _lag_at(t, g, rate, _pace_before(t, g, rate, cfg), cfg)


def _lag_at(t: np.ndarray, g: int, rate: float, pace: float | None, cfg: ClockConfig) -> float:
    """How far arrival after the gap before row g stays behind the line the rows before
    it arrived on (at ``pace``, a queue's send rate, at most R), in rows over R. A stall
    catches up (0); sending time spent on rows that never arrived does not."""
    if pace is None:
        return 0.0
    gap = t[g] - t[g - 1]
    seg = t[g : g + int(cfg.stall_catchup * gap * pace) + int(cfg.min_steady_s * rate)]
    pred = t[g - 1] + np.arange(1, len(seg) + 1) / pace
    return float(np.min(seg - pred)) * pace / rate if len(seg) else 0.0


def _floor_lag(
    t: np.ndarray, g: int, rate: float, cfg: ClockConfig, found: np.ndarray
) -> float | None:
    """Watch seconds missing at the arrival gap before row g, measured at R from the
    latency floor of the ``steady_window_s`` of rows before it; None unless they were sent
    at R (_sending_pace, stalls left out, within ``pace_drop``: over the window and its last
    ``recent_pace_s``). In real time a stall holds rows back and their burst then catches
    up; a stall right before a loss never catches up, so the last row's arrival (the line
    _lag_at starts from) lies late by what it held, and the window's pace, read with the
    stall in it, lies below R: both size the loss short. None too where the last row
    lies at the floor (within ``min_loss_s`` / 4, envelope_cuts's test): nothing held it,
    and the line from it is the one _lag_at reads; and where the row before the window's
    last arrival pause (the stall) lies above the floor by as much: a queue grew up to the
    stall (stalls inside a queue arrive in bursts that read as sent at R). ``found``:
    watch seconds already inserted before each row (cumulative, from the anchor), so that
    a loss found earlier in the window is not counted again."""
    lo, pauses = _stalls_before(t, g, rate, cfg)
    if not _sent_at_rate(t, lo, g, rate, cfg):
        return None
    gap = t[g] - t[g - 1]
    hi = min(g + int(cfg.stall_catchup * gap * rate) + int(cfg.min_steady_s * rate), len(t))
    latency = _net_latency(t, lo, hi, rate, found)
    floor = latency[: g - lo].min()
    if latency[g - lo - 1] - floor < cfg.min_loss_s / 4 or not len(pauses):
        return None  # the last row was not held, or nothing paused to hold it
    if _queue_before_stall(latency, pauses, floor, cfg):
        return None
    return float(latency[g - lo :].min() - floor)


def _queue_after_stall(
    t: np.ndarray, g: int, rate: float, cfg: ClockConfig, found: np.ndarray
) -> float | None:
    """The pace of a queue sending below R between the last stall in the
    ``steady_window_s`` before the arrival gap at row g and the gap; None without one.

    A stall's held rows arrive in a burst, so the seconds after it read as sent at R; in
    real time the burst catches up and latency stays at its lowest, while a queue's
    latency rises again after its lowest (by ``min_loss_s`` / 4 or more, envelope_cuts's
    test). The rows from that lowest to the gap were sent at the queue's pace, and so were
    the rows lost in the gap. ``found``: watch seconds already inserted (as _floor_lag)."""
    lo, pauses = _stalls_before(t, g, rate, cfg)
    if not len(pauses):
        return None
    after = lo + int(pauses[-1]) + 1  # the first row after the stall
    latency = _net_latency(t, after, g, rate, found)
    lowest = int(np.argmin(latency))
    if latency[-1] - latency[lowest] < cfg.min_loss_s / 4:
        return None
    return _pace(t[after + lowest : g], rate)


def _sent_at_rate(t: np.ndarray, lo: int, g: int, rate: float, cfg: ClockConfig) -> bool:
    """Whether rows lo..g-1, and their last ``recent_pace_s``, were sent within
    ``pace_drop`` of R (_sending_pace, stalls left out): a stream in real time before the
    gap at row g, as _floor_lag and _realtime_step ask."""
    last = max(int(cfg.recent_pace_s * rate), 2)
    for rows in (t[lo:g], t[max(g - last, 0) : g]):
        pace = _sending_pace(rows, rate, cfg)
        if pace is None or pace < rate * (1 - cfg.pace_drop):
            return False
    return True


def _stalls_before(t: np.ndarray, g: int, rate: float, cfg: ClockConfig) -> tuple[int, np.ndarray]:
    """(lo, pauses): the first row of the ``steady_window_s`` before the arrival gap at row
    g, and the arrival pauses over ``gap_s`` in it (the stalls: pause p lies before row
    lo + p + 1)."""
    lo = max(g - max(int(cfg.steady_window_s * rate), 2), 0)
    return lo, np.flatnonzero(np.diff(t[lo:g]) > cfg.gap_s)


def _net_latency(t: np.ndarray, a: int, b: int, rate: float, found: np.ndarray) -> np.ndarray:
    """Latency of rows a..b-1 against the count clock at ``rate``, less the watch seconds
    already inserted before them (``found``)."""
    return t[a:b] - np.arange(a, b) / rate - found[a:b]


def _sized_lag(
    t: np.ndarray, g: int, rate: float, cfg: ClockConfig, found: np.ndarray
) -> tuple[float, float, str]:
    """(watch seconds lost at the gap before row g, how far off they may be, which test
    gave that spread: SPREAD_KINDS).

    The lag at the pace before the gap counts its missing sending time. Where rows
    arrive slower right after it (``min_steady_s`` of them), a queue began by then, maybe
    inside the loss (_sending_pace: stalls left out): the lost rows were sent at a pace
    between the two, so the loss lies between the lag times after / before and the lag;
    the middle is taken, off by at most half that range (which the time model records);
    but where the rows right after the gap still arrive in real time (_realtime_after),
    the queue began after the loss and the lag is it, and where the queue already held
    the rows before the gap and began inside the rows the pace before was read over
    (_queue_held_last_row), it began before the loss and the low end is it (the range
    recorded as before either way: the loss rules read it).
    Where the pace before is the recent one, rows dropped in the last second read the
    same as a queue beginning: the loss may reach the lag at the window's pace too."""
    before, window = _paces_before(t, g, rate, cfg)
    queue = _queue_after_stall(t, g, rate, cfg, found)
    queue_paced = queue is not None and before is not None and queue < before * (1 - cfg.pace_drop)
    if queue_paced:
        before = queue  # the queue's own pace, read from its start: the lag counts it
    lag = _lag_at(t, g, rate, before, cfg)
    far = max(_lag_at(t, g, rate, window, cfg) - lag, 0.0) if window != before else 0.0
    floor_lag = None if queue is not None else _floor_lag(t, g, rate, cfg, found)
    if floor_lag is not None:  # sent in real time: the stalls before it held rows, no more
        before, lag, far = rate, floor_lag, 0.0
    realtime = _realtime_after(t, g, rate, cfg)
    after = _slower_pace(t, g, rate, cfg.min_steady_s, before, cfg)
    if after is None and not realtime:
        after = _hidden_queue(t, g, rate, before, cfg)
    if before is None or after is None:
        if far:
            return lag, far, WINDOW_PACE
        late = _late_queue_spread(t, g, rate, lag, before, cfg)
        return lag, late, LATE_QUEUE if late else ""
    low = lag * after / before
    size = lag if realtime else (lag + low) / 2  # the queue began after the loss, or inside
    read_s = cfg.steady_window_s if before == window else cfg.recent_pace_s
    if not realtime and cfg.queue_onset_low and not queue_paced:
        if _queue_held_last_row(t, g, rate, cfg, found, read_s):
            size = low  # the queue began before the loss: every lost row went at its pace
    return size, (lag - low) / 2 + far, BRACKET


def _queue_held_last_row(
    t: np.ndarray, g: int, rate: float, cfg: ClockConfig, found: np.ndarray, read_s: float
) -> bool:
    """Whether a queue that began inside the last ``read_s`` before the arrival gap at row
    g (the rows the pace before it was read over) already held the last row before it:
    that row lies above the ``steady_window_s``'s latency floor (against the count clock
    at R) by ``min_loss_s`` / 4 or more (envelope_cuts's test), and so does the row before
    the window's last arrival pause, if any (else a host stall right before the loss held
    the rows, whose burst never caught up, as _floor_lag reads it); and rows lay on the
    floor inside those ``read_s`` and after the window's first ``min_steady_s`` (a queue
    begun before them reads at its own pace there, the lag's). That pace then mixes real
    time and queue, so the lag at it counts the lost rows' sending time too fast; they
    went at the queue's pace, as the rows after the gap do (14 of 15 fast-pace brackets
    oversized, median +0.64 s: bench/notes/bracket61.txt, onset62.txt)."""
    lo, pauses = _stalls_before(t, g, rate, cfg)
    latency = _net_latency(t, lo, g, rate, found)
    floor, held = float(latency.min()), cfg.min_loss_s / 4
    on_floor = np.flatnonzero(latency <= floor + 2 * cfg.latency_jitter_s)
    since_floor = (g - lo - 1 - int(on_floor[-1])) / rate
    began_inside = since_floor < min(read_s, cfg.steady_window_s - cfg.min_steady_s)
    by_queue = not len(pauses) or _queue_before_stall(latency, pauses, floor, cfg)
    return bool(latency[-1] - floor >= held and by_queue and began_inside)


def _queue_before_stall(
    latency: np.ndarray, pauses: np.ndarray, floor: float, cfg: ClockConfig
) -> bool:
    """Whether the row before the last arrival pause in ``pauses`` (_stalls_before) already
    lay above the latency ``floor`` by ``min_loss_s`` / 4: a queue grew up to that stall, so
    it, not the stall, held the rows after it (False without a pause)."""
    return bool(len(pauses)) and bool(latency[pauses[-1]] - floor >= cfg.min_loss_s / 4)


def _realtime_after(t: np.ndarray, g: int, rate: float, cfg: ClockConfig) -> bool:
    """Whether the rows right after the gap at row g were still sent in real time: the
    latency floor after it (suffix minimum against the count clock at R, over the
    ``steady_window_s`` of rows after it) stays within 2 x ``latency_jitter_s`` of where it
    starts for ``realtime_after_s`` of rows or more, read from the first row at the floor
    (a stall's held rows arrive in a burst above it, and a burst reads level: real
    647_01). A queue that began inside the loss leaves the first row after the gap with a
    backlog that grows from that row on; one that began after the loss lets rows arrive
    at R until it begins, so the lost rows were sent at the pace before the gap, and the
    slower pace a second after it says nothing of them (real 719_01; both in
    bench/notes/nd46.txt)."""
    if cfg.realtime_after_s is None:
        return False
    rows = t[g : g + max(int(cfg.steady_window_s * rate), 2)]
    latency = rows - np.arange(len(rows)) / rate
    floor = np.minimum.accumulate(latency[::-1])[::-1]
    tol = 2 * cfg.latency_jitter_s
    start = int(np.argmax(latency <= floor + tol))  # a stall's burst before it was held
    rising = floor[start:] > floor[start] + tol
    level = int(np.argmax(rising)) if rising.any() else len(rising)
    return level >= cfg.realtime_after_s * rate


def _slower_pace(
    t: np.ndarray, g: int, rate: float, window_s: float, before: float | None, cfg: ClockConfig
) -> float | None:
    """The sending pace of the rows over ``window_s`` after the gap at row g where it is
    slower than ``before`` by ``pace_drop`` (a queue began by then), else None."""
    if before is None:
        return None
    after = _sending_pace(t[g : g + max(int(window_s * rate), 2)], rate, cfg)
    return after if after is not None and after < before * (1 - cfg.pace_drop) else None


def _hidden_queue(
    t: np.ndarray, g: int, rate: float, before: float | None, cfg: ClockConfig
) -> float | None:
    """The pace of a queue that began inside the loss before row g where the host's stalls
    hide it: rows after the gap arrive in bursts between pauses over ``gap_s``, which
    _sending_pace leaves out, so they read as sent at R, yet they are not in real time
    (_sized_lag asks only where _realtime_after says so). Their latency floor against
    the count clock at R (suffix minimum over twice ``min_steady_s`` of rows, so a stall's
    burst that catches up later is no rise) rises by X over the first ``min_steady_s`` of
    them: sent at n / (n / R + X). Returned where slower than ``before`` by ``pace_drop``,
    else None (1182_03, a loss sized 1.1 s too big: bench/notes/hidden58.txt)."""
    if not cfg.queue_pace_from_floor or before is None:
        return None
    n = max(int(cfg.min_steady_s * rate), 2)
    rows = t[g : g + 2 * n]
    if len(rows) <= n:
        return None
    latency = rows - np.arange(len(rows)) / rate
    floor = np.minimum.accumulate(latency[::-1])[::-1]
    pace = n / (n / rate + max(float(floor[n] - floor[0]), 0.0))
    return pace if pace < before * (1 - cfg.pace_drop) else None


def _late_queue_spread(
    t: np.ndarray, g: int, rate: float, lag: float, before: float | None, cfg: ClockConfig
) -> float:
    """How far a loss sized with no bracket may be off: where rows after the gap at row g
    arrive slower than ``before`` (by ``pace_drop``) over ``queue_window_s`` though not
    over ``min_steady_s``, a queue began inside the loss and its first rows arrived at
    full pace (real 678_00, oversized: bench/notes/diag44.txt); the lost rows may then
    have been sent at the slower pace, so the loss may be as small as lag * after /
    before. The size is kept (a wider window moving it sized losses a queue had already
    bracketed worse: bench/notes/diag44.txt); the whole range is its spread."""
    after = _slower_pace(t, g, rate, cfg.queue_window_s, before, cfg)
    return 0.0 if before is None or after is None else lag - lag * after / before


def _lagged_gap(
    t: np.ndarray, lo: int, hi: int, rate: float, step: float, cfg: ClockConfig
) -> int | None:
    """The row (from n0) after the one arrival gap in (lo, hi] that arrival after it never
    catches up by about ``step`` watch seconds (_gap_lag within ``lag_match`` of it); None
    without exactly one. Only where a step between envelope edges already says that much
    was lost: alone, a lag is no loss (real queues that never drain fall behind at every
    stall, bench/notes/arrival_stalls.txt)."""
    found = []
    for g in np.flatnonzero(np.diff(t[lo : hi + 1]) > cfg.gap_s) + lo + 1:
        if abs(_gap_lag(t, int(g), rate, cfg) - step) <= cfg.lag_match * step:
            found.append(int(g))
    return found[0] if len(found) == 1 else None


def unseen_gap_losses(
    arrival: np.ndarray,
    n0: int,
    rate: float,
    inserted: np.ndarray,
    cfg: ClockConfig,
    pairs: SpacingPairs | None,
    seen: tuple[int, int] | None,
    turned_only: bool = False,
) -> list[tuple[float, float, float, str]]:
    """Losses at arrival gaps the other finders cannot see (in ``inserted``, cumulative,
    in place): a queue that never drains leaves no later envelope edge to step up, and a
    backlog hides a loss from the latency test. A gap is a loss when arrival after it never
    catches up with the pace before it (_sized_lag at least ``min_loss_s``) and the rotation
    vector jumps across it (_gap_jumps: by ``loss_turn_rad``, or by far more than the
    still wrist around it): a host stall inside a queue also stays behind, but the wrist
    turns across it by one period only. A pause longer than ``stall_s`` by more than the
    arrival jitter at its two rows (2 x ``latency_jitter_s``) is no host stall, so there
    the lag alone says rows were lost (a still wrist does not jump across a loss); a
    shorter one without a jump is a loss only where real time resumes above the floor it
    left (_realtime_step). ``seen``: the rows (from n0) the envelope's edges span, where
    its steps already count every loss. ``turned_only``: only gaps the rotation jumps
    across (the default-rate path: a stream with no rate of its own, where the lag alone
    is too weak a sign). Each loss is (arrival before it, seconds inserted, how far off
    that may be, the spread's kind: SPREAD_KINDS, "" with none)."""
    t = np.asarray(arrival[n0:], dtype=np.float64)
    losses: list[tuple[float, float, float, str]] = []
    for g in np.flatnonzero(np.diff(t) > cfg.gap_s) + 1:
        if seen is not None and seen[0] <= g <= seen[1]:
            continue
        if inserted[n0 + g] - inserted[n0 + g - 1] > 0:
            continue
        may_be_stall = t[g] - t[g - 1] <= cfg.stall_s + 2 * cfg.latency_jitter_s
        jumps = (may_be_stall or turned_only) and _gap_jumps(pairs, n0 + int(g), cfg)
        if turned_only and not jumps:
            continue
        if may_be_stall and not jumps:
            step = _realtime_step(t, int(g), rate, cfg, inserted[n0:])
            spread, kind = 0.0, ""
        else:
            step, spread, kind = _sized_lag(t, int(g), rate, cfg, inserted[n0:])
        if step >= cfg.min_loss_s:
            inserted[n0 + g :] += step
            losses.append((round(float(t[g - 1]), 3), round(step, 3), round(spread, 3), kind))
    return losses


def _realtime_step(
    t: np.ndarray, g: int, rate: float, cfg: ClockConfig, found: np.ndarray
) -> float:
    """Watch seconds lost at a pause before row g that may be a host stall (no rotation
    jump), in real time: 0 unless the stream arrived in real time before it (the
    ``steady_window_s`` of rows and its last ``recent_pace_s`` sent within ``pace_drop`` of
    R, stalls left out, and the last row at that window's latency floor, within
    ``min_loss_s`` / 4) and real time resumed within the rows a stall would catch up in
    (``stall_catchup``), before the next pause over ``gap_s``: ``min_steady_s`` of rows
    whose latency stays level (within ``min_loss_s`` / 4: a queue's rises, a burst's
    falls; their mean pace alone reads a queue with stalls as R). A stall's burst then
    lies back on the floor; after a loss, those rows lie higher by what was lost (787_00:
    no burst; 768_03: a stall's short burst, then the loss; bench/notes/nd47.txt).
    ``found``: watch seconds already inserted (as _floor_lag)."""
    lo = max(g - max(int(cfg.steady_window_s * rate), 2), 0)
    if not _sent_at_rate(t, lo, g, rate, cfg):
        return 0.0
    k = max(int(cfg.min_steady_s * rate), 2)
    hi = min(g + int(cfg.stall_catchup * (t[g] - t[g - 1]) * rate) + k, len(t))
    latency = _net_latency(t, lo, hi, rate, found)
    floor = float(latency[: g - lo].min())
    if latency[g - lo - 1] - floor >= cfg.min_loss_s / 4:
        return 0.0  # the last row was held: a queue or a stall before
    pauses = np.flatnonzero(np.diff(t[g:hi]) > cfg.gap_s)
    end = g + int(pauses[0]) + 1 if len(pauses) else hi  # the rows before the next pause
    for h in range(g, end - k + 1):
        level = latency[h - lo : h - lo + k]
        if level.max() - level.min() <= cfg.min_loss_s / 4:
            step = float(level.min()) - floor
            return step if step >= cfg.min_loss_s else 0.0
    return 0.0
