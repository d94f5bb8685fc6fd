"""gap46 harness (dev only): bench.voice_path --sessions N with only the voice, truth and clip
models trained, and a summary of its JSON (issue 24: is the voice-model gap data quantity?).

    CACHE_FROM=STORE/cache python bench/notes/gap46.py run --runs R13 --sessions 16 --json F
    python bench/notes/gap46.py summary WORK F...

``run``: the bench's own code; the voice_adapted and played_clips models are skipped (CPU),
the three kept are trained exactly as the bench trains them (x4 rows match the bench's
byte for byte in F1). CACHE_FROM: a store cache (transcripts keyed by audio hash) copied
into a run's new store once its sessions are made (the bench clears a run's stores then).
``summary``: per run, sessions through the gate, training windows per class of the voice
and truth models (their config.json), macro-F1 [min-max over training seeds], gaps.
"""

import json
import sys
from pathlib import Path

CLASSES = ("jump", "punch", "turn", "walk", "idle", "noise")


def fit(self, key, streams, pool=None):
    """ModelFitter.fit without the voice_adapted and played_clips models."""
    if key in ("voice_adapted", "played_clips"):
        return
    _fit(self, key, streams, pool)


def generate_then_carry(run, train, sessions):
    """The bench's generate, then CACHE_FROM's transcripts into the run's store."""
    import os
    import shutil

    _generate(run, train, sessions)
    src = os.environ.get("CACHE_FROM")
    if src and Path(src).is_dir():
        shutil.copytree(src, sessions.parent / "store" / "cache", dirs_exist_ok=True)


def windows(work: Path, run: str, model: str) -> str:
    cfg = work / run / "store/runs/bench/score-voice" / model / "config.json"
    if not cfg.exists():
        return "-"
    days = json.loads(cfg.read_text())["training"]["trained_on"][0]["days"]
    c = next(iter(days.values()))
    return "/".join(str(c["classes"].get(k, 0)) for k in CLASSES) + f" ({c['windows']})"


def f1(models: dict, key: str) -> str:
    if key not in models:
        return "-"
    m = models[key]
    s = m.get("macro_f1_per_seed", [m["macro_f1"]])
    return f"{m['macro_f1']:.3f} [{min(s):.2f}-{max(s):.2f}]"


def summary(work: Path, paths: list[str]) -> None:
    for path in paths:
        for run, r in json.loads(Path(path).read_text()).items():
            m, o = r["models"], r["offset"]
            print(f"{run}: sessions {o.get('gesture_sessions')} passed {o.get('passed_gate')}")
            print(
                f"  windows j/p/t/w/i/n voice {windows(work, run, 'voice-model')}"
                f"  truth {windows(work, run, 'truth-model')}"
            )
            print(f"  F1 voice {f1(m, 'voice')}  truth {f1(m, 'truth')}  clips {f1(m, 'clips')}")
            if "voice" in m:
                v, t, c = (m[k]["macro_f1"] for k in ("voice", "truth", "clips"))
                print(
                    f"  gap clips-voice {c - v:.3f}  truth-voice {t - v:.3f}  clips-truth {c - t:.3f}"
                )


if __name__ == "__main__":  # transcription workers are spawned: they re-import this file
    if sys.argv[1] == "summary":
        summary(Path(sys.argv[2]), sys.argv[3:])
        sys.exit(0)
    import bench.voice_path as vp
    from silkpipe import voice_score

    _fit = voice_score.ModelFitter.fit
    voice_score.ModelFitter.fit = fit
    _generate = vp.generate
    vp.generate = generate_then_carry
    sys.exit(vp.main(sys.argv[2:]))
