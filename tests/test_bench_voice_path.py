"""The voice-path bench's clip split: what is trained on and what is held out."""

from __future__ import annotations

from pathlib import Path

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


def test_the_bench_runs_realistic_sessions_by_default_and_reports_the_controls():
    from bench.voice_path import REALISTIC_RUNS, row

    assert REALISTIC_RUNS and all(r.realistic for r in REALISTIC_RUNS)
    labels = {
        c: {"precision": 0.9, "recall": 0.5}
        for c in ("jump", "punch", "turn", "walk", "idle", "noise")
    }
    result = {
        "offset": {
            "gesture_sessions_within_0_3s": 0.75,
            "gesture_sessions": 4,
            "passed_gate": 3,
            "false_passes": 1,
            "word_false_passes": 2,
            "passed_words": {"words": 40, "within_0_3s": 0.8, "within_0_5s": 0.875},
        },
        "controls": {"excluded": 4, "n": 4},
        "shifted_controls": {"excluded": 7, "n": 8, "false_passes": 1},
        "labels": labels,
        "labelled_on_same_class": 0.8,
        "models": {"voice": {"macro_f1": 0.5}, "clips": {"macro_f1": 0.6}},
    }
    out = row(REALISTIC_RUNS[0], result)
    assert out["passed_gate/false_pass"] == "3/1"
    # beside it, the passed sessions whose labels are off word by word (the clock's error)
    keys = list(out)
    assert keys[keys.index("passed_gate/false_pass") + 1] == "word_false_pass"
    assert out["word_false_pass"] == "2"
    assert out["passed_words_0_3/0_5s"] == "0.80/0.88 of 40"
    assert out["shifted_ctrl_excl/false_pass"] == "7/8/1"
    assert out["precision_j/p/t/w/i/n"] == "/".join(["0.90"] * 6)


def test_sessions_made_by_older_generator_code_are_not_reused(tmp_path, monkeypatch):
    """The bench keys its generated sessions by the generator's source, so a change to the
    generator (say, the delivery's stalls) makes new sessions instead of scoring old ones."""
    import bench.voice_path as vp

    (tmp_path / "silkpipe").mkdir()
    for module in vp.GENERATOR_MODULES:
        source = vp.REPO / "silkpipe" / f"{module}.py"
        (tmp_path / "silkpipe" / f"{module}.py").write_bytes(source.read_bytes())
    monkeypatch.setattr(vp, "REPO", tmp_path)
    before = vp.generator_fingerprint()
    assert vp.generator_fingerprint() == before
    delivery = tmp_path / "silkpipe" / "delivery.py"
    delivery.write_text(delivery.read_text() + "\n# another delivery\n")
    assert vp.generator_fingerprint() != before


def test_pooled_row_sums_counts_and_weights_label_precision_by_seconds():
    """The bench's last row pools every run: twelve sessions per run are too few to read a
    90 % target off one row, and a run where no session passed has no precision at all."""
    from bench.voice_path import pooled_row

    def result(within, n, passed, precision, seconds, words=None):
        return {
            "offset": {
                "gesture_sessions_within_0_3s": within,
                "gesture_sessions": n,
                "passed_gate": passed,
                "false_passes": 0,
                "word_false_passes": passed // 2,
                "passed_words": words,
            },
            "controls": {"excluded": 4, "n": 4},
            "shifted_controls": {"excluded": 8, "n": 8, "false_passes": 0},
            "labels": {
                "jump": {
                    "precision": precision,
                    "recall": 0.5,
                    "labelled_s": seconds,
                    "truth_s": 10.0,
                }
            },
        }

    words = {"words": 30, "within_0_3s": 0.9, "within_0_5s": 1.0}
    out = pooled_row({"a": result(0.75, 4, 2, 0.9, 3.0, words), "b": result(0.5, 4, 0, None, 0.0)})
    assert out["gesture_sessions_0_3s"] == "5/8"
    assert out["passed_gate/false_pass"] == "2/0"
    assert out["word_false_pass"] == "1"
    assert out["passed_words_0_3/0_5s"] == "0.90/1.00 of 30"  # words of runs with passes
    both = pooled_row(
        {"a": result(0.75, 4, 2, 0.9, 3.0, words), "c": result(0.5, 4, 2, 0.9, 3.0, words)}
    )
    assert both["word_false_pass"] == "2" and both["passed_words_0_3/0_5s"] == "0.90/1.00 of 60"
    assert out["shuffled_ctrl_excl"] == "8/8"
    assert out["shifted_ctrl_excl/false_pass"] == "16/16/0"
    assert out["precision_j/p/t/w/i/n"] == "0.90"
    assert out["recall_j/p/t/w/i/n"] == "0.50"


def test_the_held_out_day_is_split_by_recording_order(data_dir, tmp_path):
    """D14: sessions from the later half of each class's samples (and of the continuous
    walk), models scored on the earlier half; both halves readable as clip folders."""
    from bench.voice_path import DAY_RUNS, RUNS, split_day
    from silkpipe.clips import load_clip_streams, parse_clip_name

    assert DAY_RUNS[0] in RUNS and DAY_RUNS[0].seeds == (201, 202, 203, 204)
    build, score = split_day(data_dir / "clips-20251014", tmp_path)
    for folder in (build, score):
        assert (folder / "session_metadata.json").is_file()
    samples = {
        folder: {(n.name_class, n.sample) for n in map(parse_clip_name, folder.glob("*.csv"))}
        for folder in (build, score)
    }
    assert not samples[build] & samples[score] - {("walk", None)}
    assert max(k for c, k in samples[score] if c == "jump") == 20
    assert min(k for c, k in samples[build] if c == "jump") == 21
    assert max(k for c, k in samples[score] if c == "noise") == 40  # noise has 80 samples
    walks = {}
    for folder in (build, score):
        (walk,) = [st for st in load_clip_streams(folder) if st.name == "walk_continuous"]
        walks[folder] = (walk.motion.t[0], walk.motion.t[-1])
    assert walks[score][1] < walks[build][0]  # first half scored on, second builds sessions


def test_sessions_speak_in_the_bench_voices_whatever_the_machine_has(tmp_path, monkeypatch):
    """Left to semireal.default_voices, the same seeds spoke without Festival where it was
    not installed (stop 32's bench): other audio, other words heard, other gate decisions.
    The bench fixes its voices, Festival's included, whatever the machine has."""
    import shutil

    import bench.voice_path as vp
    from silkpipe import realistic, semireal

    real_which = shutil.which
    monkeypatch.setattr(
        semireal.shutil, "which", lambda b: None if b == "text2wave" else real_which(b)
    )
    spoken = []
    monkeypatch.setattr(realistic, "generate", lambda _train, _out, play: spoken.append(play))
    day = next(r for r in vp.RUNS if isinstance(r, vp.DayRun))
    vp.generate(day, tmp_path, tmp_path / "sessions")
    assert len(spoken) == len(day.seeds)
    assert all({"festival:slt", "festival:kal", "en-us"} <= set(p.voices) for p in spoken)
    assert {play.voices for play in spoken} == {vp.bench_voices()}
    assert semireal.default_voices() != vp.bench_voices()  # what this machine would have said


def test_synth_seeds_build_each_run_again_with_other_sessions(monkeypatch):
    """--synth-seeds runs each named run's split once per seed (fresh sessions for a check
    once settings are chosen), named RUN@SEED; the held-out day keeps its own seeds."""
    import bench.voice_path as vp

    made = []
    monkeypatch.setattr(vp, "run_one", lambda run, *a: made.append(run) or {})
    monkeypatch.setattr(vp, "row", lambda run, result: {"run": run.name})
    monkeypatch.setattr(vp, "pooled_row", lambda results: {"run": "all"})
    monkeypatch.setattr(vp, "print_table", lambda rows: None)
    vp.main(["--runs", "R13", "RB", "D14", "--synth-seeds", "731", "732"])
    r13, rb = (next(r for r in vp.RUNS if r.name == n) for n in ("R13", "RB"))
    assert [r.name for r in made] == ["R13@731", "R13@732", "RB@731", "RB@732", "D14"]
    assert [r.seed for r in made[:4]] == [731, 732, 731, 732]
    assert {(r.held_out_s, r.noise_block, r.realistic) for r in made[:2]} == {
        (r13.held_out_s, r13.noise_block, True)
    }
    assert made[2].held_out_s == rb.held_out_s and made[4] == vp.DAY_RUNS[0]


def test_sessions_option_builds_more_sessions_from_the_same_training_clips(monkeypatch):
    """--sessions N (issue 24: a day's folder holds many sessions of one player): each
    clips-dev run keeps its split (so its clip model) and plays its training clips again
    under more DEV seeds, RUNxN; with --synth-seeds those seeds alone build the sessions.
    Without it the runs are what they were, cache key included."""
    from dataclasses import replace

    import bench.voice_path as vp

    made = []
    monkeypatch.setattr(vp, "run_one", lambda run, *a: made.append(run) or {})
    monkeypatch.setattr(vp, "row", lambda run, result: {"run": run.name})
    monkeypatch.setattr(vp, "pooled_row", lambda results: {"run": "all"})
    monkeypatch.setattr(vp, "print_table", lambda rows: None)
    vp.main(["--runs", "R13", "RB", "D14", "--sessions", "8"])
    r13 = next(r for r in vp.RUNS if r.name == "R13")
    assert [r.name for r in made] == ["R13x8", "RBx8", "D14"]
    assert made[0].seed == 13 and made[0].more_seeds == vp.MORE_SEEDS["R13"]
    assert made[0].sessions == 8 and made[2] == vp.DAY_RUNS[0]
    assert (made[0].held_out_s, made[0].noise_block) == (r13.held_out_s, r13.noise_block)
    for a in vp.REALISTIC_RUNS:  # DEV seeds only; runs of one split share none
        assert set(vp.MORE_SEEDS[a.name]) <= set(range(551, 763))
        for b in vp.REALISTIC_RUNS:
            if a != b and (a.held_out_s, a.noise_block) == (b.held_out_s, b.noise_block):
                assert not {a.seed, *vp.MORE_SEEDS[a.name]} & {b.seed, *vp.MORE_SEEDS[b.name]}
    made.clear()
    vp.main(["--runs", "RB17", "--sessions", "12", "--synth-seeds", "795", "796", "797"])
    assert [(r.name, r.seed, r.more_seeds, r.sessions) for r in made] == [
        ("RB17x12@795", 795, (796, 797), 12)
    ]
    made.clear()
    vp.main(["--runs", "R13"])
    assert made == [r13] and repr(made[0]) == repr(replace(r13)) and r13.plan == ""
    assert "sessions" not in repr(replace(r13, sessions=8))  # the key adds it via plan


def test_a_run_of_n_sessions_takes_whole_seeds_in_turn_and_keeps_n(tmp_path, monkeypatch):
    """Seeds are played whole (each plays every training clip once) until there are N
    sessions; the last seed's surplus is removed; too few seeds is an error, not a
    smaller run."""
    from dataclasses import replace

    import pytest

    import bench.voice_path as vp
    from silkpipe import realistic

    played = []

    def fake_generate(_train, out, play):
        played.append(play.seed)
        names = [f"real{play.seed:03d}_{i:02d}_session" for i in range(3)]
        for name in names:
            (out / name).mkdir(parents=True)
        return {"sessions": names}

    monkeypatch.setattr(realistic, "generate", fake_generate)
    run = next(r for r in vp.RUNS if r.name == "R13")
    vp.generate(replace(run, more_seeds=(551, 552, 553), sessions=7), tmp_path, tmp_path / "s")
    assert played == [13, 551, 552]
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == [
        "real013_00_session",
        "real013_01_session",
        "real013_02_session",
        "real551_00_session",
        "real551_01_session",
        "real551_02_session",
        "real552_00_session",
    ]
    with pytest.raises(SystemExit, match="3 sessions"):
        vp.generate(replace(run, more_seeds=(), sessions=4), tmp_path, tmp_path / "t")


def test_the_transcripts_fingerprint_tells_two_runs_inputs_apart(tmp_path):
    """One word Whisper heard otherwise (another machine's CPU kernels) moved the voice
    model by .12 macro-F1 (bench/notes/det50.txt): the bench names its transcripts."""
    import json

    from bench.voice_path import transcripts_fingerprint

    def store(name: str, word: str, score: float, wall_s: float = 3.0) -> Path:
        folder = tmp_path / name / "runs" / "bench" / "transcripts"
        folder.mkdir(parents=True)
        words = [{"word": word, "start": 11.03, "end": 11.5, "score": score}]
        meta = {"wall_seconds": wall_s}
        (folder / "s1.json").write_text(json.dumps({"word_segments": words, "silkpipe": meta}))
        return tmp_path / name

    a = transcripts_fingerprint(store("a", "noise", 0.7))
    assert a == transcripts_fingerprint(store("b", "noise", 0.7, wall_s=9.0))  # another time
    assert a != transcripts_fingerprint(store("c", "boys", 0.7))
    assert a != transcripts_fingerprint(store("d", "noise", 0.69))
    assert transcripts_fingerprint(tmp_path / "none") == "-"


def test_a_clone_not_beside_the_data_is_told_so_in_one_line(tmp_path, monkeypatch, capsys):
    """Run from a copy of the repository with no ../shared beside it (a `git archive` in
    /tmp), the bench died in split_clips with "min() arg is an empty sequence"."""
    import bench.voice_path as vp

    monkeypatch.setattr(vp, "CLIPS", tmp_path / "shared" / "data" / "clips-dev")
    assert vp.main([]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == f"voice_path: {vp.CLIPS} is missing (the bench reads ../shared/data)"
