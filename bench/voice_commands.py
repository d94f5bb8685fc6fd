"""Command recall/precision of the transcriber on generated speech with ground truth.

Sessions are assembled from separately synthesised utterances, so every command's true
onset is known to the sample: commands alone ("jump", "walk start", "this is noise"), in
bursts as people say them ("punch, punch, punch": one utterance per word, 0.1-0.25 s
apart), and filler talk, spoken by several voices (espeak-ng variants, Festival's
slt HTS and kal diphone voices) at 140-200 words/min, clean and with pink noise mixed
at 20, 10 and 5 dB SNR. A hit is the right class within +-0.3 s of the true onset (one
prediction per truth). Onset error is measured on same-class matches within +-1 s.

    python -m bench.voice_commands            # default settings, full table
    python -m bench.voice_commands --levers   # compare settings at 20 dB
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from bench.table import print_table
from silkpipe.speech import SAMPLE_RATE, synthesize
from silkpipe.transcription import Settings, transcribe_audio
from silkpipe.transcripts import extract_commands, parse_transcript
from silkpipe.vocabulary import COMMAND_PROMPT

CACHE = Path(__file__).resolve().parents[1] / "build" / "voice_commands"
VOICES = ("en-us", "en-us+f3", "en-gb-x-rp+m3", "festival:slt", "festival:kal")
RATES = (140, 170, 200)
SNRS: tuple[float | None, ...] = (None, 20.0, 10.0, 5.0)
HIT_S = 0.3
MATCH_S = 1.0

#: spoken form -> class (multi-word forms are phrases the extractor knows)
SINGLE = {
    "jump": "jump",
    "punch": "punch",
    "attack": "punch",
    "turn": "turn",
    "walk": "walk",
    "walk start": "walk",
    "idle": "idle",
    "rest": "idle",
    "stop": "idle",
    "noise": "noise",
    "this is noise": "noise",
    "turn left": "turn",
}
BURST = ("jump", "punch", "turn")
FILLERS = (
    "okay let me try this",
    "hmm I think that worked",
    "wait a second",
    "let's go over there now",
    "yeah that felt right",
    "one more time",
    "I am going to do it again",
    "where was I",
)


@dataclass
class Truth:
    cls: str
    onset: float
    text: str


def _trim(audio: np.ndarray, threshold: float = 0.02) -> np.ndarray:
    """Cut leading/trailing silence so the placement time is the speech onset."""
    frame = 80  # 5 ms
    n = len(audio) // frame
    if n == 0:
        return audio
    env = np.abs(audio[: n * frame]).reshape(n, frame).max(axis=1)
    loud = np.flatnonzero(env > threshold * max(env.max(), 1e-6) / 0.5)
    if len(loud) == 0:
        return audio
    return audio[loud[0] * frame : (loud[-1] + 1) * frame]


class Utterances:
    """Synthesised, trimmed utterances, cached on disk (synthesis is the slow part)."""

    def __init__(self) -> None:
        CACHE.mkdir(parents=True, exist_ok=True)

    def get(self, text: str, voice: str, rate: int) -> np.ndarray:
        name = f"{voice.replace(':', '_').replace('+', '_')}-{rate}-{text.replace(' ', '_')}.npy"
        path = CACHE / name
        if path.exists():
            return np.load(path)
        audio = _trim(synthesize(text, voice, rate)).astype(np.float32)
        np.save(path, audio)
        return audio


def make_session(
    utt: Utterances, voice: str, rate: int, seed: int, items: int = 24
) -> tuple[np.ndarray, list[Truth]]:
    rng = np.random.default_rng(seed)
    pieces: list[np.ndarray] = [np.zeros(int(0.6 * SAMPLE_RATE), np.float32)]
    t = 0.6
    truth: list[Truth] = []
    forms = list(SINGLE)

    def add(audio: np.ndarray, gap: float) -> None:
        nonlocal t
        pieces.append(audio)
        pieces.append(np.zeros(int(gap * SAMPLE_RATE), np.float32))
        t += (len(audio) + int(gap * SAMPLE_RATE)) / SAMPLE_RATE

    for _ in range(items):
        kind = rng.choice(["single", "burst", "filler"], p=[0.5, 0.25, 0.25])
        if kind == "single":
            text = forms[rng.integers(len(forms))]
            truth.append(Truth(SINGLE[text], t, text))
            add(utt.get(text, voice, rate), rng.uniform(0.5, 1.4))
        elif kind == "burst":
            text = BURST[rng.integers(len(BURST))]
            reps = int(rng.integers(2, 5))
            for k in range(reps):
                truth.append(Truth(text, t, text))
                gap = rng.uniform(0.1, 0.25) if k < reps - 1 else rng.uniform(0.6, 1.4)
                add(utt.get(text, voice, rate), gap)
        else:
            add(utt.get(FILLERS[rng.integers(len(FILLERS))], voice, rate), rng.uniform(0.4, 1.0))
    audio = np.concatenate(pieces)
    return audio / max(np.abs(audio).max(), 1e-6) * 0.5, truth


def pink_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(len(spectrum), dtype=np.float64)
    f[0] = 1.0
    noise = np.fft.irfft(spectrum / np.sqrt(f), n)
    return (noise / noise.std()).astype(np.float32)


def mix(audio: np.ndarray, snr_db: float | None, seed: int) -> np.ndarray:
    """Noise at ``snr_db`` relative to the power of the active speech."""
    if snr_db is None:
        return audio
    active = audio[np.abs(audio) > 0.01]
    power = float(np.mean(active**2)) if len(active) else float(np.mean(audio**2))
    noise = pink_noise(len(audio), np.random.default_rng(seed)) * np.sqrt(
        power / 10 ** (snr_db / 10)
    )
    out = audio + noise
    return (out / max(np.abs(out).max(), 1.0)).astype(np.float32)


def score(truth: list[Truth], predicted: list, window: float) -> list[tuple[Truth, object]]:
    """Greedy one-to-one matching by time distance, same class, within ``window``."""
    pairs = []
    for i, tr in enumerate(truth):
        for j, p in enumerate(predicted):
            d = abs(p.start - tr.onset)
            if p.cls == tr.cls and d <= window:
                pairs.append((d, i, j))
    pairs.sort()
    used_t, used_p, out = set(), set(), []
    for _, i, j in pairs:
        if i not in used_t and j not in used_p:
            used_t.add(i)
            used_p.add(j)
            out.append((truth[i], predicted[j]))
    return out


def evaluate(
    settings: Settings,
    snrs=SNRS,
    voices=VOICES,
    rates=RATES,
    threads: int = 2,
    min_score: float = 0.0,
):
    """Per-SNR figures over every voice and rate."""
    utt = Utterances()
    rows = []
    for snr in snrs:
        n_true = n_pred = hits = 0
        errors: list[float] = []
        wall = seconds = 0.0
        for vi, voice in enumerate(voices):
            for ri, rate in enumerate(rates):
                seed = 1000 * vi + ri
                audio, truth = make_session(utt, voice, rate, seed)
                tag = f"{settings.config_hash()}-{voice}-{rate}-{snr}".replace(":", "_")
                saved = CACHE / "transcripts" / f"{tag}.json"
                if saved.exists():  # same audio and settings: reuse (extraction levers)
                    result = json.loads(saved.read_text())
                else:
                    result = transcribe_audio(mix(audio, snr, seed + 7), settings, threads)
                    saved.parent.mkdir(parents=True, exist_ok=True)
                    saved.write_text(json.dumps(result))
                wall += result["silkpipe"]["wall_seconds"]
                seconds += result["silkpipe"]["audio_seconds"]
                words = parse_transcript(result)
                commands = extract_commands(words, min_score=min_score).commands
                n_true += len(truth)
                n_pred += len(commands)
                hits += len(score(truth, commands, HIT_S))
                errors += [p.start - t.onset for t, p in score(truth, commands, MATCH_S)]
        abs_err = sorted(abs(e) for e in errors)
        rows.append(
            {
                "snr_db": "clean" if snr is None else snr,
                "truth": n_true,
                "predicted": n_pred,
                "recall": round(hits / max(n_true, 1), 3),
                "precision": round(hits / max(n_pred, 1), 3),
                "onset_median_abs_s": round(statistics.median(abs_err), 3) if errors else None,
                "onset_p95_abs_s": round(abs_err[int(0.95 * (len(abs_err) - 1))], 3)
                if errors
                else None,
                "onset_bias_s": round(statistics.median(errors), 3) if errors else None,
                "real_time_factor": round(seconds / wall, 1) if wall else None,
            }
        )
    return rows


def _levers() -> dict[str, Settings | tuple[Settings, float]]:
    base = Settings()
    return {
        "default": base,
        "COMMAND_PROMPT instead of hotwords": replace(base, hotwords=None, prompt=COMMAND_PROMPT),
        "sentence prompt instead of hotwords": replace(
            base, hotwords=None, prompt="Jump. Punch. Turn. Walk. Idle. Stop. Noise."
        ),
        "neither prompt nor hotwords": replace(base, hotwords=None),
        "no onset snapping": replace(base, snap="none"),
        "snap to nearest onset": replace(base, snap="nearest"),
        "snap to last onset in word": replace(base, snap="interval-last"),
        "no stacked-repeat filter": replace(base, min_repeat_gap_s=0.0),
        "split merged bursts": replace(base, split_bursts=True),
        "command score >= 0.2": (base, 0.2),
        "command score >= 0.4": (base, 0.4),
        "beam 1 (greedy)": replace(base, beam_size=1),
        "beam 1, onset threshold 0.35": replace(base, beam_size=1, onset_threshold=0.35),
        "15 s decoding windows throughout": replace(base, chunk_length=15),
        "10 s decoding windows throughout": replace(base, chunk_length=10),
        "5 s decoding windows throughout": replace(base, chunk_length=5),
        "30 s decoding windows": replace(base, chunk_length=30),
        "sequential (batch 1)": replace(base, batch_size=1),
        "batch 8": replace(base, batch_size=8),
        "VAD silence 2000 ms, pad 400": replace(
            base, vad_min_silence_ms=2000, vad_speech_pad_ms=400
        ),
        "VAD silence 250 ms, pad 100": replace(base, vad_min_silence_ms=250, vad_speech_pad_ms=100),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.voice_commands",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--levers", action="store_true", help="compare settings at 20 dB")
    parser.add_argument("--only", nargs="*", help="lever names to run (with --levers)")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads (default 2)")
    parser.add_argument("--json", metavar="PATH", help="also write the rows as JSON")
    parser.add_argument(
        "--min-score", type=float, default=0.0, help="ignore command words scored below this"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.levers:
        rows = []
        for name, lever in _levers().items():
            if args.only and name not in args.only:
                continue
            settings, min_score = lever if isinstance(lever, tuple) else (lever, 0.0)
            row = evaluate(settings, snrs=(20.0,), threads=args.threads, min_score=min_score)[0]
            rows.append({"lever": name, **row})
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
        print_table(rows)
    else:
        rows = evaluate(Settings(), threads=args.threads, min_score=args.min_score)
        print_table(rows)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    print(f"({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
