"""Compare final verdicts of run-level rows (nd40.py collect files) against reference rows
for the runs both hold (not shipped): sessions (right <= 0.3 s, 0.3-0.5, false > 0.5,
refused) and controls (passed or not), and every row whose verdict changed.

    python bench/notes/clock45cmp.py REF.json[,REF2.json] NEW.json...
"""

import json
import sys
from collections import Counter
from pathlib import Path


def kind(r):
    if r["excluded"]:
        return "refused"
    e = abs(r["err"]) if r["err"] is not None else 99
    return "right" if e <= 0.3 else ("0.3-0.5" if e <= 0.5 else "FALSE")


def main(refs, news):
    ref = {}
    for f in refs.split(","):
        ref.update(json.loads(Path(f).read_text()))
    before, after = Counter(), Counter()
    for f in news:
        for run, data in json.loads(Path(f).read_text()).items():
            if run not in ref:
                print("no reference run", run, f)
                continue
            pairs = []
            for name, rs in data["sessions"].items():  # each session's rounds: the last
                if name in ref[run]["sessions"]:
                    pairs.append(("ses", name, ref[run]["sessions"][name][-1], rs[-1]))
            for name, cs in data.get("controls", {}).items():  # each control of a session
                old = ref[run].get("controls", {}).get(name, [])
                for i, (o, c) in enumerate(zip(old, cs, strict=False)):
                    pairs.append(("ctl", f"{name}#{i} {c['kind']}", o, c))
            for tag, name, o, c in pairs:
                a, b = kind(o), kind(c)
                before[tag, a] += 1
                after[tag, b] += 1
                if a != b:
                    print(
                        f"{run} {name}: {a} {o['err']:+.2f} [{o['gate']}] -> "
                        f"{b} {c['err']:+.2f} [{c['gate']}]"
                    )
    for tag in ("ses", "ctl"):
        keys = sorted({k for t, k in before if t == tag} | {k for t, k in after if t == tag})
        print(tag, " ".join(f"{k} {before[tag, k]}->{after[tag, k]}" for k in keys))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
