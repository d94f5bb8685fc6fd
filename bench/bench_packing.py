"""GPU packing, measured on CPU: the model-load share of a transcription pod's time for 1 and
for N sessions per pod (``transcribe --chunk``: the model loads once per pod).

Protocol: sessions of SESSION_S seconds built from the real recordings' audio
(20251017_135233 and 20251017_110929, concatenated and rotated by 7 s per session so no two
are alike); a pod is a fresh Python process (as in a container: imports, model load, the
sessions, each transcript written to a local store) running ``transcribe_sessions`` with the
default settings (faster-whisper, bundled tiny.en, int8, 2 threads, force: no cache). Pod
time is the process's wall time (node start-up and image pull are not in it); model load is
the time inside WhisperModel(). REPEATS pods per N; medians, with the range.

    python -m bench packing        (or python -m bench.bench_packing for this table alone)
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from silkpipe.speech import SAMPLE_RATE, read_wav, write_wav

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "sessions"
SOURCES = ("20251017_135233_session", "20251017_110929_session")
SESSION_S = 150
PER_POD = (1, 4)
REPEATS = 3
TARGET = "model load < 10% of pod time with >= 10 min audio per pod"


def make_sessions(store: Path, count: int) -> list[str]:
    audio = np.concatenate([read_wav(DATA / s / "audio_16k.wav") for s in SOURCES])
    need = SESSION_S * SAMPLE_RATE
    names = []
    for k in range(count):
        tiled = np.roll(np.tile(audio, need // len(audio) + 1), -k * 7 * SAMPLE_RATE)[:need]
        name = f"packing_{k:02d}"
        folder = store / "sessions" / name
        folder.mkdir(parents=True)
        write_wav(folder / "audio_16k.wav", tiled.astype(np.float32))
        names.append(name)
    return names


def pod(store: str, run_id: str, sessions: list[str]) -> None:
    """One pod's work (runs in the child process); prints its figures as JSON."""
    from silkpipe.store import open_store
    from silkpipe.transcription import transcribe_sessions

    totals = transcribe_sessions(open_store(store), sessions, run_id, threads=2, force=True)
    print(json.dumps(totals))


def run_pod(store: Path, run_id: str, sessions: list[str]) -> dict:
    started = time.perf_counter()
    cmd = [sys.executable, "-m", "bench.bench_packing", "--pod", str(store), run_id, *sessions]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=True)
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    figures["pod_seconds"] = time.perf_counter() - started
    return figures


def rows() -> list[dict]:
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp)
        names = make_sessions(store, max(PER_POD))
        for n in PER_POD:
            pods = [run_pod(store, f"p{n}-{r}", names[:n]) for r in range(REPEATS)]
            share = [p["model_load_seconds"] / p["pod_seconds"] for p in pods]
            pod_s = [p["pod_seconds"] for p in pods]
            load_s = [p["model_load_seconds"] for p in pods]
            out.append(
                {
                    "sessions/pod": n,
                    "audio min/pod": round(n * SESSION_S / 60, 1),
                    "pod s (median, range)": f"{statistics.median(pod_s):.1f} "
                    f"({min(pod_s):.1f}-{max(pod_s):.1f})",
                    "model load s": f"{statistics.median(load_s):.2f}",
                    "load share": f"{statistics.median(share):.1%} "
                    f"({min(share):.1%}-{max(share):.1%})",
                    "target": TARGET if n == max(PER_POD) else "",
                }
            )
    return out


#: Published figures for large-v3-class models on GPU (no GPU here): model load seconds and
#: throughput as audio seconds per second. Sources are printed with the table.
LOAD_S = {
    "load 9 s": (
        9.0,
        "large-v2 (same size as v3) into a laptop A3000's memory, "
        "github.com/SYSTRAN/faster-whisper/issues/396",
    ),
    "load 20 s": (
        20.0,
        "a 16 GB model into VRAM on a cloud GPU, "
        "github.com/tensorfuse/tensorfuse-examples/issues/1",
    ),
}
SPEED = {
    "15x (beam 5, sequential)": (
        15.0,
        "large-v3 fp16 beam 5: 13 min in 52 s, RTX 2080 Ti, "
        "github.com/SYSTRAN/faster-whisper/issues/1030",
    ),
    "46x (batched, batch 8)": (
        46.0,
        "large-v2 fp16 batched: 13 min in 17 s, RTX 3070 Ti, "
        "faster-whisper README (github.com/SYSTRAN/faster-whisper)",
    ),
}
AUDIO_MIN = (2, 10, 30, 60)


def paper() -> list[dict]:
    """Model-load share = load / (load + audio / speed) for a pod, from published figures."""
    out = []
    for load_name, (load, _) in LOAD_S.items():
        for speed_name, (speed, _) in SPEED.items():
            row = {"model load": load_name, "throughput": speed_name}
            for minutes in AUDIO_MIN:
                row[f"{minutes} min/pod"] = f"{load / (load + minutes * 60 / speed):.0%}"
            row["min audio for <10%"] = f"{9 * load * speed / 60:.0f} min"
            out.append(row)
    return out


if __name__ == "__main__":
    if sys.argv[1:2] == ["--pod"]:
        pod(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        from bench.table import print_table

        print_table(rows())
        print("\nOn paper, large-v3 on a GPU pod (node start-up and image pull not counted):")
        print_table(paper())
        for name, (_, source) in {**LOAD_S, **SPEED}.items():
            print(f"  {name}: {source}")
