"""The unchecked-loss rule of align step 62 (AlignConfig.loss_before_checked) measured on
recorded held-out rows before any new set is run: which passes it would have refused.

A pass under the gate's sure level (10.0: sure_quality 8 lifted by class channels) is
refused where the clock sized a loss from a pace bracket, its spread over loss_spread_s
(0.5), with fewer than loss_split_words (3) words before it and that many or more after it.
Here the words are placed at the session's TRUE offset (truth.json), which a right pass's
fit lies within 0.3 s of, so the census needs the sessions and their clock, not a rerun.

    python bench/notes/loss57.py census OUT.json SESSION_DIR...
        # one delivery's folders a census (both deliveries name their sessions alike);
        # per session: every uncertain loss over 0.5 s of the rebuilt clock, its kind and
        # the words (all, then class words) before and after it at the true offset
    python bench/notes/loss57.py join CENSUS.json[,CENSUS2.json] ROWS.json...
        # per fresh38.py rows file: right passes, false passes the rule refuses (passes the
        # one-class rule already refuses are left out: oneclass56.refused_by_rule)
"""

from __future__ import annotations

import collections
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

SURE, SPREAD, SPLIT = 10.0, 0.5, 3


def census(out: str, dirs: list[str]) -> None:
    """Every session's uncertain losses over SPREAD with the words on each side."""
    from align_dev import load

    import silkpipe.alignment as al
    from silkpipe.loss_search import unsure_losses

    cfg = al.AlignConfig()
    found: dict[str, list] = {}
    for d in dirs:
        for f in sorted(Path(d).glob("*/truth.json")):
            truth, motion, cmds = load(f.parent)
            cmds, _ = al.reachable_words(motion, cmds, cfg)  # the words the aligner fits
            at_truth = [c.start + truth["offset_s"] for c in cmds]
            rows = []
            for loss, kind in unsure_losses(motion, SPREAD):
                before = sum(t < loss[3] for t in at_truth)
                cls_before = sum(
                    t < loss[3] for t, c in zip(at_truth, cmds, strict=True) if c.cls != "noise"
                )
                cls_all = sum(c.cls != "noise" for c in cmds)
                rows.append(
                    [*(round(x, 2) for x in loss[:4]), kind, before, len(cmds) - before,
                     cls_before, cls_all - cls_before]
                )  # fmt: skip
            found[f.parent.name] = rows
            if rows:
                print(f.parent.name, rows, flush=True)
    Path(out).write_text(json.dumps(found))


def unchecked(losses: list) -> bool:
    """Whether a session's census row meets the rule (at the true offset)."""
    return any(
        kind == "bracket" and spread > SPREAD and before < SPLIT <= after
        for _, _, spread, _, kind, before, after, *_ in losses
    )


def join(census_paths: str, rows_paths: list[str]) -> None:
    from fresh38 import finals, verdict
    from oneclass56 import refused_by_rule

    found: dict[str, list] = {}
    for p in census_paths.split(","):
        found.update(json.loads(Path(p).read_text()))
    for rows in rows_paths:
        counts: collections.Counter = collections.Counter()
        hits = []
        for _, name, kind, r in finals(rows):
            if kind != "session" or r["excluded"] or refused_by_rule(r):
                continue
            v = verdict(kind, r)
            counts[f"{v} passes"] += 1
            if r["quality"] < SURE and unchecked(found.get(name, [])):
                counts[f"{v} refused"] += 1
                hits.append(f"{name[4:11]} {v} err {r['err']:+.2f} {r['gate']}")
        print(Path(rows).name, dict(sorted(counts.items())), *hits, sep="\n   ")


if __name__ == "__main__":
    if sys.argv[1] == "census":
        census(sys.argv[2], sys.argv[3:])
    else:
        join(sys.argv[2], sys.argv[3:])
