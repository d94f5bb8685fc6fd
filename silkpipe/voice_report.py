"""What score-voice shows people: the printed summary, and score-voice.html with each
session's voice labels over its true labels (beside report.py, the run's own report)."""

from __future__ import annotations

from pathlib import Path


def timeline_png(
    store, run_id: str, name: str, motion, intervals, truth: dict, offset_s: float | None
) -> bytes:
    """Motion, heard commands at the estimated offset, voice labels, and the true labels."""
    import io

    from silkpipe import plots
    from silkpipe.report import transcript_words
    from silkpipe.store import get_json, transcript_key

    try:
        words = transcript_words(get_json(store, transcript_key(run_id, name)))
    except (KeyError, ValueError):
        words = []
    buf = io.BytesIO()
    plots.timeline_png(buf, motion, words, intervals, offset_s, name, truth=truth["intervals"])
    return buf.getvalue()


def write_report(out_dir: Path, result: dict, timelines: dict[str, bytes]) -> Path:
    """``score-voice.html`` (+ one timeline PNG per session) beside the models: the
    numbers, and each session's voice labels over its true labels, to check by eye."""
    import html

    from silkpipe.store import FileStore

    files = FileStore(out_dir)  # its writes are whole or nothing
    parts = [
        "<!doctype html><meta charset='utf-8'><title>silkpipe score-voice</title>",
        # pre-wrap: the summary's longest lines ran past the page's edge, cut off
        "<style>body{font-family:sans-serif;margin:2em}"
        "pre{background:#f4f4f4;padding:1em;white-space:pre-wrap}"
        "img{max-width:100%}</style>",
        f"<h1>Voice path against truth ({html.escape(result['backend'])})</h1>",
        "<pre>" + html.escape("\n".join(summary_lines(result))) + "</pre>",
        "<h2>Sessions</h2><p>Each figure: the motion with the voice labels as bands, and "
        "along its bottom a solid strip, the true labels; under it, the heard commands at "
        "the estimated offset.</p>",
    ]
    for name, png in timelines.items():
        row = result["sessions"].get(name, {})
        files.put_bytes(f"{name}.png", png)
        verdict = "excluded: " + row.get("reason", "") if row.get("excluded") else "trained on"
        words = row.get("word_labels") or {}
        if words.get("words"):
            verdict += (
                f"; words' labels within 0.3 s: {words['within_0_3s']:.0%}, more than 0.5 s "
                f"off: {words['over_0_5s']:.0%}, none: {words['unlabelled']} of {words['words']}"
            )
        parts.append(
            f"<h3>{html.escape(name)}</h3><p>{html.escape(verdict)}</p>"
            f"<img src='{html.escape(name)}.png' alt='{html.escape(name)}'>"
        )
    files.put_bytes("score-voice.html", "\n".join(parts).encode())
    return out_dir / "score-voice.html"


def summary_lines(result: dict) -> list[str]:
    """A short human-readable table of a score_voice result."""
    lines = [
        "session                                   offset true    est    error  quality excl  "
        + WORD_HEADER
    ]
    for name, r in result["sessions"].items():
        if "error" in r:
            lines.append(f"{name:40s}  {r['error']}")
            continue
        est = "-" if r["offset_est"] is None else f"{r['offset_est']:+7.2f}"
        err = "-" if r["offset_error"] is None else f"{r['offset_error']:+6.2f}"
        lines.append(
            f"{name:40s}  {r['offset_true']:+7.2f} {est:>7s} {err:>7s} "
            f"{r['quality']:7.2f} {r['excluded']!s:5s} {word_columns(r.get('word_labels'))}"
        )
    o = result["offset"]
    lines.append(
        f"offset within 0.3 s: {o['within_0_3s']:.0%} of {o['sessions']} sessions; "
        f"within 1 s: {o['within_1s']:.0%}; median |error| {o['median_abs_error_s']} s"
    )
    if o.get("gesture_sessions_within_0_3s") is not None:
        lines.append(
            f"  sessions with gestures: {o['gesture_sessions_within_0_3s']:.0%} of "
            f"{o['gesture_sessions']} within 0.3 s"
        )
    if "false_passes" in o:
        lines.append(
            f"passed the gate: {o['passed_gate']}; of them more than 0.5 s off: {o['false_passes']}"
        )
    lines += _word_lines(o)
    lines.append(
        "labels (sessions trained on; unlabelled truth counts as wrong): class precision recall"
    )
    for cls, v in result["labels"].items():
        lines.append(f"  {cls:6s} {v['precision']!s:>9} {v['recall']!s:>7}")
    if result.get("labelled_on_same_class") is not None:
        lines.append(
            f"  labelled time on truth of the same class: {result['labelled_on_same_class']}"
        )
    lines += _landing_lines(result.get("labels_land_on") or {})
    lines += _control_lines(result) + _model_lines(result)
    for err in result["errors"]:
        lines.append(f"note: {err}")
    if result.get("report"):
        lines.append(f"report: {result['report']}")
    return lines


#: The per-session word columns: how many words were said, the shares of them whose label
#: starts within 0.3 s / 0.5 s of their gesture's start (true time), more than 0.5 s off,
#: with no label, and the median |error| of the labelled ones (silkpipe.word_labels).
WORD_HEADER = "words <=0.3s <=0.5s >0.5s none median"


def word_columns(w: dict | None) -> str:
    """A session's word figures under WORD_HEADER ("-" where the session has none)."""
    if not w or not w.get("words"):
        return "-"
    med = "-" if w["median_abs_error_s"] is None else f"{w['median_abs_error_s']:.2f}"
    return (
        f"{w['words']:5d} {w['within_0_3s']:6.2f} {w['within_0_5s']:6.2f} "
        f"{w['over_0_5s']:5.2f} {w['unlabelled']:4d} {med:>6s}"
    )


def _word_lines(o: dict) -> list[str]:
    """The gate read word by word: passed sessions whose labels are off for many words,
    next to the offset reading above, and the passed sessions' words pooled."""
    if "word_false_passes" not in o:
        return []
    w = o.get("passed_words") or {}
    from silkpipe.word_labels import OFF_S, OFF_SHARE

    lines = [
        f"  of them with more than {OFF_SHARE:.0%} of words' labels more than {OFF_S} s off: "
        f"{o['word_false_passes']}"
    ]
    if w.get("words"):
        lines.append(
            f"  words said in passed sessions: {w['words']}; label start within 0.3 s of the "
            f"gesture's: {w['within_0_3s']:.0%}, within 0.5 s: {w['within_0_5s']:.0%}, more "
            f"than 0.5 s off: {w['over_0_5s']:.0%}, no label: "
            f"{w['unlabelled'] / w['words']:.0%} ({w['unlabelled']}); median "
            f"|error| {w['median_abs_error_s']} s"
        )
    return lines


def _landing_lines(landing: dict) -> list[str]:
    """Where the wrong label time lies: the unlabelled motion between gestures cut from the
    class's own recordings (noise on noise filler), other filler, another class's gesture
    (only this teaches the model a gesture under the wrong name), or time the truth marks
    nothing on (sample sessions have no filler truth: all their wrong time lies there, and
    without the column the row read all zeros beside a precision under 1)."""
    rows = [(cls, v) for cls, v in landing.items() if v is not None]
    if not rows:
        return []
    lines = [
        "  wrong label time lies on: class own-class-filler other-filler other-gesture no-truth"
    ]
    for cls, v in rows:
        lines.append(
            f"  {cls:6s} {v['own_class_filler']:>10} {v['other_filler']:>12} "
            f"{v['other_gesture']:>13} {v.get('no_truth', 0.0):>8}"
        )
    return lines


def _control_lines(result: dict) -> list[str]:
    c = result["controls"]
    lines = [
        f"shuffled-audio controls excluded: {c['excluded']}/{c['n']}"
        f" (false-pass rate {c.get('false_pass_rate')})"
    ]
    shifted = result.get("shifted_controls")
    if shifted:
        lines.append(
            f"shifted-audio controls (one gesture period; 5-20 s): excluded "
            f"{shifted['excluded']}/{shifted['n']}, corrected {shifted['corrected']}, "
            f"false-pass rate {shifted['false_pass_rate']}; of the false passes "
            f"{shifted.get('false_passes_at_window_edge', 0)} at the search window's "
            "edge"
        )
    return lines


def _model_lines(result: dict) -> list[str]:
    lines = []
    names = {
        "voice": "voice-labelled sessions",
        "voice_adapted": "voice-labelled sessions, self-trained on every session's motion",
        "truth": "the same sessions, true labels",
        "clips": "labelled clips",
        "played_clips": "the clips those sessions played as gestures",
    }
    for key, what in names.items():
        if key in result["models"]:
            model = result["models"][key]
            seeds = model.get("macro_f1_per_seed")
            lines.append(
                f"model trained on {what}: macro-F1 {model['macro_f1']}"
                + (f" (mean of seeds: {', '.join(map(str, seeds))})" if seeds else "")
            )
    seen = result.get("eval_clips_seen_in_training") or []
    if seen and result["models"]:  # the JSON alone said so: the scores read as held out
        lines.append(
            f"note: {len(seen)} of the evaluation clips (--clips) were trained on (the sessions "
            "were built from them, or --train-clips holds them): these macro-F1s are not "
            "wholly held out; give --clips clips of a block the sessions were not built from"
        )
    if "f1_gap" in result["models"]:
        lines.append(f"gap, clip-trained minus voice-trained: {result['models']['f1_gap']:+.4f}")
    if "f1_gap_adapted" in result["models"]:
        gap = result["models"]["f1_gap_adapted"]
        lines.append(f"gap, clip-trained minus self-trained voice: {gap:+.4f}")
    part = result["models"].get("taught_classes")
    if part:
        lines.append(
            f"on evaluation clips of the classes voice labels taught "
            f"({', '.join(part['classes'])}): "
            + ", ".join(
                f"{k} {part[k]}" for k in ("voice", "voice_adapted", "truth", "clips") if k in part
            )
        )
    return lines
