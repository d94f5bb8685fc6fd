"""The watch clock of a session stream, rebuilt from what the host recorded.

A session CSV's ``timestamp`` is the host's *arrival* time (DESIGN.md). The watch sends
every event on its own with no flow control: when sending falls behind, events queue on
the watch and arrive late, in order, in bursts. Arrival time is then a stretched,
non-linear clock, and no single audio offset fits it. Each session gets one time model:

``arrival``
    The stream arrives in real time (the backlog stays small): arrival time is kept.
``count``
    Rows arrive late but in order, none lost: row n was made at
    ``t(n) = T[n0] + (n - n0) / R`` (R: the watch's steady rows per second, n0: the end of
    the stale burst), plus the time inserted at true losses, less the anchor row's latency
    over the floor the rows after it show (anchor_excess; envelope rates only).
``watch_time``
    The CSV carries the watch's own time (a ``timestamp_ns`` or ``watch_timestamp``
    column): it is used, shifted by one constant so that it starts on the arrival clock.

R comes from the lower envelope of arrival against row index (envelope_rate: a row never
arrives before it was made, so where the stream runs in real time or its queue has drained,
arrival touches production plus the latency floor), with a bound on its error that the
aligner's clock-scale search keeps to; without a tight envelope (or one whose edges, short
but at least ``agreeing_edges`` of them, agree within their own bounds), from real-time
windows; else from the envelope with edges that end at no contact cut at their last one; else
the default.

Every session starts with a *stale burst*: a few hundred rows queued before the host
listened, all arriving in the first 0.1 s. They were made before the anchor row n0, so
both ``arrival`` and ``count`` place them there, ``1/R`` apart.

At a gap in arrival the rebuilt clock tells *loss* from *delay*: a loss is a latency step
that stays while arrival runs at the steady rate afterwards (the watch time in between is
missing: the gap is inserted); a delay is latency that falls again because arrival later
runs faster than the rate (count straight across). Inside a backlog the latency cannot
tell them apart: there a rotation jump across the gap (more turn than the gyro allows in
one period) says rows were lost, on streams whose rotation rows rarely jump elsewhere
(``max_jump_share``; the real sessions' jump often, and there it says nothing).

Which model: a backlog that stays under ``backlog_s`` is real time (``arrival``). So is
a stream that is mostly pauses longer than a host stall (``max_pause_share`` of its
arrival time in pauses over ``stall_s``): separate pieces of recording, not a queue. (A
host stall is a delay however often it comes: queues whose host stalls often spend 40-46 %
of their arrival time in stalls.) Otherwise a larger backlog is a queue (``count``) when
it drains somewhere (arrival outran the watch rate, which only a queue can do) or when
rows arrive at under ``thin_fraction`` of the watch rate *and* consecutive rows are one
sample period apart in the motion itself (``row_spacing``: the rotation vector turns
between rows by what the gyro says one period takes; where rows were lost it turns by
several). A backlog that only grows, at close to the watch rate, is read as a stream
that loses single events in real time: ``arrival`` (counting would squeeze its time),
unless the motion per arrival second falls where the backlog is high (queue_ratio under
``max_queue_ratio``; host stalls up to ``stall_s`` count as arrival time, being delays).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import TypeGuard

import numpy as np

from silkpipe.clock_envelope import (
    RateEstimate,
    envelope_losses,
    envelope_rate,
    unseen_gap_losses,
)

#: Watch-clock columns an extended session CSV may carry after ``timestamp``.
WATCH_COLUMNS = ("timestamp_ns", "watch_timestamp")
#: Three sensors at the clips' ≈49.5 Hz each.
DEFAULT_ROWS_PER_S = 3 * 49.5


@dataclass
class ClockConfig:
    rate: float = DEFAULT_ROWS_PER_S  # rows/s when the session has too little real time
    burst_window_s: float = 0.1  # the stale burst arrives within this of the first row
    burst_min_rows: int = 60  # ... and holds at least this many rows
    gap_s: float = 0.5  # arrival pauses longer than this are loss-or-delay candidates
    steady_window_s: float = 5.0  # arrival after a gap, judged over this much watch time
    min_steady_s: float = 1.0  # ... at least this much of it (else: count across)
    steady_tolerance: float = 0.15  # |arrival rate / R - 1| within this: steady
    min_loss_s: float = 0.5  # a latency step smaller than this is not a loss
    backlog_s: float = 1.5  # backlog (99th percentile) above this: not real time
    drain_s: float = 2.0  # the backlog falling this much from its peak: a queue drained
    thin_fraction: float = 0.5  # arrival under this share of R: rows delayed, not lost ...
    max_spacing: float = 2.0  # ... if row_spacing is at most this (None: not measured)
    max_pause_share: float = 0.4  # arrival time in pauses over stall_s above this: pieces
    max_queue_ratio: float = 0.95  # queue_ratio under this: a queue, however fast it arrives
    stall_s: float = 1.5  # ... whose arrival pauses up to this are host stalls (delays)
    realtime_window_s: float = 10.0  # windows used to measure R on real-time stretches
    min_realtime_s: float = 30.0  # ... and how much real time it takes to trust them
    min_edge_s: float = 3.0  # envelope edges shorter than this give no rate
    latency_jitter_s: float = 0.02  # the arrival floor varies by at most this
    rate_band: float = 0.05  # an envelope edge this far off R: not the watch rate
    max_rate_uncertainty: float = 0.006  # a looser envelope rate is not used ...
    agreeing_edges: int = 2  # ... unless this many edges agree within their own bounds
    loss_turn_rad: float = 0.3  # a rotation jump this far beyond the gyro's: a loss there
    loss_turn_margin: float = 1.5  # ... and this many times the next largest in the span
    still_turn_rad: float = 0.02  # a still wrist's jump across a gap this far beyond ...
    still_turn_ratio: float = 10.0  # ... and this many times the largest excess of ...
    still_turn_pairs: int = 25  # ... this many rotation pairs either side: a loss there too
    stall_catchup: float = 3.0  # a delay catches up within this many times its rows
    lag_match: float = 0.2  # a gap that stays behind by a loss's size to this share: there
    pace_drop: float = 0.05  # rows arriving this much slower after a loss gap: a queue began
    recent_pace_s: float = 1.0  # ... or in this last watch time before it (0: off): their pace
    queue_window_s: float = 2.0  # ... or only over this much after the gap: its size may be off
    realtime_after_s: float | None = 0.25  # rows at R this long after it: the queue began later
    # ... and where the sending pace (stalls left out) after it reads R but the rows are not
    # in real time, the pace off their latency floor (stalls hide a queue: hidden58.txt)
    queue_pace_from_floor: bool = True
    # ... and where a queue already held the rows right before the gap (it began inside the
    # steady window, after its first min_steady_s), the lost rows were sent at its pace,
    # the one after the gap: the bracket's low end, not its middle (bracket61.txt, onset62.txt)
    queue_onset_low: bool = True
    # A rotation jump says rows were lost only on a stream whose rotation rows rarely jump
    # elsewhere: above this share of its pairs that span no arrival gap (loss_turn_rad), the
    # jumps are the sensor's own (None: always read). Synthetic streams at most 0.4 %, the
    # real sessions 0.8-8.8 % (bench/notes/turned67.txt)
    max_jump_share: float | None = 0.006


@dataclass
class TimeModel:
    """How a session's IMU time was rebuilt (recorded in ``labels/<session>.json``)."""

    kind: str  # "arrival" | "count" | "watch_time"
    rows_per_s: float  # R used by the count clock
    rate_source: str  # "envelope" (arrival floor), "measured" (real-time windows), "default"
    stale_rows: int  # rows of the stale start burst, placed before the anchor
    losses: list[list[float]] = field(default_factory=list)  # [arrival time, seconds inserted]
    max_backlog_s: float = 0.0
    drains: bool = False
    arrival_share: float = 1.0  # rows arrived per second over R, after the burst
    pause_share: float = 0.0  # share of arrival time in pauses longer than stall_s
    row_spacing: float | None = None  # motion-measured sample periods per row
    queue_ratio: float | None = None  # queue_ratio, for a backlog that never drains
    watch_seconds: float = 0.0  # span of the rebuilt clock
    arrival_seconds: float = 0.0  # span of arrival time
    reason: str = ""
    rate_uncertainty: float = 1.0  # |R_true / R - 1| is at most this (rate_source's bound)
    rate_support_s: float = 0.0  # seconds of arrival the envelope rate rests on
    loss_uncertainty_s: float = 0.0  # loss sizes are off by at most this (unseen gaps)
    # [arrival s, seconds inserted, how far off, rebuilt s of the first row after it] of
    # each loss whose size may be off
    uncertain_losses: list[list[float]] = field(default_factory=list)
    # which test gave each of those its spread (clock_envelope.SPREAD_KINDS), in order
    uncertain_loss_kinds: list[str] = field(default_factory=list)
    # [arrival s, gap s]: gaps over stall_s the default-rate path counted across unjudged
    unjudged_gaps: list[list[float]] = field(default_factory=list)
    # seconds the count clock moved from the anchor row's arrival to the latency floor
    anchor_excess_s: float = 0.0
    # [arrival s, arrival s, seconds, rebuilt s, rebuilt s] of each loss the envelope could
    # not place (clock_envelope.envelope_losses): spread over the rows between, each row
    # up to half of it off; the first and last of those rows
    spread_losses: list[list[float]] = field(default_factory=list)
    # share of rotation pairs, spanning no arrival gap, that jump (jump_share); where over
    # max_jump_share no rotation jump was read as a loss
    jump_share: float | None = None

    def to_json(self) -> dict:
        return asdict(self)


def stale_burst_rows(arrival: np.ndarray, cfg: ClockConfig) -> int:
    """Rows of the stale start burst (0 when the stream has none)."""
    later = np.flatnonzero(arrival > arrival[0] + cfg.burst_window_s)
    n = int(later[0]) if len(later) else len(arrival)
    return n if n >= cfg.burst_min_rows and n < len(arrival) else 0


def _judged_rows(arrival: np.ndarray, g: int, nxt: int, rate: float, cfg: ClockConfig) -> slice:
    """The rows after the arrival gap at row g that judge it: ``steady_window_s`` of rows
    at most, up to the next gap (row nxt its last). Where that leaves under
    ``min_steady_s`` of rows, up to the next pause longer than ``stall_s`` instead: a host
    stall soon after a loss holds rows that arrive in a burst after it, so the window
    across it still reads the pace, where counting across kept the loss out of the clock
    (real 621_02: bench/notes/diag44.txt)."""
    window = max(int(cfg.steady_window_s * rate), 2)
    after = slice(g + 1, min(g + 1 + window, nxt + 1))
    if after.stop - after.start >= cfg.min_steady_s * rate:
        return after
    longer = np.flatnonzero(np.diff(arrival[g + 1 : g + 1 + window]) > cfg.stall_s)
    rows = int(longer[0]) + 1 if len(longer) else window
    return slice(g + 1, min(g + 1 + rows, len(arrival)))


def _insert_losses(
    arrival: np.ndarray, n0: int, rate: float, cfg: ClockConfig
) -> tuple[np.ndarray, list[list[float]], list[list[float]]]:
    """Seconds of lost watch time before each row (cumulative), the losses found, and the
    arrival gaps over ``stall_s`` counted across unjudged ([arrival s, gap s])."""
    n = len(arrival)
    inserted = np.zeros(n)
    latency = arrival - (arrival[n0] + (np.arange(n) - n0) / rate)
    losses: list[list[float]] = []
    unjudged: list[list[float]] = []
    gaps = np.flatnonzero(np.diff(arrival[n0:]) > cfg.gap_s) + n0
    for g, nxt in zip(gaps, np.append(gaps[1:], n - 1)[: len(gaps)], strict=True):
        after = _judged_rows(arrival, int(g), int(nxt), rate, cfg)
        rows = after.stop - after.start
        if rows < cfg.min_steady_s * rate:  # too little after the gap to judge: count across
            pause = float(arrival[g + 1] - arrival[g])
            if pause > cfg.stall_s:
                unjudged.append([round(float(arrival[g]), 3), round(pause, 3)])
            continue
        span = arrival[after.stop - 1] - arrival[g + 1]
        steady = span > 0 and abs(rows / span / rate - 1) <= cfg.steady_tolerance
        corrected = latency - inserted
        floor = corrected[n0 : g + 1].min()
        # A loss happens in real time (inside a backlog it cannot be told from the queue),
        # and no more watch time is missing than the pause plus the backlog it began with.
        before = corrected[g] - floor
        step = min(corrected[g + 1 :].min() - floor, arrival[g + 1] - arrival[g] + before)
        if steady and before <= cfg.backlog_s and step >= cfg.min_loss_s:
            inserted[g + 1 :] += step
            losses.append([round(float(arrival[g]), 3), round(float(step), 3)])
    return inserted, losses, unjudged


def measured_rate(arrival: np.ndarray, n0: int, cfg: ClockConfig) -> float | None:
    """Rows/s over the stream's real-time stretches, or None when there are too few.

    A real-time window has no arrival gap and a latency (on the default-rate count clock)
    within ``backlog_s`` of the stream's floor at both ends.
    """
    t = np.sort(arrival[n0:])
    if len(t) < 2:
        return None
    latency = t - (t[0] + np.arange(len(t)) / cfg.rate)
    floor = np.percentile(latency, 1)
    edges = np.searchsorted(t, np.arange(t[0], t[-1], cfg.realtime_window_s))
    rates = []
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        if b - a < 2 or np.diff(t[a:b]).max() > cfg.gap_s:
            continue
        if max(latency[a], latency[b - 1]) - floor <= cfg.backlog_s:
            rates.append((b - 1 - a) / (t[b - 1] - t[a]))
    if len(rates) * cfg.realtime_window_s < cfg.min_realtime_s:
        return None
    rate = float(np.median(rates))
    return rate if abs(rate / cfg.rate - 1) <= 0.1 else None


def _pause_share(arrival: np.ndarray, cfg: ClockConfig) -> float:
    """Share of the arrival span spent in pauses longer than a host stall (``stall_s``; the
    last 0.5% of rows, stragglers after the recording stopped, left out). A stall is a
    delay however often it comes, so stalls alone never make a queue look like pieces
    (held-out 1999_00, 1997_01: bench/notes/pieces68.txt)."""
    t = arrival[: max(int(len(arrival) * 0.995), 2)]
    if len(t) < 2 or t[-1] <= t[0]:
        return 0.0
    pauses = np.diff(t)
    return float(pauses[pauses > cfg.stall_s].sum() / (t[-1] - t[0]))


def _choose(model: TimeModel, cfg: ClockConfig) -> None:
    """Set model.kind and model.reason from the stream's measurements."""
    share, backlog = model.arrival_share, model.max_backlog_s
    consecutive = model.row_spacing is None or model.row_spacing <= cfg.max_spacing
    queued = model.queue_ratio is not None and model.queue_ratio < cfg.max_queue_ratio
    if backlog <= cfg.backlog_s:
        model.reason = f"arrives in real time (backlog at most {backlog:.1f} s)"
    elif model.pause_share > cfg.max_pause_share:
        model.reason = (
            f"{model.pause_share:.0%} of arrival time is pauses: separate pieces "
            "of recording, kept on arrival time"
        )
    elif model.drains or (share < cfg.thin_fraction and consecutive) or queued:
        model.kind = "count"
        why = "drains again" if model.drains else f"arrives at {share:.2f} of the watch rate"
        if not model.drains and share >= cfg.thin_fraction:
            why += (
                f"; where the backlog is high the motion per arrival second falls to "
                f"{model.queue_ratio:.2f} of its real-time value: rows delayed, not lost"
            )
        model.reason = f"rows queue on the watch (backlog up to {backlog:.0f} s, {why})"
    elif share < cfg.thin_fraction:
        model.reason = (
            f"arrives at {share:.2f} of the watch rate and the motion says rows "
            f"are {model.row_spacing:.1f} sample periods apart: rows lost, not "
            "queued"
        )
    else:
        model.reason = (
            f"latency grows at {share:.2f} of the watch rate without draining: "
            "rows lost in real time, not queued"
        )


def _drop_from_peak(backlog: np.ndarray) -> float:
    """The largest fall of the backlog from an earlier peak (seconds)."""
    return float((np.maximum.accumulate(backlog) - backlog).max()) if len(backlog) else 0.0


@dataclass
class SpacingPairs:
    """Consecutive rotation rows while the wrist moves: the later row's index (file order),
    the rotation-vector angle between them and the gyro's rotation in one sample period."""

    row: np.ndarray
    angle: np.ndarray
    expected: np.ndarray
    # Every consecutive rotation pair (not only moving ones): the later row and how much
    # more it turned than the gyro says one period takes (a lost stretch jumps).
    turn_row: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    turn_excess: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def spacing(self, rows: np.ndarray | None = None) -> float | None:
        """Sample periods per row, pooled over the pairs (of ``rows``, a mask over file
        rows); None with too few pairs."""
        keep = np.ones(len(self.row), bool) if rows is None else rows[self.row]
        if keep.sum() < 50:
            return None
        return float(self.angle[keep].sum() / self.expected[keep].sum())


def spacing_pairs(
    sensor: np.ndarray, gyro: np.ndarray, quat: np.ndarray, hz: float = DEFAULT_ROWS_PER_S / 3
) -> SpacingPairs | None:
    """The moving pairs row_spacing pools (None without two gyro and two rotation rows)."""
    at_gyro = np.flatnonzero(sensor == "gyroscope")
    at_quat = np.flatnonzero(sensor == "rotation_vector")
    if len(at_gyro) < 2 or len(at_quat) < 2:
        return None
    dots = np.abs(np.einsum("ij,ij->i", quat[1:], quat[:-1])) / np.maximum(
        np.linalg.norm(quat[1:], axis=1) * np.linalg.norm(quat[:-1], axis=1), 1e-12
    )
    angle = 2 * np.arccos(np.clip(dots, 0.0, 1.0))
    rate = np.linalg.norm(gyro, axis=1)
    summed = np.concatenate([[0.0], np.cumsum(rate)])
    pos = np.searchsorted(at_gyro, at_quat)
    count = np.diff(pos)
    mean_rate = np.diff(summed[pos]) / np.maximum(count, 1)
    moving = (count > 0) & (mean_rate > 0.5) & (angle < 1.0)
    excess = angle - np.where(count > 0, mean_rate, 0.0) / hz
    return SpacingPairs(
        at_quat[1:][moving], angle[moving], mean_rate[moving] / hz, at_quat[1:], excess
    )


def row_spacing(
    sensor: np.ndarray, gyro: np.ndarray, quat: np.ndarray, hz: float = DEFAULT_ROWS_PER_S / 3
) -> float | None:
    """Rotation-vector angle between consecutive rotation rows over the gyro's rotation in
    one nominal sample period (``1/hz``), pooled over moving stretches; None when the
    wrist barely moves. Real consecutive rows give a little over 1; keeping one row in k
    multiplies it by about k.

    ``sensor``: each row's sensor name in file order; ``gyro`` (n_g, 3) and ``quat``
    (n_q, 4): the values of the gyroscope and rotation_vector rows, in file order.
    """
    pairs = spacing_pairs(sensor, gyro, quat, hz)
    return None if pairs is None else pairs.spacing()


def queue_ratio(
    pairs: SpacingPairs | None,
    arrival: np.ndarray,
    backlog: np.ndarray,
    n0: int,
    rate: float,
    cfg: ClockConfig,
) -> float | None:
    """Motion per arrival second where the backlog is high over where it is low (each:
    row spacing times rows arrived per second over R); None when either part is too short.

    Rows lost in real time raise the spacing as much as they thin arrival, so the ratio
    stays near 1 however many are lost; rows queued on the watch keep their spacing while
    arriving slower, so the ratio falls to the send rate's share.
    """
    if pairs is None:
        return None
    parts = []
    for mask in (backlog <= cfg.backlog_s, backlog > cfg.backlog_s):
        rows = np.zeros(len(arrival), bool)
        rows[n0:] = mask
        spacing = pairs.spacing(rows)
        idx = np.flatnonzero(rows)
        if spacing is None or len(idx) < 2:
            return None
        seconds = _arriving_seconds(arrival, idx, cfg)
        if seconds < cfg.min_realtime_s / 3:
            return None
        parts.append(spacing * len(idx) / seconds / rate)
    return parts[1] / parts[0]


def _arriving_seconds(arrival: np.ndarray, idx: np.ndarray, cfg: ClockConfig) -> float:
    """Arrival time spent on the rows ``idx``: the pauses between consecutive rows up to
    ``stall_s`` (a host stall is a delay: the rows it holds arrive in one burst after it, so
    leaving it out would overstate the rows per second where stalls are frequent); longer
    pauses (losses, separate pieces) and the jumps over rows of the other part left out."""
    pauses = np.diff(arrival[idx])[np.diff(idx) == 1]
    return float(pauses[pauses <= cfg.stall_s].sum())


def _watch_time(
    arrival: np.ndarray, watch: np.ndarray, n0: int, rate: float, source: str, span: float
) -> tuple[np.ndarray, TimeModel]:
    """The watch's own clock, anchored so no row arrives before it was made."""
    t = watch + float(np.min(arrival[n0:] - watch[n0:]))
    model = TimeModel(
        "watch_time",
        rate,
        source,
        n0,
        arrival_seconds=span,
        watch_seconds=float(t.max() - t.min()),
        reason="the CSV carries the watch's own time",
    )
    return t, model


def _arrival_model(
    arrival: np.ndarray,
    counted: np.ndarray,
    n0: int,
    rate: float,
    source: str,
    losses: list[list[float]],
    cfg: ClockConfig,
    spacing: float | None,
    pairs: SpacingPairs | None,
) -> TimeModel:
    """What the arrival times say about delivery: the backlog against the counted clock,
    whether it drains, the send share and the pauses (the time model is chosen later)."""
    backlog = (arrival - counted)[n0:]
    backlog = backlog - np.percentile(backlog, 1) if len(backlog) else backlog
    max_backlog = float(np.percentile(backlog, 99)) if len(backlog) else 0.0
    drop = _drop_from_peak(backlog[: int(len(backlog) * 0.995)])
    share = (len(arrival) - n0 - 1) / max(arrival[-1] - arrival[n0], 1e-9) / rate
    model = TimeModel(
        "arrival",
        round(rate, 3),
        source,
        n0,
        losses,
        round(max_backlog, 3),
        drop >= cfg.drain_s,
        round(float(share), 3),
        arrival_seconds=float(arrival[-1] - arrival[0]),
        pause_share=round(_pause_share(arrival[n0:], cfg), 3),
        row_spacing=None if spacing is None else round(spacing, 3),
    )
    if max_backlog > cfg.backlog_s and not model.drains:
        ratio = queue_ratio(pairs, arrival, backlog, n0, rate, cfg)
        model.queue_ratio = None if ratio is None else round(float(ratio), 3)
    return model


def _watch_rate(
    arrival: np.ndarray, n0: int, cfg: ClockConfig, pairs: SpacingPairs | None = None
) -> tuple[float, str, RateEstimate | None]:
    """(R, its source, the envelope estimate): the arrival envelope's rate when it is
    bounded within ``max_rate_uncertainty``, or looser only because its edges are short:
    ``agreeing_edges`` or more that agree within their own bounds (where they disagree
    beyond them the arrival floor moves, as in real 135233, and the rate is not used);
    else real-time windows'; else, where no edges disagreed, the envelope with the edges
    whose end is no contact cut at their last one (envelope_edges' ``stalled``: a host
    stall before the stream ends left held-out 1872_01 no other); else the default
    (unbounded: losses found the older way, _insert_losses, and at gaps the rotation
    jumps across, _found_losses)."""
    est = envelope_rate(arrival, n0, cfg, pairs)
    if _usable(est, cfg):
        return est.rate, "envelope", est
    rate = measured_rate(arrival, n0, cfg)
    if rate:
        return rate, "measured", None
    if est is None or est.disagreement == 0.0:
        est = envelope_rate(arrival, n0, cfg, pairs, stalled=True)
        if _usable(est, cfg):
            return est.rate, "envelope", est
    return cfg.rate, "default", None


def _usable(est: RateEstimate | None, cfg: ClockConfig) -> TypeGuard[RateEstimate]:
    """Whether an envelope estimate is bounded tightly enough (_watch_rate) to be R."""
    return est is not None and (
        est.uncertainty <= cfg.max_rate_uncertainty
        or (est.disagreement == 0.0 and len(est.rows) >= cfg.agreeing_edges)
    )


def rebuild_clock(
    arrival: np.ndarray,
    watch: np.ndarray | None = None,
    cfg: ClockConfig | None = None,
    spacing: float | None = None,
    pairs: SpacingPairs | None = None,
) -> tuple[np.ndarray, TimeModel]:
    """The watch time of every row (file order) and the time model chosen for the stream.

    ``arrival``: host seconds per row in file order (all sensors interleaved);
    ``watch``: the watch's own seconds per row when the CSV carries them;
    ``spacing``: row_spacing of the stream, when measured; ``pairs``: the rotation-row
    pairs it pools (spacing_pairs), which also tell a queue from real-time losses.
    """
    cfg = cfg or ClockConfig()
    arrival = np.asarray(arrival, dtype=np.float64)
    if spacing is None and pairs is not None:
        spacing = pairs.spacing()
    n0 = stale_burst_rows(arrival, cfg)
    jumps = jump_share(pairs, arrival, cfg)
    pairs = _loss_evidence(pairs, jumps, cfg)
    rate, source, est = _watch_rate(arrival, n0, cfg, pairs)
    idx = np.arange(len(arrival))
    straight = arrival[n0] + (idx - n0) / rate
    span = float(arrival[-1] - arrival[0])
    if watch is not None:
        return _watch_time(arrival, np.asarray(watch, dtype=np.float64), n0, rate, source, span)
    inserted, losses, unsure, unplaced, unjudged = _found_losses(arrival, n0, rate, est, cfg, pairs)
    uncertain = [[float(x) for x in loss[:3]] for loss in unsure]
    kinds = [loss[3] for loss in unsure]
    counted = straight + inserted
    model = _arrival_model(arrival, counted, n0, rate, source, losses, cfg, spacing, pairs)
    model.loss_uncertainty_s = max((spread for *_, spread in uncertain), default=0.0)
    model.unjudged_gaps = unjudged
    model.jump_share = None if jumps is None else round(jumps, 5)
    if est is not None:
        model.rate_uncertainty = round(est.uncertainty, 5)
        model.rate_support_s = round(est.support_s, 1)
    _choose(model, cfg)
    t = _chosen_times(model, arrival, counted, straight, n0, source, cfg)
    model.watch_seconds = round(float(t[-1] - t[0]), 3)
    if model.kind != "count":  # no loss was inserted on arrival time: none to be unsure of
        uncertain, kinds, unplaced = [], [], []
    model.uncertain_losses = [
        [*loss, _rebuilt_after(arrival, n0, t, loss[0])] for loss in uncertain
    ]
    model.uncertain_loss_kinds = kinds
    model.spread_losses = [_spread_record(arrival, t, *loss) for loss in unplaced]
    return t, model


def _found_losses(
    arrival: np.ndarray,
    n0: int,
    rate: float,
    est: RateEstimate | None,
    cfg: ClockConfig,
    pairs: SpacingPairs | None,
) -> tuple[
    np.ndarray,
    list[list[float]],
    list[tuple[float, float, float, str]],
    list[tuple[int, int, float]],
    list[list[float]],
]:
    """(watch seconds inserted before each row, cumulative; the losses [arrival s, seconds];
    those whose size may be off, as unseen_gap_losses gives them; the losses the envelope
    could not place; the gaps over ``stall_s`` counted across unjudged). On an envelope rate
    the gaps outside its edges come first and its steps count the rest. Streams never seen
    in real time (143217) keep their gaps in backlogs as delays (_insert_losses), except
    where the rotation jumps across one: rows were lost there (held-out 1505_00, 1738_02:
    bench/notes/turned67.txt)."""
    inserted = np.zeros(len(arrival))
    if est is not None:
        seen = (min(a for a, _ in est.rows), max(b for _, b in est.rows))
        unseen = unseen_gap_losses(arrival, n0, rate, inserted, cfg, pairs, seen)
        inserted, found, unplaced = envelope_losses(arrival, n0, est, cfg, pairs, inserted)
        losses = sorted([[at, size] for at, size, *_ in unseen] + found)
        return inserted, losses, [loss for loss in unseen if loss[2] > 0], unplaced, []
    inserted, found, unjudged = _insert_losses(arrival, n0, rate, cfg)
    turned = unseen_gap_losses(arrival, n0, rate, inserted, cfg, pairs, None, turned_only=True)
    losses = sorted(found + [[at, size] for at, size, *_ in turned])
    counted_at = {loss[0] for loss in turned}
    unjudged = [gap for gap in unjudged if gap[0] not in counted_at]
    return inserted, losses, [loss for loss in turned if loss[2] > 0], [], unjudged


def jump_share(pairs: SpacingPairs | None, arrival: np.ndarray, cfg: ClockConfig) -> float | None:
    """Share of consecutive rotation pairs whose two rows arrived within ``gap_s`` of each
    other that turn by ``loss_turn_rad`` more than the gyro allows in one period (None with
    under 100 such pairs). The generator's streams (clips-dev replayed at the watch rate)
    jump almost never there; the real sessions' rotation rows jump in 0.8-8.8 % of pairs,
    losses or not, so there a jump at a gap is no sign of a loss."""
    if pairs is None:
        return None
    later, earlier = pairs.turn_row[1:], pairs.turn_row[:-1]
    calm = arrival[later] - arrival[earlier] <= cfg.gap_s
    if calm.sum() < 100:
        return None
    return float((pairs.turn_excess[1:][calm] >= cfg.loss_turn_rad).mean())


def _loss_evidence(
    pairs: SpacingPairs | None, share: float | None, cfg: ClockConfig
) -> SpacingPairs | None:
    """The pairs the clock reads after row spacing: as they are, or with no rotation jump
    where the stream's own jump_share is over ``max_jump_share``. Then no jump places or
    finds a loss, nor decides where the arrival envelope is cut (envelope_cuts), so such a
    stream's envelope rate may differ too; row spacing and queue_ratio read no jumps."""
    if pairs is None or share is None or cfg.max_jump_share is None:
        return pairs
    if share <= cfg.max_jump_share:
        return pairs
    return replace(pairs, turn_excess=np.zeros_like(pairs.turn_excess))


def _spread_record(arrival: np.ndarray, t: np.ndarray, lo: int, hi: int, size: float) -> list:
    """TimeModel.spread_losses' record of a loss spread over file rows lo..hi."""
    ends = [float(arrival[lo]), float(arrival[hi]), size, float(t[lo]), float(t[hi])]
    return [round(x, 3) for x in ends]


def _chosen_times(
    model: TimeModel,
    arrival: np.ndarray,
    counted: np.ndarray,
    straight: np.ndarray,
    n0: int,
    source: str,
    cfg: ClockConfig,
) -> np.ndarray:
    """Every row's time under the chosen model: counted from the anchor (less the anchor
    row's latency over the floor, on an envelope rate), or as it arrived after the stale
    burst."""
    if model.kind == "count":
        if source == "envelope":  # an unbounded rate's drift would read as latency
            model.anchor_excess_s = round(anchor_excess(arrival, counted, n0, cfg), 4)
        return counted - model.anchor_excess_s
    t = arrival.copy()
    t[:n0] = straight[:n0]
    return t


def anchor_excess(arrival: np.ndarray, counted: np.ndarray, n0: int, cfg: ClockConfig) -> float:
    """How much later the anchor row arrived than the stream's latency floor: the count
    clock starts at the anchor's arrival, so it carries that row's latency (a send tick's
    wait and the transport), which rows arriving faster show. The lowest latency over the
    first ``steady_window_s`` of counted time, before the first arrival gap over ``gap_s``
    (a loss there is not yet counted the same way everywhere). Only on an envelope rate:
    a default rate's error drifts the counted clock 0.05 s in 5 s at 1 %."""
    gaps = np.flatnonzero(np.diff(arrival[n0:]) > cfg.gap_s)
    end = n0 + int(np.searchsorted(counted[n0:] - counted[n0], cfg.steady_window_s, "right"))
    if len(gaps):
        end = min(end, n0 + int(gaps[0]) + 1)
    return float(max(0.0, -(arrival[n0:end] - counted[n0:end]).min()))


def _rebuilt_after(arrival: np.ndarray, n0: int, t: np.ndarray, at: float) -> float:
    """The rebuilt time of the first row after the arrival gap whose last row before
    arrived at ``at`` (rounded to 1 ms; the rows after the anchor arrive in order on the
    envelope path, and the gap is over ``gap_s``): where the loss sits on the clock the
    words are placed on."""
    row = n0 + int(np.searchsorted(arrival[n0:], at + 0.001, side="right"))
    return round(float(t[min(row, len(t) - 1)]), 3)
