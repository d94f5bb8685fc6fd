"""The pipeline's steps as plain functions: a store, a run id and config dataclasses in,
what they wrote out. The CLI commands only parse arguments into these configs; the local
runner (``silkpipe run``) and the Argo workflow reach the same functions.

=====================  =============================================================
``transcribe_session``  one session's audio -> ``runs/<id>/transcripts/<session>.json``
``align_run``           all transcripts + sensor streams -> the run's label set
``train_run``           label set + clips -> model, scored on held-out data
``evaluate_model``      the run's model on other labelled streams
``report_run``          ``report/index.html``, then ``manifest.json``
=====================  =============================================================

Re-use is keyed by inputs, once, in :mod:`silkpipe.steps.common`.
"""

from silkpipe.alignment import AlignConfig
from silkpipe.steps.align import align_run
from silkpipe.steps.report import report_run
from silkpipe.steps.train import evaluate_model, train_run
from silkpipe.steps.transcribe import TranscribeConfig, transcribe_session
from silkpipe.training import TrainConfig
from silkpipe.transcription import Settings

__all__ = [
    "AlignConfig",
    "Settings",
    "TrainConfig",
    "TranscribeConfig",
    "align_run",
    "evaluate_model",
    "report_run",
    "train_run",
    "transcribe_session",
]
