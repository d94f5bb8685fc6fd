"""A clip folder travels whole: the store and the steps' scratch copies carry the sample
dialect's session_metadata.json, without which its clips cannot be read."""

from __future__ import annotations

from pathlib import Path

from silkpipe.clips import METADATA_NAME, clip_folder_files, load_clip_streams
from silkpipe.pipeline import _upload_clips
from silkpipe.steps.align import run_clip_model
from silkpipe.steps.train import folder_clips
from silkpipe.store import clip_key, open_store


def _sample_folder(data_dir: Path, tmp_path: Path, per_class: int = 4) -> Path:
    """A small copy of the 2025-10-14 (sample dialect) folder: a few clips per class."""
    src = data_dir / "clips-20251014"
    out = tmp_path / "clips-20251014"
    out.mkdir()
    (out / METADATA_NAME).write_bytes((src / METADATA_NAME).read_bytes())
    for cls in ("jump", "punch", "turn", "walk", "noise"):
        for path in sorted(src.glob(f"{cls}_*.csv"))[:per_class]:
            (out / path.name).write_bytes(path.read_bytes())
    return out


def test_clip_folder_files_include_the_sample_dialects_metadata(data_dir, tmp_path):
    folder = _sample_folder(data_dir, tmp_path)
    names = [p.name for p in clip_folder_files(folder)]
    assert METADATA_NAME in names and sum(n.endswith(".csv") for n in names) == len(names) - 1
    assert METADATA_NAME not in [p.name for p in clip_folder_files(data_dir / "clips-dev")]


def test_uploaded_sample_dialect_clips_can_be_read_back(data_dir, tmp_path):
    folder = _sample_folder(data_dir, tmp_path)
    store = open_store(str(tmp_path / "store"))
    skipped: dict[str, str] = {}
    uploaded = _upload_clips(store, folder, skipped)
    assert not skipped and METADATA_NAME in uploaded
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in uploaded:  # as the train and align steps rebuild the folder
        (copy / name).write_bytes(store.get_bytes(clip_key(name)))
    assert {st.intervals[0].label for st in load_clip_streams(copy)} >= {"jump", "punch", "turn"}


def test_align_clip_model_from_a_sample_dialect_folder(data_dir, tmp_path):
    """Before, the scratch copy held the CSVs alone: the folder could not be read and the
    alignment silently fell back to its self-trained class evidence."""
    folder = _sample_folder(data_dir, tmp_path)
    assert METADATA_NAME in folder_clips(folder)
    model, clips_hash = run_clip_model(None, "r", {"clips": {}}, folder)
    assert model is not None and clips_hash
