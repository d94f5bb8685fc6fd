"""Align step speed (helper speed43): CPU per real session, and two runs' label sets compared.
Rule and results: bench/notes/speed43.txt. Not shipped.

    PYTHONPATH=CHECKOUT python bench/notes/speed43.py cpu STORE RUN_ID [REPEATS]
        # align_session's CPU seconds per real session (the checkout on PYTHONPATH), on the
        # sensor stream in the store and the run's own transcript; one untimed call first
        # (lazy imports), then REPEATS (3) timed: median and range
    python bench/notes/speed43.py compare STORE_A RUN_A STORE_B RUN_B
        # the two runs' published label sets: per session, the decisions (excluded, reason,
        # gate, class model) exactly, the offset, confidence and quality as printed (6
        # significant digits) and their largest relative difference, and which files'
        # bytes differ
"""

import json
import statistics
import sys
import time
from pathlib import Path

DECISIONS = ("excluded", "reason", "gate", "class_model", "at_search_edge", "labelled_seconds")
NUMBERS = ("offset_s", "offset_confidence", "quality", "quality_p_value", "clock_scale")


def cpu(store: str, run_id: str, repeats: int = 3) -> None:
    import scipy.signal  # noqa: F401  (paid before any clock starts, in both checkouts)

    from silkpipe.alignment import align_session
    from silkpipe.sessions import parse_sensor_csv, resample
    from silkpipe.transcripts import extract_commands, parse_transcript

    root = Path(store)
    for folder in sorted((root / "sessions").iterdir()):
        name = folder.name
        raw = parse_sensor_csv((folder / "sensor_data.csv").read_text(), source=name)
        motion = resample(raw)
        transcript = json.loads(
            (root / "runs" / run_id / "transcripts" / f"{name}.json").read_text()
        )
        commands = extract_commands(parse_transcript(transcript, session=name)).commands
        align_session(name, motion, commands)
        times = []
        for _ in range(repeats):
            start = time.process_time()
            align_session(name, motion, commands)
            times.append(time.process_time() - start)
        print(
            f"{name} {len(commands):4d} commands: {statistics.median(times):6.2f} s CPU "
            f"(range {min(times):.2f}-{max(times):.2f}, {repeats} runs)",
            flush=True,
        )


def _label_set(store: str, run_id: str) -> Path:
    run = Path(store) / "runs" / run_id
    return run / "labels" / json.loads((run / "labels.json").read_text())["version"]


def compare(store_a: str, run_a: str, store_b: str, run_b: str) -> None:
    a, b = _label_set(store_a, run_a), _label_set(store_b, run_b)
    files = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    other = sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    print(f"same files: {files == other}")
    print("bytes differ:", [f for f in files if (a / f).read_bytes() != (b / f).read_bytes()])
    for f in files:
        if not f.endswith("_session.json") or f.startswith("rounds/"):
            continue
        ra, rb = (json.loads((d / f).read_text()) for d in (a, b))
        moved = [k for k in DECISIONS if ra.get(k) != rb.get(k)]
        printed = [k for k in NUMBERS if _g(ra.get(k)) != _g(rb.get(k))]
        rel = max((_rel(ra.get(k), rb.get(k)) for k in NUMBERS), default=0.0)
        print(
            f"{f[:-5]}: offset {_g(ra.get('offset_s'))} quality {_g(ra.get('quality'))} "
            f"excluded {ra.get('excluded')} | decisions differ {moved or 'none'}, printed "
            f"numbers differ {printed or 'none'}, largest relative difference {rel:.1e}"
        )


def _g(x):
    return x if not isinstance(x, float) else f"{x:.6g}"


def _rel(x, y) -> float:
    if not isinstance(x, float) or not isinstance(y, float) or x == y:
        return 0.0
    return abs(x - y) / max(abs(x), abs(y))


if __name__ == "__main__":
    if sys.argv[1] == "cpu":
        cpu(sys.argv[2], sys.argv[3], *(int(a) for a in sys.argv[4:5]))
    else:
        compare(*sys.argv[2:6])
