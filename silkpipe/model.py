"""The gesture classifier (DeepConvLSTM-style) and its model folder.

GestureNet takes *raw* feature windows (batch, time, channels) and normalises them
itself with buffers fitted on the training data, so the exported TorchScript and ONNX
graphs need nothing but the folder. A model folder holds:

- ``weights.pt``   state dict (rebuild with ``GestureNet(**config["model"])``)
- ``model.ts``     TorchScript
- ``model.onnx``   ONNX (input ``windows`` (batch, time, channels) -> ``logits``)
- ``config.json``  label map, channels, window config, normalisation, model shape
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from silkpipe.errors import InputError, folder_file, one_line, parse_json, read_user_bytes
from silkpipe.model_files import CONFIG_NAME, ONNX_NAME, TORCHSCRIPT_NAME, WEIGHTS_NAME

#: Free space under which a failed torch write is taken for a full disk (a model folder's
#: files are a few hundred KiB each).
FULL_DISK_BYTES = 4 * 1024 * 1024


_INVARIANT = [
    "accel_norm",
    "gyro_norm",
    "accel_up",
    "gyro_up",
    "accel_horizontal",
    "gyro_horizontal",
    "tilt_change",
]
_SHAPE = [
    "accel_norm_shape",
    "accel_up_shape",
    "accel_horizontal_shape",
    "gyro_norm_shape",
    "gyro_up_shape",
    "gyro_horizontal_shape",
    "log_accel_rms",
    "log_gyro_rms",
    "tilt_change",
]
#: What the model computes from the 9 raw channels, per input set: "full" keeps the raw
#: channels and adds 4; the invariant ones are orientation-free (see GestureNet._invariant);
#: "shape+pose" (TrainConfig's default) adds the gravity direction in the watch frame to the
#: shape.
DERIVED_CHANNELS = {
    "full": ["accel_norm", "gyro_norm", "accel_up", "gyro_up"],
    "invariant": _INVARIANT,
    "invariant-log": ["log_" + name for name in _INVARIANT],
    "invariant-shape": _SHAPE,
    "shape+pose": [*_SHAPE, "grav_x", "grav_y", "grav_z"],
    "invariant+tilt": [*_INVARIANT, "grav_x_rel", "grav_y_rel", "grav_z_rel"],
}
#: Model input sets and their widths.
INPUT_SETS = {
    name: len(channels) + (9 if name == "full" else 0)
    for name, channels in DERIVED_CHANNELS.items()
}


class GestureNet(nn.Module):
    """Conv1d blocks (local motion shapes) -> LSTM (their order) -> linear (class)."""

    mean: torch.Tensor  # buffers: input normalisation fitted on training windows
    std: torch.Tensor

    def __init__(
        self,
        channels: int = 9,
        classes: int = 6,
        conv: int = 64,
        kernel: int = 5,
        blocks: int = 3,
        hidden: int = 64,
        dropout: float = 0.3,
        derived: bool = True,
        inputs: str = "full",
        pool: bool = False,
    ):
        super().__init__()
        if inputs not in INPUT_SETS:
            raise ValueError(f"inputs must be one of {sorted(INPUT_SETS)}")
        self.derived = derived
        self.inputs = inputs
        n_inputs = INPUT_SETS[inputs] if inputs != "full" else channels + (4 if derived else 0)
        self.register_buffer("mean", torch.zeros(n_inputs))
        self.register_buffer("std", torch.ones(n_inputs))
        layers: list[nn.Module] = []
        width = n_inputs
        for i in range(blocks):
            layers += [
                nn.Conv1d(width, conv, kernel, padding=kernel // 2),
                nn.BatchNorm1d(conv),
                nn.ReLU(),
            ]
            if i == 0:
                layers.append(nn.MaxPool1d(2))  # 50 -> 25 steps: cheaper LSTM
            width = conv
        self.conv = nn.Sequential(*layers)
        self.pool = pool  # global average + max pooling of the conv features instead of the LSTM
        self.lstm = None if pool else nn.LSTM(conv, hidden, batch_first=True)
        self.head = nn.Sequential(
            nn.Dropout(dropout), nn.Linear((conv if pool else hidden) * 2, classes)
        )

    def derive(self, x: torch.Tensor) -> torch.Tensor:
        """Add orientation-free channels: |accel|, |gyro|, and both along gravity
        (vertical acceleration marks a jump, yaw rate about the vertical a turn)."""
        accel, gyro, up = x[..., 0:3], x[..., 3:6], x[..., 6:9]
        if self.inputs != "full":
            return self._invariant(accel, gyro, up)
        if not self.derived:
            return x
        extra = [
            accel.norm(dim=-1, keepdim=True),
            gyro.norm(dim=-1, keepdim=True),
            (accel * up).sum(dim=-1, keepdim=True),
            (gyro * up).sum(dim=-1, keepdim=True),
        ]
        return torch.cat([x, *extra], dim=-1)

    def _invariant(self, accel, gyro, up) -> torch.Tensor:
        """Channels that do not depend on how the watch sits on the wrist or how the arm
        is held (measured: absolute gravity direction differs between recording blocks):
        magnitudes, vertical and horizontal parts, and the tilt change since the window's
        middle. ``invariant+tilt`` adds the gravity direction minus its window mean;
        ``invariant-log`` compresses them (sign * log1p), as players move harder some days."""
        a_up = (accel * up).sum(dim=-1, keepdim=True)
        g_up = (gyro * up).sum(dim=-1, keepdim=True)
        a_n = accel.norm(dim=-1, keepdim=True)
        g_n = gyro.norm(dim=-1, keepdim=True)
        a_h = (a_n.square() - a_up.square()).clamp(min=0).sqrt()
        g_h = (g_n.square() - g_up.square()).clamp(min=0).sqrt()
        mid = up[:, up.shape[1] // 2 : up.shape[1] // 2 + 1]
        tilt = 1 - (up * mid).sum(dim=-1, keepdim=True)
        parts = [a_n, g_n, a_up, g_up, a_h, g_h, tilt]
        if self.inputs in ("invariant-shape", "shape+pose"):
            shape = shape_and_size(a_n, g_n, a_up, g_up, a_h, g_h, tilt)
            return shape if self.inputs == "invariant-shape" else torch.cat([shape, up], dim=-1)
        if self.inputs == "invariant+tilt":
            parts.append(up - up.mean(dim=1, keepdim=True))
        out = torch.cat(parts, dim=-1)
        if self.inputs == "invariant-log":  # how hard matters less than the shape: compress
            out = out.sign() * torch.log1p(out.abs())
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = (self.derive(x) - self.mean) / self.std  # (B, T, C)
        h = self.conv(x.transpose(1, 2)).transpose(1, 2)  # (B, T', conv)
        if self.lstm is None:
            return self.head(torch.cat([h.mean(dim=1), h.amax(dim=1)], dim=1))
        out, _ = self.lstm(h)
        pooled = torch.cat([out[:, -1], out.mean(dim=1)], dim=1)  # last state + average
        return self.head(pooled)

    def fit_normalisation(self, windows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-input-channel mean/std over raw training windows (n, T, C); sets the buffers."""
        with torch.no_grad():
            z = self.derive(torch.from_numpy(np.ascontiguousarray(windows))).double()
        z = z.reshape(-1, z.shape[-1])
        mean, std = z.mean(0).numpy(), z.std(0, correction=0).numpy()
        std = np.where(std > 1e-6, std, 1.0)
        self.set_normalisation(mean, std)
        return mean.astype(np.float32), std.astype(np.float32)

    def set_normalisation(self, mean: np.ndarray, std: np.ndarray) -> None:
        self.mean.copy_(torch.as_tensor(mean, dtype=torch.float32))
        self.std.copy_(torch.as_tensor(std, dtype=torch.float32))


def shape_and_size(a_n, g_n, a_up, g_up, a_h, g_h, tilt) -> torch.Tensor:
    """Each sensor's channels divided by that sensor's RMS over the window (the motion's
    shape), plus the log of each RMS (its size) as separate channels: a player who moves
    harder on another day changes two channels, not all of them."""
    s_a = a_n.square().mean(dim=1, keepdim=True).sqrt() + 0.5
    s_g = g_n.square().mean(dim=1, keepdim=True).sqrt() + 0.1
    size = torch.cat([s_a.log(), s_g.log()], dim=-1).expand(-1, a_n.shape[1], -1)
    return torch.cat(
        [a_n / s_a, a_up / s_a, a_h / s_a, g_n / s_g, g_up / s_g, g_h / s_g, size, tilt], dim=-1
    )


def add_class_bias(model: GestureNet, index: int, bias: float) -> None:
    """Add ``bias`` to one class's logit, in the head's last linear layer: a prediction-time
    prior that the exported TorchScript and ONNX graphs carry with no change to inference."""
    last = model.head[-1]
    assert isinstance(last, nn.Linear)
    with torch.no_grad():
        last.bias[index] += bias


def torch_save(obj, path: Path) -> None:
    """``torch.save`` (or a TorchScript module's ``save`` when ``obj`` has one) to ``path``.

    torch reports a write the disk refused as RuntimeError ("[enforce fail ...] unexpected
    pos ..."), which names neither the file nor the disk: it is re-raised as the OSError
    it is (write_refused), naming the file."""
    try:
        obj.save(str(path)) if isinstance(obj, torch.jit.ScriptModule) else torch.save(obj, path)
    except RuntimeError as err:
        if (refused := write_refused(Path(path))) is None:
            raise
        raise refused from err


def write_refused(path: Path) -> OSError | None:
    """Why the disk refused to finish ``path`` (None when it did not): full, or, with room
    on it, a quota or a file-size limit (`ulimit -f` of a batch job), which the free space
    does not show and torch ended with exit 1 naming nothing (bad_input_sweep57). A byte
    appended to the cut file asks the disk again."""
    if shutil.disk_usage(path.parent).free < FULL_DISK_BYTES:
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
    try:
        with open(path, "ab") as cut:
            cut.write(b"\0")
    except OSError as err:
        return OSError(err.errno, err.strerror, str(path))
    return None


def export_model(model: GestureNet, folder: Path, config: dict) -> None:
    """Write weights, TorchScript, ONNX and config.json into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    model = model.cpu().eval()
    window = config["window"]["length"]
    example = torch.zeros(1, window, len(config["channels"]))
    torch_save(model.state_dict(), folder / WEIGHTS_NAME)
    with torch.no_grad():
        traced = torch.jit.trace(model, example)
    torch_save(traced, folder / TORCHSCRIPT_NAME)
    with warnings.catch_warnings():  # batch-size warning for LSTMs: h0/c0 are zeros here
        warnings.simplefilter("ignore", UserWarning)
        _export_onnx(model, example, folder / ONNX_NAME)
    (folder / CONFIG_NAME).write_text(json.dumps(config, indent=2, sort_keys=True))


def _export_onnx(model: nn.Module, example: torch.Tensor, path: Path) -> None:
    torch.onnx.export(
        model,
        (example,),
        str(path),
        input_names=["windows"],
        output_names=["logits"],
        dynamic_axes={"windows": {0: "batch"}, "logits": {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )


def model_file(folder: Path, name: str) -> Path:
    """A file of a model folder, checked before anything reads it (errors.folder_file)."""
    path = folder_file(Path(folder), name, "model folder")
    if path is None:
        raise InputError(f"model folder has no {name}", path=str(Path(folder) / name))
    return path


def read_config(folder: Path) -> dict:
    """config.json, checked where prediction reads it (config_problem)."""
    path = model_file(folder, CONFIG_NAME)
    config = parse_json(read_user_bytes(path), path=str(path))
    problem = config_problem(config)
    if problem:
        raise InputError(f"not a silkpipe model config: {problem}", path=str(path))
    return config


def config_problem(config) -> str:
    """What is wrong with the config fields a Predictor reads ("" when nothing): a missing
    or odd one would otherwise stop evaluation deep inside with a KeyError or IndexError."""
    from silkpipe.commands import check_config
    from silkpipe.dataset import WindowConfig
    from silkpipe.vocabulary import CLASSES

    if not isinstance(config, dict):
        return "expected a JSON object"
    if config.get("labels") != list(CLASSES):  # evaluation indexes classes by position
        return f"labels must be {list(CLASSES)}, in that order (the classes silkpipe trains)"
    model = config.get("model")
    classes = model.get("classes") if isinstance(model, dict) else None
    if classes is not None and classes != len(CLASSES):
        return f"model.classes is {classes!r} but labels names {len(CLASSES)} classes"
    if (problem := _edited_problem(config)) != "":
        return problem
    window = config.get("window")
    fields = WindowConfig.__dataclass_fields__
    if not isinstance(window, dict) or not all(
        isinstance(window.get(k), int | float) and not isinstance(window.get(k), bool)
        for k in fields
        if k in window
    ):
        return "window must be an object of numbers (rate, length, stride, ...)"
    try:
        check_config(WindowConfig.from_dict(window))
    except InputError as err:
        return str(err)
    return ""


def _edited_problem(config: dict) -> str:
    """A config.json that no training wrote ('' when none is seen): input channels other
    than those silkpipe feeds (another layout's model: scored in silence on the wrong
    inputs), or a window other than the one the model was trained with (edited by hand:
    a rate refused blaming a clip, a length blaming model.onnx)."""
    from silkpipe.dataset import FEATURE_NAMES

    channels = config.get("channels", list(FEATURE_NAMES))
    if channels != list(FEATURE_NAMES):
        return (
            f"channels must be {list(FEATURE_NAMES)}, the inputs silkpipe feeds a model in "
            "that order (a model of another layout or version?)"
        )
    trained = config.get("train_config")
    window = trained.get("window") if isinstance(trained, dict) else None
    if isinstance(window, dict) and window != config.get("window"):
        return (
            f"window {config.get('window')} is not train_config.window {window}, the one "
            "the model was trained with (edited by hand?)"
        )
    return ""


def load_torch_model(folder: Path) -> GestureNet:
    config = read_config(folder)
    model = GestureNet(**config["model"])
    model.load_state_dict(torch.load(Path(folder) / WEIGHTS_NAME, map_location="cpu"))
    return model.eval()


class Predictor:
    """Loads only the model folder: ONNX via onnxruntime (default) or TorchScript."""

    def __init__(self, folder: str | Path, backend: str = "onnx"):
        self.folder = Path(folder)
        self.config = read_config(self.folder)
        self.labels: list[str] = list(self.config["labels"])
        self.backend = backend
        if backend == "onnx":
            self._session = _onnx_session(model_file(self.folder, ONNX_NAME))
        elif backend == "torchscript":
            path = model_file(self.folder, TORCHSCRIPT_NAME)
            try:
                self._module = torch.jit.load(str(path), map_location="cpu").eval()
            except Exception as err:  # noqa: BLE001 - any damage to the file is bad input
                raise _not_loadable(path, err) from None
        else:
            raise ValueError(f"unknown backend {backend!r}")

    def logits(self, windows: np.ndarray) -> np.ndarray:
        """Raw feature windows (n, time, channels) -> logits (n, classes)."""
        x = np.ascontiguousarray(windows, dtype=np.float32)
        name = ONNX_NAME if self.backend == "onnx" else TORCHSCRIPT_NAME
        try:
            if self.backend == "onnx":
                out = self._session.run(None, {"windows": x})[0]
            else:
                with torch.no_grad():
                    out = self._module(torch.from_numpy(x)).numpy()
        except Exception as err:  # noqa: BLE001 - a model of another shape is bad input
            raise InputError(
                f"does not take these windows (another model's file?): {one_line(err)[:200]}",
                path=str(self.folder / name),
            ) from None
        if out.ndim != 2 or out.shape[1] != len(self.labels):
            raise InputError(
                f"scores {out.shape[-1]} classes but config.json names {len(self.labels)}",
                path=str(self.folder / name),
            )
        return out

    def predict(self, windows: np.ndarray, batch: int = 512) -> np.ndarray:
        """Class indices into ``self.labels``."""
        if len(windows) == 0:
            return np.zeros(0, dtype=np.int64)
        parts = [self.logits(windows[i : i + batch]) for i in range(0, len(windows), batch)]
        return np.concatenate(parts).argmax(axis=1)

    def predict_labels(self, windows: np.ndarray) -> list[str]:
        return [self.labels[i] for i in self.predict(windows)]


def _onnx_session(path: Path):
    """An onnxruntime session on one thread; a file it cannot parse is bad input."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    try:
        return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    except Exception as err:  # noqa: BLE001 - any damage to the file is bad input
        raise _not_loadable(path, err) from None


def _not_loadable(path: Path, err: BaseException) -> InputError:
    """A truncated or foreign model file, named, with the library's reason cut short (the
    reason repeats the path and runs to several lines)."""
    why = one_line(err).replace(str(path), "the file")[:160]
    return InputError(
        f"cannot be loaded as a model (truncated or not a model?): {why}", path=str(path)
    )
