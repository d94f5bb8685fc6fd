"""`evaluate --cv` takes train's training options, and records what it measured with."""

from __future__ import annotations

import json

from test_cli_options import _subparsers

from silkpipe.cli import build_parser, main


def _flags(command: str) -> dict[str, str]:
    """flag -> help of every option of ``command``."""
    sub = dict(_subparsers(build_parser()))[command]
    return {flag: action.help or "" for action in sub._actions for flag in action.option_strings}


def test_evaluate_takes_every_training_option_train_takes_but_one():
    """Same spellings as train (one generator): a user cross-validates the very setting
    they would train with; --sessions-preset does nothing in folds (never applied there)."""
    train = _flags("train")
    generated = {f for f, h in train.items() if h.startswith(("TrainConfig.", "WindowConfig."))}
    assert {"--rotate-deg", "--gesture-balance", "--balanced", "--window-length"} <= generated
    evaluate = _flags("evaluate")
    assert generated - set(evaluate) == {"--sessions-preset"}
    assert all(evaluate[f] == train[f] for f in generated - {"--sessions-preset"})
    assert {"--device", "--threads"} <= set(evaluate)


def test_every_fold_trains_with_the_settings_given_and_cv_json_names_them(
    tmp_path, monkeypatch, capsys
):
    """--rotate-deg, --gesture-balance and --window-stride reach the training of every fold
    (not the preset's values), and the printed result and cv.json name each setting that
    differs from the preset, so the numbers are not read as the default's."""
    import badinputs

    import silkpipe.crossval as crossval

    seen = []
    fit = crossval.fit_fold

    def capture(windows, cfg, *args, **kwargs):
        seen.append(cfg)
        return fit(windows, cfg, *args, **kwargs)

    monkeypatch.setattr(crossval, "fit_fold", capture)
    clips = badinputs.clips_subset(tmp_path / "clips", per_class=5)
    argv = ["evaluate", "--cv", "time-range", "--clips", str(clips), "--epochs", "1"]
    argv += ["--rotate-deg", "30", "--gesture-balance", "rare", "--window-stride", "20"]
    assert main([*argv, "--report", str(tmp_path / "report")]) == 0
    assert len(seen) == 5  # five time-range folds, one seed
    for cfg in seen:
        assert (cfg.rotate_deg, cfg.gesture_balance, cfg.window.stride) == (30.0, "rare", 20)
        assert (cfg.max_epochs, cfg.yaw_deg, cfg.window.length) == (1, 45.0, 50)  # the rest kept
    (result,) = json.loads((tmp_path / "report" / "cv.json").read_text())
    assert result["training_settings"] == {
        "preset": "default",
        "changed": {
            "max_epochs": {"value": 1, "preset": 30},
            "rotate_deg": {"value": 30.0, "preset": 70.0},
            "gesture_balance": {"value": "rare", "preset": "off"},
            "window.stride": {"value": 20, "preset": 25},
        },
    }
    out = capsys.readouterr().out
    assert "training settings: preset default; changed: max_epochs 1 (preset 30)" in out
    assert "rotate_deg 30.0 (preset 70.0)" in out and "window.stride 20 (preset 25)" in out


def test_the_changed_settings_are_named_against_the_preset_given():
    """Against the preset given, not the default: cross-day's own inputs are no change."""
    from dataclasses import replace

    from silkpipe.crossval import settings_line, training_settings
    from silkpipe.training import preset

    cfg = replace(preset("cross-day"), seed=7)
    assert training_settings(cfg, "cross-day") == {"preset": "cross-day", "changed": {}}
    assert settings_line({"training_settings": training_settings(cfg, "cross-day")}) == (
        "training settings: preset cross-day"
    )
    unchanged = training_settings(preset("default"), "default")
    assert settings_line({"training_settings": unchanged}) == ""  # the default: no line
    assert "inputs invariant (preset shape+pose)" in settings_line(
        {"training_settings": training_settings(cfg, "default")}
    )
    assert settings_line({}) == ""  # a cv.json written before the key
