"""Label error per spoken word (issue 24, helper word44). Not shipped.

python bench/notes/word44.py probe SESSION_PARENT...
    # first-pass align (oracle words, no clip model) of each realistic session; per spoken
    # word: class, label start - gesture start, label centre - gesture centre (true time),
    # the offset error; to choose the reference point of silkpipe.word_labels
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from align_dev import load  # noqa: E402

from silkpipe.alignment import AlignConfig, align_session  # noqa: E402
from silkpipe.voice_score import session_clock  # noqa: E402
from silkpipe.word_labels import _label_for, spoken_words  # noqa: E402


def probe(dirs):
    cfg = AlignConfig()
    for d in dirs:
        for f in sorted(Path(d).glob("*/truth.json")):
            truth, motion, cmds = load(f.parent)
            ivs, rep = align_session(f.parent.name, motion, cmds, cfg)
            clock = session_clock((f.parent / "sensor_data.csv").read_text(), truth, "x")
            order = np.argsort(clock.rows, kind="stable")
            xp, fp = clock.rows[order], clock.truth[order]
            err = None if rep.offset_s is None else rep.offset_s - truth["offset_s"]
            words = spoken_words(truth)
            said = sum(g["spoken"] for g in truth["gestures"])
            print(f"# {f.parent} err {err} excl {rep.excluded} words {len(words)}/{said}")
            if rep.offset_s is None:
                continue
            spans = [(iv.start, iv.end, iv.label) for iv in ivs]
            for w in words:
                x = rep.clock_scale * w.audio_start + rep.offset_s
                lab = _label_for(w.cls, x, spans)
                if lab is None:
                    print(f"W {w.cls:5s} none")
                    continue
                s = float(np.interp(lab[0], xp, fp)) - w.start
                c = float(np.interp((lab[0] + lab[1]) / 2, xp, fp)) - (w.start + w.end) / 2
                print(
                    f"W {w.cls:5s} start {s:+6.2f} centre {c:+6.2f} glen {w.end - w.start:5.2f} "
                    f"llen {lab[1] - lab[0]:5.2f} err {err:+6.2f} excl {int(rep.excluded)}"
                )


if __name__ == "__main__":
    {"probe": probe}[sys.argv[1]](sys.argv[2:])
