"""The voice-path bench's clip split: what is trained on and what is held out."""

from __future__ import annotations

from bench.voice_path import RUNS, split_clips, untimed_gesture_block_clips


def test_baseline_noise_inside_the_gesture_block_is_placed_by_its_watch_clock(data_dir):
    placed = {path.stem: t for t, path in untimed_gesture_block_clips(data_dir / "clips-dev")}
    # the name carries the host's epoch seconds of the recording's end (it is 31 s long)
    assert abs(placed["baseline_noise_1760841370"] + 31 - 1760841370) < 2.0
    # the noise-only blocks' baselines repeat their timed segments: not returned
    assert "baseline_noise_1760876533" not in placed
    assert all(name.startswith(("baseline_noise", "noise_")) for name in placed)


def test_split_teaches_noise_in_gesture_sessions_and_holds_out_a_time_range(data_dir, tmp_path):
    run = next(r for r in RUNS if r.held_out_s[0] > 0)
    train, held = split_clips(data_dir / "clips-dev", run, tmp_path)
    train_names = {p.name for p in train.glob("*.csv")}
    held_names = {p.name for p in held.glob("*.csv")}
    assert not train_names & held_names
    assert "baseline_noise_1760841370.csv" in train_names  # before the held-out range
    assert any(n.startswith("jump_") for n in held_names)
    assert any(n.startswith("noise_action_") for n in held_names)  # the other noise block
