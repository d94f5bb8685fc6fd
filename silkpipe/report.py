"""The run report: one self-contained HTML page per run, and the run manifest.

The page embeds every image (base64) and has no external resources, so it opens offline
and previews in the Argo UI. It is built only from artifacts in the store; a piece that
is missing (no model because training failed, a session without labels) is shown as
missing, never fatal. The manifest (``runs/<id>/manifest.json``) is written last: a run
without it is incomplete.

A report is published whole or not at all, in a folder store as on S3: the PNG files
beside the page go to a folder of their own page (``report/figures/<version>/``), the
page is written last in one write (it is the switch), and only then are the figures of
the pages it replaced deleted. A report killed before its page is written leaves the old
page and its figures as they were; the next report deletes the orphaned folder at once
when the killed one's writer mark is left here and held by no process, and keeps a
folder whose report still holds its mark (another report of the run, not yet switched);
a folder with no mark here (another machine's report) waits ORPHANED_AFTER. A report that
fails (an exception, Ctrl-C: not a kill) deletes its own folder and mark on its way out.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import logging
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from silkpipe import plots
from silkpipe import store as keys
from silkpipe.errors import InputError, json_number, parse_json
from silkpipe.labels import parse_labels_csv
from silkpipe.locks import writer_state, writing
from silkpipe.vocabulary import CLASSES, normalise_word, word_class

log = logging.getLogger(__name__)

MODEL_FILE_NOTES = {
    "model.ts": "TorchScript",
    "model.onnx": "ONNX",
    "weights.pt": "PyTorch weights (state dict)",
    "config.json": "label map, normalisation, window",
    "history.json": "per-epoch training history",
    "metrics.json": "scores on the held-out test set (or why there are none)",
    "confusion.png": "confusion matrix on the held-out test set",
    "test_split.json": "the sessions or blocks held out as the test set",
}


# ---- reading artifacts (every reader returns None when the piece is missing) ----------


def _json(store, key: str) -> Any:
    """A JSON document of the store, None when absent or unreadable (warned): a session's
    metadata.json is the user's, and any text parse_json refuses (nesting deeper than the
    parser recurses, an integer of 5000 digits) must not stop the report."""
    try:
        data = store.get_bytes(key)
    except KeyError:
        return None
    try:
        return parse_json(data, path=key)
    except InputError as err:
        log.warning("report: %s", err)
        return None


def _text(store, key: str) -> str | None:
    try:
        return store.get_bytes(key).decode("utf-8")
    except KeyError:
        return None
    except UnicodeDecodeError as err:
        log.warning("report: %s is not UTF-8 text: %s", key, err)
        return None


def transcript_words(transcript: dict) -> list[dict]:
    """WhisperX words with a start time, with their gesture class (None if not a command)."""
    raw: list = []
    for segment in transcript.get("segments") or []:
        raw.extend(segment.get("words") or [])
    if not raw:
        raw = list(transcript.get("word_segments") or [])
    words = []
    for w in raw:
        start = w.get("start")
        if not isinstance(start, int | float):
            continue  # WhisperX leaves numbers and symbols untimed
        text = str(w.get("word", ""))
        words.append({"word": text, "start": float(start), "cls": word_class(normalise_word(text))})
    return words


def run_sessions(store, run_id: str) -> list[str]:
    """Sessions of a run: its inputs.json's, else the store's and its transcripts', plus those
    its current label set and failure records name. With inputs.json, a transcript of a
    session it does not hold is left from an earlier run under the same id: not shown."""
    inputs = _json(store, keys.run_inputs_key(run_id))
    labels = keys.published_prefix(store, run_id, "labels")
    if isinstance(inputs, dict) and isinstance(inputs.get("sessions"), dict):
        names = set(inputs["sessions"])
        named = store.list(labels)
    else:
        names = {k.split("/")[1] for k in store.list("sessions") if k.count("/") >= 2}
        named = store.list(keys.transcripts_prefix(run_id)) + store.list(labels)
    for key in named:
        stem = key.rsplit("/", 1)[1].rsplit(".", 1)[0]
        if stem != "summary":
            names.add(stem)
    for key in store.list(keys.failures_prefix(run_id)):
        names.add(key.rsplit("/", 1)[1].rsplit(".", 1)[0])
    summary = _dict(_json(store, keys.labels_summary_key(labels)))
    for listed in (summary.get("sessions"), summary.get("failed")):
        if isinstance(listed, list | dict):
            names.update(n for n in listed if isinstance(n, str))
    return sorted(names)


def failures(store, run_id: str) -> list[dict]:
    """Failure records of every step, plus align failures named only in summary.json."""
    out = []
    for key in store.list(keys.failures_prefix(run_id)):
        parts = key.split("/")
        record = _dict(_json(store, key))  # a record edited into a list: AttributeError, exit 1
        out.append(
            {
                "step": str(record.get("step") or parts[-2]),
                "session": str(record.get("session") or parts[-1].rsplit(".", 1)[0]),
                "error": str(record.get("error", "")),
            }
        )
    summary = _dict(
        _json(store, keys.labels_summary_key(keys.published_prefix(store, run_id, "labels")))
    )
    recorded = {(f["step"], f["session"]) for f in out}
    failed = summary.get("failed")
    for session, error in (failed if isinstance(failed, dict) else {}).items():
        if ("align", session) not in recorded:
            out.append({"step": "align", "session": session, "error": str(error)})
    return sorted(out, key=lambda f: (f["session"], f["step"]))


def session_info(store, run_id: str, session: str, fails: list[dict]) -> dict:
    meta = _dict(_json(store, keys.session_key(session, "metadata.json")))
    transcript = _json(store, keys.transcript_key(run_id, session))
    transcript = transcript if isinstance(transcript, dict) else None
    labels_dir = keys.published_prefix(store, run_id, "labels")
    report = _json(store, f"{labels_dir}/{session}.json")
    report = report if isinstance(report, dict) else None
    labels_key = f"{labels_dir}/{session}.csv"
    labels = _text(store, labels_key)
    tinfo = _dict((transcript or {}).get("silkpipe"))
    return {
        "session": session,
        "duration_s": json_number(meta.get("actual_duration_sec"))
        or json_number((report or {}).get("imu_seconds")),
        "audio_s": json_number(tinfo.get("audio_seconds"))
        or json_number(meta.get("audio_duration_sec")),
        "transcribe_wall_s": json_number(tinfo.get("wall_seconds")),
        "transcript": transcript,
        "report": report,
        "labels": (
            parse_labels_csv(labels, source=labels_key, session=session, skip_bad=True)
            if labels is not None
            else None
        ),
        "failures": [f for f in fails if f["session"] == session],
    }


def _dict(value: Any) -> dict:
    """A JSON object read from an input, or {} when it is something else (a list, a number)."""
    return value if isinstance(value, dict) else {}


# ---- HTML pieces ------------------------------------------------------------------------


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _num(value: Any, fmt: str = "{:.2f}") -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return fmt.format(value)
    return "—" if value is None else _e(value)


def _score(value: Any) -> str:
    """A figure of the evaluate JSON: a count (windows, support, events) as a whole number,
    a score or rate to three places."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _num(value, "{:.3f}")


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{_e(alt)}" src="data:image/png;base64,{data}">'


def _missing(what: str) -> str:
    return f'<p class="missing">{_e(what)}</p>'


def _table(header: list[str], rows: list[list[str]], cls: str = "") -> str:
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _session_row(info: dict) -> list[str]:
    rep = info["report"] or {}
    commands = rep.get("commands") or {}
    if info["failures"]:
        status = '<span class="bad">failed</span> ' + "<br>".join(
            f"{_e(f['step'])}: {_e(f['error'])}" for f in info["failures"]
        )
    elif rep.get("excluded"):
        status = f'<span class="warn">excluded</span> {_e(rep.get("reason", ""))}'
    elif rep:
        status = '<span class="good">used</span>'
    else:
        status = '<span class="warn">no labels</span>'
    return [
        _e(info["session"]),
        _num(info["duration_s"], "{:.1f}"),
        _num(info["audio_s"], "{:.1f}"),
        *[_num(commands.get(c), "{:g}") if commands else "—" for c in CLASSES],
        _num(rep.get("offset_s"), "{:+.2f}"),
        *_fit_cells(rep),
        status,
    ]


def _fit_cells(rep: dict) -> list[str]:
    """Offset confidence and label quality; a session refused before any offset was searched
    carries align's placeholders there, never measured: shown as none."""
    if rep.get("offset_s") is None:
        return ["—", "—"]
    return [_num(rep.get("offset_confidence")), _num(rep.get("quality"))]


#: Headings of the evaluate JSON's tables (other keys are shown by name).
TITLES = {
    "events": "Events on stitched clip streams (detected within ±0.5 s)",
    "session_events": "Events on whole sessions: the model slid over each stream "
    "(detected within ±0.5 s; every truth gesture, said or not)",
    "session_spotting": "Sessions spotted",
    "predicted_without_truth": "Windows called a class the truth never holds "
    "(misses of their true classes; macro_f1 averages only the classes the truth holds)",
}
#: The evaluate JSON's spotting tables, copied from an `evaluate --report` run beside the
#: published model's own scores.
SPOTTING_KEYS = ("events", "session_events", "session_spotting")
#: What a row of the evaluate JSON's tables is, where it is not a class.
ROW_HEADS = {"per_group": "group"}


def _title(key: str) -> str:
    return f"<h3>{_e(TITLES.get(key, key))}</h3>"


def _metrics_html(metrics: dict) -> str:
    """The evaluate JSON, whatever its exact shape: scalars, per-class tables, matrices."""
    parts = []
    scalars = [
        [_e(k), _score(v)] for k, v in metrics.items() if isinstance(v, int | float | str | bool)
    ]
    if scalars:
        parts.append(_table(["figure", "value"], scalars, "narrow"))
    labels = metrics.get("labels") or metrics.get("classes") or list(CLASSES)
    for key, value in metrics.items():
        if isinstance(value, dict) and isinstance(value.get("matrix"), list):
            value, labels = value["matrix"], value.get("labels") or labels  # {labels, matrix}
        if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            columns = sorted({c for v in value.values() for c in v})
            rows = [[_e(name)] + [_score(v.get(c)) for c in columns] for name, v in value.items()]
            head = ROW_HEADS.get(key, "class")
            parts.append(_title(key) + _table([head, *map(_e, columns)], rows))
        elif isinstance(value, dict) and value:
            rows = [
                [_e(k), _score(v)]
                for k, v in value.items()
                if isinstance(v, int | float | str | bool)
            ]
            parts.append(_title(key) + _table(["", "value"], rows, "narrow"))
        elif (
            isinstance(value, list)
            and value
            and all(isinstance(r, list) for r in value)
            and len(labels) == len(value)
        ):
            rows = [[_e(labels[i])] + [_num(x, "{}") for x in row] for i, row in enumerate(value)]
            header = ["true \\ predicted", *map(_e, labels[: len(value[0])])]
            parts.append(_title(key) + _table(header, rows, "matrix"))
    return "".join(parts)


CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px auto;max-width:1400px;
color:#222;padding:0 16px}
h1{margin-bottom:4px}h2{border-bottom:2px solid #ddd;padding-bottom:4px;margin-top:32px}
table{border-collapse:collapse;margin:8px 0;font-size:14px}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:right;vertical-align:top}
th{background:#f0f0f0}td:first-child,th:first-child{text-align:left}
td:last-child,th:last-child{text-align:left;max-width:420px}
table.narrow td{min-width:80px}
.missing{color:#a60;font-style:italic}.bad{color:#c00;font-weight:bold}
.warn{color:#b60;font-weight:bold}.good{color:#080;font-weight:bold}
img{max-width:100%;border:1px solid #eee;margin:6px 0}
.meta{color:#666}.tiles{display:flex;gap:12px;flex-wrap:wrap}
.tile{background:#f6f8fa;border:1px solid #ddd;border-radius:6px;padding:8px 14px}
.tile b{display:block;font-size:22px}
"""


# ---- building -------------------------------------------------------------------------


def _timeline(store, run_id: str, info: dict) -> tuple[bytes | None, str]:
    """Render one session's timeline PNG; returns (png or None, why not)."""
    from silkpipe.sessions import parse_sensor_csv, resample
    from silkpipe.validation import check_sensor_streams

    session = info["session"]
    sensor_key = keys.session_key(session, "sensor_data.csv")
    text = _text(store, sensor_key)
    if text is None:
        return None, "sensor data missing"
    try:
        raw = parse_sensor_csv(text, source=sensor_key, session=session)
        # checked as align checks it before the grid is sized from its span: a session
        # align refused for its span was slow and memory-hungry to plot
        # (bench/notes/session_bad_input_sweep.txt)
        check_sensor_streams(raw, session=session, path=sensor_key)
        motion = resample(raw)
        words = transcript_words(info["transcript"]) if info["transcript"] else []
        rep = info["report"] or {}
        buf = io.BytesIO()
        plots.timeline_png(
            buf,
            motion,
            words,
            info["labels"] or [],
            rep.get("offset_s"),
            session,
            scale=float(rep.get("clock_scale") or 1.0),
        )
        return buf.getvalue(), ""
    except Exception as err:  # one bad session never sinks the report
        log.warning("report: no timeline for %s: %s", session, err)
        return None, f"timeline not rendered: {err}"


def _clock(store, info: dict) -> tuple[bytes | None, str]:
    """One session's arrival-vs-rebuilt-clock PNG and a line on its time model and verdict."""
    from silkpipe.sessions import parse_sensor_csv

    session = info["session"]
    sensor_key = keys.session_key(session, "sensor_data.csv")
    text = _text(store, sensor_key)
    if text is None:
        return None, ""
    try:
        raw = parse_sensor_csv(text, source=sensor_key, session=session)
    except Exception as err:  # one bad session never sinks the report
        return None, f"clock not rendered: {err}"
    if raw.clock_rows is None:
        return None, ""
    buf = io.BytesIO()
    plots.clock_png(buf, raw.clock_rows, raw.time_model, session)
    rep = info["report"] or {}
    line = f"time model <b>{_e(raw.time_model.get('kind'))}</b>: {_e(raw.time_model.get('reason'))}"
    if rep:
        verdict = f'<span class="good">used</span> (gate: {_e(rep.get("gate") or "energy")})'
        if rep.get("excluded"):
            verdict = '<span class="warn">refused</span> ' + _e(rep.get("reason", ""))
        fit = (  # no offset: factor and p are align's placeholders, never tested
            "; no offset estimated (no clock factor or class-signature p to show)"
            if rep.get("offset_s") is None
            else f"; clock factor {_num(rep.get('clock_scale', 1.0), '{:.4f}')}, offset "
            f"{_num(rep.get('offset_s'), '{:+.2f}')} s, class-signature p "
            f"{_num(rep.get('signature_p'), '{:.3f}')}"
        )
        line += (
            f"{fit}, {rep.get('unlabelled_commands', 0)} command(s) outside the IMU stream "
            f"(unlabelled). Verdict: {verdict}"
        )
    return buf.getvalue(), f"<p>{line}</p>"


@dataclass
class _RunArtifacts:
    """What the report reads from the store, loaded once before any section is drawn."""

    run_id: str
    report_dir: str
    fails: list[dict]
    sessions: list[str]
    infos: list[dict]
    summary: Any
    model_dir: str
    scores_dir: str
    metrics: Any
    history: Any
    model_keys: list[str]
    figures_dir: str  # this page's own PNG files (report_figures_prefix)


def _load_artifacts(store, run_id: str) -> _RunArtifacts:
    """Read every artifact the page shows; a missing one reads as None, never an error."""
    report_dir = keys.report_prefix(run_id)
    fails = failures(store, run_id)
    sessions = run_sessions(store, run_id)
    infos = [session_info(store, run_id, s, fails) for s in sessions]
    summary = _json(store, keys.labels_summary_key(keys.published_prefix(store, run_id, "labels")))
    model_dir = keys.published_prefix(store, run_id, "model")
    scores_dir = model_dir if keys.published(store, run_id, "model") else report_dir
    return _RunArtifacts(
        run_id=run_id,
        report_dir=report_dir,
        fails=fails,
        sessions=sessions,
        infos=infos,
        summary=summary,
        model_dir=model_dir,
        scores_dir=scores_dir,
        metrics=_json(store, f"{scores_dir}/metrics.json"),
        history=_json(store, f"{model_dir}/history.json"),
        model_keys=store.list(model_dir),
        figures_dir=keys.report_figures_prefix(run_id, keys.new_version()),
    )


def _summary_section(store, art: _RunArtifacts) -> list[str]:
    """Title, generation stamp and the summary tiles."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    infos, metrics = art.infos, art.metrics
    aligned = [i for i in infos if i["report"]]  # an excluded session's label file is empty
    excluded = [i for i in aligned if i["report"].get("excluded")]
    failed_sessions = sorted({f["session"] for f in art.fails})
    # a session's own whisperx_output.json was not transcribed here: its audio (from
    # metadata.json) would inflate both the seconds and the speed
    transcribed = [i for i in infos if i["transcript"] and i["transcribe_wall_s"]]
    audio = sum(float(i["audio_s"] or 0) for i in transcribed)
    wall = sum(float(i["transcribe_wall_s"]) for i in transcribed)
    tiles = [
        ("sessions", str(len(art.sessions))),
        ("labelled", str(len(aligned) - len(excluded))),
        ("excluded", str(len(excluded))),
        ("failed", str(len(failed_sessions))),
        ("audio transcribed", f"{audio:.0f} s" if audio else "—"),
        ("transcription speed", f"{audio / wall:.1f}× real time" if wall > 0 else "—"),
        ("model", "trained" if art.model_keys else "none"),
    ]
    if _scored(metrics) or _no_test_split(metrics):
        tiles.append(_score_tile(metrics))
    body = [
        f"<h1>silkpipe run <code>{_e(art.run_id)}</code></h1>",
        f'<p class="meta">report generated {now} from <code>{_e(store.uri)}</code></p>',
        '<section id="summary"><h2>Run summary</h2><div class="tiles">',
        *(f'<div class="tile">{_e(k)}<b>{_e(v)}</b></div>' for k, v in tiles),
        "</div>",
    ]
    if art.summary is None:
        body.append(_missing("labels/summary.json missing: the align step did not finish"))
    body.append("</section>")
    return body


def _score_tile(metrics: dict) -> tuple[str, str]:
    """The held-out macro-F1 with how many windows it was scored on: a test set of one
    short session (36 windows on the real sessions) reads as a figure to trust otherwise."""
    if not _scored(metrics):
        return ("macro-F1 (held out)", "none: no test split")
    windows = metrics.get("windows")
    on = f", {windows:.0f} windows" if isinstance(windows, int | float) else ""
    return (f"macro-F1 (held out{on})", f"{metrics['macro_f1']:.3f}")


def _sessions_section(art: _RunArtifacts) -> list[str]:
    """One row per session, then labelled seconds per class as bars."""
    infos = art.infos
    labelled = [i for i in infos if i["report"]]
    header = [
        "session",
        "duration s",
        "audio s",
        *CLASSES,
        "offset s",
        "offset conf.",
        "label quality",
        "status",
    ]
    body = ['<section id="sessions"><h2>Sessions</h2>']
    body.append(
        "<p>Commands per class as heard; offset is audio→IMU (t_imu = t_audio + "
        "offset); offset conf. is how far the offset's score stands above the other "
        "offsets searched and label quality how far it stands above shuffled commands, "
        "both in standard deviations (about 0 is chance).</p>"
    )
    body.append(
        _table(header, [_session_row(i) for i in infos])
        if infos
        else _missing("no sessions in this run")
    )
    if labelled:
        buf = io.BytesIO()
        plots.class_bars_png(
            buf,
            [(i["session"], i["report"].get("labelled_seconds") or {}) for i in labelled],
            "labelled seconds",
        )
        body.append("<h3>Labelled seconds per class</h3>" + _img(buf.getvalue(), "labelled"))
    body.append("</section>")
    return body


def _failures_section(fails: list[dict]) -> list[str]:
    """Every recorded step failure, or a line saying there were none."""
    return [
        '<section id="failures"><h2>Failures</h2>',
        _table(
            ["session", "step", "error"],
            [[_e(f["session"]), _e(f["step"]), _e(f["error"])] for f in fails],
        )
        if fails
        else "<p>No step failed for any session.</p>",
        "</section>",
    ]


def _timelines_section(store, art: _RunArtifacts) -> list[str]:
    """Per session: the clock plot and the timeline; both PNGs are also written beside the page."""
    body = ['<section id="timelines"><h2>Timelines</h2>']
    body.append(
        "<p>Per session: its time model (arrival time against the rebuilt watch "
        "clock, with the backlog of rows queued on the watch) and its verdict; then "
        "motion magnitude on the IMU clock, label intervals as coloured bands, "
        "command words placed by the fitted clock (t_imu = a·t_audio + "
        "offset).</p>"
    )
    for info in art.infos:
        png, why = _timeline(store, art.run_id, info)
        body.append(f"<h3>{_e(info['session'])}</h3>")
        clock_png, clock_line = _clock(store, info)
        body.append(clock_line)
        if clock_png is not None:
            store.put_bytes(f"{art.figures_dir}/timelines/{info['session']}-clock.png", clock_png)
            body.append(_img(clock_png, f"clock {info['session']}"))
        if png is None:
            body.append(_missing(why))
            continue
        store.put_bytes(f"{art.figures_dir}/timelines/{info['session']}.png", png)
        body.append(_img(png, f"timeline {info['session']}"))
    body.append("</section>")
    return body


def _training_section(store, art: _RunArtifacts) -> list[str]:
    """Training curves from model/history.json (also written as training_curves.png), and
    the clip folders the model was trained on when it names them (several, or local)."""
    body = ['<section id="training"><h2>Training</h2>']
    folders = (keys.published(store, art.run_id, "model") or {}).get("clip_folders")
    if isinstance(folders, list) and folders:
        names = ", ".join(f"<code>{_e(str(f))}</code>" for f in folders)
        body.append(f"<p>Trained on the clip folders {names}, in this order.</p>")
    if art.history is None:
        body.append(
            _missing(
                "no training history (model/history.json missing: training did not run or failed)"
            )
        )
    else:
        try:
            buf = io.BytesIO()
            plots.training_curves_png(buf, art.history)
            store.put_bytes(f"{art.figures_dir}/training_curves.png", buf.getvalue())
            body.append(_img(buf.getvalue(), "training curves"))
        except (ValueError, TypeError) as err:
            body.append(_missing(f"training history unreadable: {err}"))
    body.append("</section>")
    return body


def _evaluation_section(store, art: _RunArtifacts) -> list[str]:
    """Confusion matrix and held-out scores (or, for a model trained with no test split,
    the line saying it has none, then evaluate --report's scores where there are any), then
    the cross-validation section."""
    body = ['<section id="evaluation"><h2>Evaluation</h2>']
    shown = art.metrics
    if _no_test_split(art.metrics):
        scored = _json(store, f"{art.report_dir}/metrics.json")
        body += _scores_without_test_split(store, art, scored)
        shown = scored if _scored(scored) else shown
    else:
        body += _held_out_scores(store, art.scores_dir, art.metrics)
    if shown is art.metrics:  # evaluate --report's own tables are shown whole otherwise
        body.append(_spotting_html(store, art))
    body.append("</section>")
    cv_key = f"{art.report_dir}/cv.json"
    body.append(cv_section(_json(store, cv_key), shown, written=store.exists(cv_key)))
    return body


def _scores_without_test_split(store, art: _RunArtifacts, scored: Any) -> list[str]:
    """A model trained with no test split has no held-out score: the line saying so, then
    the only scores there are, what `evaluate --model ... --report REPORT_DIR` wrote
    (``scored``), named as such with the model it names."""
    note = art.metrics["note"]
    if not _scored(scored):
        return [_missing(f"{note}: no confusion matrix or score to show")]
    what = (
        "Below: the scores <code>evaluate --model ... --report</code> wrote into report/ "
        f"(model <code>{_e(str(scored.get('model', '?')))}</code>), not a held-out part of "
        "this model's training data."
    )
    return [_missing(note), f"<p>{what}</p>", *_held_out_scores(store, art.report_dir, scored)]


def _scored(metrics: Any) -> bool:
    """Whether ``metrics`` holds window scores (an evaluate metrics.json)."""
    return isinstance(metrics, dict) and isinstance(metrics.get("macro_f1"), int | float)


def _held_out_scores(store, scores_dir: str, metrics: Any) -> list[str]:
    """The confusion matrix and ``metrics`` in ``scores_dir``: the model's held-out test
    set's (or the report folder's, from evaluate --report, when no model is published)."""
    try:
        confusion = store.get_bytes(f"{scores_dir}/confusion.png")
        body = ["<h3>Confusion matrix</h3>" + _img(confusion, "confusion matrix")]
    except KeyError:
        body = [_missing("no confusion matrix (report/confusion.png missing)")]
    if isinstance(metrics, dict):
        body.append("<h3>Scores</h3>" + _metrics_html(metrics))
    else:
        body.append(_missing("no evaluation scores (report/metrics.json missing)"))
    return body


def _no_test_split(metrics: Any) -> bool:
    """Whether ``metrics`` is the metrics.json of a model trained with no test split
    (steps.train.no_test_metrics): it has no held-out score to show."""
    return (
        isinstance(metrics, dict)
        and metrics.get("held_out") is False
        and isinstance(metrics.get("note"), str)
    )


def _spotting_html(store, art: _RunArtifacts) -> str:
    """`evaluate --spot --report REPORT_DIR`'s event tables when the scores above are a
    published model's own metrics.json (without them they are shown there already)."""
    if art.scores_dir == art.report_dir:
        return ""
    own = _json(store, f"{art.report_dir}/metrics.json")
    if not isinstance(own, dict):
        return ""
    return _metrics_html({k: own[k] for k in SPOTTING_KEYS if isinstance(own.get(k), dict)})


def _model_section(store, art: _RunArtifacts) -> list[str]:
    """The published model files with their sizes, each copied beside the page's figures
    (``figures/<version>/model/``) and linked there: the page's links to ``../model/``
    pointed out of the report folder, broken in an exported or published copy."""
    body = ['<section id="model"><h2>Model files</h2>']
    if art.model_keys:
        rows = []
        for key in art.model_keys:
            name = key[len(art.model_dir) + 1 :]
            data = store.get_bytes(key)
            copy = f"{art.figures_dir}/model/{name}"
            store.put_bytes(copy, data)
            href = copy[len(art.report_dir) + 1 :]
            rows.append(
                [
                    f'<a href="{_e(href)}">{_e(name)}</a>',
                    f"{len(data) / 1024:.1f} KiB",
                    _e(MODEL_FILE_NOTES.get(name, "")),
                ]
            )
        body.append(_table(["file", "size", "what"], rows))
    else:
        body.append(_missing("no model files (training did not run or failed)"))
    body.append("</section>")
    return body


def build_report(store, run_id: str) -> str:
    """Write report/index.html, its figures first (figures/<version>/timelines/<s>.png,
    training_curves.png), then drop the figures of the pages it replaced; returns its key.
    Its writer mark is held throughout, so no other report deletes its figures; a report
    that fails deletes its figures (the page never linked them), then its mark."""
    art = _load_artifacts(store, run_id)
    mark = writer_mark(store, run_id, art.figures_dir.rsplit("/", 1)[1])
    with writing(mark, undo=lambda: _drop_unlinked_own_figures(store, art)):
        signed = _sign_figures(store, art)
        body = [
            *_summary_section(store, art),
            *_sessions_section(art),
            *_failures_section(art.fails),
            *_timelines_section(store, art),
            *_training_section(store, art),
            *_evaluation_section(store, art),
            *_model_section(store, art),
            _figures_line(store, art),
        ]
        page = (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>silkpipe run {_e(run_id)}</title><style>{CSS}</style></head><body>"
            + "\n".join(body)
            + "</body></html>"
        )
        key = f"{art.report_dir}/index.html"
        replaced = page_figures(store, key)
        store.put_bytes(key, page.encode("utf-8"))  # the switch: old page or this one, whole
        if signed:
            store.delete(signed)
        _drop_replaced_figures(store, art, replaced)
    return key


def _drop_unlinked_own_figures(store, art: _RunArtifacts) -> None:
    """A failed report's figures, unless its page was switched in before it failed."""
    ours = art.figures_dir.rsplit("/", 1)[1]
    if page_figures(store, keys.report_key(art.run_id)) != ours:
        keys.delete_prefix(store, art.figures_dir)


#: Set by the Argo workflow ({{workflow.uid}}) in each of its pods: names the workflow.
WORKFLOW_ENV = "SILKPIPE_WORKFLOW"
#: In a figures folder while a report of an Argo workflow fills it: that workflow's uid.
WRITER_FILE = "writer.json"


def _sign_figures(store, art: _RunArtifacts) -> str | None:
    """A report pod names its workflow in its figures folder (_earlier_attempt), until its
    page is switched in; returns the key written (None outside a workflow)."""
    workflow = os.environ.get(WORKFLOW_ENV, "")
    if not workflow:
        return None
    key = f"{art.figures_dir}/{WRITER_FILE}"
    keys.put_json(store, key, {"workflow": workflow})
    return key


def _earlier_attempt(store, art: _RunArtifacts, version: str) -> bool:
    """Whether figures folder ``version`` was begun by an earlier attempt of this Argo
    workflow's report: Argo runs a step's attempts one at a time, a retry only once the
    attempt before it ended (a killed pod), so its writer is gone, on whichever machine."""
    workflow = os.environ.get(WORKFLOW_ENV, "")
    if not workflow:
        return False
    key = f"{keys.report_figures_prefix(art.run_id, version)}/{WRITER_FILE}"
    try:
        record = keys.get_json(store, key)
    except (KeyError, ValueError):
        return False
    return isinstance(record, dict) and record.get("workflow") == workflow


def writer_mark(store, run_id: str, version: str):
    """The writer mark (locks.writing) of the report writing figures folder ``version``
    of the run, in TMPDIR: the same path in every process of this machine."""
    return keys.version_mark(store, run_id, "report", version)


def page_figures(store, page_key: str) -> str | None:
    """The version of the figures folder the page at ``page_key`` links (None: no page,
    or a page that links none: no figures, or the flat layout before figures/)."""
    try:
        page = store.get_bytes(page_key).decode("utf-8", "replace")
    except KeyError:
        return None
    found = re.search(r'href="figures/([^"/]+)/"', page)
    return html.unescape(found.group(1)) if found else None


def _figures_line(store, art: _RunArtifacts) -> str:
    """Where this page's figures lie as PNG files (they are embedded above too)."""
    if not [k for k in store.list(art.figures_dir) if not k.endswith(f"/{WRITER_FILE}")]:
        return ""
    href = art.figures_dir[len(art.report_dir) + 1 :] + "/"
    return (
        '<p class="meta">The figures as PNG files (and a copy of the model files, under '
        f'model/): <a href="{_e(href)}">{_e(href)}</a></p>'
    )


def page_files(store, run_id: str) -> list[str]:
    """The report folder's keys a copy of the page needs: every file but the figures
    folders the page does not link (a killed report's, another still being written)."""
    every = keys.report_figures_prefix(run_id) + "/"
    linked = page_figures(store, keys.report_key(run_id))
    own = f"{every}{linked}/" if linked else None
    return [
        key
        for key in store.list(keys.report_prefix(run_id))
        if not key.startswith(every) or (own is not None and key.startswith(own))
    ]


#: Figure files of the report layout before figures/<version>/ (deleted once replaced).
OLD_FIGURES = ("timelines/", "training_curves.png")

#: A figures folder no page links, with no writer mark on this machine (its report ran on
#: another), is a killed report's once it is this old; a younger one may be another
#: report of the run, still writing before its own switch.
ORPHANED_AFTER = timedelta(hours=1)


def _drop_replaced_figures(store, art: _RunArtifacts, replaced: str | None) -> None:
    """After the page is switched: the figures of the page it replaced (read just before
    the switch), folders orphaned by a report that died or failed before its page
    (_orphaned), and the older flat layout. Another report's folder being written is kept:
    deleting it left that report's page, switched after this one, linking figures that
    were gone; so is the folder the page links as it is now."""
    keep = {art.figures_dir.rsplit("/", 1)[1], page_figures(store, keys.report_key(art.run_id))}

    def gone(version: str) -> bool:
        return version not in keep and (version == replaced or _orphaned(store, art, version))

    every = keys.report_figures_prefix(art.run_id) + "/"
    keys.delete_versions(store, art.run_id, "report", every, gone)
    folder = art.report_dir + "/"
    for key in store.list(art.report_dir):
        if not key.startswith(every) and key.removeprefix(folder).startswith(OLD_FIGURES):
            store.delete(key)


def _orphaned(store, art: _RunArtifacts, version: str) -> bool:
    """Whether figures folder ``version``, which no page links, is nobody's: its report
    died or failed on this machine (its writer mark left, held by no process), or, with
    no mark here (a report of another machine, or of before the marks), it was begun
    ORPHANED_AFTER or more before this one (keys.new_version names: UTC time first; a
    name of another form is nobody's), unless an earlier attempt of this Argo workflow's
    report began it (_earlier_attempt). A folder whose report still writes is kept."""
    state = writer_state(writer_mark(store, art.run_id, version))
    if state is not None:
        return state == "dead"
    if _earlier_attempt(store, art, version):
        return True
    then, now = keys.version_time(version), keys.version_time(art.figures_dir.rsplit("/", 1)[1])
    return then is None or now is None or now - then >= ORPHANED_AFTER


def write_manifest(store, run_id: str, extra: dict | None = None, seal=None) -> str:
    """List every artifact of the run (sha256, size); written last. Returns its key.
    ``seal`` (steps.common.sealed) marks it so an edited copy is told from it."""
    run = keys.run_prefix(run_id)
    manifest_key = keys.manifest_key(run_id)
    artifacts = []
    for key in store.list(run):
        if key == manifest_key:
            continue
        try:
            data = store.get_bytes(key)
        except KeyError:  # deleted since listed: another report's replaced figures
            continue
        artifacts.append(
            {"key": key, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        )
    fails = failures(store, run_id)
    has_model = any(a["key"].startswith(keys.model_prefix(run_id) + "/") for a in artifacts)
    has_model = has_model and (
        keys.published(store, run_id, "model") is not None
        or store.exists(f"{keys.model_prefix(run_id)}/config.json")
    )
    status = "failed" if not has_model else ("partial" if fails else "succeeded")
    failed: dict[str, list[str]] = {}
    for f in fails:
        failed.setdefault(f["step"], []).append(f["session"])
    manifest = {
        "run_id": run_id,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "status": status,
        "failed": failed,
        "artifacts": artifacts,
        **(extra or {}),
    }
    manifest = seal(manifest) if seal is not None else manifest
    store.put_bytes(manifest_key, json.dumps(manifest, indent=2).encode("utf-8"))
    return manifest_key


# ---- cross-validation spread and punch-vs-noise (silkpipe evaluate --cv ... --report) --


def _whole_only(r: dict) -> str:
    """The score on whole-gesture samples only, beside the main one, where some test
    windows lie on samples that hold no whole gesture (the main score keeps them)."""
    if not r.get("flawed_sample_windows"):
        return ""
    return (
        f"<br>whole-gesture samples only {_num(r.get('whole_sample_macro_f1'), '{:.3f}')}"
        f" ({_num(r['flawed_sample_windows'], '{:.0f}')} windows on flawed samples left out"
        " of this line)"
    )


def cv_section(cv: Any, metrics: Any, written: bool = False) -> str:
    """Per-protocol pooled macro-F1 with its min/max fold, events per class, and how often
    punch and noise are taken for each other (held-out evaluation and each protocol).
    ``written``: report/cv.json exists, so a ``cv`` that is no list was cut short or edited."""
    out = ['<section id="cv"><h2>Cross-validation spread and punch vs noise</h2>']
    if isinstance(metrics, dict) and isinstance(metrics.get("confusion"), dict):
        confusion = metrics["confusion"]
        out.append(
            f"<p>Held-out evaluation: punch called noise {_called(confusion, 'punch', 'noise')}"
            f" punch windows; noise called punch {_called(confusion, 'noise', 'punch')}.</p>"
        )
    if written and not isinstance(cv, list):
        out.append(
            _missing(
                "report/cv.json is unreadable (cut short or edited): run evaluate "
                "--cv ... --report REPORT_DIR again"
            )
        )
        return "".join(out) + "</section>"
    if not isinstance(cv, list) or not cv:
        out.append(
            _missing(
                "no cross-validation (report/cv.json: silkpipe evaluate --cv all "
                "--clips DIR --clips DIR2 --report REPORT_DIR)"
            )
        )
        return "".join(out) + "</section>"
    rows = [_cv_row(r) for r in cv]
    header = [
        "protocol",
        "pooled macro-F1",
        "fold min–max",
        "folds",
        "punch→noise / noise→punch",
        "event F1 (stitched streams, ±0.5 s)",
        "classes / notes",
    ]
    return "".join(out) + _table(header, rows) + "</section>"


def _called(confusion: dict, truth: str, called: str) -> str:
    """Of the N held-out windows of class ``truth``, the K called ``called``, as "K of N" (a
    count beside a count, never a share beside one); "—" where the matrix lacks either."""
    labels = list(confusion.get("labels") or CLASSES)
    matrix: Any = confusion.get("matrix")
    try:
        row = matrix[labels.index(truth)]
        return f"{int(row[labels.index(called)])} of {int(sum(row))}"
    except (ValueError, TypeError, IndexError, KeyError, OverflowError):  # a class missing, edited
        return "— of —"


def _training_only_lines(r: dict) -> list[str]:
    """The training-only runs a protocol's folds added (cv.json ``training_only``)."""
    from silkpipe.training_only import format_runs

    runs = r.get("training_only")
    if not isinstance(runs, list) or not all(isinstance(x, dict) for x in runs):
        return []
    try:
        return format_runs(runs)
    except (KeyError, TypeError, ValueError, AttributeError):
        return ["training-only runs: unreadable in cv.json"]


def _settings_cell(r: dict) -> str:
    """Under the protocol: the preset and the settings changed from it (cv.json
    ``training_settings``), so changed settings' numbers are not read as the default's."""
    from silkpipe.crossval import settings_line

    try:
        line = settings_line(r)
    except (KeyError, TypeError, AttributeError):
        line = "training settings: unreadable in cv.json"
    return f"<br>{_e(line)}" if line else ""


def _cv_row(r: Any) -> list[str]:
    """One protocol's row of the spread table (a protocol with no folds says so)."""
    from silkpipe.whole_samples import describe

    if not isinstance(r, dict) or "pooled_macro_f1" not in r:
        notes = "; ".join(r.get("notes", [])) if isinstance(r, dict) else ""
        name = r.get("protocol") if isinstance(r, dict) else "?"
        return [_e(name), "no folds", "", "", "", "", _e(notes)]
    pn, ev = r["punch_noise"], r.get("events", {})
    notes = _e("; ".join(r.get("notes", []))) or _e(", ".join(r["classes"]))
    left = r.get("left_out_of_training")
    if isinstance(left, dict) and isinstance(left.get("by_class"), dict) and describe(left):
        notes += _e("; " + describe(left))  # who was not trained on
    notes += _e("".join(f"; {line.strip()}" for line in _training_only_lines(r)))
    return [
        _e(r["protocol"]) + _settings_cell(r),
        _num(r["pooled_macro_f1"], "{:.3f}") + _whole_only(r),
        f"{_num(r['fold_min'], '{:.3f}')}–{_num(r['fold_max'], '{:.3f}')}",
        f"{len(r['folds'])} ({len(r['seeds'])} seed(s))",
        f"{_num(pn['punch_called_noise'])} / {_num(pn['noise_called_punch'])}",
        ", ".join(f"{_e(c)} {_num(v['f1'])}" for c, v in ev.items()),
        notes,
    ]
