"""Losses the clock rules could not see: default-rate streams, still wrists, misplaced
steps (issue 24, helper loss4). Not shipped.

    python bench/notes/hidden_losses.py words OUT.json DIR...   # rebuilt clock at the words
    python bench/notes/hidden_losses.py edges DIR...            # loose envelopes: edges agree?
    python bench/notes/hidden_losses.py turns OUT.json DIR...   # still-wrist rotation jumps
    python bench/notes/hidden_losses.py score TAG[,TAG2] ROWS_DIR GROUPS

``words``: per session the time model, rate source, true and found losses, and the rebuilt
clock minus truth.json's row_clock at every said word (the share off by > 0.3 s from the
0.05 s latency floor, and the median): a session is "clock-bad" when the median is off by
> 0.25 s or > 30 % of its words are. ``edges``: for every envelope estimate looser than
max_rate_uncertainty, its pooled own bound and how far its edges disagree beyond their own
bounds (RateEstimate.disagreement). ``turns``: at every rotation pair that spans an arrival
gap (and every other pair with excess >= 0.02 rad and >= 10x its neighbours), the turn
excess, the largest |excess| of the 25 pairs either side, their ratio, and the true watch
time between the rows (truth.json, when there is one). ``score``: gate_dev rows
(max_hypothesis_dev.py collect --max=0) pooled over groups ROWS_DIR/TAG_G.json, and with
two tags the sessions whose offset or verdict differ.
"""

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import backlog_losses as bl  # noqa: E402
from offset_misses import _load  # noqa: E402

import silkpipe.sessions as ss  # noqa: E402
import silkpipe.watch_clock as wc  # noqa: E402
from silkpipe.clock_envelope import envelope_rate  # noqa: E402

ss.rebuild_clock = bl._grab  # keep each stream's arrival and rotation pairs


def word_clock(folder: Path) -> dict:
    truth, raw, cmds = _load(folder)
    knots = np.asarray([k[:2] for k in truth["row_clock"]], float)
    true_t = np.interp(np.arange(len(raw.clock_rows)), knots[:, 0], knots[:, 1])
    diff = raw.clock_rows[:, 1] - true_t
    words = np.array([c.start for c in cmds]) + truth["offset_s"]
    order = np.argsort(true_t)
    dw = np.interp(words, true_t[order], diff[order]) if len(words) else np.zeros(0)
    tm = raw.time_model
    return dict(
        kind=tm["kind"],
        src=tm["rate_source"],
        deliv=truth["delivery"]["kind"],
        n=len(dw),
        off=int((np.abs(dw - 0.05) > 0.3).sum()),
        med=float(np.median(dw)) if len(dw) else 0.0,
        losses=truth["delivery"]["losses"],
        found=tm["losses"],
    )


def words(out: str, dirs: list[str]) -> None:
    rows = {
        f.parent.name: word_clock(f.parent)
        for d in dirs
        for f in sorted(Path(d).glob("*/truth.json"))
    }
    Path(out).write_text(json.dumps(rows, indent=1, default=float))
    bad = [
        n
        for n, r in rows.items()
        if r["n"] and (abs(r["med"] - 0.05) > 0.25 or r["off"] / r["n"] > 0.3)
    ]
    for n in bad:
        r = rows[n]
        print(
            f"{n[4:10]} {r['deliv']:12s} {r['kind']:7s} {r['src']:8s} off {r['off']}/{r['n']} med {r['med']:+.2f} true {r['losses']} found {r['found']}"
        )
    print(f"clock-bad {len(bad)} of {len(rows)}; words off {sum(r['off'] for r in rows.values())}")


def edges(dirs: list[str]) -> None:
    cfg = wc.ClockConfig()
    for d in dirs:
        for f in sorted(Path(d).glob("*/sensor_data.csv")):
            ss.read_sensor_csv(f, session=f.parent.name)
            a, pairs = bl.CAPTURED["arrival"], bl.CAPTURED["pairs"]
            est = envelope_rate(a, wc.stale_burst_rows(a, cfg), cfg, pairs)
            if est is None or est.uncertainty <= cfg.max_rate_uncertainty:
                continue
            print(
                f"{f.parent.name[:24]} bound={est.uncertainty:.3%} "
                f"own={est.uncertainty - est.disagreement:.3%} disagreement={est.disagreement:.3%} "
                f"edges={len(est.rows)} support={est.support_s:.1f}s"
            )


def _near_max(excess: np.ndarray, k: int = 25) -> np.ndarray:
    """Largest |excess| of the k pairs on either side of each pair (itself left out)."""
    pad = np.concatenate([np.zeros(k), np.abs(excess), np.zeros(k)])
    win = np.lib.stride_tricks.sliding_window_view(pad, 2 * k + 1).copy()
    win[:, k] = 0
    return win.max(axis=1)


def turn_rows(f: Path) -> list[dict]:
    raw = ss.read_sensor_csv(f, session=f.parent.name)
    a, pairs = bl.CAPTURED["arrival"], bl.CAPTURED["pairs"]
    n0, tr, ex = raw.time_model["stale_rows"], pairs.turn_row, pairs.turn_excess
    near = _near_max(ex)
    gap = np.zeros(len(tr), bool)
    at = np.searchsorted(tr, np.flatnonzero(np.diff(a) > 0.5) + 1)
    gap[at[at < len(tr)]] = True
    true_t = None
    if (f.parent / "truth.json").exists():
        knots = np.asarray(
            [k[:2] for k in json.loads((f.parent / "truth.json").read_text())["row_clock"]], float
        )
        true_t = np.interp(np.arange(len(a)), knots[:, 0], knots[:, 1])
    out = []
    for k in range(1, len(tr)):
        r = abs(ex[k]) / max(near[k], 1e-4)
        if tr[k] > n0 and (gap[k] or (r >= 10 and abs(ex[k]) >= 0.02)):
            dt = None if true_t is None else round(float(true_t[tr[k]] - true_t[tr[k - 1]]), 3)
            out.append(
                dict(
                    s=f.parent.name[:24],
                    gap=bool(gap[k]),
                    ex=round(float(ex[k]), 4),
                    near=round(float(near[k]), 4),
                    r=round(float(r), 1),
                    dt=dt,
                )
            )
    return out


def turns(out: str, dirs: list[str]) -> None:
    rows = [
        r for d in dirs for f in sorted(Path(d).glob("*/sensor_data.csv")) for r in turn_rows(f)
    ]
    Path(out).write_text(json.dumps(rows))
    for name, sel in (
        ("loss", lambda r: r["dt"] is not None and r["dt"] > 0.1),
        ("other", lambda r: r["dt"] is None or r["dt"] <= 0.1),
    ):
        g = [r for r in rows if sel(r) and r["gap"]]
        rs = np.array([r["r"] for r in g] or [0.0])
        hit = [r for r in g if r["r"] >= 10 and abs(r["ex"]) >= 0.02]
        print(
            f"{name} gaps {len(g)}: ratio p50/p99/max {np.percentile(rs, [50, 99, 100]).round(1)}; ratio >= 10 and >= 0.02 rad: {len(hit)}"
        )


def _cell(r: dict) -> str:
    err = "-" if r["err"] is None else format(r["err"], "+.2f")
    return f"{err} q={r.get('quality', 0):.2f} {'ex' if r['excluded'] else 'PASS'}"


def score(tags: list[str], root: str, groups: str) -> None:
    import gate_dev

    for tag in tags:
        tot = dict(sessions=0, within=0, right=0, wrong=0, controls=0, ctl_pass=0)
        for g in groups:
            for k, v in gate_dev.score(f"{root}/{tag}_{g}.json").items():
                tot[k] += v
        print(tag, tot, f"within {tot['within'] / tot['sessions']:.1%}")
    if len(tags) == 2:
        for g in groups:
            a, b = (json.loads(Path(f"{root}/{t}_{g}.json").read_text()) for t in tags)
            for n in sorted(a):
                x, y = a[n][0], b[n][0]
                if (x["err"], x["excluded"]) != (y["err"], y["excluded"]):
                    print(f"  {n[4:10]} {_cell(x)} | {_cell(y)}")


if __name__ == "__main__":
    cmd, rest = sys.argv[1], sys.argv[2:]
    if cmd == "words":
        words(rest[0], rest[1:])
    elif cmd == "edges":
        edges(rest)
    elif cmd == "turns":
        turns(rest[0], rest[1:])
    else:
        score(rest[0].split(","), rest[1], rest[2])
