"""Run silkpipe's whisperx backend for real inside .venv-whisperx (used by tests and bench).

    .venv-whisperx/bin/python bench/whisperx_probe.py CLIP.wav WORK_DIR OUT.json [--oom-once]

Offline, on CPU: builds a tiny random-weight wav2vec2 CTC alignment model in WORK_DIR (a
code-path model: its timestamps mean nothing) and an empty NLTK punkt_tab (whisperx.align
splits sentences with it; pods read the real one from the model volume), then transcribes
CLIP with the bundled tiny.en through pyannote VAD + batched faster-whisper + whisperx.align
and writes the result JSON. ``--oom-once`` makes the first transcribe call raise a CUDA
out-of-memory error, so the half-batch retry runs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def build_align_model(path: Path) -> None:
    import torch
    from transformers import (
        Wav2Vec2Config,
        Wav2Vec2CTCTokenizer,
        Wav2Vec2FeatureExtractor,
        Wav2Vec2ForCTC,
        Wav2Vec2Processor,
    )

    path.mkdir(parents=True, exist_ok=True)
    vocab = {"<pad>": 0, "<s>": 1, "</s>": 2, "<unk>": 3, "|": 4, "'": 5}
    vocab.update({c: 6 + i for i, c in enumerate("abcdefghijklmnopqrstuvwxyz")})
    (path / "vocab.json").write_text(json.dumps(vocab))
    tokenizer = Wav2Vec2CTCTokenizer(
        str(path / "vocab.json"), unk_token="<unk>", pad_token="<pad>", word_delimiter_token="|"
    )
    features = Wav2Vec2FeatureExtractor(
        feature_size=1,
        sampling_rate=16000,
        padding_value=0.0,
        do_normalize=True,
        return_attention_mask=False,
    )
    Wav2Vec2Processor(feature_extractor=features, tokenizer=tokenizer).save_pretrained(path)
    config = Wav2Vec2Config(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        conv_dim=(16,) * 7,
        num_conv_pos_embeddings=16,
        num_conv_pos_embedding_groups=2,
        pad_token_id=0,
    )
    torch.manual_seed(0)
    Wav2Vec2ForCTC(config).save_pretrained(path)


def build_punkt(nltk_data: Path) -> None:
    """Empty Punkt parameters (no abbreviations, collocations): a valid punkt_tab model."""
    lang = nltk_data / "tokenizers" / "punkt_tab" / "english"
    lang.mkdir(parents=True, exist_ok=True)
    for name in ("collocations.tab", "sent_starters.txt", "abbrev_types.txt", "ortho_context.tab"):
        (lang / name).touch()


def main(argv: list[str]) -> int:
    import whisperx

    from silkpipe import transcription
    from silkpipe.speech import read_wav

    clip, work, out = Path(argv[0]), Path(argv[1]), Path(argv[2])
    build_align_model(work / "align")
    build_punkt(work / "nltk_data")
    calls: list[int | None] = []
    real_load = whisperx.load_model

    def load_model(*args, **kwargs):
        pipeline = real_load(*args, **kwargs)
        real_transcribe = pipeline.transcribe

        def transcribe(audio, batch_size=None, **kw):
            calls.append(batch_size)
            if "--oom-once" in argv and len(calls) == 1:
                raise RuntimeError("CUDA failed with error out of memory")
            return real_transcribe(audio, batch_size=batch_size, **kw)

        pipeline.transcribe = transcribe
        return pipeline

    whisperx.load_model = load_model
    settings = transcription.Settings(
        backend="whisperx",
        device="cpu",
        compute_type="int8",
        batch_size=4,
        align_model=str(work / "align"),
        model_dir=str(work),
    )
    result = transcription.transcribe_audio(read_wav(clip), settings, threads=2)
    result["probe_calls"] = calls
    out.write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
