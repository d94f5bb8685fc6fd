"""Score a model folder on labelled streams: macro-F1, per class, per group, confusion.

Macro-F1 averages the classes the truth holds (see ``scores``); ``macro_f1_with_absent`` is
scikit-learn's average, which also counts a class predicted but never true at F1 0.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from silkpipe.dataset import LabelledStream, WindowConfig, make_windows
from silkpipe.errors import InputError, writing_to


def scores(y_true: np.ndarray, y_pred: np.ndarray, labels) -> dict:
    """macro_f1, accuracy, per_class{recall, precision, f1, support}, confusion.

    macro_f1 averages the classes the truth holds. A class the truth never holds has no
    precision/recall trade-off to score (scikit-learn calls its F1 ill-defined): counting it
    as a class of F1 0 would cost a block without noise a sixth of its score for one window
    called noise, however few. Those windows still count as misses of their true classes;
    ``predicted_without_truth`` names them, and ``macro_f1_with_absent`` gives the average
    that counts each such class at 0 (scikit-learn's default)."""
    labels = list(labels)
    k = len(labels)
    y_true = np.asarray(y_true, dtype=np.int64)
    y_pred = np.asarray(y_pred, dtype=np.int64)
    matrix = np.zeros((k, k), dtype=np.int64)  # rows: truth, columns: prediction
    np.add.at(matrix, (y_true, y_pred), 1)
    raw = {name: _class_scores(matrix, i) for i, name in enumerate(labels)}
    per_class = {
        name: {key: value if key == "support" else round(value, 4) for key, value in c.items()}
        for name, c in raw.items()
    }
    held = [c["f1"] for c in raw.values() if c["support"]]
    without_truth = {
        name: int(matrix[:, i].sum())
        for i, name in enumerate(labels)
        if not per_class[name]["support"] and matrix[:, i].sum()
    }
    with_absent = held + [0.0] * len(without_truth)
    return {
        "macro_f1": round(float(np.mean(held)), 4) if held else 0.0,
        "macro_f1_with_absent": round(float(np.mean(with_absent)), 4) if with_absent else 0.0,
        "predicted_without_truth": without_truth,
        "accuracy": round(float((y_true == y_pred).mean()), 4) if len(y_true) else 0.0,
        "windows": int(len(y_true)),
        "per_class": per_class,
        "confusion": {"labels": labels, "matrix": matrix.tolist()},
    }


def _class_scores(matrix: np.ndarray, i: int) -> dict:
    """recall, precision, f1 (unrounded) and support of class i (rows of matrix: truth)."""
    tp = matrix[i, i]
    support = int(matrix[i].sum())
    predicted = int(matrix[:, i].sum())
    recall = tp / support if support else 0.0
    precision = tp / predicted if predicted else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "recall": float(recall),
        "precision": float(precision),
        "f1": float(f1),
        "support": support,
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


#: The files `evaluate --report DIR` writes (without --cv), both or neither.
REPORT_FILES = ("metrics.json", "confusion.png")


def report_file_problem(folder: str | Path, names=REPORT_FILES) -> InputError | None:
    """A folder where a report writes one of its files (``names``), as InputError naming it:
    os.replace cannot put a file over a folder, so the report ended exit 1 naming its own
    scratch path, its metrics.json already replaced (the pair mixed)."""
    for name in names:
        path = Path(folder) / name
        if path.is_dir() and not path.is_symlink():  # a link is replaced, not followed
            why = "is a folder where the report writes a file: move it, or give another --report"
            return InputError(why, path=str(path))
    return None


def write_report(result: dict, folder: str | Path) -> None:
    """metrics.json + confusion.png into folder, both or neither: they are made in a scratch
    folder inside it and moved in, both, under a lock on the folder: two reports at once
    into one folder left one's metrics.json beside the other's confusion.png."""
    import os

    from silkpipe.errors import ctrl_c_held
    from silkpipe.locks import folder_locked, scratch_in

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with writing_to(folder), scratch_in(folder, ".partial-") as made:
        (made / "metrics.json").write_text(json.dumps(result, indent=2, sort_keys=True))
        confusion_png(result, made / "confusion.png")
        with folder_locked(
            folder,
            f"another silkpipe command (a report, or a training into it) holds {folder}: waiting",
        ):
            if problem := report_file_problem(folder):
                raise problem
            with ctrl_c_held():  # a press between the moves mixed the pair
                for name in REPORT_FILES:
                    os.replace(made / name, folder / name)
            _drop_dead_scratch(folder)


def _drop_dead_scratch(folder: Path) -> None:
    """The scratch folders of writers killed (-9, out of memory) in ``folder``: nothing else
    deletes them, and each held a report never published. A live writer holds its own."""
    from silkpipe.locks import drop_abandoned

    drop_abandoned(folder, ".partial-")
