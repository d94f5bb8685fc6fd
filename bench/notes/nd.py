"""Never-draining queues on the `arrival` clock (issue 24, helper nd). Not shipped.

    python bench/notes/nd.py models OUT.jsonl KEY=VALUE... -- DIR...
        # every session's time model (ClockConfig KEY=VALUE overrides) and a digest of its
        # rebuilt clock; DIR: folders of session folders (sensor_data.csv [+ truth.json])
    python bench/notes/nd.py diff BEFORE.jsonl AFTER.jsonl
        # sessions whose clock (digest), kind or time model differ; the never_drains ones
    python bench/notes/nd.py ratios KEY=VALUE... -- DIR...
        # queue_ratio's parts (rate ratio, spacing ratio) where it is measured

The code measured is the one on PYTHONPATH (main's checkout for "before").
"""

import hashlib
import json
import sys
from pathlib import Path

import numpy as np

import silkpipe.sessions as ss
import silkpipe.watch_clock as wc


def _split(args):
    i = args.index("--")
    return dict(a.split("=", 1) for a in args[:i] if "=" in a), args[i + 1 :]


def _configure(kv):
    """Every rebuild_clock call of the sessions reader gets ClockConfig(**kv)."""
    plain = ss.rebuild_clock
    over = {k: float(v) for k, v in kv.items()}

    def rebuild(arrival, watch=None, cfg=None, **k):
        return plain(arrival, watch, cfg or wc.ClockConfig(**over), **k)

    ss.rebuild_clock = rebuild


def _sessions(dirs):
    for d in dirs:
        for f in sorted(Path(d).glob("*/sensor_data.csv")):
            t = f.parent / "truth.json"
            truth = json.loads(t.read_text()) if t.exists() else {}
            yield f, truth.get("delivery", {})


def models(args):
    out, (kv, dirs) = args[0], _split(args[1:])
    _configure(kv)
    with open(out, "w") as fh:
        for f, dl in _sessions(dirs):
            s = ss.read_sensor_csv(f, session=f.parent.name)
            digest = hashlib.sha1(np.ascontiguousarray(s.clock_rows).tobytes()).hexdigest()
            row = dict(path=str(f.parent), delivery=dl.get("kind"), digest=digest[:16])
            fh.write(json.dumps(dict(row, time_model=s.time_model)) + "\n")


def diff(args):
    before, after = ({json.loads(x)["path"]: json.loads(x) for x in open(p)} for p in args)
    moved = {}
    for path, b in before.items():
        a = after[path]
        if a["digest"] == b["digest"] and a["time_model"] == b["time_model"]:
            continue
        tb, ta = b["time_model"], a["time_model"]
        key = (b["delivery"], tb["kind"], ta["kind"])
        moved.setdefault(key, []).append(path)
        print(
            f"{path} {b['delivery']} {tb['kind']} -> {ta['kind']} qr {tb['queue_ratio']} -> "
            f"{ta['queue_ratio']} clock {'same' if a['digest'] == b['digest'] else 'MOVED'}"
        )
    print(f"sessions {len(before)}; changed:")
    for key, paths in sorted(moved.items(), key=str):
        print(" ", key, len(paths))


def ratios(args):
    """queue_ratio's two factors for each session that measures it."""
    kv, dirs = _split(args)
    _configure(kv)
    plain = wc.queue_ratio
    seen: dict = {}

    def parts(pairs, arrival, backlog, n0, rate, cfg):
        out = plain(pairs, arrival, backlog, n0, rate, cfg)
        seen.clear()
        got = []
        for mask in (backlog <= cfg.backlog_s, backlog > cfg.backlog_s):
            rows = np.zeros(len(arrival), bool)
            rows[n0:] = mask
            idx = np.flatnonzero(rows)
            seconds = wc._arriving_seconds(arrival, idx, cfg)  # this branch's code only
            got.append((pairs.spacing(rows), len(idx) / seconds / rate if seconds else None))
        if all(x is not None for p in got for x in p):
            seen.update(rate=got[1][1] / got[0][1], spacing=got[1][0] / got[0][0])
        return out

    wc.queue_ratio = parts
    for f, dl in _sessions(dirs):
        seen.clear()
        tm = ss.read_sensor_csv(f, session=f.parent.name).time_model
        if tm["queue_ratio"] is not None:
            r = {k: round(v, 3) for k, v in seen.items()}
            print(
                f.parent.parent.name,
                f.parent.name,
                dl.get("kind"),
                tm["kind"],
                tm["queue_ratio"],
                r,
            )


if __name__ == "__main__":
    {"models": models, "diff": diff, "ratios": ratios}[sys.argv[1]](sys.argv[2:])
