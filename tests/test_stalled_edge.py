"""An envelope edge that ends at a host stall just before the stream ends (held-out
1872_01, bench/notes/ho8diag65.txt): its end vertex has no steady side, so the edge was
dropped, the clock fell back to the default rate, and a loss hidden in a backlog was
counted as a delay. Such edges now give the rate, but only where no other edge does."""

from __future__ import annotations

import numpy as np
from test_clock_rate import _turns
from test_time_model import clock_error
from test_time_model import deliver as trace

from silkpipe.clock_envelope import envelope_edges, envelope_rate
from silkpipe.watch_clock import ClockConfig, rebuild_clock

STALL_AT, STALL_S = 77.0, 1.5  # arrival s: the last host stall, about 120 rows before the end


def _drains_then_stalls(real_time_start: float, lost_at: float) -> tuple[np.ndarray, np.ndarray]:
    """(watch, arrival): real time until ``real_time_start``, then a queue at 0.6 of the
    rate that loses 3 s from watch ``lost_at`` inside its backlog (arrival pauses 5 s) and drains
    by about 50 s. After it the arrival floor is touched only where the queue drained and
    at the end, and a host stall holds the rows of 77-78.5 s: the one long edge ends at
    the stall's burst, which has no steady side."""
    watch, arrival = trace(
        82, lambda t: 0.6 if real_time_start <= t < 20 else 1.6, lost=(lost_at, lost_at + 3)
    )
    drained = (watch > 20) & (arrival - watch < 0.03)
    x = np.clip((watch - watch[drained][0]) / (watch[-1] - watch[drained][0]), 0, 1)
    arrival = np.where(drained, watch + 0.02 + 0.004 * np.sin(np.pi * x), arrival)
    held = (arrival >= STALL_AT) & (arrival < STALL_AT + STALL_S)
    arrival[held] = STALL_AT + STALL_S + np.arange(held.sum()) * 1e-4
    return watch, np.maximum.accumulate(arrival) + np.arange(len(arrival)) * 1e-9


def test_an_edge_ending_at_a_stall_gives_the_rate_where_no_other_edge_does():
    """The loss is counted: the rows after the drain keep the constant of the rows before
    the queue (without the edge: the default rate, and every later row 3 s off). In this
    made stream the gap's own test sizes part of it and the rest of the step is spread over
    the queue's rows, recorded as such for the gate (held-out 1872_01 had all of it placed)."""
    watch, arrival = _drains_then_stalls(real_time_start=3.0, lost_at=10.0)
    t = arrival[400:]
    assert envelope_edges(t, ClockConfig(), stalled=False) == []
    (a, b), *more = envelope_edges(t, ClockConfig(), stalled=True)
    assert not more and t[a] > 45 and t[b] < STALL_AT and t[b] - t[a] > 20
    rebuilt, model = rebuild_clock(arrival, pairs=_turns(watch, 13.0))
    assert model.rate_source == "envelope", model.rate_source
    assert abs(sum(size for _, size in model.losses) - 3.0) < 0.1, model.losses
    outside = (watch > 0) & ((watch < 3) | (watch > 51))
    assert clock_error(rebuilt[outside], watch[outside]) < 0.1
    (first, last, *_), *_ = model.spread_losses
    assert first < 14.7 and 45 < last < 52, model.spread_losses


def test_edges_ending_at_a_stall_are_not_read_where_contact_edges_give_the_rate():
    """With 11.5 s of real time at the start, its edge bounds the rate alone, and the
    stalled edge is left out, so no clock with an envelope rate moves. Here reading it
    would have placed the loss better; on the sets the rule was chosen on, read always,
    such edges joined steps that held two losses and put both at one (1684_02, 1743_00,
    1878_03: bench/notes/stall66.txt), and the fallback made no clock worse."""
    watch, arrival = _drains_then_stalls(real_time_start=11.5, lost_at=12.0)
    t = arrival[400:]
    strict = envelope_edges(t, ClockConfig(), stalled=False)
    assert len(strict) == 1 and t[strict[0][1]] < 12
    assert len(envelope_edges(t, ClockConfig(), stalled=True)) == 2
    _, model = rebuild_clock(arrival, pairs=_turns(watch, 15.0))
    alone = envelope_rate(arrival, model.stale_rows, ClockConfig())
    assert alone is not None and alone.uncertainty <= ClockConfig().max_rate_uncertainty
    assert model.rate_source == "envelope"
    assert model.rate_support_s == round(alone.support_s, 1), model.rate_support_s
