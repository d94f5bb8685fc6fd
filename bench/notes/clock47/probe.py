"""First-pass fits (no class model) of every session with a searchable loss, parent
(loss_size_search False) vs L47, with the truth's loss sizes (scoring only). Not shipped.

    python bench/notes/clock47/probe.py OUT.json SEED_DIR...
"""

import json
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[3]))


def main(out, dirs):
    from align_dev import load

    import silkpipe.alignment as al
    from silkpipe.loss_search import unsure_losses

    cfg = al.AlignConfig()
    rows = {}
    for d in dirs:
        for f in sorted(Path(d).glob("*/truth.json")):
            truth, motion, cmds = load(f.parent)
            found = unsure_losses(motion, cfg.loss_spread_s)
            if not found:
                continue
            res = {"losses": found, "true": truth["delivery"].get("losses", [])}
            for name, c in (("parent", replace(cfg, loss_size_search=False)), ("l47", cfg)):
                t0 = time.time()
                _, rep = al.align_session(f.parent.name, motion, cmds, c, keep_refused=True)
                err = None if rep.offset_s is None else rep.offset_s - truth["offset_s"]
                res[name] = {
                    "err": err,
                    "q": rep.quality,
                    "gate": rep.gate,
                    "excluded": rep.excluded,
                    "sizes": rep.loss_sizes,
                    "s": round(time.time() - t0, 1),
                }
            rows[str(f.parent)] = res
            p, n = res["parent"], res["l47"]
            fmt = lambda x: "  -  " if x is None else f"{x:+6.2f}"  # noqa: E731
            print(
                f"{f.parent.name[4:10]} {[(round(x[0][1], 2), round(x[0][2], 2), x[1][:4]) for x in found]} "
                f"true {[round(b - a, 2) for a, b in res['true']]} | parent {fmt(p['err'])} q {p['q']:5.2f} "
                f"[{p['gate'][:18]}] {p['s']}s | l47 {fmt(n['err'])} q {n['q']:5.2f} [{n['gate'][:18]}] "
                f"{n['sizes']} {n['s']}s",
                flush=True,
            )
    Path(out).write_text(json.dumps(rows))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
