"""labels.csv of `train/evaluate --sessions DIR` (bad_input_sweep49): a row '-inf,inf,walk'
or '10,1e308,walk' ended the whole training with exit 1 ("OverflowError: cannot convert
float infinity to integer", no session, no file); a byte that is not UTF-8 was named by the
class ("UnicodeDecodeError ...") and the folder, not the file, and evaluate exited 1."""

from __future__ import annotations

import json

import pytest
from test_labels_off_stream import _session

from silkpipe.cli import main


def _two_sessions(data_dir, tmp_path, row: bytes):
    _session(data_dir, tmp_path / "s" / "a", 0.0)
    _session(data_dir, tmp_path / "s" / "b", 0.0)
    with open(tmp_path / "s" / "b" / "labels.csv", "ab") as f:
        f.write(row)
    return tmp_path / "s"


def _train(sessions, out) -> int:
    argv = ["train", "--sessions", str(sessions), "--out", str(out), "--epochs", "1"]
    return main([*argv, "--no-progress"])


@pytest.mark.parametrize(
    "row, why",
    [
        (b"-inf,inf,walk\n", "label walk at -inf-inf s: its times must be finite numbers"),
        (b"10,11,no\xefse\n", "line 214: not UTF-8 text (invalid continuation byte, byte 0xef)"),
    ],
)
def test_a_labels_file_with_a_bad_row_is_named_and_its_session_left_out(
    data_dir, tmp_path, caplog, row, why
):
    sessions = _two_sessions(data_dir, tmp_path, row)
    assert _train(sessions, tmp_path / "out") == 2  # partial: the model, without b
    (warned,) = [r.getMessage() for r in caplog.records if "skipped session b" in r.getMessage()]
    assert f"file {sessions / 'b' / 'labels.csv'}: {why}" in warned
    config = json.loads((tmp_path / "out" / "model" / "config.json").read_text())
    assert config["training"]["trained_on"][0]["streams"] == 1


def test_a_label_reaching_1e308_s_is_read_to_the_end_of_its_stream(data_dir, tmp_path):
    sessions = _two_sessions(data_dir, tmp_path, b"10,1e308,walk\n")
    assert _train(sessions, tmp_path / "out") == 0
    config = json.loads((tmp_path / "out" / "model" / "config.json").read_text())
    assert config["training"]["trained_on"][0]["streams"] == 2


def test_evaluate_refuses_a_labels_file_that_is_not_utf8_naming_it(data_dir, tmp_path, capsys):
    _session(data_dir, tmp_path / "train" / "a", 0.0)
    assert _train(tmp_path / "train", tmp_path / "out") == 0
    sessions = _two_sessions(data_dir, tmp_path, b"10,11,no\xefse\n")
    capsys.readouterr()
    argv = ["evaluate", "--model", str(tmp_path / "out" / "model"), "--sessions", str(sessions)]
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert f"session b, file {sessions / 'b' / 'labels.csv'}: line 214: not UTF-8" in line


def test_a_labels_file_with_a_byte_order_mark_is_read(data_dir, tmp_path):
    """Saved by a Windows editor: "line 1: expected header start,end,label", the session
    left out (bad_input_sweep49), where every other file silkpipe reads skips the mark."""
    sessions = _two_sessions(data_dir, tmp_path, b"")
    labels = sessions / "b" / "labels.csv"
    labels.write_bytes(b"\xef\xbb\xbf" + labels.read_bytes())
    assert _train(sessions, tmp_path / "out") == 0
    config = json.loads((tmp_path / "out" / "model" / "config.json").read_text())
    assert config["training"]["trained_on"][0]["streams"] == 2


def test_a_session_folder_copied_under_a_second_name_is_named_and_left_out(
    data_dir, tmp_path, caplog
):
    """s/b the same sensor_data.csv and labels.csv as s/a: trained on twice, one copy
    could be the validation data of the other (bad_input_sweep49), as the store's train
    step already refuses. A copy whose labels differ is another labelling: read."""
    sessions = _two_sessions(data_dir, tmp_path, b"")
    assert _train(sessions, tmp_path / "out") == 2
    (warned,) = [r.getMessage() for r in caplog.records if "skipped session b" in r.getMessage()]
    assert "is session a's sensor_data.csv and labels.csv byte for byte" in warned
    config = json.loads((tmp_path / "out" / "model" / "config.json").read_text())
    assert config["training"]["trained_on"][0]["streams"] == 1


def test_a_labelled_folder_without_its_sensor_file_is_named(data_dir, tmp_path, caplog):
    """sensor_data.csv saved as 'sensor_data (1).csv': the folder was no session, its
    labels left out without a word (bad_input_sweep49)."""
    sessions = _two_sessions(data_dir, tmp_path, b"1,2,walk\n")
    (sessions / "b" / "sensor_data.csv").rename(sessions / "b" / "sensor_data (1).csv")
    assert _train(sessions, tmp_path / "out") == 2
    (warned,) = [r.getMessage() for r in caplog.records if "skipped session b" in r.getMessage()]
    assert f"file {sessions / 'b'}: holds labels.csv but no sensor_data.csv" in warned
    assert "(it holds 'sensor_data (1).csv': not read)" in warned
