"""Re-run one shifted-audio control of a voice-path run as the bench ran it, and show why
the gate passed it (issue 24, helper fp46). Not shipped; reads the run's store only.

    python bench/notes/fp46/ctl.py RUN_DIR SESSION SHIFT_S [--oracle]
        # RUN_DIR: /tmp/gap46/voice_path/<run> (store/, sessions/); SHIFT_S: the control's
        # shift (the bench row's shift_s); the first control (self-trained classes), then
        # the re-test with the class model of the run's other passed sessions, with the
        # figures one.py shows (candidates, class scores, lag profile).
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import one  # noqa: E402

from silkpipe import alignment as al  # noqa: E402
from silkpipe.voice_score import (  # noqa: E402
    _others_model,
    passed_sessions,
    scale_slack,
    shifted_control,
)


def main(argv):
    run_dir, session, shift = Path(argv[0]), argv[1], float(argv[2])
    oracle = "--oracle" in argv
    truths = {
        p.parent.name: json.loads(p.read_text())
        for p in (run_dir / "sessions").glob("*/truth.json")
    }
    store = one.open_store(str(run_dir / "store"))
    passed = passed_sessions(store, one.RUN, truths)
    truth = truths[session]
    base = al.AlignConfig()
    motion = passed[session][0] if session in passed else None
    if motion is None:
        inputs = one.read_run_inputs(store, one.RUN, write=False)
        motion = one.read_motion(store, inputs, session)[0]
    cmds = one.commands_of(
        store, session, motion, replace(base, search_s=1e9), truth if oracle else None
    )
    model = _others_model(passed, session)
    print(
        session,
        "oracle" if oracle else "whisper",
        "words",
        len(cmds),
        "passed in run",
        session in passed,
        "model sessions",
        len([s for s in passed if s != session]),
    )
    first = shifted_control(session, motion, cmds, truth["offset_s"], shift, base)
    print("first control:", {k: first[k] for k in ("offset_error", "quality", "gate", "excluded")})
    carried = {"contradicted": first["gate"] == al.CLASS_CONTRADICTS}
    if first["gate"] == al.CHOICE_UNCONFIRMED:
        carried["first_choice_s"] = first["fit_offset_s"]
    again = shifted_control(
        session, motion, cmds, truth["offset_s"], shift, base, clip_model=model, **carried
    )
    print(
        "re-test:",
        {k: again[k] for k in ("offset_error", "quality", "gate", "excluded", "class_p_value")},
    )
    centre = truth["offset_s"] + shift + base.word_to_peak_s
    cfg = replace(base, search_s=float(max(abs(shift) - 0.5 - scale_slack(motion, centre), 0.1)))
    moved = [replace(c, start=c.start + centre, end=c.end + centre) for c in cmds]
    one.show("control re-test", session, motion, moved, cfg, model, truth["offset_s"], centre)
    one.show("control first", session, motion, moved, cfg, None, truth["offset_s"], centre)
    one.show("real session, model", session, motion, cmds, base, model, truth["offset_s"])


if __name__ == "__main__":
    main(sys.argv[1:])
