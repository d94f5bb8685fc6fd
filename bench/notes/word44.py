"""Label error per spoken word (issue 24, helper word44). Not shipped.

python bench/notes/word44.py probe SESSION_PARENT...
    # first-pass align (oracle words, no clip model) of each realistic session; per spoken
    # word: class, label start - gesture start, label centre - gesture centre (true time),
    # the offset error; to choose the reference point of silkpipe.word_labels (the first
    # run, /tmp/w44/probe1.log, picked each word's label by the nearest span to the word,
    # not the nearest start as shipped)
python bench/notes/word44.py summary SCORE_VOICE_JSON...
    # per session of score-voice --json outputs: offset error, gate, word figures; the
    # passed sessions read both ways (offset > 0.5 s off; > 20 % of words > 0.5 s off)
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from align_dev import load  # noqa: E402

from silkpipe.alignment import AlignConfig, align_session  # noqa: E402
from silkpipe.voice_score import session_clock  # noqa: E402
from silkpipe.word_labels import label_start, spoken_words  # noqa: E402


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
                a = label_start(w.cls, x, spans)
                if a is None:
                    print(f"W {w.cls:5s} none")
                    continue
                lab = next((s, e) for s, e, c in spans if c == w.cls and s == a)
                s = float(np.interp(lab[0], xp, fp)) - w.start
                c = float(np.interp((lab[0] + lab[1]) / 2, xp, fp)) - (w.start + w.end) / 2
                print(
                    f"W {w.cls:5s} start {s:+6.2f} centre {c:+6.2f} glen {w.end - w.start:5.2f} "
                    f"llen {lab[1] - lab[0]:5.2f} err {err:+6.2f} excl {int(rep.excluded)}"
                )


def summary(files):
    import json

    for f in files:
        result = json.loads(Path(f).read_text())
        print(f"# {f}")
        for name, r in sorted(result["sessions"].items()):
            w = r.get("word_labels") or {}
            if not w:
                print(f"{name} {r.get('error')}")
                continue
            e = r["offset_error"]
            flags = ("OFF " if r["false_pass"] else "") + ("WORDS" if r["word_false_pass"] else "")
            print(
                f"{name[4:11]} err {'-' if e is None else f'{e:+6.2f}'} "
                f"{'excl' if r['excluded'] else 'PASS'} words {w['words']:2d} "
                f"<=0.3 {w['within_0_3s']:.2f} <=0.5 {w['within_0_5s']:.2f} "
                f">0.5 {w['over_0_5s']:.2f} none {w['unlabelled']:2d} "
                f"med {w['median_abs_error_s']} {flags}"
            )
        o = result["offset"]
        print(
            f"passed {o['passed_gate']} offset false passes {o['false_passes']} word false "
            f"passes {o['word_false_passes']} passed words {o['passed_words']}"
        )


if __name__ == "__main__":
    {"probe": probe, "summary": summary}[sys.argv[1]](sys.argv[2:])
