"""Score a model folder on labelled streams: macro-F1, per class, per group, confusion.

Macro-F1 averages over the classes that occur in the truth or the predictions (as
scikit-learn does), so a class the test data lacks but the model predicts still costs.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from silkpipe.dataset import LabelledStream, WindowConfig, make_windows


def scores(y_true: np.ndarray, y_pred: np.ndarray, labels) -> dict:
    """macro_f1, accuracy, per_class{recall, precision, f1, support}, confusion."""
    labels = list(labels)
    k = len(labels)
    y_true = np.asarray(y_true, dtype=np.int64)
    y_pred = np.asarray(y_pred, dtype=np.int64)
    matrix = np.zeros((k, k), dtype=np.int64)  # rows: truth, columns: prediction
    np.add.at(matrix, (y_true, y_pred), 1)
    per_class, f1s = {}, []
    for i, name in enumerate(labels):
        tp = matrix[i, i]
        support = int(matrix[i].sum())
        predicted = int(matrix[:, i].sum())
        recall = tp / support if support else 0.0
        precision = tp / predicted if predicted else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[name] = {
            "recall": round(float(recall), 4),
            "precision": round(float(precision), 4),
            "f1": round(float(f1), 4),
            "support": support,
        }
        if support or predicted:
            f1s.append(f1)
    return {
        "macro_f1": round(float(np.mean(f1s)), 4) if f1s else 0.0,
        "accuracy": round(float((y_true == y_pred).mean()), 4) if len(y_true) else 0.0,
        "windows": int(len(y_true)),
        "per_class": per_class,
        "confusion": {"labels": labels, "matrix": matrix.tolist()},
    }


def evaluate(model_dir: Path, streams: list[LabelledStream], backend: str = "onnx") -> dict:
    """Window the streams as the model was trained and score its predictions."""
    from silkpipe.model import Predictor

    predictor = Predictor(model_dir, backend=backend)
    cfg = WindowConfig.from_dict(predictor.config["window"])
    return evaluate_windows(predictor, make_windows(streams, cfg), streams)


def evaluate_windows(predictor, windows, streams: list[LabelledStream] | None = None) -> dict:
    """Score a Predictor on ready-made windows (their centred cores); with the windows'
    ``streams``, also on whole-gesture samples only where some sample holds none."""
    windows = windows.primaries()  # one window per gesture, as at inference
    if len(windows) == 0:
        from silkpipe.errors import InputError

        raise InputError("no labelled windows to evaluate on")
    pred = predictor.predict(windows.core())
    result = scores(windows.y, pred, predictor.labels)
    if streams is not None:
        result.update(_whole_samples(windows, pred, streams, predictor.labels))
    result["per_group"] = {}
    for group in sorted(set(windows.groups)):
        mask = windows.groups == group
        g = scores(windows.y[mask], pred[mask], predictor.labels)
        result["per_group"][group] = {k: g[k] for k in ("macro_f1", "accuracy", "windows")}
    result["model"] = str(predictor.folder)
    return result


def _whole_samples(windows, pred: np.ndarray, streams, labels) -> dict:
    """whole_samples.whole_score of the windows ({} when every sample holds its gesture)."""
    from silkpipe.whole_samples import flawed_windows, whole_score

    flawed = flawed_windows(windows, streams)
    return whole_score(windows.y, pred, ~flawed, labels) if flawed.any() else {}


def confusion_png(result: dict, path: str | Path) -> Path:
    """Draw the confusion matrix (rows: truth, columns: prediction) with counts."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = result["confusion"]["labels"]
    matrix = np.asarray(result["confusion"]["matrix"])
    rows = matrix.sum(axis=1, keepdims=True)
    share = np.divide(matrix, rows, out=np.zeros(matrix.shape), where=rows > 0)
    fig, ax = plt.subplots(figsize=(5.5, 4.8), dpi=120)
    ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for i in range(len(labels)):
        for j in range(len(labels)):
            ax.text(
                j,
                i,
                str(matrix[i, j]),
                ha="center",
                va="center",
                color="white" if share[i, j] > 0.5 else "black",
                fontsize=9,
            )
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"macro-F1 {result['macro_f1']:.3f}, accuracy {result['accuracy']:.3f}")
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def write_report(result: dict, folder: str | Path) -> None:
    """metrics.json + confusion.png into folder, both or neither: they are made in a scratch
    folder inside it and moved in only when both are written."""
    import os
    import tempfile

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".partial-") as scratch:
        made = Path(scratch)
        (made / "metrics.json").write_text(json.dumps(result, indent=2, sort_keys=True))
        confusion_png(result, made / "confusion.png")
        for name in ("metrics.json", "confusion.png"):
            os.replace(made / name, folder / name)
