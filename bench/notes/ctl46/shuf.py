"""A run's shuffled control rebuilt (issue 24, helper ctl46; bench/notes/ctl46.txt). Not shipped.

python bench/notes/ctl46/shuf.py RUN_DIR SESSION
    # session_classes_dev's rounds on RUN_DIR, then SESSION's shuffled control as
    # _controls builds it (the next session's words by name, no seed: the shuffle is
    # the donor), without a model and with the model of the run's other passes (and
    # with it carrying a first "class evidence contradicts", as the step does): the
    # gate's evidence of each, the energy profile's peaks, and (truth, diagnosis only)
    # where the donor's own words would sit
"""

import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
import gate_dev  # noqa: E402
import session_classes_dev as scd  # noqa: E402
from align_dev import load  # noqa: E402

import silkpipe.alignment as al  # noqa: E402
import silkpipe.gate as gt
from silkpipe import session_classes as sc  # noqa: E402


def evidence(ev):
    cls, sig = ev.cls, ev.sig
    return (
        f"q {ev.quality:.2f} p {ev.p_value:.3f} sig p {sig.p_value:.3f} j/t {sig.jumps}/{sig.turns}"
        f" | cls {None if cls is None else (cls.model, round(cls.p_value, 4), cls.words, cls.classes, cls.testable)}"
        f" | lag_margin {ev.lag_margin} best_away {ev.best_away_s} moved {ev.moved} disagree"
        f" {ev.disagree} edge {ev.at_edge} contradicted {ev.contradicted} choice_away"
        f" {ev.choice_away} loss {ev.uncertain_loss}"
    )


def main(run_dir, session):
    data = {f.parent.name: load(f.parent) for f in sorted(Path(run_dir).glob("*/truth.json"))}
    names = sorted(data)
    cfg = replace(al.AlignConfig(), shuffles=40)
    rows, passed = scd._rounds(data, cfg)
    for n in names:
        r = rows[n][-1]
        print(f"  {n} round {r['round']} err {r['err']} excl {r['excluded']} gate {r['gate']}")
    i = names.index(session)
    donor = names[(i + 1) % len(names)]
    truth, motion, _ = data[session]
    words = data[donor][2]
    trainers = sorted(m for m in passed if m != session)
    model = sc.fit_session_model([(data[m][1], passed[m]) for m in trainers])
    print(
        f"control {session} with {donor}'s words ({len(words)}; events "
        f"{sum(c.cls in ('jump', 'turn') for c in words)}); trainers {len(trainers)}"
    )
    print(
        f"  session truth offset {truth['offset_s']:.2f}, donor truth offset "
        f"{data[donor][0]['offset_s']:.2f}"
    )
    first = ""
    for tag, m in (("no model", None), ("model", model), ("model, carried", model)):
        gate_dev.CAPTURED.clear()
        carried = tag.endswith("carried") and first == gt.CLASS_CONTRADICTS
        if tag.endswith("carried") and not carried:
            continue
        _, rep = al.align_session(
            session + "-ctl", motion, words, cfg, clip_model=m, contradicted=carried
        )
        first = first or rep.gate
        ev = gate_dev.CAPTURED[-1]
        print(f"  {tag}: offset {rep.offset_s} excluded {rep.excluded} gate {rep.gate!r}")
        print(f"     {evidence(ev)}")
        print(f"     reason {rep.reason[:300]}")
        if rep.offset_s is not None:
            print(
                f"     control offset - session truth offset {rep.offset_s - truth['offset_s']:+.2f}"
            )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
