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


def _row(name: str, figure: str, target: str = "") -> dict:
    """One row of the bench table."""
    return {"name": name, "figure": figure, "target": target, "command": "python -m bench training"}


def rows(repeats: int = 3) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="bench-train-") as tmp:
        out, streams = _training_rows(Path(tmp), repeats)
        out += _inference_rows(Path(tmp) / "m0", streams)
    return out


def _training_rows(tmp: Path, repeats: int) -> tuple[list[dict], list]:
    """Load + train + export, repeated (models in tmp/m0, m1, ...); the clip streams too,
    for the inference rows."""
    walls, loads, rates, summary = [], [], [], {}
    for i in range(repeats):
        start = time.perf_counter()
        streams = load_clip_streams(CLIPS)
        loaded = time.perf_counter()
        summary = train(streams, tmp / f"m{i}", config=TrainConfig(), progress=False)
        walls.append(time.perf_counter() - start)
        loads.append(loaded - start)
        seen = summary["train_windows"] + summary.get("refit_windows", 0)  # + refit pass
        rates.append(seen * summary["epochs"] / (walls[-1] - loads[-1]))
    return [
        _row(
            f"train on all {len(streams)} real clips (load+train+export, "
            f"{summary['epochs']} epochs, {TrainConfig().threads} torch thread(s))",
            f"{_median(walls):.1f} s (load {_median(loads):.1f} s)",
            "< 60 s",
        ),
        _row("training throughput (windows x epochs / s)", f"{_median(rates):.0f} windows/s"),
    ], streams


def _inference_rows(model: Path, streams: list) -> list[dict]:
    """The exported model's size and speed: ONNX Runtime batch 1 and 256, TorchScript."""
    params = sum(p.numel() for p in load_torch_model(model).parameters())
    out = [_row("model parameters (default TrainConfig)", f"{params}", "<= 40000")]
    windows = make_windows(streams).core()
    predictor = Predictor(model, backend="onnx")
    one = windows[:1].copy()
    per_window = _ms_per_call(predictor.logits, one, warmup=50, calls=200)
    out.append(
        _row(
            "inference, ONNX Runtime, batch 1, 1 thread",
            f"{_median(per_window):.3f} ms/window",
            "<= 1 ms/window",
        )
    )
    batch = np.ascontiguousarray(windows[:256])
    throughput = []
    for _ in range(5):
        start = time.perf_counter()
        predictor.logits(batch)
        throughput.append(len(batch) / (time.perf_counter() - start))
    out.append(
        _row("inference, ONNX Runtime, batch 256, 1 thread", f"{_median(throughput):.0f} windows/s")
    )
    import torch

    torch.set_num_threads(1)  # like the ONNX session: one intra-op thread per process
    script = Predictor(model, backend="torchscript")
    ts = _ms_per_call(script.logits, one, warmup=20, calls=100)
    out.append(
        _row(
            "inference, TorchScript, batch 1, 1 thread",
            f"{_median(ts):.3f} ms/window",
            "<= 1 ms/window",
        )
    )
    return out


if __name__ == "__main__":
    for row in rows():
        print(f"{row['name']}: {row['figure']} (target {row['target'] or '-'})")
