"""Training wall time on all real labelled clips, and inference speed of the exported model."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from silkpipe.dataset import load_clip_streams, make_windows
from silkpipe.model import Predictor, load_torch_model
from silkpipe.training import TrainConfig, train

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CLIPS = DATA / "clips-dev"


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _ms_per_call(fn, arg, *, warmup: int, calls: int, repeats: int = 5) -> list[float]:
    """Milliseconds per call of fn(arg), one figure per repeat of `calls` calls."""
    for _ in range(warmup):
        fn(arg)
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn(arg)
        out.append((time.perf_counter() - start) / calls * 1e3)
    return out


def rows(repeats: int = 3) -> list[dict]:
    out = []
    with tempfile.TemporaryDirectory(prefix="bench-train-") as tmp:
        walls, loads, rates, summary = [], [], [], {}
        for i in range(repeats):
            start = time.perf_counter()
            streams = load_clip_streams(CLIPS)
            loaded = time.perf_counter()
            summary = train(streams, Path(tmp) / f"m{i}", config=TrainConfig(), progress=False)
            walls.append(time.perf_counter() - start)
            loads.append(loaded - start)
            seen = summary["train_windows"] + summary.get("refit_windows", 0)  # + refit pass
            rates.append(seen * summary["epochs"] / (walls[-1] - loads[-1]))
        out.append(
            {
                "name": f"train on all {len(streams)} real clips (load+train+export, "
                f"{summary['epochs']} epochs, {TrainConfig().threads} torch thread(s))",
                "figure": f"{_median(walls):.1f} s (load {_median(loads):.1f} s)",
                "target": "< 60 s",
                "command": "python -m bench training",
            }
        )
        out.append(
            {
                "name": "training throughput (windows x epochs / s)",
                "figure": f"{_median(rates):.0f} windows/s",
                "target": "",
                "command": "python -m bench training",
            }
        )
        model = Path(tmp) / "m0"
        params = sum(p.numel() for p in load_torch_model(model).parameters())
        out.append(
            {
                "name": "model parameters (default TrainConfig)",
                "figure": f"{params}",
                "target": "<= 40000",
                "command": "python -m bench training",
            }
        )
        windows = make_windows(streams).core()
        predictor = Predictor(model, backend="onnx")
        one = windows[:1].copy()
        per_window = _ms_per_call(predictor.logits, one, warmup=50, calls=200)
        out.append(
            {
                "name": "inference, ONNX Runtime, batch 1, 1 thread",
                "figure": f"{_median(per_window):.3f} ms/window",
                "target": "<= 1 ms/window",
                "command": "python -m bench training",
            }
        )
        batch = np.ascontiguousarray(windows[:256])
        throughput = []
        for _ in range(5):
            start = time.perf_counter()
            predictor.logits(batch)
            throughput.append(len(batch) / (time.perf_counter() - start))
        out.append(
            {
                "name": "inference, ONNX Runtime, batch 256, 1 thread",
                "figure": f"{_median(throughput):.0f} windows/s",
                "target": "",
                "command": "python -m bench training",
            }
        )
        import torch

        torch.set_num_threads(1)  # like the ONNX session: one intra-op thread per process
        script = Predictor(model, backend="torchscript")
        ts = _ms_per_call(script.logits, one, warmup=20, calls=100)
        out.append(
            {
                "name": "inference, TorchScript, batch 1, 1 thread",
                "figure": f"{_median(ts):.3f} ms/window",
                "target": "<= 1 ms/window",
                "command": "python -m bench training",
            }
        )
    return out


if __name__ == "__main__":
    for row in rows():
        print(f"{row['name']}: {row['figure']} (target {row['target'] or '-'})")
