"""Issue 22: the detection-timing check on cross-validation folds (lead, stop 32). Not shipped.

session_spotting.txt chose "mid" (a run timed at its middle step, not its most confident
one) on realistic dev seeds 311-314 and scored it once on seeds 301-306 and on stitched
held-out clips. This is a further check, never used to choose: the stitched streams of
every held-out fold of ``silkpipe evaluate --cv``, scored with both timings from the SAME
trained models and slides (spotting.spot is wrapped; the CV table itself is unchanged).

    python bench/notes/spot_timing_cv.py --cv time-range --clips DIR --seeds 2   (evaluate's args)
"""

import sys

from session_spotting_timing import detect  # the same rules, shared with that harness

import silkpipe.crossval as cv
from silkpipe import spotting as sp

TOTALS: dict[str, dict] = {"peak": {}, "mid": {}}


def spot_both(predictor, streams, cfg, seed: int = 0) -> dict:
    """spotting.spot, counted with both timings; returns the "peak" result (= spot's)."""
    fold: dict = {}
    for s in sp.stitched_streams(streams, seed):
        times, probs = sp.slide(predictor, s.motion, cfg)
        for rule, total in TOTALS.items():
            counts = sp.match(s.truth, detect(times, probs, list(predictor.labels), rule))
            sp.add_counts(total, counts)
            if rule == "peak":
                sp.add_counts(fold, counts)
    return {"counts": fold, "per_class": sp.event_scores(fold)}


def main(argv: list[str]) -> None:
    from silkpipe.cli import main as cli

    cv.spot = spot_both
    try:
        cli(["evaluate", *argv])
    finally:
        for rule, total in TOTALS.items():
            f1 = sp.event_scores(total)
            print(
                rule,
                " ".join(
                    f"{c} {v['f1']:.2f} ({v['tp']}/{v['fp']}/{v['fn']})" for c, v in f1.items()
                ),
            )


if __name__ == "__main__":
    main(sys.argv[1:])
