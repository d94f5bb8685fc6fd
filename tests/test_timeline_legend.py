"""A timeline's class legend sits in a row of its own above the first row's axes: drawn
inside them (upper right) it hid the motion and the labels there (walk52)."""

from __future__ import annotations

import io

import numpy as np

from silkpipe import plots


def _drawn(monkeypatch, session: str, scale: float = 1.0):
    figures = []
    monkeypatch.setattr(plots, "_save", lambda fig, path: figures.append(fig))
    t = np.arange(0.0, 130.0, 0.02)
    bands = [(10.0 * i + 1, 10.0 * i + 3, c) for i, c in enumerate(plots.CLASSES * 2)]
    words = [{"word": "jump", "start": 1.0, "cls": "jump"}]
    plots.timeline_png(
        io.BytesIO(),
        (t, 5 + 5 * np.abs(np.sin(t))),
        words,
        bands,
        -1.2,
        session,
        truth=bands,
        scale=scale,
    )
    fig = figures[0]
    fig.canvas.draw()
    return fig, fig.axes[0]


def test_the_legend_lies_above_the_first_axes_not_on_them(monkeypatch):
    fig, ax = _drawn(monkeypatch, "20251017_143627_session")
    legend = ax.get_legend().get_window_extent()
    assert legend.y0 >= ax.get_window_extent().y1 - 1
    assert legend.y1 <= fig.bbox.y1


def test_a_long_title_does_not_run_under_the_legend(monkeypatch):
    name = "a_rather_long_session_name_20251017_143627_session"
    fig, ax = _drawn(monkeypatch, name, scale=1.0012)
    legend = ax.get_legend().get_window_extent()
    title = ax.title.get_window_extent()
    assert title.y0 >= legend.y1 - 1 and title.y1 <= fig.bbox.y1
