"""How the real recorder delivers watch events to the host (DESIGN.md, the clock section).

The watch makes events at a steady rate (three sensors at about 49.5 Hz each) and sends
each on its own with no flow control; the host stamps a row when it arrives. When sending
falls below the production rate the events queue on the watch and arrive late, in order,
in bursts (the backlog grows, and drains once sending is fast again, or never does and the
end of the session never arrives). Some stretches are truly lost. Every session starts with
a stale burst of a few hundred queued rows that all arrive in its first 0.1 s. Often the host
stops receiving for half a second to a second and a half (a *stall*): nothing is lost, the
rows held meanwhile arrive in one burst when it ends (bench/notes/arrival_stalls.txt).

``deliver`` simulates that for a stream of produced events so that generated sessions carry
the real dialect's clock, with the truth (production time of every row) beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Delivery kinds: on time, a backlog that drains, a backlog that never drains.
KINDS = ("realtime", "drains", "never_drains")


@dataclass
class Delivery:
    """The arrival of produced events.

    ``kept`` indexes the produced rows that reached the host (in order); ``arrival`` is their
    host time (seconds since the session started). Production times are on the same host
    clock (``produced``): arrival minus production is the delivery backlog.
    """

    kind: str
    kept: np.ndarray
    arrival: np.ndarray
    produced: np.ndarray  # production host time of each kept row
    stale_rows: int
    losses: list[tuple[float, float]] = field(default_factory=list)  # production host time
    slow: list[tuple[float, float, float]] = field(default_factory=list)  # start, end, factor
    host_end: float = 0.0
    stalls: list[tuple[float, float]] = field(default_factory=list)  # host start, end


def slow_phases(
    kind: str, end: float, rng: np.random.Generator
) -> list[tuple[float, float, float]]:
    """When sending runs below production, and how far below (factor of the production rate)."""
    phases = []
    if kind == "realtime":  # brief hiccups only
        for _ in range(int(rng.integers(0, 3))):
            t = rng.uniform(5.0, max(end - 5.0, 6.0))
            phases.append((t, t + rng.uniform(0.5, 2.0), rng.uniform(0.4, 0.8)))
    elif kind == "drains":
        t = rng.uniform(0.1, 0.35) * end
        for k in range(int(rng.integers(1, 3))):
            length = rng.uniform(15.0, 45.0)
            if t + length > 0.6 * end:  # the first always fits, shortened
                if k:
                    break
                length = max(0.6 * end - t, 1.0)
            phases.append((t, t + length, rng.uniform(0.45, 0.85)))
            t += length + rng.uniform(20.0, 50.0)
    elif kind == "never_drains":
        t = rng.uniform(0.15, 0.5) * end
        phases.append((t, end + 1e6, rng.uniform(0.35, 0.75)))
    else:
        raise ValueError(f"unknown delivery kind {kind!r}")
    return sorted(phases)


def loss_windows(end: float, rng: np.random.Generator) -> list[tuple[float, float]]:
    """Stretches of production that never reach the host (0-2 per session)."""
    n = int(rng.choice([0, 0, 1, 1, 2]))
    out: list[tuple[float, float]] = []
    for _ in range(n):
        start = rng.uniform(10.0, max(end - 10.0, 11.0))
        window = (start, start + rng.uniform(1.0, 8.0))
        if all(window[1] + 5 < a or window[0] > b + 5 for a, b in out):
            out.append(window)
    return sorted(out)


def stall_windows(end: float, rng: np.random.Generator) -> list[tuple[float, float]]:
    """Host-time stretches in which nothing arrives (delays, not losses). Most sessions
    stall often and in clusters (a second or two apart, then quiet for a while); some
    only a few times. Lengths: half a second plus a heavy tail, at most 1.5 s."""
    frequent = rng.random() < 2 / 3
    quiet = rng.uniform(0.1, 0.3)  # share of long quiet spells between clusters
    out: list[tuple[float, float]] = []
    t = rng.uniform(1.0, 10.0)
    while t < end - 2.0:
        length = 0.5 + min(0.1 * float(np.exp(1.2 * rng.standard_normal())), 1.0)
        out.append((t, t + length))
        if frequent:
            gap = 0.3 + rng.exponential(0.8) if rng.random() > quiet else rng.exponential(8.0)
        else:
            gap = rng.exponential(40.0)
        t += length + gap
    return out


def _stall(arrival: np.ndarray, stalls, rng: np.random.Generator) -> np.ndarray:
    """Arrival with every row due inside a stall held until it ends, then delivered in
    one burst (a fraction of a millisecond apart), order kept."""
    out = arrival.copy()
    for a, b in stalls:
        held = np.flatnonzero((out >= a) & (out < b))
        if len(held):
            out[held] = b + np.cumsum(rng.uniform(0.0003, 0.0006, size=len(held)))
    finite = np.flatnonzero(np.isfinite(out))
    ramp = finite * 1e-5  # rows the burst overtakes follow it, each a little later
    out[finite] = np.maximum.accumulate(out[finite] - ramp) + ramp
    return out


def _send(produced: np.ndarray, phases, rate: float, host_end: float, rng) -> np.ndarray:
    """Arrival host time of each produced row (inf: still queued when the host stopped)."""
    arrival = np.full(len(produced), np.inf)
    t, i, budget, last = float(produced[0]), 0, 0.0, float(produced[0])
    while i < len(produced) and t < host_end:
        dt = rng.uniform(0.015, 0.05)
        t += dt
        factor = next((f for a, b, f in phases if a <= t < b), rng.uniform(1.5, 3.0))
        budget += factor * rate * dt
        ready = int(np.searchsorted(produced, t, side="right"))
        n = min(int(budget), ready - i)
        if n > 0:
            steps = np.cumsum(rng.uniform(0.0003, min(0.004, dt / n + 0.0003), size=n))
            base = max(t + rng.uniform(0.01, 0.04), last + 1e-5)
            arrival[i : i + n] = base + steps - steps[0]
            last = float(arrival[i + n - 1])
            i += n
            budget -= n
        if i >= ready:  # an empty queue saves no sending time for later
            budget = min(budget, 1.0)
    arrival[arrival > host_end] = np.inf
    return arrival


def deliver(
    watch: np.ndarray,
    rng: np.random.Generator,
    kind: str | None = None,
    rate: float = 148.5,
    stalls: bool = True,
) -> Delivery:
    """Simulate the host's arrival of events produced at watch times ``watch`` (sorted).

    The first 300-550 rows are the stale burst: they arrive in the first 0.1 s; the row
    after them is produced at host time ``h0`` (about 0.1 s) and everything after it on the
    same clock (the watch clock and host clock tick alike here). ``stalls``: add the
    host's stalls, drawn from a generator spawned from ``rng`` so that every other draw
    (and so the rest of a generated session) is the same with or without them.
    """
    kind = kind or str(rng.choice(KINDS, p=[0.4, 0.4, 0.2]))
    stale = int(rng.integers(300, 551))
    h0 = 0.1 + rng.uniform(0.0, 0.02)
    produced = watch - watch[stale] + h0
    end = float(produced[-1])
    phases = slow_phases(kind, end, rng)
    losses = loss_windows(end, rng)
    host_end = end + rng.uniform(0.2, 1.0)
    live = produced[stale:]
    arrival = _send(live, phases, rate, host_end, rng)
    held: list[tuple[float, float]] = []
    if stalls:
        own = rng.spawn(1)[0]
        held = stall_windows(host_end, own)
        arrival = _stall(arrival, held, own)
        arrival[arrival > host_end] = np.inf
    lost = np.zeros(len(live), dtype=bool)
    for a, b in losses:
        lost |= (live >= a) & (live < b)
    burst = np.sort(rng.uniform(0.001, 0.1, size=stale))
    arrival = np.concatenate([burst, np.maximum(arrival, burst[-1] + 1e-4)])
    keep = np.concatenate([np.ones(stale, dtype=bool), ~lost & np.isfinite(arrival[stale:])])
    kept = np.flatnonzero(keep)
    return Delivery(
        kind, kept, arrival[kept], produced[kept], stale, losses, phases, host_end, held
    )
