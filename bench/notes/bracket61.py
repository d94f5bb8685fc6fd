"""Why the pace bracket oversizes losses at the fast pace (issue 24, helper bracket61).
Measurement only: nothing here is chosen or shipped. Findings: bracket61.txt.

    python bench/notes/bracket61.py gaps SET...      # SET: pace61, fresh72, ...
        # one JSON line per never_drains gap that _sized_lag sized (any kind): the clock's
        # inputs (paces before / window / after, realtime, lag, size) beside the truth
        # (true lost seconds at the gap, queue start and factor, stalls around the gap)
    python bench/notes/bracket61.py table GAPS.jsonl...
        # the bracket-sized gaps: where the queue began against the loss, where the truth
        # lies in the bracket [low, lag] (0: low end, 0.5: the middle taken), that share
        # predicted from the truth alone, and each kind's errors
    python bench/notes/bracket61.py census SET...
        # every true loss of the never_drains sessions by where the queue began against it
    python bench/notes/bracket61.py mc SET...
        # delivery's own draws (slow_phases, loss_windows) at the SETs' session ends: share
        # of arrived losses at the queue onset; for onsets inside, the error of the middle
        # with ideal inputs, L / 2 * (x (f - 1) + (1 - x) (1 / f - 1))
"""

import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

import silkpipe.clock_envelope as ce  # noqa: E402
import silkpipe.watch_clock as wc  # noqa: E402
from silkpipe.dataset import session_motion  # noqa: E402

SEEN: dict = {}
_plain_unseen = ce.unseen_gap_losses
_plain_sized = ce._sized_lag


def _unseen(arrival, n0, rate, inserted, cfg, pairs, seen):
    SEEN.update(n0=n0, rate=rate, pairs=pairs, arrival=np.asarray(arrival, float))
    return _plain_unseen(arrival, n0, rate, inserted, cfg, pairs, seen)


def _sized(t, g, rate, cfg, found):
    """_sized_lag, with its inputs recomputed the way it computes them."""
    out = _plain_sized(t, g, rate, cfg, found)
    before, window = ce._paces_before(t, g, rate, cfg)
    k = max(int(cfg.steady_window_s * rate), 2)
    last = min(int(cfg.recent_pace_s * rate), k)
    recent = ce._sending_pace(t[max(g - last, 0) : g], rate, cfg)
    recent_plain = ce._pace(t[max(g - last, 0) : g], rate)
    queue = ce._queue_after_stall(t, g, rate, cfg, found)
    if queue is not None and before is not None and queue < before * (1 - cfg.pace_drop):
        before = queue
    floor_lag = None if queue is not None else ce._floor_lag(t, g, rate, cfg, found)
    n_after = max(int(cfg.min_steady_s * rate), 2)
    after_sending = ce._sending_pace(t[g : g + n_after], rate, cfg)
    after_plain = ce._pace(t[g : g + n_after], rate)
    # arrival pauses (stalls) in the rows read before / after the gap
    pauses_before = int((np.diff(t[max(g - last, 0) : g]) > cfg.gap_s).sum())
    pauses_after = int((np.diff(t[g : g + n_after]) > cfg.gap_s).sum())
    SEEN.setdefault("calls", []).append(
        dict(
            g=int(g),
            at=float(t[g - 1]),
            gap=float(t[g] - t[g - 1]),
            size=out[0],
            spread=out[1],
            kind=out[2],
            before=before,
            window=window,
            recent=recent,
            recent_plain=recent_plain,
            queue=queue,
            floor_lag=floor_lag,
            realtime=ce._realtime_after(t, g, rate, cfg),
            after_sending=after_sending,
            after_plain=after_plain,
            slower=ce._slower_pace(t, g, rate, cfg.min_steady_s, before, cfg),
            hidden=ce._hidden_queue(t, g, rate, before, cfg),
            pauses_before=pauses_before,
            pauses_after=pauses_after,
            lag_before=ce._lag_at(t, g, rate, before, cfg),
            rate=rate,
        )
    )
    return out


wc.unseen_gap_losses = _unseen
ce._sized_lag = _sized


def true_time(truth: dict, rows: np.ndarray) -> np.ndarray:
    rc = np.array(truth["row_clock"], float)
    return np.interp(rows, rc[:, 0], rc[:, 1])


def gaps(folder: Path, label: str):
    SEEN.clear()
    motion = session_motion(folder)
    truth = json.loads((folder / "truth.json").read_text())
    d = truth["delivery"]
    tm = motion.time_model
    R = d["production_rows_per_s"]
    ts, _, f = d["slow_phases"][0]
    n0, arrival = SEEN.get("n0"), SEEN.get("arrival")
    for c in SEEN.get("calls", []):
        row = n0 + c["g"]
        w = true_time(truth, np.array([row - 1, row], float))
        lost = float(w[1] - w[0] - 1 / R)
        near = [x for x in d["losses"] if x[0] - 1 <= w[1] and x[1] + 1 >= w[0]]
        a = near[0][0] if near else None
        yield dict(
            set=label,
            name=folder.name,
            kind=c["kind"],
            at=round(c["at"], 2),
            gap=round(c["gap"], 3),
            size=round(c["size"], 3),
            spread=round(c["spread"], 3),
            true=round(lost, 3),
            err=round(c["size"] - lost, 3),
            # everything as a share of the TRUE production rate R
            f=round(f, 3),
            before=_r(c["before"], R),
            window=_r(c["window"], R),
            recent=_r(c["recent"], R),
            recent_plain=_r(c["recent_plain"], R),
            queue=_r(c["queue"], R),
            after_sending=_r(c["after_sending"], R),
            after_plain=_r(c["after_plain"], R),
            slower=_r(c["slower"], R),
            hidden=_r(c["hidden"], R),
            floor_lag=c["floor_lag"],
            realtime=c["realtime"],
            lag_before=round(c["lag_before"], 3),
            pauses_before=c["pauses_before"],
            pauses_after=c["pauses_after"],
            rate_err=round(c["rate"] / R - 1, 5),
            # the true loss's start after the queue began (production s), the gap after
            # the queue began (arrival s), the session's production end
            loss_after_queue=None if a is None else round(a - ts, 2),
            gap_after_queue=round(c["at"] - ts, 2),
            end=round(d["host_end_s"], 1),
            arrived_until=d["arrived_until_s"],
            clock_losses=len(tm["losses"]),
            true_losses=len(d["losses"]),
            arrival_rows=len(arrival),
        )


def _r(x, R):
    return None if x is None else round(x / R, 3)


def onset(laq: float | None, length: float) -> str:
    """Where the queue began against the loss: inside it, up to one steady window (5 s)
    before it, or deeper."""
    if laq is None:
        return "-"
    if laq < -length:
        return "after"  # the queue began after the loss ended
    return "inside" if laq <= 0 else "<=5s" if laq <= 5 else "deep"


def table(paths):
    rows = [json.loads(x) for p in paths for x in open(p)]
    print("set     session  onset   x    f    L    before after  lag   low  size  pos  pred  err")
    for r in rows:
        if r["kind"] != "bracket":
            continue
        lag = r["lag_before"]
        low = lag if r["realtime"] else 2 * r["size"] - lag
        after = r["slower"] if r["slower"] is not None else r["hidden"]
        where = onset(r["loss_after_queue"], r["true"])
        x = -r["loss_after_queue"] / r["true"] if where == "inside" else 0.0
        f = r["f"]
        pred = x * f / (x * f + 1 - x) if where in ("inside", "<=5s") else float("nan")
        pos = (r["true"] - low) / (lag - low) if lag > low else float("nan")
        print(
            f"{r['set']:7s} {r['name'][4:11]} {where:6s} {x:4.2f} {f:4.2f} {r['true']:5.2f} "
            f"{r['before']:5.2f} {after:5.2f} {lag:5.2f} {low:5.2f} {r['size']:5.2f} "
            f"{pos:5.2f} {pred:5.2f} {r['err']:+5.2f}"
        )
    for label in sorted({r["set"][:5] for r in rows}):
        for kind in ("bracket", "window pace", ""):
            for where in ("inside", "<=5s", "deep", "after"):
                e = [
                    r["err"]
                    for r in rows
                    if r["set"][:5] == label
                    and r["kind"] == kind
                    and r["true"] > 0.3
                    and onset(r["loss_after_queue"], r["true"]) == where
                ]
                if e:
                    print(
                        f"{label} {kind or 'no spread':11s} {where:6s} n {len(e):2d} "
                        f"median err {np.median(e):+.2f}, > +0.3: {sum(x > 0.3 for x in e)}"
                    )


def census(labels):
    for label in labels:
        count: dict = {}
        for p in sorted(Path("/tmp/held51", label, "never_drains").glob("*/*/truth.json")):
            d = json.loads(p.read_text())["delivery"]
            ts = d["slow_phases"][0][0]
            for a, b in d["losses"]:
                key = "never arrived" if a >= d["arrived_until_s"] else onset(a - ts, b - a)
                count[key] = count.get(key, 0) + 1
        print(label, count)


def mc(labels, n=20000):
    from silkpipe.delivery import loss_windows, slow_phases

    ends = [
        json.loads(p.read_text())["delivery"]["host_end_s"] - 0.6  # host_end = end + U(.2, 1)
        for label in labels
        for p in sorted(Path("/tmp/held51", label, "never_drains").glob("*/*/truth.json"))
    ]
    rng = np.random.default_rng(7)
    arrived, inside, near, errs = 0, 0, 0, []
    for _ in range(n):
        end = float(rng.choice(ends))
        ts, _, f = slow_phases("never_drains", end, rng)[0]
        for a, b in loss_windows(end, rng):
            if a >= ts + f * (end - ts):  # the queue never reaches it
                continue
            arrived += 1
            if a < ts < b:
                inside += 1
                x = (ts - a) / (b - a)
                errs.append((b - a) / 2 * (x * (f - 1) + (1 - x) * (1 / f - 1)))
            elif 0 <= a - ts <= 5:
                near += 1
    print(
        labels,
        f"arrived losses: onset inside {inside / arrived:.3f},",
        f"<= 5 s before {near / arrived:.3f};",
        f"inside, ideal-input error median {np.median(errs):+.2f} mean {np.mean(errs):+.2f}",
        f"> 0 in {np.mean(np.array(errs) > 0):.2f}",
    )


def main(args):
    if args[0] == "table":
        return table(args[1:])
    if args[0] == "mc":
        return mc(args[1:])
    if args[0] == "census":
        return census(args[1:])
    if args[0] == "gaps":
        for label in args[1:]:
            for folder in sorted(Path("/tmp/held51", label, "never_drains").glob("*/*_session")):
                for line in gaps(folder, label):
                    print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
