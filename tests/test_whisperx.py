"""The whisperx backend run for real (not mocked) in .venv-whisperx on CPU.

whisperx 3.8.6 pins torch 2.8, so it lives in its own venv (`make whisperx-venv`); this test
runs our backend there in a subprocess over a short real clip with the bundled tiny.en:
pyannote VAD -> batched faster-whisper -> wav2vec2 forced alignment. The alignment model is
a tiny wav2vec2 CTC model with random weights built here with transformers (a code-path test:
its timestamps mean nothing). The first transcribe call is made to raise a CUDA
out-of-memory error, so the half-batch retry runs too.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from silkpipe.speech import SAMPLE_RATE, read_wav, write_wav

REPO = Path(__file__).resolve().parents[1]
WHISPERX_PYTHON = REPO / ".venv-whisperx" / "bin" / "python"
CLIP_SECONDS = 12

SCRIPT = r"""
import json, sys
import numpy as np
import whisperx
from transformers import (Wav2Vec2Config, Wav2Vec2CTCTokenizer, Wav2Vec2FeatureExtractor,
                          Wav2Vec2ForCTC, Wav2Vec2Processor)
from silkpipe import transcription
from silkpipe.speech import read_wav

clip, align_dir, out = sys.argv[1:4]
vocab = {"<pad>": 0, "<s>": 1, "</s>": 2, "<unk>": 3, "|": 4, "'": 5}
vocab.update({c: 6 + i for i, c in enumerate("abcdefghijklmnopqrstuvwxyz")})
vocab_file = f"{align_dir}/vocab.json"
import os; os.makedirs(align_dir, exist_ok=True)
json.dump(vocab, open(vocab_file, "w"))
tokenizer = Wav2Vec2CTCTokenizer(vocab_file, unk_token="<unk>", pad_token="<pad>",
                                 word_delimiter_token="|")
features = Wav2Vec2FeatureExtractor(feature_size=1, sampling_rate=16000, padding_value=0.0,
                                    do_normalize=True, return_attention_mask=False)
Wav2Vec2Processor(feature_extractor=features, tokenizer=tokenizer).save_pretrained(align_dir)
config = Wav2Vec2Config(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, conv_dim=(16,) * 7,
                        num_conv_pos_embeddings=16, num_conv_pos_embedding_groups=2,
                        pad_token_id=0)
import torch; torch.manual_seed(0)
Wav2Vec2ForCTC(config).save_pretrained(align_dir)

real_load = whisperx.load_model
calls = []
def load_model(*args, **kwargs):
    pipeline = real_load(*args, **kwargs)
    real_transcribe = pipeline.transcribe
    def transcribe(audio, batch_size=None, **kw):
        calls.append(batch_size)
        if len(calls) == 1:
            raise RuntimeError("CUDA failed with error out of memory")
        return real_transcribe(audio, batch_size=batch_size, **kw)
    pipeline.transcribe = transcribe
    return pipeline
whisperx.load_model = load_model

settings = transcription.Settings(backend="whisperx", device="cpu", compute_type="int8",
                                  batch_size=4, align_model=align_dir)
result = transcription.transcribe_audio(read_wav(clip), settings, threads=2)
result["test_calls"] = calls
json.dump(result, open(out, "w"))
"""


@pytest.fixture(scope="module")
def whisperx_python() -> Path:
    if not WHISPERX_PYTHON.exists():
        pytest.fail(
            f"{WHISPERX_PYTHON} is missing: run `make whisperx-venv` (whisperx 3.8.6 with its "
            "torch 2.8 in a second venv; ~3 min, ~7.7 GB)"
        )
    return WHISPERX_PYTHON


def test_whisperx_backend_runs_for_real_on_cpu(whisperx_python, data_dir, tmp_path):
    audio = read_wav(data_dir / "sessions" / "20251017_135233_session" / "audio_16k.wav")
    clip = tmp_path / "clip.wav"
    write_wav(clip, audio[: CLIP_SECONDS * SAMPLE_RATE])
    out = tmp_path / "result.json"
    env = dict(os.environ, PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1", HF_HOME=str(tmp_path / "hf"))
    proc = subprocess.run(
        [str(whisperx_python), "-c", SCRIPT, str(clip), str(tmp_path / "align"), str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    result = json.loads(out.read_text())
    meta = result["silkpipe"]
    assert meta["backend"] == "whisperx"
    assert result["test_calls"] == [4, 2]  # OOM at batch 4 -> retried at 2
    assert meta["batch_size_used"] == 2
    text = " ".join(seg["text"] for seg in result["segments"]).lower()
    assert "idle" in text or "walk" in text or "turn" in text, text  # real tiny.en heard them
    words = result["word_segments"]
    assert words and words == [w for s in result["segments"] for w in s["words"]]
    timed = [w for w in words if "start" in w]
    assert len(timed) >= len(words) // 2  # aligned by the (random) wav2vec2 model
    for w in timed:
        assert 0 <= w["start"] <= w["end"] <= CLIP_SECONDS + 0.5
        assert 0 <= w["score"] <= 1
