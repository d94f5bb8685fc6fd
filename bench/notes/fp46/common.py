"""The fixed class model's lag margin judged on common words (issue 24, helper fp46): the
step's lag_margin scores a word off the motion (a stall, a loss, past the ends) FLOOR, and
class_choice / the class test skip it, so two lags are judged on different words. Here each
shift d is compared with the chosen lag on the words on the motion at both. Not shipped.

    python bench/notes/fp46/common.py RUN_DIR SESSION [SESSION...]
        # per session (its published report; the class model rebuilt from the report's
        # class_sessions: first-pass labels for a veto, published labels for a round):
        # the step's margin (check), words on the motion, the common-words margin and
        # where it is least.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

import one  # noqa: E402

from silkpipe import alignment as al  # noqa: E402
from silkpipe.clip_evidence import FLOOR, bind, lag_margin, word_log_proba  # noqa: E402


def said_lp(clips, e_times, labels, lag):
    lp = word_log_proba(clips.model, clips.traces, clips.t0, clips.rate, e_times + lag)
    return lp[np.arange(len(labels)), labels]


def common_margin(clips, e_times, labels, lag, away_s=1.2, reach_s=60.0, step=0.05, share=0.6):
    """(margin on common words in the FLOOR profile's spreads, its shift, words common
    there, words on the motion here); a shift counts where the words on the motion at both
    lags are at least ``share`` of those on the motion here (and 3)."""
    here = said_lp(clips, e_times, labels, lag)
    need = max(3, int(np.ceil(share * np.isfinite(here).sum())))
    shifts = np.round(np.arange(-reach_s, reach_s + step / 2, step), 6)
    prof = clips.scores(e_times + lag, labels, shifts, missing=FLOOR)
    spread = max(float(np.std(prof)), 1e-9)
    best = (np.inf, None, 0)
    for d in shifts[np.abs(shifts) >= away_s - 1e-9]:
        there = said_lp(clips, e_times, labels, lag + d)
        both = np.isfinite(here) & np.isfinite(there)
        if both.sum() < need:
            continue
        diff = float(here[both].mean() - there[both].mean()) / spread
        if diff < best[0]:
            best = (diff, float(d), int(both.sum()))
    return round(best[0], 3), best[1], best[2], int(np.isfinite(here).sum())


def model_for(store, inputs, ldir, rep):
    parts = []
    for s in rep.get("class_sessions") or []:
        if rep["inputs"].get("first_pass") == "passed":
            r, csv = one.first_pass(ldir, s)
        else:
            csv = (ldir / f"{s}.csv").read_text()
        parts.append(
            (one.read_motion(store, inputs, s)[0], one.parse_labels_csv(csv, source=s, session=s))
        )
    return one.fit_session_model(parts) if parts else None


def main(argv):
    run_dir = Path(argv[0])
    store = one.open_store(str(run_dir / "store"))
    inputs = one.read_run_inputs(store, one.RUN, write=False)
    ldir = one.labels_dir(run_dir / "store")
    cfg = al.AlignConfig()
    for session in argv[1:]:
        rep = json.loads((ldir / f"{session}.json").read_text())
        truth = json.loads((run_dir / "sessions" / session / "truth.json").read_text())
        model = model_for(store, inputs, ldir, rep)
        if model is None or rep["offset_s"] is None:
            print(session, "no fixed model")
            continue
        motion = one.read_motion(store, inputs, session)[0]
        cmds = one.commands_of(store, session, motion, cfg, None)
        cmds = [
            c.__class__(
                **{
                    **c.__dict__,
                    "start": c.start * rep["clock_scale"],
                    "end": c.end * rep["clock_scale"],
                }
            )
            for c in cmds
        ]
        clips = bind(model, motion)
        e_times, labels = al.event_words(np.array([c.start for c in cmds]), [c.cls for c in cmds])
        lag = rep["offset_s"] + cfg.word_to_peak_s
        m, away = lag_margin(
            clips, e_times + lag, labels, cfg.class_peak_away_s, al.profile_reach(cfg)
        )
        cm = common_margin(clips, e_times, labels, lag)
        print(
            json.dumps(
                {
                    "run": run_dir.name,
                    "s": session[4:10],
                    "gate": rep["gate"],
                    "excluded": rep["excluded"],
                    "err": round(rep["offset_s"] - truth["offset_s"], 2),
                    "margin_report": rep["class_lag_margin"],
                    "margin_rebuilt": m,
                    "away": away,
                    "common_margin": cm[0],
                    "common_at": cm[1],
                    "common_words": cm[2],
                    "words_on_motion": cm[3],
                    "event_words": len(labels),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
