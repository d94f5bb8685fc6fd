"""Model, training loop, export, resume, CLI train/evaluate, and a real held-out score."""

from __future__ import annotations

import csv
import json
import math
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

import silkpipe.training as training
from silkpipe.cli import main
from silkpipe.dataset import holdout_split, load_clip_streams, make_windows
from silkpipe.evaluation import confusion_png, evaluate
from silkpipe.model import GestureNet, Predictor, load_torch_model
from silkpipe.training import TrainConfig, train, train_windows, train_with_test
from silkpipe.vocabulary import CLASSES
from tests.conftest import every_nth_clip

CONTRACT_KEYS = {"macro_f1", "accuracy", "per_class", "confusion"}


@pytest.fixture(scope="module")
def clip_subset(data_dir: Path, tmp_path_factory) -> Path:
    """Every third real clip (all classes, both blocks), copied into a temp folder (store
    mode does not follow links out of a clips folder)."""
    return every_nth_clip(data_dir, tmp_path_factory.mktemp("clips"), 3)


@pytest.fixture(scope="module")
def tiny_model(clip_subset: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tiny") / "model"
    cfg = TrainConfig(max_epochs=2, min_epochs=1, refit=False)
    train(load_clip_streams(clip_subset), out, config=cfg, progress=False)
    return out


def test_model_shapes_and_normalisation_buffers():
    model = GestureNet(channels=9, classes=6).eval()
    x = torch.randn(3, 50, 9)
    mean, std = model.fit_normalisation(x.numpy())
    assert mean.shape == std.shape == (13,)  # 9 channels + 4 orientation-free ones
    normalised = (model.derive(x) - model.mean) / model.std
    assert normalised.mean().abs() < 1e-4
    assert model(x).shape == (3, 6)
    plain = GestureNet(derived=False).eval()
    plain.set_normalisation(np.full(9, 2.0), np.full(9, 4.0))
    assert plain(x).shape == (3, 6)


def test_orientation_free_inputs_ignore_how_the_watch_is_held():
    """The invariant input set must not change when the device frame is rotated."""
    x = torch.randn(2, 50, 9)
    x[..., 6:9] = x[..., 6:9] / x[..., 6:9].norm(dim=-1, keepdim=True)  # gravity: unit
    rot = training.random_rotations(1, 90.0, torch.Generator().manual_seed(0))[0]
    turned = torch.cat([x[..., i : i + 3] @ rot.T for i in (0, 3, 6)], dim=2)
    model = GestureNet(inputs="invariant", pool=True).eval()
    assert model.derive(x).shape == (2, 50, 7)
    assert torch.allclose(model.derive(x), model.derive(turned), atol=1e-4)
    assert model(x).shape == (2, 6) and model.lstm is None
    with pytest.raises(ValueError):
        GestureNet(inputs="quaternions")


def test_model_folder_has_every_artifact_and_train_only_normalisation(tiny_model, clip_subset):
    for name in ("weights.pt", "model.ts", "model.onnx", "config.json", "history.json"):
        assert (tiny_model / name).is_file(), name
    assert not (tiny_model / "checkpoint.pt").exists()
    config = json.loads((tiny_model / "config.json").read_text())
    assert config["labels"] == list(CLASSES)
    assert len(config["channels"]) == 9 and "grav_z" in config["channels"]
    assert not any(c.startswith("quat") for c in config["channels"])
    history = json.loads((tiny_model / "history.json").read_text())
    assert [r["epoch"] for r in history] == [1, 2]
    assert {"train_loss", "val_macro_f1"} <= set(history[0])
    # normalisation = statistics of the model's inputs (the default's derived channels) on
    # the training side of the split, not on all windows
    windows = make_windows(load_clip_streams(clip_subset))
    train_mask, _, _ = holdout_split(windows)
    inputs = GestureNet(**TrainConfig().model_kwargs())
    mean, std = inputs.fit_normalisation(windows.subset(train_mask).core())
    assert len(config["normalisation"]["mean"]) == len(config["derived_channels"]) == len(mean)
    np.testing.assert_allclose(config["normalisation"]["mean"], mean, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(config["normalisation"]["std"], std, rtol=1e-4, atol=1e-5)
    all_mean, _ = inputs.fit_normalisation(windows.core())
    assert not np.allclose(all_mean, mean)


def test_refit_model_is_trained_on_every_window(clip_subset, tmp_path):
    """The default exports a model refit on all windows after the validated run."""
    windows = make_windows(load_clip_streams(clip_subset))
    cfg = TrainConfig(max_epochs=2)
    summary = train_windows(windows, tmp_path, config=cfg, progress=False, export=False)
    assert summary["refit_windows"] == len(windows) > summary["train_windows"]
    assert 0 <= summary["val_macro_f1"] <= 1
    config = json.loads((tmp_path / "config.json").read_text())
    mean, _ = GestureNet(**cfg.model_kwargs()).fit_normalisation(windows.core())  # all windows
    np.testing.assert_allclose(config["normalisation"]["mean"], mean, rtol=1e-4, atol=1e-5)
    model = load_torch_model(tmp_path)
    assert model(torch.from_numpy(windows.core()[:4].copy())).shape == (4, len(CLASSES))


@pytest.mark.parametrize("select", ["last", "best"])
def test_kept_epoch_says_which_weights_were_exported(clip_subset, tmp_path, select):
    """``best_*`` mean the best validation epoch under either selection; ``kept_epoch`` is
    the one exported (the last, under select="last")."""
    windows = make_windows(load_clip_streams(clip_subset))
    cfg = TrainConfig(max_epochs=3, min_epochs=3, select=select, refit=False)
    summary = train_windows(windows, tmp_path, config=cfg, progress=False, export=False)
    history = json.loads((tmp_path / "history.json").read_text())
    val = [row["val_macro_f1"] for row in history]
    assert summary["best_val_epoch"] == 1 + int(np.argmax(val))
    assert summary["kept_epoch"] == (3 if select == "last" else summary["best_val_epoch"])


def test_export_round_trip_agrees(tiny_model, clip_subset):
    windows = make_windows(load_clip_streams(clip_subset)).core()[:40].copy()
    reference = load_torch_model(tiny_model)(torch.from_numpy(windows)).detach().numpy()
    onnx = Predictor(tiny_model, backend="onnx")
    script = Predictor(tiny_model, backend="torchscript")
    np.testing.assert_allclose(onnx.logits(windows), reference, rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(script.logits(windows), reference, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(onnx.logits(windows[:1]), reference[:1], rtol=1e-3, atol=1e-4)
    assert onnx.predict_labels(windows) == [CLASSES[i] for i in reference.argmax(1)]


def test_killed_training_resumes_from_its_last_epoch(clip_subset, tmp_path, monkeypatch):
    windows = make_windows(load_clip_streams(clip_subset))
    cfg = TrainConfig(max_epochs=4, min_epochs=4, patience=10)
    full = train_windows(windows, tmp_path / "full", config=cfg, progress=False, export=False)

    real_scores, calls = training.scores, {"n": 0}

    def dies_in_epoch_three(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # killed while validating epoch 3
        return real_scores(*args, **kwargs)

    monkeypatch.setattr(training, "scores", dies_in_epoch_three)
    with pytest.raises(KeyboardInterrupt):
        train_windows(windows, tmp_path / "killed", config=cfg, progress=False, export=False)
    assert (tmp_path / "killed" / "checkpoint.pt").is_file()
    monkeypatch.setattr(training, "scores", real_scores)
    resumed = train_windows(windows, tmp_path / "killed", config=cfg, progress=False, export=False)
    assert resumed["resumed_from_epoch"] == 2
    assert resumed["epochs"] == full["epochs"] == 4
    a = json.loads((tmp_path / "full" / "history.json").read_text())
    b = json.loads((tmp_path / "killed" / "history.json").read_text())
    assert [r["epoch"] for r in b] == [1, 2, 3, 4]
    for ra, rb in zip(a, b, strict=True):  # same seed, same data: the same run
        assert ra["train_loss"] == pytest.approx(rb["train_loss"], rel=1e-4)


def test_cli_train_and_evaluate_end_to_end(data_dir, clip_subset, tmp_path, capsys, clean_env):
    out = tmp_path / "run"
    rc = main(
        ["train", "--clips", str(clip_subset), "--out", str(out), "--epochs", "2", "--no-progress"]
    )
    assert rc == 0
    assert (out / "model" / "model.onnx").is_file()
    capsys.readouterr()
    report = tmp_path / "report"
    rc = main(
        [
            "evaluate",
            "--model",
            str(out / "model"),
            "--clips",
            str(clip_subset),
            "--json",
            "--report",
            str(report),
        ]
    )
    assert rc == 0
    result = json.loads(capsys.readouterr().out)
    assert CONTRACT_KEYS <= set(result)
    assert result["confusion"]["labels"] == list(CLASSES)
    assert set(result["per_class"]) == set(CLASSES)
    for scores in result["per_class"].values():
        assert {"recall", "precision", "f1", "support"} <= set(scores)
    matrix = np.array(result["confusion"]["matrix"])
    assert matrix.shape == (6, 6) and matrix.sum() == result["windows"]
    assert (report / "confusion.png").stat().st_size > 1000
    assert json.loads((report / "metrics.json").read_text())["macro_f1"] == result["macro_f1"]
    # spotting: the model slid over stitched streams of the clips, scored per event
    rc = main(
        ["evaluate", "--model", str(out / "model"), "--clips", str(clip_subset), "--json", "--spot"]
    )
    assert rc == 0
    events = json.loads(capsys.readouterr().out)["events"]
    assert {"jump", "punch", "turn"} <= set(events)
    assert all({"precision", "recall", "f1", "tp", "fp", "fn"} <= set(v) for v in events.values())
    # voice-labelled sessions: labels.csv beside sensor_data.csv; unlabelled ones skipped
    sessions = tmp_path / "sessions"
    real = data_dir / "sessions" / "20251017_143217_session"
    for name in ("labelled", "unlabelled"):
        (sessions / name).mkdir(parents=True)
        shutil.copyfile(real / "sensor_data.csv", sessions / name / "sensor_data.csv")
    (sessions / "labelled" / "labels.csv").write_text("start,end,label\n0,221,walk\n")
    rc = main(["evaluate", "--model", str(out / "model"), "--sessions", str(sessions), "--json"])
    assert rc == 0
    result = json.loads(capsys.readouterr().out)
    assert list(result["per_group"]) == ["labelled"]
    assert result["per_class"]["walk"]["support"] == result["windows"] > 0


def test_cli_reports_bad_input_in_one_line(tmp_path, capsys, clean_env):
    rc = main(["evaluate", "--model", str(tmp_path), "--clips", str(tmp_path), "--json"])
    assert rc == 2
    assert "config.json" in capsys.readouterr().err


def _edit_config(edit):
    def damage(model: Path, outside: Path) -> tuple[Path, str]:
        path = model / "config.json"
        config = json.loads(path.read_text())
        path.write_text(json.dumps(edit(config)))
        return path, "onnx"

    return damage


def _cut(name: str, backend: str = "onnx"):
    def damage(model: Path, outside: Path) -> tuple[Path, str]:
        data = (model / name).read_bytes()
        (model / name).write_bytes(data[: len(data) // 2])
        return model / name, backend

    return damage


def _link_out(name: str):
    """The file moved out of the model folder, a link to it left in its place (still a
    good file: only where it lies is wrong)."""

    def damage(model: Path, outside: Path) -> tuple[Path, str]:
        (model / name).rename(outside)
        (model / name).symlink_to(outside)
        return model / name, "onnx"

    return damage


def _window(config: dict) -> dict:
    config["window"]["length"] = -51
    return config


def _channels_swapped(config: dict) -> dict:
    """The inputs of another layout: accel_x and gyro_x trade places (scored in silence)."""
    ch = config["channels"]
    i, j = ch.index("accel_x"), ch.index("gyro_x")
    ch[i], ch[j] = ch[j], ch[i]
    return config


def _window_edited(field: str, factor: float):
    """window edited by hand, train_config's left: a rate was refused blaming a clip, a
    length blaming model.onnx (bad_input_sweep48, 49)."""

    def edit(config: dict) -> dict:
        config["window"][field] = type(config["window"][field])(config["window"][field] * factor)
        return config

    return edit


DAMAGED_MODELS = {
    "config_channels_swapped": _edit_config(_channels_swapped),
    "config_window_rate_edited": _edit_config(_window_edited("rate", 2)),
    "config_window_length_doubled": _edit_config(_window_edited("length", 2)),
    "config_not_object": _edit_config(lambda c: [c]),
    "config_no_labels": _edit_config(lambda c: {k: v for k, v in c.items() if k != "labels"}),
    "config_fewer_labels": _edit_config(lambda c: {**c, "labels": c["labels"][:2]}),
    "config_labels_not_names": _edit_config(lambda c: {**c, "labels": list(range(6))}),
    "config_labels_reordered": _edit_config(lambda c: {**c, "labels": c["labels"][::-1]}),
    "config_no_window": _edit_config(lambda c: {k: v for k, v in c.items() if k != "window"}),
    "config_window_negative": _edit_config(_window),
    "onnx_truncated": _cut("model.onnx"),
    "torchscript_truncated": _cut("model.ts", "torchscript"),
    "config_link_out": _link_out("config.json"),
    "onnx_link_out": _link_out("model.onnx"),
}


@pytest.mark.parametrize("case", sorted(DAMAGED_MODELS))
def test_a_damaged_model_folder_is_named_in_one_line_and_nothing_is_written(
    case, tiny_model, clip_subset, tmp_path, capsys, clean_env
):
    """Every damage is bad input (exit 2) naming the model file by its full path; nothing
    outside the model folder is read; --report gets nothing."""
    model = tmp_path / "model"
    shutil.copytree(tiny_model, model)
    damaged, backend = DAMAGED_MODELS[case](model, tmp_path / "outside")
    report = tmp_path / "report"
    argv = ["evaluate", "--model", str(model), "--clips", str(clip_subset), "--spot"]
    capsys.readouterr()
    rc = main([*argv, "--backend", backend, "--report", str(report)])
    err = capsys.readouterr().err
    assert rc == 2, err
    assert [line for line in err.splitlines() if str(damaged) in line], err
    assert "Traceback" not in err
    assert not report.exists() or not any(report.iterdir())


def test_a_model_file_of_another_shape_is_named(tiny_model):
    """A model.onnx copied from a model with other classes, or one that does not take the
    windows, is bad input naming the file, not an IndexError or a runtime's fault."""
    from silkpipe.errors import InputError

    predictor = Predictor(tiny_model)
    windows = np.zeros((2, predictor.config["window"]["length"], 9), dtype=np.float32)

    class OtherClasses:
        def run(self, names, feed):
            return [np.zeros((len(feed["windows"]), 4), dtype=np.float32)]

    class Refuses:
        def run(self, names, feed):
            raise RuntimeError("[ONNXRuntimeError] : 2 : INVALID_ARGUMENT : Got invalid dims")

    for session in (OtherClasses(), Refuses()):
        predictor._session = session
        with pytest.raises(InputError, match="model.onnx"):
            predictor.logits(windows)


def test_a_report_is_written_whole_or_not_at_all(tmp_path, monkeypatch):
    """metrics.json without its confusion.png is not left behind when the figure fails."""
    import silkpipe.evaluation as evaluation

    def broken(result, path):
        raise ValueError("cannot draw")

    monkeypatch.setattr(evaluation, "confusion_png", broken)
    result = {"macro_f1": 0.5, "accuracy": 0.5, "confusion": {"labels": [], "matrix": []}}
    with pytest.raises(ValueError):
        evaluation.write_report(result, tmp_path / "r")
    assert list((tmp_path / "r").iterdir()) == []


def test_cli_store_mode_trains_reports_and_skips_when_done(
    data_dir, clip_subset, tmp_path, capsys, clean_env
):
    store = tmp_path / "store"
    session = "20251017_143217_session"
    src = data_dir / "sessions" / session
    (store / "sessions" / session).mkdir(parents=True)
    shutil.copy(src / "sensor_data.csv", store / "sessions" / session / "sensor_data.csv")
    labels = store / "runs" / "r1" / "labels"
    labels.mkdir(parents=True)
    with open(src / "original_labels.csv") as f, open(labels / f"{session}.csv", "w") as out:
        out.write("start,end,label\n")
        for row in csv.DictReader(f):  # the old hand labels: only mechanics are tested here
            start = float(row["timestamp"])
            out.write(f"{start},{start + float(row['duration'])},{row['gesture']}\n")
    (labels / "summary.json").write_text(
        json.dumps({"sessions": [session, "gone"], "failed": {}, "excluded": {"gone": "bad"}})
    )
    args = [
        "train",
        "--store",
        str(store),
        "--run-id",
        "r1",
        "--clips",
        str(clip_subset),
        "--epochs",
        "2",
        "--no-progress",
    ]
    assert main(args) == 0
    version = json.loads((store / "runs" / "r1" / "model.json").read_text())["version"]
    model = store / "runs" / "r1" / "model" / version  # published behind runs/r1/model.json
    for name in ("config.json", "model.onnx", "metrics.json", "confusion.png"):
        assert (model / name).is_file(), name
    metrics = json.loads((model / "metrics.json").read_text())
    assert CONTRACT_KEYS <= set(metrics)
    config = json.loads((model / "config.json").read_text())
    assert session in config["training"]["groups"]
    before = (model / "weights.pt").stat().st_mtime_ns
    assert main(args) == 0  # finished: skipped
    assert (model / "weights.pt").stat().st_mtime_ns == before


def test_confusion_png(tmp_path):
    from silkpipe.evaluation import scores

    result = scores(np.array([0, 1, 2, 2]), np.array([0, 2, 2, 2]), CLASSES)
    assert result["per_class"]["turn"]["precision"] == pytest.approx(2 / 3, abs=1e-3)
    assert result["per_class"]["punch"]["recall"] == 0.0
    path = confusion_png(result, tmp_path / "c.png")
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_trained_model_beats_chance_on_held_out_time_ranges(data_dir, tmp_path):
    """Real clips: train without the latest time range of each block/class, score on it."""
    streams = load_clip_streams(data_dir / "clips-dev")
    summary, result = train_with_test(streams, tmp_path / "model", progress=False)
    assert result["test_scheme"].startswith("time-range")
    assert result["macro_f1"] > 0.5, result["per_class"]  # chance is about 0.17
    again = evaluate(tmp_path / "model", streams)  # the exported folder predicts on its own
    assert again["accuracy"] > 0.5


def test_configs_round_trip():
    cfg = replace(TrainConfig(), max_epochs=3)
    assert TrainConfig.from_dict(json.loads(json.dumps(cfg.to_dict()))) == cfg


def _unit_gravity(x: torch.Tensor) -> torch.Tensor:
    x[..., 6:9] = x[..., 6:9] / x[..., 6:9].norm(dim=-1, keepdim=True)
    return x


def test_yaw_augmentation_turns_the_watch_about_gravity_only():
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(8, 70, 9)
    x[..., 6:9] = torch.tensor([0.2, 0.3, 0.9])  # a steady gravity direction
    x = _unit_gravity(x)
    off = dict(shift=False, rotate_deg=0, scale=0, jitter=0, warp=0, drop=0, bursty=0)
    cfg = TrainConfig(**off, yaw_deg=60)
    y = training.augment(x, cfg, torch.ones(9), gen)
    core = x[:, 10:60]
    assert torch.allclose(y[..., 6:9], core[..., 6:9], atol=1e-5)  # gravity stays put
    assert not torch.allclose(y[..., :3], core[..., :3], atol=1e-2)  # accel turned
    up = core[..., 6:9]  # the vertical parts and magnitudes are unchanged
    assert torch.allclose((y[..., :3] * up).sum(-1), (core[..., :3] * up).sum(-1), atol=1e-4)
    assert torch.allclose(y[..., 3:6].norm(dim=-1), core[..., 3:6].norm(dim=-1), atol=1e-4)


def test_time_warp_plays_the_window_faster_or_slower():
    gen = torch.Generator().manual_seed(0)
    t = torch.arange(70, dtype=torch.float32)
    x = t[None, :, None].repeat(64, 1, 9)  # every channel holds its sample index
    off = dict(shift=False, rotate_deg=0, scale=0, jitter=0, yaw_deg=0, drop=0, bursty=0)
    cfg = TrainConfig(**off, warp=0.3)
    y = training.augment(x, cfg, torch.ones(9), gen)[..., 0]
    steps = y[:, 1:] - y[:, :-1]  # samples of source per output sample: the speed
    speed = steps.mean(dim=1)
    assert torch.allclose(steps, speed[:, None], atol=1e-4)  # one steady speed per window
    assert speed.min() < 0.9 and speed.max() > 1.1 and (speed - 1).abs().max() <= 0.3 + 1e-6
    assert torch.allclose(y[:, 24:26].mean(dim=1), torch.full((64,), 34.5), atol=1e-4)  # centred


def test_lost_events_hold_the_last_value_per_sensor():
    gen = torch.Generator().manual_seed(1)
    x = torch.arange(50, dtype=torch.float32)[None, :, None].repeat(16, 1, 9)
    y = training.drop_events(x, 0.8, gen)
    steps = y[:, 1:] - y[:, :-1]
    assert (steps >= 0).all() and (y[:, 0] == 0).all()  # only ever holds an earlier value
    assert (steps == 0).float().mean() > 0.1  # events were lost
    for s in range(3):  # a sensor's three channels lose the same events
        block = y[..., 3 * s : 3 * s + 3]
        assert (block == block[..., :1]).all()


def test_default_model_fits_the_budget():
    model = GestureNet(**TrainConfig().model_kwargs())
    assert sum(p.numel() for p in model.parameters()) <= 40_000


def test_log_inputs_compress_the_orientation_free_channels():
    x = _unit_gravity(torch.randn(2, 50, 9) * 10)
    plain = GestureNet(inputs="invariant").derive(x)
    logged = GestureNet(inputs="invariant-log").derive(x)
    assert torch.allclose(logged, plain.sign() * torch.log1p(plain.abs()))
    assert logged.abs().max() < plain.abs().max()


def test_cross_day_preset_and_unknown_presets():
    cfg = training.preset("cross-day")
    assert cfg.inputs == "invariant" and cfg.balanced and cfg.warp > 0
    assert training.preset("default") == TrainConfig()
    with pytest.raises(training.InputError, match="unknown preset"):
        training.preset("fast")


def test_voice_sessions_alone_train_with_the_sessions_preset(monkeypatch):
    """Sessions alone take the within-day settings; clips, a mix, an explicit preset and
    options given by hand keep theirs, and train() hands the chosen config on."""
    from types import SimpleNamespace

    session, clip = SimpleNamespace(kind="session"), SimpleNamespace(kind="clip")
    cfg = training.for_streams(TrainConfig(), [session, session])
    assert cfg.inputs == "full" and cfg.rotate_deg == 35.0 and cfg.warp == 0.0
    assert cfg.sessions_preset == ""  # applied once, and saved so in the model folder
    assert training.for_streams(TrainConfig(), [session, clip]) == TrainConfig()
    assert training.for_streams(TrainConfig(), [clip]) == TrainConfig()
    day = training.preset("cross-day")
    assert training.for_streams(day, [session]) == day
    mine = training.for_streams(replace(TrainConfig(), scale=0.1), [session])
    assert mine.scale == 0.1 and mine.inputs == "full"
    with pytest.raises(training.InputError, match="unknown sessions preset"):
        training.for_streams(replace(TrainConfig(), sessions_preset="x"), [session])
    seen = {}
    monkeypatch.setattr(training, "_with_unlabelled_noise", lambda streams, cfg: streams)
    monkeypatch.setattr(training, "training_windows", lambda streams, window: (None, {}))
    monkeypatch.setattr("silkpipe.trained_on.trained_on", lambda streams, windows: [])
    monkeypatch.setattr(
        training, "train_windows", lambda w, out, config, **kw: seen.setdefault("cfg", config)
    )
    train([session], Path("unused"), progress=False)
    assert seen["cfg"].inputs == "full"


def _turned(x: torch.Tensor, deg: float, seed: int = 0) -> torch.Tensor:
    """The same motion seen by a watch worn at another angle: every vector rotated."""
    rot = training.random_rotations(1, deg, torch.Generator().manual_seed(seed))[0]
    return torch.cat([x[..., i : i + 3] @ rot.T for i in (0, 3, 6)], dim=2)


def test_shape_inputs_ignore_the_watch_frame_and_how_hard_the_player_moves():
    """invariant-shape: unchanged by a rotated watch frame; moving twice as hard changes
    only the log-size channels (by log 2), not the motion's shape."""
    x = _unit_gravity(torch.randn(2, 50, 9) * 200)
    model = GestureNet(inputs="invariant-shape").eval()
    z = model.derive(x)
    assert z.shape == (2, 50, 9)
    assert torch.allclose(z, model.derive(_turned(x, 120.0)), atol=1e-3)
    harder = torch.cat([x[..., :6] * 2, x[..., 6:]], dim=2)
    zh = model.derive(harder)
    assert torch.allclose(zh[..., :6], z[..., :6], atol=5e-3)  # shape: the same
    assert torch.allclose(
        zh[..., 6:8] - z[..., 6:8], torch.full((2, 50, 2), math.log(2)), atol=5e-3
    )
    plain = GestureNet(inputs="invariant").derive(x)
    assert not torch.allclose(GestureNet(inputs="invariant").derive(harder), plain, atol=1)


def test_shape_pose_inputs_keep_the_arm_pose_beside_the_invariant_channels():
    """shape+pose = the invariant-shape channels (frame-free) + the gravity direction in
    the watch frame (the arm pose, which the rotation augmentation then blurs)."""
    x = _unit_gravity(torch.randn(3, 50, 9) * 5)
    model = GestureNet(**TrainConfig().model_kwargs()).eval()
    assert model.inputs == "shape+pose"
    z, zt = model.derive(x), model.derive(_turned(x, 90.0, seed=2))
    assert z.shape == (3, 50, 12)
    assert torch.allclose(z[..., :9], GestureNet(inputs="invariant-shape").derive(x))
    assert torch.allclose(z[..., :9], zt[..., :9], atol=1e-3)
    assert torch.allclose(z[..., 9:], x[..., 6:9]) and not torch.allclose(z[..., 9:], zt[..., 9:])
    assert model(x).shape == (3, len(CLASSES))


def test_train_preset_option_sets_the_named_settings_then_the_given_ones():
    from silkpipe.cli import build_parser
    from silkpipe.commands.train import _config

    args = build_parser().parse_args(
        ["train", "--clips", "c", "--out", "o", "--preset", "within-day", "--scale", "0.1"]
    )
    cfg = _config(args)
    assert cfg.inputs == "full" and cfg.rotate_deg == 35.0 and cfg.drop == 0.0
    assert cfg.scale == 0.1  # an option given beside the preset wins
    default = _config(build_parser().parse_args(["train", "--clips", "c", "--out", "o"]))
    assert default == TrainConfig() and default.inputs == "shape+pose"


@pytest.mark.parametrize("cv", [False, True])
def test_a_report_path_that_is_a_file_is_refused_before_scoring(
    cv, tiny_model, clip_subset, tmp_path, capsys, monkeypatch, clean_env
):
    """`evaluate --report R`, R a file: the evaluation ran to its end, then exit 1 "[Errno
    17] File exists: 'R'" and no result (bad_input_sweep49); --cv after training every
    fold. Now refused first, in one line naming R, R untouched."""
    import silkpipe.evaluation as evaluation

    monkeypatch.setattr(evaluation, "evaluate", lambda *a, **k: pytest.fail("scored"))
    report = tmp_path / "notes.txt"
    report.write_text("mine\n")
    how = (
        ["--cv", "time-range", "--seeds", "1", "--epochs", "1"]
        if cv
        else ["--model", str(tiny_model)]
    )
    argv = ["evaluate", *how, "--clips", str(clip_subset), "--report", str(report)]
    capsys.readouterr()
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert f"file {report}: is a file, not a folder" in line
    assert report.read_text() == "mine\n"
