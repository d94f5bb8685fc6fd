"""Realistic sessions at the real sessions' pace (issue 24, stop 61). Not shipped.

bench/real_play.py shows the real voice sessions play 3-4x faster than realistic ones
(same-class event-word gap 0.62-0.67 s against 2.8 s) and that their words stand out of the
motion 5x less. The paced sets of bench/notes/pace61.txt are built by
`silkpipe synth ... --realistic --pace fast` (a first build clamped the gesture pieces to
their recordings, wrongly: pace61.txt step 6):
  - a gesture piece is its clip's labelled span with room for the crossfades (not widened
    to a sample's whole recording), so a run of punches can follow at a faster cadence;
  - gaps: within a run uniform(0, 0.25) s, after a run uniform(0.2, 0.8) s, chat room
    (10 %) uniform(2, 5) s.

    python bench/notes/pace61.py make OUT CLIPS DELIVERY SEED...   # 4 sessions a seed, 30 gestures
    python bench/notes/pace61.py measure DIR...                    # bench.real_play's rows
"""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))


def make(out, clips, delivery, seeds):
    for s in seeds:
        o = Path(out) / delivery / str(s)
        if o.exists():
            continue
        args = ["--from-clips", clips, "--out", f"{o}.tmp", "--realistic", "--gestures", "30"]
        args += ["--delivery", delivery, "--seed", str(s), "--pace", "fast"]
        subprocess.run([sys.executable, "-m", "silkpipe", "synth", *args], check=True)
        Path(f"{o}.tmp").rename(o)


def measure(dirs):
    import bench.real_play as rp

    real, _ = rp.real_sessions(rp.DATA / "sessions")
    paced = [p for d in dirs for p in rp.sessions_in(Path(d))[1]]
    rows = [rp.row(f"real {p.name[:15]}", [p]) for p in real]
    rows.append(rp.row("paced, true offset", paced))
    rp.print_rows(rows)


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
    else:
        measure(sys.argv[2:])
