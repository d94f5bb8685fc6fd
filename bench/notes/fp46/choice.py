"""Would the fixed class model's choice among energy peaks change if every candidate were
judged on the same words (off-motion words at FLOOR, as lag_margin scores them)? fp46
helper, issue 24. Not shipped; reads a run store only.

    python bench/notes/fp46/choice.py RUN_DIR SESSION...
        # per session aligned with a session-class model (its published report): the
        # energy candidates, the one chosen skipping off-motion words (the step) and the one
        # chosen with them at FLOOR, and each one's error against truth.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import common  # noqa: E402
import one  # noqa: E402

from silkpipe import alignment as al  # noqa: E402
from silkpipe.clip_evidence import bind  # noqa: E402


def main(argv):
    run_dir = Path(argv[0])
    store = one.open_store(str(run_dir / "store"))
    inputs = one.read_run_inputs(store, one.RUN, write=False)
    ldir = one.labels_dir(run_dir / "store")
    cfg = al.AlignConfig()
    for session in argv[1:]:
        rep = json.loads((ldir / f"{session}.json").read_text())
        truth = json.loads((run_dir / "sessions" / session / "truth.json").read_text())
        model = common.model_for(store, inputs, ldir, rep)
        if model is None or rep["offset_s"] is None or rep["clock_scale"] != 1.0:
            print(json.dumps({"run": run_dir.name, "s": session[4:10], "skipped": True}))
            continue
        motion = one.read_motion(store, inputs, session)[0]
        cmds = one.commands_of(store, session, motion, cfg, None)
        cands = one.candidates(motion, cmds, cfg, bind(model, motion))
        if len(cands) < 2:
            continue
        skip = max(cands, key=lambda c: c[1] + c[2])
        floor = max(cands, key=lambda c: c[1] + c[4])
        print(
            json.dumps(
                {
                    "run": run_dir.name,
                    "s": session[4:10],
                    "gate": rep["gate"],
                    "excluded": rep["excluded"],
                    "reported": round(rep["offset_s"] - truth["offset_s"], 2),
                    "n_cands": len(cands),
                    "skip_err": round(skip[0] - truth["offset_s"], 2),
                    "floor_err": round(floor[0] - truth["offset_s"], 2),
                    "changes": skip[0] != floor[0],
                    "words": [skip[3], floor[3]],
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
