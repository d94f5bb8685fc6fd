"""Pre-warm the model cache for the GPU steps: ``python prewarm_models.py /models``.

Loads WhisperX's transcription model and its English wav2vec2 alignment model once with
the same calls (and the same ``model_dir``) the transcribe step uses, so their files land in
the cache layout the step finds later with ``HF_HUB_OFFLINE=1``. Run it where the internet
is reachable: at image build time (``--build-arg PREWARM=1``) or as a one-off Job writing
the ``silkpipe-models`` volume (images/README.md). Loading on CPU is enough to download.
"""

from __future__ import annotations

import os
import sys


def main(model_dir: str, model: str = "large-v3", language: str = "en") -> None:
    os.environ.pop("HF_HUB_OFFLINE", None)  # this is the one step allowed to download
    import whisperx

    whisperx.load_model(model, "cpu", compute_type="int8", download_root=model_dir)
    whisperx.load_align_model(language_code=language, device="cpu", model_dir=model_dir)
    print(f"model cache ready in {model_dir}: {model} + wav2vec2 ({language})")


if __name__ == "__main__":
    main(*sys.argv[1:2] or ["/models"])
