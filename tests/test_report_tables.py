"""The report's table cells: a count prints as a whole number, a value never measured
prints as "—" (not align's placeholder 0.00)."""

from __future__ import annotations

import re

from silkpipe.report import _metrics_html, _session_row


def _info(report: dict) -> dict:
    return {
        "session": "s",
        "duration_s": 60.0,
        "audio_s": 60.0,
        "report": report,
        "failures": [],
    }


def test_a_session_refused_before_any_offset_shows_no_confidence_or_quality():
    refused = {
        "excluded": True,
        "reason": "only 2 command(s) found; at least 4 needed",
        "offset_s": None,
        "offset_confidence": 0.0,
        "quality": 0.0,
        "commands": {"jump": 2},
    }
    offset, confidence, quality = _session_row(_info(refused))[-4:-1]
    assert (offset, confidence, quality) == ("—", "—", "—")


def test_a_fitted_session_shows_its_confidence_and_quality():
    fitted = {"excluded": False, "offset_s": 0.5, "offset_confidence": 0.0, "quality": 6.25}
    assert _session_row(_info(fitted))[-4:-1] == ["+0.50", "0.00", "6.25"]


def test_counts_in_the_scores_tables_print_as_whole_numbers():
    metrics = {
        "accuracy": 0.75,
        "windows": 36,
        "per_class": {"jump": {"f1": 0.5, "precision": 1.0, "recall": 0.3333, "support": 2}},
    }
    page = _metrics_html(metrics)
    cells = re.findall(r"<td>([^<]*)</td>", page)
    assert "36" in cells and "2" in cells and "0.750" in cells and "0.333" in cells
    assert "36.000" not in page and "2.000" not in page


def test_the_per_group_table_heads_its_rows_group_not_class():
    """Its rows are the held-out sessions or blocks; it was headed "class" (walk52)."""
    metrics = {
        "per_class": {"jump": {"f1": 0.5, "support": 2}},
        "per_group": {"20251017_135233_session": {"macro_f1": 0.729, "windows": 36}},
    }
    heads = re.findall(r"<thead><tr><th>([^<]*)</th>", _metrics_html(metrics))
    assert heads == ["class", "group"]


def test_every_file_a_published_model_holds_is_described():
    """The report's model files table said nothing of weights.pt, metrics.json,
    confusion.png and test_split.json (walk52)."""
    from silkpipe.report import MODEL_FILE_NOTES
    from silkpipe.steps.train import MODEL_FILES, REPORT_FILES

    for name in (*MODEL_FILES, *REPORT_FILES, "test_split.json"):
        assert MODEL_FILE_NOTES.get(name), name


def test_the_sessions_table_says_what_offset_conf_is():
    """The column "offset conf." was shown with no meaning or unit (walk52)."""
    from types import SimpleNamespace

    from silkpipe.report import _sessions_section

    caption = "".join(_sessions_section(SimpleNamespace(infos=[])))
    assert "offset conf. is" in caption and "standard deviations" in caption
