"""Sensor parse + resample, and alignment + quality gate, per session."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from silkpipe.alignment import align_session
from silkpipe.sessions import load_session, read_sensor_csv, resample
from silkpipe.transcripts import extract_commands, load_transcript

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TEN_MINUTES = DATA / "sessions" / "20251017_143627_session"  # 600 s, the longest real session
DENSE = DATA / "sessions" / "20251017_143217_session"  # 221 s at ~46 Hz per sensor


def _median_seconds(fn, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def rows() -> list[dict]:
    out = []
    sparse = _median_seconds(lambda: resample(read_sensor_csv(TEN_MINUTES / "sensor_data.csv")))
    out.append(
        {
            "name": "parse+resample, real 10-min session (17 Hz/sensor)",
            "figure": f"{sparse:.3f} s",
            "target": "< 0.5 s per 10 min",
            "command": "python -m bench parse",
        }
    )
    dense = _median_seconds(lambda: resample(read_sensor_csv(DENSE / "sensor_data.csv")))
    per_ten = dense * 600 / 221.1
    out.append(
        {
            "name": "parse+resample, real 46 Hz session, scaled to 10 min",
            "figure": f"{per_ten:.3f} s",
            "target": "< 0.5 s per 10 min",
            "command": "python -m bench parse",
        }
    )
    for folder in (DENSE, TEN_MINUTES):
        session = load_session(folder)
        motion = session.motion()
        commands = extract_commands(load_transcript(session.transcript_path)).commands
        cpu = _cpu_seconds(lambda m=motion, c=commands, n=session.name: align_session(n, m, c))
        out.append(
            {
                "name": f"align+gate {session.name} "
                f"({len(commands)} commands, {motion.duration:.0f} s)",
                "figure": f"{statistics.median(cpu):.2f} s CPU (median of {len(cpu)}, "
                f"range {min(cpu):.2f}-{max(cpu):.2f})",
                "target": "",
                "command": "python -m bench parse",
            }
        )
    return out


def _cpu_seconds(fn, repeats: int = 3) -> list[float]:
    """CPU seconds of each of ``repeats`` calls (this process's: the cores are shared, and
    the wall clock counts the other users' time too), after one untimed call that pays the
    aligner's lazy imports."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return times
