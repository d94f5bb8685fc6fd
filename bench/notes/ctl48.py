"""Shuffled-audio controls passing on energy alone (issue 24, helper ctl48). Rule and
results: bench/notes/ctl48.txt. Not shipped.

    python bench/notes/ctl48.py firstword OUT.json ROWS.json...
        # every pass of a session (final round) or shuffled control in nd40 rows files: where
        # the fit puts the first and last word against the IMU stream (truth for sessions'
        # offsets: err + offset_s; controls: fit_offset_s, the donor the next session)
    python bench/notes/ctl48.py donors OUT.json RUN_DIR...
        # first pass, no class model, this checkout's code: each session's motion with every
        # other session's words of its run (a shuffled-audio control per pair)
"""

import collections
import json
import re
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))


def _folder(path: str, run: str) -> Path | None:
    """The run folder of a rows file's run (/tmp/h44 layout; m_ files: merged runs)."""
    m = re.match(r"(m_)?(.+?)_(never_drains|drains)_", Path(path).stem)
    if not m:
        return None
    merged, s, d = m.groups()
    root = Path("/tmp/h44")
    p = root / "merged" / f"{s}_{d}" / run if merged else root / s / d / run
    return p if p.is_dir() else None


def _label(kind: str, r: dict) -> str:
    if kind != "session":
        return "CTL-shuffled"
    e = abs(r["err"])
    return "right" if e <= 0.3 else ("FALSE" if e > 0.5 else "between")


def _passes(paths):
    """(run folder, name, kind, row) of each pass of a session or shuffled control."""
    for path in paths:
        for run, v in json.loads(Path(path).read_text()).items():
            p = _folder(path, run)
            if p is None:
                continue
            for n, rs in v["sessions"].items():
                if rs and not rs[-1]["excluded"]:
                    yield p, n, "session", rs[-1]
            for n, rs in v["controls"].items():
                for r in rs:
                    if r["kind"] == "shuffled" and not r["excluded"] and r.get("fit_offset_s"):
                        yield p, n, "shuffled", r


def firstword(args):
    from align_dev import load

    cache: dict = {}
    seen, out = set(), []
    for p, n, kind, r in _passes(args[1:]):
        if (str(p), n, kind) in seen:
            continue
        seen.add((str(p), n, kind))
        data = cache.setdefault(p, {f.parent.name: load(f.parent) for f in p.glob("*/truth.json")})
        names = sorted(data)
        truth, motion, words = data[n]
        off = truth["offset_s"] + r["err"] if kind == "session" else r["fit_offset_s"]
        if kind != "session":
            words = data[names[(names.index(n) + 1) % len(names)]][2]
        t = np.array([c.start for c in words]) + off
        only = r["gate"] == "energy" and not r.get("cls_testable") and not r.get("sig_testable")
        out.append(
            dict(dir=str(p), name=n, kind=kind, lab=_label(kind, r), gate=r["gate"],
                 energy_only=only, q=r["quality"], first=float(t.min() - motion.t[0]),
                 last=float(motion.t[-1] - t.max()))
        )  # fmt: skip
    Path(args[0]).write_text(json.dumps(out, indent=0))
    for lab in sorted({o["lab"] for o in out}):
        f = np.array([o["first"] for o in out if o["lab"] == lab])
        print(
            f"{lab}: {len(f)} passes, first word min {f.min():+.2f} s, median {np.median(f):+.2f}"
        )


def donors(args):
    from align_dev import load

    import silkpipe.alignment as al

    cfg, out = al.AlignConfig(), []
    for d in args[1:]:
        data = {f.parent.name: load(f.parent) for f in sorted(Path(d).glob("*/truth.json"))}
        for n in sorted(data):
            for m in sorted(data):
                if m != n:
                    _, rep = al.align_session(n, data[n][1], data[m][2], cfg)
                    out.append(dict(dir=d, name=n, donor=m, excluded=rep.excluded,
                                    gate=rep.gate, q=rep.quality, off=rep.offset_s))  # fmt: skip
    Path(args[0]).write_text(json.dumps(out, indent=0))
    for k, v in sorted(collections.Counter((o["excluded"], o["gate"]) for o in out).items()):
        print(k, v)


if __name__ == "__main__":
    {"firstword": firstword, "donors": donors}[sys.argv[1]](sys.argv[2:])
