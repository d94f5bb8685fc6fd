"""The watch rate read off the arrival envelope, its error bound, the losses it finds,
and the clock scales the aligner then searches."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest
from test_time_model import clock_error
from test_time_model import deliver as trace
from test_time_model_align import gesture_session

from silkpipe.alignment import AlignConfig, align_session
from silkpipe.clock_envelope import _steady_at, envelope_cuts, envelope_rate
from silkpipe.clock_fit import SCALES, clock_scales
from silkpipe.delivery import _send, _stall, deliver
from silkpipe.watch_clock import (
    DEFAULT_ROWS_PER_S as R,
)
from silkpipe.watch_clock import (
    ClockConfig,
    SpacingPairs,
    rebuild_clock,
)


def produced_rows(rate: float, seconds: float, rng: np.random.Generator) -> np.ndarray:
    """Three sensors' event times at rate / 3 each, a little apart, jittered, merged."""
    per = [rate / 3 - 0.2, rate / 3, rate / 3 + 0.2]
    per = [r * rate / sum(per) for r in per]  # they add up to ``rate``
    times = [np.arange(rng.uniform(0, 1 / r), seconds, 1 / r) for r in per]
    return np.sort(np.concatenate([t + rng.normal(0, 0.0008, len(t)) for t in times]))


@pytest.mark.parametrize("kind", ["realtime", "drains", "never_drains"])
@pytest.mark.parametrize("rate", [147.2, 149.6])
def test_envelope_rate_recovers_the_watch_rate_within_its_bound(kind, rate):
    """Rows made at a rate 1% off the default: the envelope finds it within its stated
    bound, which is tight enough (under 0.6%) to be used, on every delivery kind."""
    for seed in range(3):
        rng = np.random.default_rng(seed)
        d = deliver(produced_rows(rate, 150.0, rng), rng, kind, rate=148.5)
        est = envelope_rate(d.arrival, d.stale_rows, ClockConfig())
        assert est is not None, (kind, seed)
        assert abs(est.rate / rate - 1) <= est.uncertainty, (kind, seed, est)
        assert est.uncertainty <= ClockConfig().max_rate_uncertainty, (kind, seed, est)


def test_count_clock_at_the_envelope_rate_follows_production():
    """A queue that drains, rows made 1% slower than the default: the count clock at the
    envelope rate stays on production; at the default rate it would drift by over half
    a second (up to the one constant) over the session."""
    for seed in range(20):  # the first seed whose delivery loses nothing
        rng = np.random.default_rng(seed)
        d = deliver(produced_rows(147.0, 150.0, rng), rng, "drains", rate=148.5)
        if not d.losses:
            break
    assert not d.losses
    rebuilt, model = rebuild_clock(d.arrival)
    assert model.kind == "count" and model.rate_source == "envelope"
    live = slice(d.stale_rows, None)
    assert clock_error(rebuilt[live], d.produced[live]) < 0.1
    default = (np.arange(len(d.arrival)) - d.stale_rows) / 148.5
    assert clock_error(default[live], d.produced[live]) > 0.5


def test_loss_hidden_in_a_draining_backlog_is_inserted():
    """Rows lost while the queue was long leave no arrival gap; the envelope still steps
    up by the loss once the queue has drained, and the clock outside the backlog is
    right again (inside it no row is off by more than half the loss)."""
    watch, arrival = trace(150, lambda t: 0.6 if 20 <= t < 50 else 1.6, lost=(30, 36))
    rebuilt, model = rebuild_clock(arrival)
    assert model.kind == "count" and model.rate_source == "envelope"
    assert sum(s for _, s in model.losses) == pytest.approx(6, abs=0.2)
    diff = rebuilt - watch
    diff -= np.median(diff[(watch > 0) & (watch < 20)])
    outside = (watch > 0) & ((watch < 20) | (watch > 110))  # the queue drained by 105 s
    assert np.abs(diff[outside]).max() < 0.1
    assert np.abs(diff[watch > 0]).max() <= 3.2


def test_never_draining_backlog_rate_comes_from_the_real_time_start():
    watch, arrival = trace(150, lambda t: 1.5 if t < 25 else 0.5)
    est = envelope_rate(arrival, 400, ClockConfig())
    assert est is not None and est.support_s < 30
    assert est.rate == pytest.approx(148.5, rel=est.uncertainty)


def test_clock_scales_follow_the_rate_bound():
    assert clock_scales({"kind": "arrival", "rate_uncertainty": 1.0}) == (1.0,)
    assert clock_scales({"kind": "count", "rate_uncertainty": 0.001}) == (1.0,)
    assert clock_scales({"kind": "count", "rate_uncertainty": 0.004}) == (0.9975, 1.0, 1.0025)
    assert clock_scales({"kind": "count"}) == tuple(float(a) for a in SCALES)


def test_a_bounded_rate_fits_no_scale_and_needs_no_class_route():
    """A count clock whose rate is bounded is aligned like an arrival clock (one scale)
    and the gate's clock-rate rule does not apply; unbounded, the search fits the rate
    and energy alone is not enough (the class signature passes it)."""
    cfg = AlignConfig(sure_quality=float("inf"), class_channel_weight=0.0)  # signature route
    motion, words = gesture_session(offset_s=2.0, seed=1)
    motion.time_model = {"kind": "count", "rate_uncertainty": 0.001}
    _, tight = align_session("tight", motion, words, cfg)
    motion.time_model = {"kind": "count"}
    _, loose = align_session("loose", motion, words, cfg)
    assert tight.clock_scale == 1.0 and tight.gate == "energy"
    assert tight.offset_s == pytest.approx(2.0, abs=0.3)
    assert loose.gate == "class signature"


def test_a_narrow_scale_search_needs_no_class_route():
    """Scales 1 +- 0.0025 over 120 s of words move them against each other by 0.6 s, less
    than a gesture period: the gate treats the session as one with a known rate."""
    cfg = AlignConfig(sure_quality=float("inf"), class_channel_weight=0.0)  # signature route
    motion, words = gesture_session(seconds=120.0, offset_s=2.0, seed=1)
    motion.time_model = {"kind": "count", "rate_uncertainty": 0.0025}
    _, narrow = align_session("narrow", motion, words, cfg)
    assert narrow.gate == "energy"
    strict_cfg = replace(cfg, rate_reach_s=0.5, scale_reach_s=0.5)
    _, strict = align_session("strict", motion, words, strict_cfg)
    assert strict.gate == "class signature"


def test_a_scale_search_shorter_than_its_reach_keeps_the_envelope_rate():
    """Scales 1 +- 0.0025 cannot move 120 s of words a second against each other: the
    search keeps scale 1 (the envelope's rate) instead of picking a neighbour whose only
    effect is to move the offset; allowed a shorter reach, it fits the scale."""
    motion, words = gesture_session(seconds=120.0, offset_s=2.0, scale=0.9975, seed=1)
    motion.time_model = {"kind": "count", "rate_uncertainty": 0.0025}
    _, kept = align_session("kept", motion, words, AlignConfig())
    assert kept.clock_scale == 1.0
    assert kept.offset_s == pytest.approx(2.0, abs=0.3)
    _, fitted = align_session("fitted", motion, words, AlignConfig(scale_reach_s=0.5))
    assert fitted.clock_scale == 0.9975


def test_loss_hidden_in_a_backlog_is_put_where_the_rotation_jumps():
    """The same hidden loss, with the motion saying where it was (the rotation vector
    jumps between two consecutive rows there): the whole clock is right again."""
    watch, arrival = trace(150, lambda t: 0.6 if 20 <= t < 50 else 1.6, lost=(30, 36))
    rot = np.arange(0, len(watch), 3)  # every third row a rotation row
    excess = np.full(len(rot), 0.01)
    excess[np.searchsorted(watch[rot], 36.0)] = 0.8  # the first one after the loss
    pairs = SpacingPairs(rot[1:], np.full(len(rot) - 1, 0.02), np.full(len(rot) - 1, 0.02))
    pairs.turn_row, pairs.turn_excess = rot, excess
    rebuilt, model = rebuild_clock(arrival, pairs=pairs)
    diff = rebuilt - watch
    diff -= np.median(diff[(watch > 0) & (watch < 20)])
    assert np.sort(np.abs(diff[watch > 0]))[-3] < 0.1  # but the rows beside the jump
    jumpless = replace(pairs, turn_excess=np.full(len(rot), 0.01))
    rebuilt, _ = rebuild_clock(arrival, pairs=jumpless)
    assert np.abs(rebuilt - watch - np.median((rebuilt - watch)[:3000])).max() > 2


def test_envelope_spans_stalls_but_cuts_at_losses():
    """Stalls (the host holds rows, then they arrive in a burst) are delays: the envelope
    spans them, so sessions that stall every few seconds still get a bounded rate. A loss
    in real time stays a cut (its latency step never comes back down)."""
    spanned = 0
    for seed in range(6):
        rng = np.random.default_rng(seed)
        d = deliver(produced_rows(149.6, 150.0, rng), rng, "realtime", rate=148.5)
        if len(d.stalls) < 20:
            continue
        est = envelope_rate(d.arrival, d.stale_rows, ClockConfig())
        assert est is not None and est.uncertainty <= ClockConfig().max_rate_uncertainty
        assert abs(est.rate / 149.6 - 1) <= est.uncertainty, (seed, est)
        t = d.arrival[d.stale_rows :]
        for a, b in est.rows:
            spanned += sum(t[a] < s < t[b] for s, _ in d.stalls)
    assert spanned >= 10
    t = np.arange(0, 60, 1 / 148.5)
    t = np.concatenate([t[t < 30], t[t >= 32]])  # two seconds lost at 30 s
    t = t + np.random.default_rng(0).uniform(0, 0.02, len(t))
    cuts = envelope_cuts(t, ClockConfig())
    assert len(cuts) == 1 and t[cuts[0] - 1] < 30.1 and t[cuts[0]] >= 32


def test_scales_the_words_do_not_tell_apart_keep_the_one_nearest_the_rebuilt_rate():
    """Qualities within scale_tie_z of the best are a tie: the scale nearest 1 wins it;
    a scale better by more than that still wins."""
    from silkpipe.clock_fit import _nearest_to_one

    scales = (0.99, 0.995, 1.0, 1.005, 1.01)
    assert _nearest_to_one(scales, np.array([3.0, 2.0, 2.5, 3.2, 3.1]), 1.0) == 2
    assert _nearest_to_one(scales, np.array([3.0, 2.0, 2.5, 3.2, 3.1]), 0.0) == 3
    assert _nearest_to_one(scales, np.array([3.0, 2.0, 1.5, 2.9, 3.2]), 1.0) == 3


def _turns(watch: np.ndarray, jump_at: float | None) -> SpacingPairs:
    """Rotation rows every third row, turning as the gyro says except, when ``jump_at``
    is given, across the first one made after it (the wrist moved while rows were lost)."""
    rot = np.arange(0, len(watch), 3)
    excess = np.full(len(rot), 0.01)
    if jump_at is not None:
        excess[np.searchsorted(watch[rot], jump_at)] = 0.8
    pairs = SpacingPairs(rot[1:], np.full(len(rot) - 1, 0.02), np.full(len(rot) - 1, 0.02))
    pairs.turn_row, pairs.turn_excess = rot, excess
    return pairs


def _never_draining(lost: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """(watch, arrival): 25 s in real time, then a queue at half the rate that never
    drains, the rows of watch-time window ``lost`` never arriving (their sending time
    spent: arrival pauses about twice the loss)."""
    return trace(150, lambda t: 1.5 if t < 25 else 0.5, lost=lost)


def test_loss_in_a_backlog_that_never_drains_is_inserted_at_its_gap():
    """Rows lost while a queue never drains: no later envelope edge steps up, but sending
    time went on them, so arrival pauses and never catches up with its pace; with the
    rotation jumping there the loss is inserted and the clock after it is right. A pause
    no longer than a host stall (``stall_s``) where the wrist turns by one period only
    may be a stall (real queues that never drain stay behind at every stall): nothing
    inserted."""
    watch, arrival = _never_draining((60, 63))
    rebuilt, model = rebuild_clock(arrival, pairs=_turns(watch, 63.0))
    assert model.kind == "count" and model.rate_source == "envelope"
    assert [round(s) for _, s in model.losses] == [3]
    assert clock_error(rebuilt[400:], watch[400:]) < 0.1
    watch, arrival = _never_draining((60, 60.6))
    assert np.diff(arrival[400:]).max() <= ClockConfig().stall_s
    rebuilt, model = rebuild_clock(arrival, pairs=_turns(watch, None))
    assert model.losses == []
    assert clock_error(rebuilt[400:], watch[400:]) > 0.5


def test_a_pause_longer_than_any_stall_that_never_catches_up_is_a_loss_without_a_jump():
    """Never_drains 536_02, 527_02, 346_00, 504_02, 506_01 (bench/notes/clock43.txt): rows
    lost in a queue that never drains while the wrist was still or slow, so the rotation
    does not jump across the gap; arrival pauses longer than any host stall and never
    catches up, by the loss. Main required the jump and left every later word off by the
    loss; a pause over ``stall_s`` is no stall, so the lag alone counts it."""
    watch, arrival = _never_draining((60, 63))
    assert np.diff(arrival[400:]).max() > ClockConfig().stall_s
    rebuilt, model = rebuild_clock(arrival, pairs=_turns(watch, None))
    assert model.kind == "count" and model.rate_source == "envelope"
    assert [round(s, 1) for _, s in model.losses] == [3.0]
    assert clock_error(rebuilt[400:], watch[400:]) < 0.1


def test_a_stall_of_stall_s_read_just_over_it_in_a_queue_is_no_loss():
    """DEV 648_02 (bench/notes/nd45.txt): a host stall of 1.5 s (``stall_s``) inside a
    queue that never drains stays behind (the queue sends at its own pace after it), and
    its arrival pause reads a row's spacing longer than the stall. A pause is measured
    between two rows, each up to ``latency_jitter_s`` off: only a pause longer than
    ``stall_s`` by twice that is no stall; this one inserts nothing, as at main. A 1.6 s
    pause is past that margin, and its lag alone now counts it (the rule's cost where a
    host stall could last that long)."""
    watch, arrival = _never_draining((200, 200))
    for held, loss_free in ((1.5, True), (1.6, False)):
        late = arrival.copy()
        late[late >= 60.0] += held
        pause = np.diff(late[400:]).max()
        assert ClockConfig().stall_s < pause < held + 0.02
        _, model = rebuild_clock(late, pairs=_turns(watch, None))
        assert model.kind == "count" and model.rate_source == "envelope"
        assert (model.losses == []) is loss_free, (held, model.losses)


def test_two_losses_between_envelope_edges_are_each_their_own_size():
    """Two losses in real time, each between its own pair of envelope edges: each is
    inserted at its own size (not the second less the first)."""
    watch, arrival = trace(150, lambda t: 1.6, lost=(40, 44))
    keep = (watch < 90) | (watch >= 97)  # and seven seconds more at 90 s
    watch, arrival = watch[keep], arrival[keep]
    _, model = rebuild_clock(arrival)
    assert model.rate_source == "envelope"
    assert [round(s) for _, s in model.losses] == [4, 7]


def test_loss_in_a_backlog_before_the_first_envelope_edge_is_inserted():
    """Rows lost in a queue that drains only after them: the first envelope edge lies
    higher than the anchor row (the stream starts in real time) by the loss, placed where
    the rotation jumps; the clock is right on both sides of it."""
    watch, arrival = trace(150, lambda t: 0.6 if t < 40 else 1.6, lost=(37, 41))
    rebuilt, model = rebuild_clock(arrival, pairs=_turns(watch, 41.0))
    assert model.kind == "count" and model.rate_source == "envelope"
    assert [round(s) for _, s in model.losses] == [4]
    assert clock_error(rebuilt[400:], watch[400:]) < 0.1


def _queue_after_a_short_start(second_rate: float = R) -> tuple[np.ndarray, np.ndarray]:
    """(watch, arrival): 6 s in real time, 1 s lost, 5 s more (rows made at
    ``second_rate`` there), then a queue at half the rate that never drains, in which
    3 s of rows are lost at 60 s (their sending time spent: arrival pauses)."""
    made = np.concatenate(
        [
            np.arange(-400, 0) / R + 0.1,
            0.1 + np.arange(int(5.9 * R)) / R,
            7 + np.arange(int(5 * R)) / second_rate,
        ]
    )
    made = np.concatenate([made, made[-1] + np.arange(1, int(100 * R)) / R])
    arrival = made + 0.02
    arrival[:400] = np.linspace(0.02, 0.08, 400)
    for i in range(int(np.searchsorted(made, 12.0)), len(made)):
        arrival[i] = max(arrival[i], arrival[i - 1] + 2 / R)
    keep = (made < 60) | (made >= 63)
    return made[keep], arrival[keep]


def test_a_loose_envelope_rate_whose_edges_agree_is_used():
    """Two short real-time edges (6 and 4 s) bound the rate to only 0.8%, looser than
    max_rate_uncertainty, but they agree within their own bounds: the rate is used with
    that bound (the scale search keeps to it), and so are the envelope's loss rules: the
    3 s lost in the queue that never drains is inserted at its gap. Edges 2% apart (the
    arrival floor moves, as in real 135233) leave the default rate and its rules."""
    watch, arrival = _queue_after_a_short_start()
    rebuilt, model = rebuild_clock(arrival, pairs=_turns(watch, 63.0))
    assert model.rate_source == "envelope" and model.kind == "count"
    assert ClockConfig().max_rate_uncertainty < model.rate_uncertainty < 0.01
    assert [round(s) for _, s in model.losses] == [1, 3]
    assert clock_error(rebuilt[400:], watch[400:]) < 0.1
    watch, arrival = _queue_after_a_short_start(1.02 * R)
    est = envelope_rate(arrival, 400, ClockConfig())
    assert est is not None and len(est.rows) == 2 and est.disagreement > 0
    _, model = rebuild_clock(arrival, pairs=_turns(watch, 63.0))
    assert model.rate_source == "default"


def test_loss_in_a_backlog_without_a_rotation_jump_is_put_at_the_gap_that_stays_behind():
    """A loss in a queue that drains later, the wrist turning as the gyro says across it:
    the envelope step says how much was lost, and the one arrival gap that never catches
    up with the queue's pace by that much says where (the lost rows took sending time);
    the whole clock is right, not off by half the loss inside the backlog."""
    watch, arrival = trace(200, lambda t: 0.6 if 20 <= t < 50 else 1.6, lost=(30, 32))
    rebuilt, model = rebuild_clock(arrival, pairs=_turns(watch, None))
    assert model.kind == "count" and [round(s) for _, s in model.losses] == [2]
    assert clock_error(rebuilt[400:], watch[400:]) < 0.1


def _still_wrist_loss_before_a_drain() -> tuple[np.ndarray, np.ndarray, SpacingPairs]:
    """(watch, arrival, pairs): a queue from 20 s that drains from 50 s, 2 s lost at 47 s,
    the wrist still (the rotation turning 0.05 rad beyond the gyro across the loss only)."""
    watch, arrival = trace(200, lambda t: 0.6 if 20 <= t < 50 else 1.6, lost=(47, 49))
    pairs = _turns(watch, 49.0)
    pairs.turn_excess[:] = 0.0005
    pairs.turn_excess[np.searchsorted(watch[pairs.turn_row], 49.0)] = 0.05
    return watch, arrival, pairs


def test_a_step_nothing_else_places_goes_to_the_one_gap_the_still_wrist_jumps_across():
    """Drains 524_00 (bench/notes/clock43.txt): 2 s lost in a queue that drains right
    after the gap, so arrival catches its lag up (no gap stays behind by the step), and
    the wrist still: across the gap the rotation vector turns 0.05 rad beyond the gyro,
    below loss_turn_rad but a hundred times its still neighbours. Main spread the step
    half each way (the clock off by half the loss over the queue); the one gap the wrist
    jumps across takes it. Where the neighbours turn by 0.02 no gap jumps: spread, as
    before."""
    watch, arrival, pairs = _still_wrist_loss_before_a_drain()
    rebuilt, model = rebuild_clock(arrival, pairs=pairs)
    assert model.rate_source == "envelope" and [round(s) for _, s in model.losses] == [2]
    assert clock_error(rebuilt[400:], watch[400:]) < 0.1
    noisy = replace(pairs, turn_excess=np.where(pairs.turn_excess == 0.05, 0.05, 0.02))
    rebuilt, model = rebuild_clock(arrival, pairs=noisy)
    assert [round(s) for _, s in model.losses] == [2]
    assert 0.5 < clock_error(rebuilt[400:], watch[400:]) < 1.5


def test_a_loss_after_a_stalls_catch_up_is_sized_at_the_watch_rate():
    """Rows arrive faster than the watch makes them just before a gap (a stall's held rows
    catching up): that is not the pace of sending, so the 4 s lost at the gap (after the
    last envelope edge: a queue follows that never drains) is lagged at the watch rate,
    not at the burst's pace (5 s). The queue after it sends at half the rate from the
    gap's end on, which arrival cannot tell from a queue that began inside the loss: the
    size is the middle of 2-4 s, 1 s off here (the price of the case losssize.txt found
    wrong by 0.76 s), and the time model says so."""
    made = np.concatenate([np.arange(-400, 0) / R + 0.1, 0.1 + np.arange(int(120 * R)) / R])
    arrival = made + 0.02
    arrival[:400] = np.linspace(0.02, 0.08, 400)
    held = (made >= 14.5) & (made < 16.0)
    arrival[held] = 16.0 + np.arange(held.sum()) * 1e-4
    for i in range(int(np.searchsorted(made, 24.0)), len(made)):
        arrival[i] = max(arrival[i], arrival[i - 1] + 2 / R)
    keep = (made < 20) | (made >= 24)
    watch, arrival = made[keep], arrival[keep]
    rebuilt, model = rebuild_clock(arrival, pairs=_turns(watch, 24.0))
    assert [round(s, 1) for _, s in model.losses] == [3.0]
    assert model.loss_uncertainty_s == pytest.approx(1.0, abs=0.05)  # the lag: 4 s, not 5
    assert clock_error(rebuilt[400:], watch[400:]) < 1.1


def test_two_losses_between_the_same_edges_are_split_where_each_happened():
    """3 s lost in a draining queue (the rotation jumps there) and 4 s more in real time
    right after it drained, both before the next envelope edge: the step (7 s) is split,
    4 s at the real-time gap (where latency jumps) and the 3 s that latency had already
    risen by before it at the rotation jump, not all 7 s at the later gap."""
    watch, arrival = trace(200, lambda t: 0.6 if 20 <= t < 40 else 1.6, lost=(30, 33))
    keep = (watch < 79) | (watch >= 83)
    watch, arrival = watch[keep], arrival[keep]
    pairs = _turns(watch, 33.0)
    pairs.turn_excess[np.searchsorted(watch[pairs.turn_row], 83.0)] = 0.8
    rebuilt, model = rebuild_clock(arrival, pairs=pairs)
    assert [round(s) for _, s in model.losses] == [3, 4]
    diff = rebuilt - watch
    diff -= np.median(diff[(watch > 0) & (watch < 20)])
    assert np.sort(np.abs(diff[watch > 0]))[-3] < 0.1  # but the rows beside the jump


def test_loss_in_a_queue_where_the_wrist_is_still_is_inserted_at_its_gap():
    """The queue that never drains, 0.7 s lost (a pause no longer than a host stall), the
    wrist still: across the gap the rotation vector turns by only 0.05 rad beyond the
    gyro (below loss_turn_rad), but a hundred times more than between any of its still
    neighbours, so time passed there: inserted. The same 0.05 rad where the neighbours
    turn by 0.02 (a moving wrist's noise) is no evidence: nothing inserted, as before."""
    watch, arrival = _never_draining((60, 60.7))
    pairs = _turns(watch, 60.7)
    pairs.turn_excess[:] = 0.0005
    pairs.turn_excess[np.searchsorted(watch[pairs.turn_row], 60.7)] = 0.05
    rebuilt, model = rebuild_clock(arrival, pairs=pairs)
    assert [round(s, 1) for _, s in model.losses] == [0.7]
    assert clock_error(rebuilt[400:], watch[400:]) < 0.1
    noisy = replace(pairs, turn_excess=np.where(pairs.turn_excess == 0.05, 0.05, 0.02))
    _, model = rebuild_clock(arrival, pairs=noisy)
    assert model.losses == []


def test_a_rate_fitted_at_the_edge_of_its_bound_is_refused_and_one_inside_passes():
    """Case (b) of bench/notes/rate.txt, made: the words run 1 % fast against a count clock
    whose envelope bounds the rate to 0.5 %, so the fit takes the bound's edge (1.005), a
    placement 0.5 % off that the signature route passed; at the edge no route below
    sure_quality passes it. The same session at the clock's own rate still passes."""
    from silkpipe.gate import RATE_AT_EDGE

    cfg = AlignConfig(sure_quality=float("inf"), class_channel_weight=0.0)  # signature route
    bound = {"kind": "count", "rate_uncertainty": 0.005}
    motion, words = gesture_session(offset_s=2.0, scale=1.01, seed=1)
    motion.time_model = bound
    _, edge = align_session("edge", motion, words, cfg)
    assert edge.clock_scale == 1.005 and edge.clock_scale_edge == 1.0
    assert edge.excluded and edge.gate == RATE_AT_EDGE, edge.gate
    assert "edge of the rates searched around the measured one" in edge.reason
    assert "alone is not enough" not in edge.reason  # the signature route is what is refused
    _, before = align_session("edge", motion, words, replace(cfg, rate_edge_share=2.0))
    assert not before.excluded and before.gate == "class signature"
    assert abs(before.offset_s - 2.0) > 0.5  # the first words placed that far off
    motion, words = gesture_session(offset_s=2.0, scale=1.0, seed=1)
    motion.time_model = bound
    _, right = align_session("right", motion, words, cfg)
    assert right.clock_scale == 1.0 and right.clock_scale_edge == 0.0
    assert not right.excluded and right.gate == "class signature"
    assert right.offset_s == pytest.approx(2.0, abs=0.3)


def test_the_rate_edge_refuses_only_the_routes_below_sure_quality():
    from silkpipe.class_evidence import ClassTest
    from silkpipe.gate import PEAKS_AWAY, RATE_AT_EDGE, gate_verdict
    from silkpipe.signature import SignatureTest

    cfg = AlignConfig(class_channel_weight=0.0)
    silent = SignatureTest(0.0, 1.0, 0, 0, testable=False)
    clips = ClassTest(-1.0, 0.001, 12, 3, model="clips")

    def verdict(quality, rate_edge, c=cfg, margin=None, fitted=True):
        return gate_verdict(
            quality, 0.02, silent, c, clips, rate_fitted=fitted, lag_margin=margin,
            rate_edge=rate_edge,
        )  # fmt: skip

    assert verdict(6.0, 0.5) == (False, "clip classes")
    assert verdict(6.0, 1.0) == (True, RATE_AT_EDGE)
    assert verdict(6.0, 1.0, fitted=False) == (False, "energy")
    assert verdict(3.0, 1.0, fitted=False) == (False, "clip classes")  # no rate fitted: no edge
    assert verdict(9.0, 1.0) == (False, "energy")  # sure quality: energy alone
    assert verdict(6.0, 1.0, margin=-1.0) == (True, PEAKS_AWAY)
    assert verdict(6.0, 1.0, replace(cfg, rate_edge_share=2.0)) == (False, "clip classes")


def test_the_rate_edge_setting_is_checked():
    from silkpipe.commands import check_config
    from silkpipe.errors import InputError

    check_config(AlignConfig(rate_edge_share=2.0))  # off
    with pytest.raises(InputError, match="rate_edge_share"):
        check_config(AlignConfig(rate_edge_share=-1.0))


def test_a_rate_fitted_slow_at_the_lower_edge_is_refused_where_its_span_only_just_fits():
    """The words run 1 % slow against a clock bounded to 0.5 %, and span just over the reach
    at which the rate is fitted: the fit takes the lower edge (0.995). Whether the rate was
    fitted is judged on the words as the scale search saw them, not after the chosen scale
    shrank them below that reach (which read as "not fitted" and let the edge pass)."""
    from silkpipe.alignment import _scale_reach, _searched_scales
    from silkpipe.gate import RATE_AT_EDGE

    cfg = AlignConfig(sure_quality=float("inf"), class_channel_weight=0.0)
    motion, words = gesture_session(seconds=160.0, offset_s=2.0, scale=0.99, seed=1)
    motion.time_model = {"kind": "count", "rate_uncertainty": 0.005}
    span = [(i, j) for i in range(len(words)) for j in range(i, len(words))]
    i, j = next((i, j) for i, j in span if 100.0 <= words[j].start - words[i].start < 100.45)
    said = words[i : j + 1]
    scales = _searched_scales(motion, said, cfg)
    assert min(scales) == pytest.approx(0.995) and _scale_reach(scales, said) >= cfg.rate_reach_s
    _, report = align_session("slow", motion, said, cfg)
    assert report.clock_scale == pytest.approx(0.995) and report.clock_scale_edge == 1.0
    assert report.excluded and report.gate == RATE_AT_EDGE, report.gate


def _queue_begins(at: float) -> tuple[np.ndarray, np.ndarray]:
    """(watch, arrival): real time, 4 s lost at 15 s, and from ``at`` on a queue sending at
    three quarters of the rate that never drains (the lost rows took sending time)."""
    return trace(110, lambda t: 1.5 if t < at else 0.75, lost=(15, 19))


def _queue_shows_late() -> tuple[np.ndarray, np.ndarray]:
    """(watch, arrival): held-out 678_00, made: a slow phase begins inside a 4 s loss at
    15 s, and the first second of rows after the gap arrives at the watch rate before the
    queue shows (the late queue)."""
    return trace(
        110,
        lambda t: 1.5 if t < 17 else (0.5 if t < 19 else (1.0 if t < 20.2 else 0.6)),
        lost=(15, 19),
    )


def _offset_after(rebuilt: np.ndarray, watch: np.ndarray, lo: float, hi: float) -> float:
    """How far the clock after the loss moved against the clock before it."""
    diff = rebuilt - watch
    before = np.median(diff[(watch > 5) & (watch < 14)])
    return float(np.median(diff[(watch > lo) & (watch < hi)]) - before)


def test_a_loss_a_queue_began_inside_is_sized_between_the_paces():
    """Held-out 347_01 (bench/notes/losssize.txt), made: the queue begins 2 s into a 4 s
    loss, so the first row after it arrives with 0.67 s of queue besides; the lag at the
    pace before (the watch rate) sized it 4.67 s, every word after 0.67 s late. The rows
    sent right after the gap say a queue ran by then; the lost rows went at a pace between
    the two, so the size is the middle of 3.5-4.67 s, and the time model says how far off
    that may be (half the range)."""
    watch, arrival = _queue_begins(17.0)
    rebuilt, model = rebuild_clock(arrival, pairs=_turns(watch, 19.0))
    assert model.kind == "count" and model.rate_source == "envelope"
    assert abs(_offset_after(rebuilt, watch, 20, 100)) < 0.2
    assert model.loss_uncertainty_s == pytest.approx(0.58, abs=0.05)


def test_each_uncertain_loss_says_which_test_gave_its_spread():
    """The gate reads a loss's spread only where its size is at the top of its range (the
    late queue: the loss can only be smaller); a queue's bracket is its range's middle,
    and split noise over it refused right passes (532_01, 711_00: bench/notes/ctl46.txt).
    So the time model records each spread's kind beside the loss, in order."""
    watch, arrival = _queue_begins(17.0)  # 347_01, made: a bracket
    _, model = rebuild_clock(arrival, pairs=_turns(watch, 19.0))
    assert len(model.uncertain_losses) == 1 and model.uncertain_loss_kinds == ["bracket"]
    assert model.to_json()["uncertain_loss_kinds"] == ["bracket"]
    watch, arrival = _queue_begins(13.0)  # 364_02, made: the window's pace is the far end
    _, model = rebuild_clock(arrival, pairs=_turns(watch, 19.0))
    assert model.uncertain_loss_kinds == ["window pace"]
    watch, arrival = _queue_shows_late()  # 678_00, made: the late queue
    _, model = rebuild_clock(arrival, pairs=_turns(watch, 19.0))
    assert model.uncertain_loss_kinds == ["late queue"]
    watch, arrival = _queue_begins(24.0)  # certain: no loss to name a kind for
    _, model = rebuild_clock(arrival, pairs=_turns(watch, 19.0))
    assert model.uncertain_losses == [] and model.uncertain_loss_kinds == []


def test_a_loss_before_a_queue_begins_keeps_its_size():
    """The queue begins 5 s after the 4 s loss: the rows right after the gap still arrive
    at the watch rate, so nothing says the lost rows were sent slower; the lag is the loss,
    inserted whole and certain."""
    watch, arrival = _queue_begins(24.0)
    rebuilt, model = rebuild_clock(arrival, pairs=_turns(watch, 19.0))
    assert model.kind == "count" and [round(s, 1) for _, s in model.losses] == [4.0]
    assert abs(_offset_after(rebuilt, watch, 20, 100)) < 0.1
    assert model.loss_uncertainty_s == 0.0


def test_a_loss_a_queue_began_just_after_is_sized_at_the_lag():
    """Held-out 719_01 (bench/notes/nd46.txt), made: the queue begins 0.35 s after a 4 s
    loss. The second of rows after the gap mixes real time and the queue, so it read
    slower than before and the loss was taken at the middle of its range, 3.64 s, every
    word after 0.36 s early. Those rows arrive at the watch rate until the queue begins
    (the latency floor stays level for 0.35 s): the lost rows were sent in real time, and
    the lag is the loss. A queue that began inside the loss (0.2 s before its end) gives
    no such level stretch, and the middle stands; realtime_after_s None is the parent."""
    watch, arrival = _queue_begins(19.35)
    rebuilt, model = rebuild_clock(arrival, pairs=_turns(watch, 19.0))
    assert model.kind == "count" and [round(s, 1) for _, s in model.losses] == [4.0]
    assert abs(_offset_after(rebuilt, watch, 20, 100)) < 0.1
    off = ClockConfig(realtime_after_s=None)
    _, parent = rebuild_clock(arrival, cfg=off, pairs=_turns(watch, 19.0))
    assert [round(s, 2) for _, s in parent.losses] == [3.64]
    assert model.loss_uncertainty_s == parent.loss_uncertainty_s  # the gate reads the same
    watch, arrival = _queue_begins(18.8)
    _, inside = rebuild_clock(arrival, pairs=_turns(watch, 19.0))
    _, inside_off = rebuild_clock(arrival, cfg=off, pairs=_turns(watch, 19.0))
    assert inside.losses == inside_off.losses and inside.losses[0][1] < 3.9


def test_a_stalls_burst_after_a_loss_is_no_real_time():
    """Real 647_01 (bench/notes/nd46.txt), made: the queue (0.6 of the rate) begins 0.2 s
    before a 4 s loss ends and a host stall holds the first 0.5 s of rows after the gap;
    they arrive in one burst, whose latency falls to the floor and so reads level over
    their 0.3 s of rows. They were held, not sent in real time: the level is read from
    the first row at the floor, the queue shows right after it, and the loss keeps the
    bracket's middle (measured from the burst's first row, it was sized 4.35 s)."""
    watch, arrival = trace(110, lambda t: 1.5 if t < 18.8 else 0.6, lost=(15, 19))
    g = int(np.searchsorted(watch, 19.0))
    held = (arrival < arrival[g] + 0.5) & (np.arange(len(arrival)) >= g)
    arrival = arrival.copy()
    arrival[held] = arrival[g] + 0.5 + np.arange(held.sum()) * 0.0004
    arrival = np.maximum.accumulate(arrival)
    _, model = rebuild_clock(arrival, pairs=_turns(watch, 19.0))
    off = ClockConfig(realtime_after_s=None)
    _, parent = rebuild_clock(arrival, cfg=off, pairs=_turns(watch, 19.0))
    assert model.losses == parent.losses and abs(model.losses[0][1] - 4.0) < 0.1


def test_the_realtime_after_setting_is_checked():
    from silkpipe.commands import check_config
    from silkpipe.errors import InputError

    check_config(ClockConfig(realtime_after_s=None))  # off
    with pytest.raises(InputError, match="realtime_after_s"):
        check_config(ClockConfig(realtime_after_s=-1.0))


def test_a_loss_a_queue_began_just_before_is_sized_at_the_queues_pace():
    """Held-out 364_02 / 368_03 (bench/notes/ndmiss.txt), made: the queue begins 2 s
    before a 4 s loss, inside the 5 s the pace before the gap is read over. That window's
    pace mixes real time and the queue, faster than the pace the lost rows were sent at,
    so the lag read the loss 4.35 s (the middle of a range 0.35 s wide). The last second
    before the gap arrives at the queue's pace: the loss is its size. Rows dropped in that
    second would read the same, so the window's 4.71 s stays the range's far end."""
    watch, arrival = _queue_begins(13.0)
    rebuilt, model = rebuild_clock(arrival, pairs=_turns(watch, 19.0))
    assert model.kind == "count" and [round(s, 1) for _, s in model.losses] == [4.0]
    assert abs(_offset_after(rebuilt, watch, 20, 100)) < 0.1
    assert model.loss_uncertainty_s == pytest.approx(0.71, abs=0.02)


def test_rows_dropped_before_a_loss_widen_its_range():
    """Every fifth row of the second before the 4 s loss dropped (a link fading before it
    fails): that second arrives slower, like a queue beginning, and the loss is read at
    its pace, 1.46 s. Arrival alone cannot tell the two apart, so the time model says the
    size may be off by up to the lag at the 5 s window's pace: the true 4 s lies inside."""
    watch, arrival = _queue_begins(13.0)
    idx = np.arange(len(watch))
    keep = ~((watch >= 14) & (watch < 15) & (idx % 5 == 0))
    rebuilt, model = rebuild_clock(arrival[keep], pairs=_turns(watch[keep], 19.0))
    ((_, size),) = model.losses
    assert size < 3.0 and abs(size - 4.0) <= model.loss_uncertainty_s


def test_the_recent_pace_is_read_inside_the_window():
    """A recent_pace_s longer than steady_window_s reads only the window's rows: reaching
    back past it mixes in an earlier, slower queue (0.5 of the rate, 20-28 s) the lost rows
    were not sent at; the 4 s loss, sent at the window's 0.75, was sized 1.08 s."""
    watch, arrival = trace(
        120, lambda t: 1.5 if t < 20 else (0.5 if t < 28 else 0.75), lost=(34, 38)
    )
    cfg = ClockConfig(recent_pace_s=12.0)
    rebuilt, model = rebuild_clock(arrival, cfg=cfg, pairs=_turns(watch, 38.0))
    assert model.kind == "count" and [round(s, 1) for _, s in model.losses] == [4.0]
    assert model.loss_uncertainty_s == 0.0


def test_no_recent_pace_is_read_at_zero():
    """recent_pace_s 0 turns the recent pace off (stop 37's sizing): the loss the queue
    began 2 s before is read at the 5 s window's pace, the middle of its range, not at the
    pace of the one arrival step before the gap (queue_onset_low off: step 64). With it on,
    the queue that held the rows before the gap sizes the loss at its own pace: the true 4 s."""
    watch, arrival = _queue_begins(13.0)
    cfg = ClockConfig(recent_pace_s=0.0, queue_onset_low=False)
    rebuilt, model = rebuild_clock(arrival, cfg=cfg, pairs=_turns(watch, 19.0))
    assert [round(s, 2) for _, s in model.losses] == [4.35]
    assert model.loss_uncertainty_s == pytest.approx(0.35, abs=0.02)
    cfg = ClockConfig(recent_pace_s=0.0)
    rebuilt, model = rebuild_clock(arrival, cfg=cfg, pairs=_turns(watch, 19.0))
    assert [round(s, 2) for _, s in model.losses] == [4.0]


def test_the_recent_pace_setting_is_checked():
    from silkpipe.commands import check_config
    from silkpipe.errors import InputError

    with pytest.raises(InputError, match="recent_pace_s"):
        check_config(ClockConfig(recent_pace_s=-1.0))


def test_the_pace_drop_setting_is_checked():
    from silkpipe.commands import check_config
    from silkpipe.errors import InputError

    with pytest.raises(InputError, match="pace_drop"):
        check_config(ClockConfig(pace_drop=1.5))


def test_a_loss_whose_queue_arrives_at_full_pace_at_first_is_flagged_uncertain():
    """Held-out 678_00 (bench/notes/diag44.txt), made: a slow phase begins inside a 4 s
    loss, and the first second of rows after the gap arrives at the watch rate before the
    queue shows. The lag reads 6 s (2 s too much) and the second after the gap sees no
    queue, so the loss was inserted certain. Over queue_window_s (2 s) of rows the pace
    falls: the size is kept, and the time model says it may be off by over 0.5 s."""
    watch, arrival = _queue_shows_late()
    rebuilt, model = rebuild_clock(arrival, pairs=_turns(watch, 19.0))
    assert model.kind == "count" and [round(s, 1) for _, s in model.losses] == [6.0]
    assert _offset_after(rebuilt, watch, 20, 100) == pytest.approx(2.0, abs=0.1)
    assert model.loss_uncertainty_s > 0.5
    ((at, size, spread, after),) = model.uncertain_losses
    assert [at, size, spread] == [*model.losses[0], model.loss_uncertainty_s]
    assert after == pytest.approx(rebuilt[np.searchsorted(watch, 19.0)], abs=0.01)
    _, model = rebuild_clock(
        arrival, cfg=ClockConfig(queue_window_s=1.0), pairs=_turns(watch, 19.0)
    )
    assert model.loss_uncertainty_s == 0.0 and model.uncertain_losses == []


def test_a_stream_kept_on_arrival_time_lists_no_uncertain_loss():
    """The gate refuses words that straddle an uncertain loss of the rebuilt clock; a stream
    kept on arrival time (here: any backlog counts as real time) inserts no loss, so it has
    none whose size could be off, though the same stream rebuilt by count has one."""
    watch, arrival = _queue_shows_late()
    _, model = rebuild_clock(arrival, cfg=ClockConfig(backlog_s=1000.0), pairs=_turns(watch, 19.0))
    assert model.kind == "arrival" and model.uncertain_losses == []


def test_the_uncertain_loss_reason_quotes_the_sure_level_the_gate_applies():
    """Only energy at the sure level passes across an uncertain loss, and that level is
    the higher of sure_quality and min_quality (_sure_energy): the reason quotes it."""
    from silkpipe.alignment import AlignConfig
    from silkpipe.gate import _loss_uncertain

    loss = [40.0, 6.0, 2.5, 52.0, -0.1, 1.4]
    assert "< sure 10.0)" in _loss_uncertain(loss, 7.0, AlignConfig(sure_quality=10.0))
    raised = AlignConfig(sure_quality=8.0, min_quality=9.5)
    assert "< sure 9.5)" in _loss_uncertain(loss, 7.0, raised)


def test_the_queue_window_setting_is_checked():
    from silkpipe.commands import check_config
    from silkpipe.errors import InputError

    with pytest.raises(InputError, match="queue_window_s"):
        check_config(ClockConfig(queue_window_s=-1.0))


def test_a_pass_below_sure_where_the_words_step_at_an_uncertain_loss_is_refused():
    """678_00 (bench/notes/diag44.txt), made: a loss 2.4 s oversized moved the words after
    it against the ones before, and energy under sure_quality passed the offset that fit
    the words after it. Where the time model says a loss's size may be off by more than
    loss_spread_s and the words on its two sides, fitted apart, put the offset more than
    that apart (no further than its spread allows), the pass is refused, at sure energy
    too (loss_rules_at_sure), and the reason names the loss and the offset each side fits
    at. Words that agree across it, a loss
    off by less, or a step larger than its spread allow, refuse nothing."""
    from dataclasses import replace as with_

    from silkpipe.gate import LOSS_UNCERTAIN

    motion, words = gesture_session(seconds=110.0, offset_s=2.0, seed=1)
    stepped = [with_(w, start=w.start + 1.5, end=w.end + 1.5) if w.start > 50 else w for w in words]
    cfg = AlignConfig(class_channel_weight=0.0, sure_quality=1000.0)

    def gate(said, loss: list[float], config=cfg, kind="late queue") -> tuple[bool, str, str]:
        clock = {"kind": "arrival", "uncertain_losses": [loss], "uncertain_loss_kinds": [kind]}
        _, report = align_session("s", with_(motion, time_model=clock), said, config)
        return report.excluded, report.gate, report.reason

    excluded, how, why = gate(stepped, [40.0, 6.0, 2.5, 52.0])
    assert excluded and how == LOSS_UNCERTAIN and "loss at 52.0 s (6.00 s)" in why, why
    sides = re.search(r"before it fit best at offset (\S+) s, those after it at (\S+) s", why)
    assert sides and float(sides[1]) - float(sides[2]) == pytest.approx(1.5, abs=0.1), why
    assert gate(words, [40.0, 6.0, 2.5, 52.0])[:2] == (False, "energy")  # the words agree
    assert gate(stepped, [40.0, 6.0, 0.4, 52.0])[:2] == (False, "energy")
    assert gate(stepped, [40.0, 6.0, 0.8, 52.0])[:2] == (False, "energy")  # steps too far
    assert gate(stepped, [140.0, 6.0, 2.5, 150.0])[:2] == (False, "energy")
    off = AlignConfig(class_channel_weight=0.0, sure_quality=1000.0, loss_spread_s=None)
    assert gate(stepped, [40.0, 6.0, 2.5, 52.0], off)[:2] == (False, "energy")
    sure = AlignConfig(class_channel_weight=0.0, sure_quality=5.0)  # energy 5.5: sure
    assert gate(stepped, [40.0, 6.0, 2.5, 52.0], sure)[:2] == (True, LOSS_UNCERTAIN)
    spared = AlignConfig(class_channel_weight=0.0, sure_quality=5.0, loss_rules_at_sure=False)
    assert gate(stepped, [40.0, 6.0, 2.5, 52.0], spared)[:2] == (False, "energy")


def test_only_a_late_queue_spread_lets_split_words_refuse_a_pass():
    """532_01 and 711_00 (bench/notes/diag45.txt): right passes refused where a few words
    on one side of a loss whose spread a queue's bracket gave peaked 0.6 s away (split
    noise). A bracket is the middle of its range; only the late queue's size is at the
    top of its range, as 678_00's was. The same stepped words over a loss of the same
    spread refuse the pass only where the late queue gave that spread (loss_late_queue_only),
    and a time model that names no kinds (made before they were recorded) refuses none."""
    from dataclasses import replace as with_

    from silkpipe.gate import LOSS_UNCERTAIN

    motion, words = gesture_session(seconds=110.0, offset_s=2.0, seed=1)
    stepped = [with_(w, start=w.start + 1.5, end=w.end + 1.5) if w.start > 50 else w for w in words]
    cfg = AlignConfig(class_channel_weight=0.0, sure_quality=1000.0, loss_bracket_split_s=None)
    loss = [40.0, 6.0, 2.5, 52.0]

    def gate(clock: dict, config=cfg) -> tuple[bool, str]:
        _, report = align_session("s", with_(motion, time_model=clock), stepped, config)
        return report.excluded, report.gate

    def kinds(*names: str) -> dict:
        return {
            "kind": "arrival",
            "uncertain_losses": [loss] * len(names),
            "uncertain_loss_kinds": list(names),
        }

    assert gate(kinds("late queue")) == (True, LOSS_UNCERTAIN)
    assert gate(kinds("bracket")) == (False, "energy")
    assert gate(kinds("window pace")) == (False, "energy")
    assert gate(kinds("bracket", "late queue")) == (True, LOSS_UNCERTAIN)
    assert gate({"kind": "arrival", "uncertain_losses": [loss]}) == (False, "energy")
    every = with_(cfg, loss_late_queue_only=False)  # stop 45's rule: any kind
    assert gate(kinds("bracket"), every) == (True, LOSS_UNCERTAIN)


def test_words_that_step_at_a_bracket_loss_refuse_a_pass_whatever_its_spread():
    """987_00 (bench/notes/loss52.txt): a queue that never drained began at a loss; its
    pace after the gap, pauses left out, read faster than it sent, so the bracket sized the
    loss 1.0 s too big with a spread of 0.08 s, and energy under sure_quality passed the
    offset the words after it fit. Where words on the two sides of a bracket loss, each
    fitted within loss_split_local_s of the fit, step more than loss_bracket_split_s apart,
    the pass is refused, at sure energy too unless loss_rules_at_sure is off; a smaller
    step, words that agree, or the rule off pass."""
    from dataclasses import replace as with_

    from silkpipe.gate import LOSS_UNCERTAIN

    motion, words = gesture_session(seconds=110.0, offset_s=2.0, seed=1)

    def step(s: float) -> list:
        return [with_(w, start=w.start + s, end=w.end + s) if w.start > 50 else w for w in words]

    cfg = AlignConfig(class_channel_weight=0.0, sure_quality=1000.0)
    clock = {
        "kind": "arrival",
        "uncertain_losses": [[40.0, 2.5, 0.08, 52.0]],
        "uncertain_loss_kinds": ["bracket"],
    }

    def gate(said: list, config=cfg) -> tuple[bool, str, str]:
        _, report = align_session("s", with_(motion, time_model=clock), said, config)
        return report.excluded, report.gate, report.reason

    excluded, how, why = gate(step(1.0))
    assert excluded and how == LOSS_UNCERTAIN and "loss at 52.0 s (2.50 s)" in why, why
    assert not gate(step(0.4))[0]
    assert not gate(words)[0]
    assert not gate(step(1.0), with_(cfg, loss_bracket_split_s=None))[0]
    sure = with_(cfg, sure_quality=3.0, min_quality=3.0)  # energy 3.8: sure
    assert gate(step(1.0), sure)[:2] == (True, LOSS_UNCERTAIN)
    assert not gate(step(1.0), with_(sure, loss_rules_at_sure=False))[0]
    clock["uncertain_loss_kinds"] = ["window pace"]  # only a bracket's size is read so
    assert not gate(step(1.0))[0]


def test_the_loss_spread_setting_is_checked():
    from silkpipe.commands import check_config
    from silkpipe.errors import InputError

    with pytest.raises(InputError, match="loss_spread_s"):
        check_config(AlignConfig(loss_spread_s=-1.0))
    with pytest.raises(InputError, match="loss_split_words"):  # 0: one side may be empty
        check_config(AlignConfig(loss_split_words=0))
    with pytest.raises(InputError, match="loss_bracket_split_s"):
        check_config(AlignConfig(loss_bracket_split_s=-0.1))
    with pytest.raises(InputError, match="loss_split_local_s"):
        check_config(AlignConfig(loss_split_local_s=-1.0))


def _gap_then_stall(stall: float) -> tuple[np.ndarray, np.ndarray]:
    """(watch, arrival): 5.9 s lost at 15 s in real time, then 0.35 s of rows and a host
    stall of ``stall`` seconds whose held rows arrive in one burst after it (real 621_02);
    a slow phase at 30-40 s makes the backlog drain (a count clock)."""
    watch, arrival = trace(60, lambda t: 1.6 if t < 30 or t > 40 else 0.6, lost=(15, 20.9))
    at = arrival[np.flatnonzero(watch >= 20.9)[0]] + 0.35
    held = (arrival >= at) & (arrival < at + stall)
    arrival[held] = at + stall + np.arange(held.sum()) * 1e-4
    return watch, np.maximum.accumulate(arrival) + np.arange(len(arrival)) * 1e-9


#: No envelope rate and no real-time windows: the default rate and _insert_losses.
DEFAULT_PATH = ClockConfig(max_rate_uncertainty=0.0, agreeing_edges=10**6, min_realtime_s=1e9)


def test_a_loss_followed_soon_by_a_host_stall_is_judged_across_the_stall():
    """Held-out 621_02 (bench/notes/diag44.txt), made: on the default-rate path a 5.9 s
    arrival gap followed 0.35 s later by a 0.63 s host stall had under min_steady_s of
    rows before the next pause, so it was counted across and every word after it sat
    5.9 s early. Judged across the stall (its rows arrive in a burst after it), the loss
    is found and the clock after it is right."""
    watch, arrival = _gap_then_stall(0.63)
    rebuilt, model = rebuild_clock(arrival, cfg=DEFAULT_PATH)
    assert model.kind == "count" and model.rate_source == "default"
    assert [round(s, 1) for _, s in model.losses] == [5.9]
    assert abs(_offset_after(rebuilt, watch, 22, 60)) < 0.1
    assert model.unjudged_gaps == []


def test_a_loss_followed_soon_by_a_longer_pause_is_counted_across_and_recorded():
    """A pause longer than stall_s, 0.35 s after the gap, is no host stall: the rows
    between are all there is to judge the gap by, too few, so it is counted across as
    before; the time model now records the gap it could not judge."""
    watch, arrival = _gap_then_stall(2.0)
    rebuilt, model = rebuild_clock(arrival, cfg=DEFAULT_PATH)
    assert model.rate_source == "default" and model.losses == []
    assert [[round(x, 1) for x in gap] for gap in model.unjudged_gaps] == [[15.0, 5.9]]


def _on_clock(motion, watch: np.ndarray, rebuilt: np.ndarray):
    """``motion`` (made on the watch's own time) as a rebuilt clock places it: uniform on
    rebuilt time, each sample from the watch time it maps back to, none where the clock
    inserted a loss."""
    from silkpipe.sessions import Motion

    keep = watch > 0
    watch, rebuilt = watch[keep], rebuilt[keep] - np.median((rebuilt - watch)[keep][:1000])
    t = np.arange(rebuilt[0], rebuilt[-1], 1 / motion.rate)
    j = np.clip(np.searchsorted(rebuilt, t), 1, len(rebuilt) - 1)
    made = watch[j - 1] + (t - rebuilt[j - 1])
    idx = np.clip(np.round(made * motion.rate).astype(int), 0, len(motion.t) - 1)
    gap = rebuilt[j] - rebuilt[j - 1] > 0.5
    clock = {"kind": "count", "rate_uncertainty": 0.0}
    return Motion(t=t, rate=motion.rate, data=motion.data[idx], valid=~gap, time_model=clock)


def test_a_session_after_a_loss_a_queue_began_inside_is_not_passed_off():
    """The made 347_01 end to end: gestures on the watch's time, 4 s of them lost at 15 s,
    the queue beginning 2 s into the loss. The parent's clock put the words after the loss
    0.67 s late and the gate passed the session on energy that far from where the same
    words fit on the true clock; on the middle-sized clock it passes within 0.2 s of it."""
    motion, words = gesture_session(seconds=110.0, offset_s=2.0, seed=1)
    words = [w for w in words if not 15 <= w.start + 2.3 < 19.5]  # their motion was lost
    cfg = AlignConfig(class_channel_weight=0.0)
    _, truth = align_session("true clock", motion, words, cfg)
    watch, arrival = _queue_begins(17.0)
    rebuilt, _ = rebuild_clock(arrival, pairs=_turns(watch, 19.0))
    _, report = align_session("rebuilt", _on_clock(motion, watch, rebuilt), words, cfg)
    assert not report.excluded
    assert report.offset_s == pytest.approx(truth.offset_s, abs=0.2)


def test_a_loss_a_host_stall_ran_into_keeps_its_size():
    """Held-out 446_02 (bench/notes/loss446.txt), made: a host stall begins 0.6 s before a
    4 s loss, so the rows made then arrive in one burst at its end and never catch up (no
    rows follow until the loss ends). The lag read from that burst's last row, at the
    window's stall-slowed pace, sized the loss 0.8 s short and every word after it late
    by that. The rows before were sent at the watch rate: their latency floor, not the
    held row, is where the lost time starts."""
    watch, arrival = _queue_begins(21.0)
    held = (watch >= 14.4) & (watch < 15.0)
    arrival[held] = 15.3 + np.arange(held.sum()) * 1e-4
    rebuilt, model = rebuild_clock(arrival, pairs=_turns(watch, 19.0))
    assert model.kind == "count" and model.rate_source == "envelope"
    assert [round(s, 1) for _, s in model.losses] == [4.0]
    assert abs(_offset_after(rebuilt, watch, 20, 100)) < 0.1


def test_a_loss_soon_after_another_counts_only_its_own_rows():
    """Two losses 3 s apart in real time before a queue that never drains, a host stall
    running into the second: the rows its floor is read over reach back past the first
    loss, which is already inserted and is not counted again (each its own size)."""
    watch, arrival = trace(110, lambda t: 1.5 if t < 27 else 0.75, lost=(15, 19))
    keep = (watch < 22) | (watch >= 24)
    watch, arrival = watch[keep], arrival[keep]
    held = (watch >= 21.5) & (watch < 22)
    arrival[held] = 22.2 + np.arange(held.sum()) * 1e-4
    rebuilt, model = rebuild_clock(arrival, pairs=_turns2(watch, (19.0, 24.0)))
    assert model.kind == "count" and [round(s, 1) for _, s in model.losses] == [4.0, 2.0]
    assert abs(_offset_after(rebuilt, watch, 25, 100)) < 0.1


def _turns2(watch: np.ndarray, jumps: tuple[float, ...]) -> SpacingPairs:
    """_turns with the rotation jumping across the first row made after each of ``jumps``."""
    pairs = _turns(watch, None)
    for at in jumps:
        pairs.turn_excess[np.searchsorted(watch[pairs.turn_row], at)] = 0.8
    return pairs


def test_a_loss_inside_a_queue_with_stalls_is_not_read_from_the_floor():
    """Held-out 456_02 (bench/notes/loss446.txt), made: a queue at 0.7 of the rate that
    never drains, host stalls every 2 s whose held rows arrive in bursts (with the pauses
    left out the rows read as sent at R), and 3 s lost inside it. The last row lies far
    above the window's floor because the queue grew, not because a stall held it: read from
    the floor the loss was 6.3 s; the lag from the last row keeps it near its size."""
    watch, arrival = trace(110, lambda t: 1.5 if t < 20 else 0.7)
    for start in np.arange(30.0, 110.0, 2.0):
        held = (arrival >= start) & (arrival < start + 0.6)
        arrival[held] = start + 0.6 + np.arange(held.sum()) * 1e-4
    arrival = np.maximum.accumulate(arrival) + np.arange(len(arrival)) * 1e-9
    keep = (watch < 60) | (watch >= 63)
    watch, arrival = watch[keep], arrival[keep]
    rebuilt, model = rebuild_clock(arrival, pairs=_turns(watch, 63.0))
    assert model.kind == "count" and len(model.losses) == 1
    assert abs(_offset_after(rebuilt, watch, 64, 100)) < 0.5


def test_a_loss_a_queue_grew_into_after_a_stall_is_sized_at_the_queues_pace():
    """Held-out 484_02 (bench/notes/causeb41.txt), made: a queue at 0.71 of the rate begins
    1.2 s before a 2.5 s loss, a host stall inside it whose held rows arrive in one burst.
    With the stall left out the rows before the gap read as sent at R, and the row before
    the stall lies at the floor, so the loss was read from the latency floor and counted
    the queue's growth as lost time (every word after it about a second late). After the
    burst the latency rises again: a queue, whose pace the lost rows were sent at."""
    watch, arrival = trace(110, lambda t: 1.5 if t < 13.45 else 0.71, lost=(14.65, 17.17))
    held = (arrival >= 13.77) & (arrival < 14.36)
    arrival[held] = 14.36 + np.arange(held.sum()) * 1e-4
    arrival = np.maximum.accumulate(arrival) + np.arange(len(arrival)) * 1e-9
    rebuilt, model = rebuild_clock(arrival, pairs=_turns(watch, 17.17))
    assert model.kind == "count" and [round(s, 1) for _, s in model.losses] == [2.5]
    assert abs(_offset_after(rebuilt, watch, 18, 100)) < 0.1


def _two_losses_before_the_first_edge(stall: bool) -> tuple[np.ndarray, np.ndarray, SpacingPairs]:
    """(watch, arrival, pairs): 5 s lost in real time at 2 s, a queue at half the rate from
    9 s, 2 s lost in it at 30 s where it starts to drain; the first envelope edge comes
    after the drain. With ``stall``, a host stall runs into the first loss."""
    watch, arrival = trace(150, lambda t: 1.5 if t < 9 else (0.5 if t < 30 else 1.6), lost=(2, 7))
    if stall:
        held = (watch >= 1.5) & (watch < 2.0)
        arrival[held] = 2.1 + np.arange(held.sum()) * 1e-4
    keep = (watch < 30) | (watch >= 32)
    watch, arrival = watch[keep], arrival[keep]
    pairs = _turns2(watch, (32.0,))
    pairs.turn_excess[np.searchsorted(watch[pairs.turn_row], 7.0)] = 3.0
    return watch, arrival, pairs


def test_a_loss_after_one_found_at_an_unseen_gap_is_placed_net_of_it():
    """Held-out 484_03 (bench/notes/dloss41.txt, cause R), made: unseen_gap_losses inserts
    the first loss; the envelope step (net of it) is the second. Placed by the latency
    not net of the first, or by the rotation jump the first already explains, the second
    went to the first loss's gap too: every row between them seconds late."""
    for stall in (False, True):
        watch, arrival, pairs = _two_losses_before_the_first_edge(stall)
        rebuilt, model = rebuild_clock(arrival, pairs=pairs)
        assert model.kind == "count" and len(model.losses) == 2, model.losses
        assert model.losses[1][0] > 30, (stall, model.losses)
        diff = rebuilt - watch
        start = np.median(diff[(watch > 0.5) & (watch < 1.5)])
        assert abs(np.median(diff[(watch > 7.5) & (watch < 30)]) - start) < 0.5, stall
        assert abs(np.median(diff[watch > 62]) - start) < 0.1, stall


def _made_losses() -> list[list[list[float]]]:
    """The losses rebuilt on this file's made 484_02 and 484_03 sessions (rounded)."""
    watch, arrival = trace(110, lambda t: 1.5 if t < 13.45 else 0.71, lost=(14.65, 17.17))
    held = (arrival >= 13.77) & (arrival < 14.36)
    arrival[held] = 14.36 + np.arange(held.sum()) * 1e-4
    arrival = np.maximum.accumulate(arrival) + np.arange(len(arrival)) * 1e-9
    made = [(arrival, _turns(watch, 17.17))]
    made += [_two_losses_before_the_first_edge(stall)[1:] for stall in (False, True)]
    return [
        [[round(float(x), 1) for x in loss] for loss in rebuild_clock(a, pairs=p)[1].losses]
        for a, p in made
    ]


def _at_align_step(table: dict[int, list]) -> list:
    """The losses of align's STEP_VERSION: each table lists the versions that moved them,
    and an entry holds until the next one (so a bump that moves none adds no row)."""
    from silkpipe.steps.common import STEP_VERSION

    step = STEP_VERSION["align"]
    return table[max(v for v in table if v <= step)]


def _rounded(losses) -> list:
    return [[round(float(x), 1) for x in loss] for loss in losses]


def test_the_align_step_moves_with_the_losses_it_rebuilds():
    """Align's outputs are re-used keyed by its STEP_VERSION: the losses rebuilt on the
    made sessions above, per step version that moved them, so a change to them without a
    bump (and a new row) fails."""
    by_step = {
        32: [[[15.2, 3.5]], [[2.0, 2.0], [2.0, 5.0]], [[2.1, 2.2], [2.1, 4.7]]],
        33: [[[15.2, 2.5]], [[2.0, 5.0], [52.3, 2.0]], [[2.1, 4.7], [52.3, 2.2]]],
    }  # unmoved since 33 (34 the fit ... 47: checks that move none of these)
    assert _made_losses() == _at_align_step(by_step)
    watch, arrival = _loss_inside_a_stall(2)
    stalled = {34: [], 36: [[25.2, 1.8]]}  # the loss inside a stall (527_01's delivery)
    got = rebuild_clock(arrival, pairs=_turns(watch, None))[1].losses
    assert _rounded(got) == _at_align_step(stalled)
    watch, arrival = _never_draining((60, 63))
    unjumped = {42: [], 43: [[95.0, 3.0]]}  # 3 s lost in a queue, the wrist still (nd45)
    got = rebuild_clock(arrival, pairs=_turns(watch, None))[1].losses
    assert _rounded(got) == _at_align_step(unjumped)
    _, arrival, pairs = _still_wrist_loss_before_a_drain()
    jumped = {36: [[19.5, 2.0]], 37: [[65.0, 2.0]]}  # 524_00's step: spread, then at its gap
    got = rebuild_clock(arrival, pairs=pairs)[1].losses
    assert _rounded(got) == _at_align_step(jumped)
    _, arrival, pairs = _two_losses_with_stalls_between(0)
    split = {
        38: [[5.7, 11.1]],
        39: [[14.6, 5.1], [78.7, 6.0]],
    }  # 588_02's delivery: one step spread, then each loss at its gap
    got = rebuild_clock(arrival, pairs=pairs)[1].losses
    assert _rounded(got) == _at_align_step(split)
    _, arrival = _gap_then_stall(0.63)
    default = {42: [], 44: [[15.0, 5.9]]}  # 621_02's delivery on the default-rate path
    got = rebuild_clock(arrival, cfg=DEFAULT_PATH)[1].losses
    assert _rounded(got) == _at_align_step(default)


def test_a_contact_between_a_burst_and_the_next_stall_is_steady():
    """Rows at R for 0.67 s between a stall's burst and a long stall: the second of rows
    before a row inside them holds the burst (too fast), the second after it the stall (too
    slow), yet the rows from it to the stall arrive at R, so it is a contact of real-time
    arrival. A queue draining fast up to a pause is none."""
    rng = np.random.default_rng(0)
    cfg = ClockConfig()
    burst = 2.0 + np.cumsum(rng.uniform(0.0003, 0.0006, 150))  # a stall's held rows
    run = burst[-1] + 0.02 + np.arange(100) / R  # real time up to the next stall
    held = run[-1] + 1.5 + np.cumsum(rng.uniform(0.0003, 0.0006, 222))
    before, after = np.arange(0, 1.0, 1 / R), held[-1] + 0.02 + np.arange(300) / R
    t = np.concatenate([before, burst, run, held, after])
    v = len(before) + len(burst) + 40
    assert _steady_at(t, v, cfg)
    drain = np.concatenate([np.arange(300) / (2 * R), 150 / R + 0.7 + np.arange(300) / R])
    assert not _steady_at(drain, 299, cfg)


def _loss_inside_a_stall(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(watch, arrival): real 527_01's delivery around its first loss (1.77 s lost inside a
    host stall, then a stall every second or two, then a queue that never drains)."""
    stalls = [(25.194, 26.645), (28.668, 29.409), (29.839, 31.339), (31.726, 32.262)]
    stalls += [(33.546, 34.082), (36.123, 36.692), (40.183, 40.83), (41.14, 41.821)]
    rng = np.random.default_rng(seed)
    made = 0.1 + np.arange(int(90 * R)) / R
    arrival = _stall(_send(made, [(42.108, 200.0, 0.506)], R, 200.0, rng), stalls, rng)
    arrival = np.concatenate([np.linspace(0.02, 0.08, 400), arrival])
    made = np.concatenate([np.arange(-400, 0) / R + 0.1, made])
    keep = (made < 25.31) | (made >= 27.08)
    return made[keep], arrival[keep]


def test_a_loss_inside_a_stall_is_found_where_stalls_come_every_second():
    """527_01's delivery (_loss_inside_a_stall): the envelope's only edge after the loss
    has an end between a burst and the next stall, which main did not take as a contact,
    so no step showed the loss and every word after it lay 1.8 s off (a false pass). The
    loss is found and sized, and the clock outside the stall's held rows follows the watch."""
    for seed in (2, 10):  # two of the draws whose edge after the loss ends that way
        watch, arrival = _loss_inside_a_stall(seed)
        rebuilt, model = rebuild_clock(arrival, pairs=_turns(watch, None))  # no rotation jump
        assert model.kind == "count" and model.rate_source == "envelope"
        assert [round(s, 1) for _, s in model.losses] == [1.8], seed
        out = (watch >= 25.1) & (watch < 27.08)  # rows the stall held just before the loss
        assert clock_error(rebuilt[~out][400:], watch[~out][400:]) < 0.05, seed


def _two_losses_with_stalls_between(seed: int) -> tuple[np.ndarray, np.ndarray, SpacingPairs]:
    """(watch, arrival, pairs): generated 588_02's delivery (bench/notes/clock44.txt): 5.13 s
    lost in real time at 14.54 s, real time with a host stall every second or two, a queue
    (0.53 of R, 39.5-69.7 s) that drains, 5.97 s lost in its drain at 75.73 s; the wrist
    jumps across both losses."""
    stalls = [(6.14, 6.74), (7.3, 7.94), (8.25, 8.89), (11.05, 11.7), (21.92, 23.11)]
    stalls += [(24.83, 25.41), (26.54, 27.35), (27.6, 28.24), (28.69, 29.39), (30.51, 31.21)]
    stalls += [(32.16, 32.73), (33.42, 34.05), (35.22, 35.85), (36.27, 36.79), (37.2, 37.74)]
    stalls += [(52.99, 54.5), (59.16, 59.82), (63.09, 63.68), (66.05, 67.01), (71.17, 71.73)]
    stalls += [(74.71, 75.48), (82.33, 82.95), (83.24, 83.87), (95.76, 96.29), (96.62, 97.16)]
    rng = np.random.default_rng(seed)
    made = 0.1 + np.arange(int(110 * R)) / R
    arrival = _stall(_send(made, [(39.47, 69.7, 0.53)], R, 200.0, rng), stalls, rng)
    arrival = np.concatenate([np.linspace(0.02, 0.08, 400), arrival])
    made = np.concatenate([np.arange(-400, 0) / R + 0.1, made])
    lost = ((made >= 14.542) & (made < 19.672)) | ((made >= 75.734) & (made < 81.706))
    watch, arrival = made[~lost], arrival[~lost]
    return watch, arrival, _turns2(watch, (14.542, 75.734))


def test_two_losses_with_stalls_between_are_each_found_where_they_happened():
    """Generated 588_02's delivery (_two_losses_with_stalls_between): the real time between
    the losses stalls every second or two. A stall's held rows arrive late, and the
    envelope read the stalls 1 s to 0.5 s before a gap as a queue draining up to it, and a
    stall 2 s after the first loss as behind the floor from before that loss: it cut the
    real time into pieces too short for an edge, so one step held both losses and was
    spread half each way (words 0.7-2.5 s off). Each loss is now found at its own gap,
    sized to 0.1 s, and the clock follows the watch outside the drain the second loss
    lies in (draw 3 puts it at a stall 2 s later). Draws 0, 3 and 5 merge at align step
    38; draw 1 still merges: its edge's end just before a stall, with a burst before it,
    is taken for no contact (bench/notes/clock44.txt, C2)."""
    for seed in (0, 3, 5):
        watch, arrival, pairs = _two_losses_with_stalls_between(seed)
        rebuilt, model = rebuild_clock(arrival, pairs=pairs)
        assert model.kind == "count" and model.rate_source == "envelope", seed
        got = [[round(at), round(size, 1)] for at, size in model.losses]
        assert len(got) == 2 and got[0][0] == 15 and abs(got[0][1] - 5.13) < 0.1, (seed, got)
        assert 75 <= got[1][0] <= 82 and abs(got[1][1] - 5.97) < 0.1, (seed, got)
        out = (watch > 0) & ((watch < 75) | (watch > 83))  # the second loss's place in
        assert clock_error(rebuilt[out], watch[out]) < 0.1, seed  # a drain: up to a stall


def _realtime_loss(held: bool) -> tuple[np.ndarray, np.ndarray]:
    """(watch, arrival): real time, 1.2 s of rows at 15 s lost (``held``: held by a host
    stall instead, arriving in one burst when it ends), a queue at 0.6 of the rate from
    17.7 s that never drains, so no envelope edge follows the pause."""
    watch, arrival = trace(
        110, lambda t: 1.5 if t < 17.7 else 0.6, lost=None if held else (15, 16.2)
    )
    if held:
        inside = (watch >= 15) & (watch < 16.2)
        arrival = arrival.copy()
        arrival[inside] = 16.22 + np.arange(inside.sum()) * 0.0004
        arrival = np.maximum.accumulate(arrival)
    return watch, arrival


def test_a_loss_no_longer_than_a_stall_in_real_time_is_counted():
    """Held-out 787_00 (bench/notes/nd47.txt), made: 1.2 s lost in real time, the pause no
    longer than a host stall and the wrist still across it, so it read as a stall and every
    word after was 1.2 s early. A stall's held rows arrive in a burst that catches up; here
    the rows after the pause arrive at the rate from the first on, their latency level and
    1.2 s above the floor before it: a loss of that size. A host stall of the same length
    (its rows held, none lost) stays a delay."""
    watch, arrival = _realtime_loss(held=False)
    rebuilt, model = rebuild_clock(arrival, pairs=_turns(watch, None))
    assert model.kind == "count" and [round(s, 1) for _, s in model.losses] == [1.2]
    assert abs(_offset_after(rebuilt, watch, 17, 100)) < 0.05
    watch, arrival = _realtime_loss(held=True)
    rebuilt, model = rebuild_clock(arrival, pairs=_turns(watch, None))
    assert model.kind == "count" and model.losses == []
    assert abs(_offset_after(rebuilt, watch, 17, 100)) < 0.05
