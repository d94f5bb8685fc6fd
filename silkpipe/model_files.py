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
    a silkpipe config.json beside an exported model or its weights. train replaces such a
    folder whole (store.replace_folder), so a file another command left in it is deleted."""
    here = _resolved(path)
    for folder in (here, *here.parents):
        exported = (WEIGHTS_NAME, TORCHSCRIPT_NAME, ONNX_NAME)
        if any((folder / n).is_file() for n in exported) and _silkpipe_config(folder):
            return folder
    return None


def _resolved(path: Path) -> Path:
    """``path`` with its links followed; a link loop as given (the command's writer names
    it: resolving raised RuntimeError, exit 1, before that line)."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return Path(path).absolute()


def _silkpipe_config(folder: Path) -> bool:
    """Whether ``folder`` holds a config.json silkpipe wrote (its labels and window): a
    folder of another tool's config.json and weights (a project's root) is no model
    folder of ours, and what lies inside it is not refused."""
    import json

    try:
        config = json.loads((folder / CONFIG_NAME).read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(config, dict) and {"labels", "window"} <= set(config)


def model_folder_problem(path: Path) -> str:
    """Why ``path`` is no place for another command's output ('' when it is one): it is a
    model folder, or lies inside one, which the next `train --out` replaces whole."""
    model = model_folder_around(path)
    if model is None:
        return ""
    if model == _resolved(path):
        return "is a model folder"
    return f"lies inside {model}, which is a model folder"


def refuse_writing_in_model(path: str | Path, writing: str) -> None:
    """Bad input when ``path`` is a model folder or lies inside one: what ``writing`` puts
    there would sit among the model's files, deleted by the next `train --out` into it."""
    from silkpipe.errors import InputError

    if why := model_folder_problem(Path(path)):
        raise InputError(
            f"{why}: {writing} among the model's files, which the next train into it "
            "replaces whole; give a folder of its own",
            path=str(path),
        )
