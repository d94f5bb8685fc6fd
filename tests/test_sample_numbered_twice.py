"""Two files for one sample number in a sample-dialect folder (``jump_sample1.csv``
beside ``jump_sample01.csv``): the second is named and not read. Both were read, laid
over each other at the sample's slot of the block's clock: the sample counted twice."""

from __future__ import annotations

import shutil

import pytest

from silkpipe.clips import load_clip_streams
from silkpipe.errors import InputError


def _folder(tmp_path, data_dir):
    source = data_dir / "clips-20251014"
    shutil.copyfile(source / "session_metadata.json", tmp_path / "session_metadata.json")
    for path in sorted(source.glob("jump_sample0[12].csv")):
        shutil.copyfile(path, tmp_path / path.name)
    shutil.copyfile(source / "jump_sample01.csv", tmp_path / "jump_sample1.csv")
    return tmp_path


def test_a_second_file_for_a_sample_number_is_named_and_skipped(tmp_path, data_dir):
    refused = []
    streams = load_clip_streams(
        _folder(tmp_path, data_dir), on_error=lambda p, e: refused.append((p, e))
    )
    assert sorted(st.name for st in streams) == ["jump_sample01", "jump_sample02"]
    ((path, err),) = refused
    assert path.name == "jump_sample1.csv"
    assert "is sample 1 of jump as jump_sample01.csv is" in str(err)


def test_without_a_handler_it_is_an_error(tmp_path, data_dir):
    with pytest.raises(InputError, match="jump_sample1.csv"):
        load_clip_streams(_folder(tmp_path, data_dir))


@pytest.mark.parametrize("bad_first", [True, False])
def test_a_bad_file_for_a_sample_number_leaves_the_good_one_read(tmp_path, data_dir, bad_first):
    """Of two files for one sample number, one cut off: only the one that reads holds the
    sample's slot, whichever comes first (a file is recorded for its number once read);
    the bad one is named once, by its own fault, not as a second file."""
    folder = _folder(tmp_path, data_dir)
    bad = folder / ("jump_sample01.csv" if bad_first else "jump_sample1.csv")
    bad.write_text(bad.read_text()[:300])
    refused = []
    streams = load_clip_streams(folder, on_error=lambda p, e: refused.append((p.name, str(e))))
    good = "jump_sample1" if bad_first else "jump_sample01"
    assert sorted(st.name for st in streams) == sorted([good, "jump_sample02"])
    ((name, why),) = refused
    assert name == bad.name and "cut off" in why and "two files" not in why, why


@pytest.mark.parametrize("make", ["copy", "link"])
def test_a_sample_holding_another_samples_bytes_is_named_and_skipped(tmp_path, data_dir, make):
    """jump_sample04.csv a copy of jump_sample01.csv (or a link to it in the folder): read
    as one more jump at slot 4 without a word (bad_input_sweep49), trained twice and held
    out while trained on."""
    folder = _folder(tmp_path, data_dir)
    (folder / "jump_sample1.csv").unlink()
    if make == "copy":
        shutil.copyfile(folder / "jump_sample01.csv", folder / "jump_sample04.csv")
    else:
        (folder / "jump_sample04.csv").symlink_to("jump_sample01.csv")
    refused = []
    streams = load_clip_streams(folder, on_error=lambda p, e: refused.append((p.name, str(e))))
    assert sorted(st.name for st in streams) == ["jump_sample01", "jump_sample02"]
    ((name, why),) = refused
    assert name == "jump_sample04.csv"
    assert "holds the same bytes as jump_sample01.csv (a copy, or a link to it?)" in why


def test_no_real_sample_holds_another_samples_bytes(data_dir):
    folder = data_dir / "clips-20251014"
    assert len(load_clip_streams(folder)) == len(list(folder.glob("*.csv")))


def test_synth_refuses_a_sample_folder_holding_a_samples_copy(tmp_path, data_dir):
    """synth --from-clips read the sample folder itself (semireal.sample_layout): the copy
    was played as one more gesture of its class, truth.json counting it."""
    from silkpipe.semireal import load_clips

    folder = _folder(tmp_path, data_dir)
    (folder / "jump_sample1.csv").unlink()
    shutil.copyfile(folder / "jump_sample01.csv", folder / "jump_sample04.csv")
    with pytest.raises(InputError, match="jump_sample04.csv: holds the same bytes as jump_sa"):
        load_clips(folder)
