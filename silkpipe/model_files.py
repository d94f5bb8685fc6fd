"""The names of a model folder's files (model.py writes them), and where a model folder is,
without importing torch: a command that only checks its output folders (a store, a
report) answers at once."""

from __future__ import annotations

from pathlib import Path

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "weights.pt"
TORCHSCRIPT_NAME = "model.ts"
ONNX_NAME = "model.onnx"


def model_folder_around(path: Path) -> Path | None:
    """The model folder ``path`` is, or lies inside (None when neither): a folder holding
    config.json beside an exported model or its weights. train replaces such a folder
    whole (store.replace_folder), so a file another command left in it is deleted."""
    here = Path(path).resolve()
    for folder in (here, *here.parents):
        exported = (WEIGHTS_NAME, TORCHSCRIPT_NAME, ONNX_NAME)
        if (folder / CONFIG_NAME).is_file() and any((folder / n).is_file() for n in exported):
            return folder
    return None


def model_folder_problem(path: Path) -> str:
    """Why ``path`` is no place for another command's output ('' when it is one): it is a
    model folder, or lies inside one, which the next `train --out` replaces whole."""
    model = model_folder_around(path)
    if model is None:
        return ""
    if model == Path(path).resolve():
        return "is a model folder"
    return f"lies inside {model}, which is a model folder"
