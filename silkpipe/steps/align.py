"""Align step (the join): every session's transcript + sensor stream -> one label set.

Each session's labels record their inputs (transcript sha256, sensor sha256, alignment
settings); a session is re-aligned only when one changed. The label set is written to a
fresh ``runs/<id>/labels/<version>/`` and switched in by ``runs/<id>/labels.json``: a
reader sees the old set whole or the new one whole.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from functools import partial
from pathlib import Path

from silkpipe import metrics, session_classes
from silkpipe import store as keys
from silkpipe.alignment import AlignConfig, align_session
from silkpipe.clip_evidence import ClipModel, clip_model_from_folders
from silkpipe.clips import load_clip_streams
from silkpipe.errors import InputError, not_utf8, parse_json, read_user_bytes
from silkpipe.gate import CHOICE_UNCONFIRMED, CLASS_CONTRADICTS
from silkpipe.labels import intervals_to_csv, parse_labels_csv
from silkpipe.locks import temp_scratch
from silkpipe.progress import progress_bar, say_line
from silkpipe.sessions import Motion, parse_sensor_csv, resample
from silkpipe.steps.common import (
    STEP_VERSION,
    clip_places,
    clips_origin,
    digest,
    from_scratch_folders,
    isolated,
    origin_of,
    read_input,
    read_run_inputs,
    say_skipped_clip,
    session_files,
    session_input,
    sha256,
    user_clip_path,
    version_damage,
)
from silkpipe.store import Store
from silkpipe.transcripts import extract_commands, parse_transcript
from silkpipe.validation import check_sensor_streams, clocks_overlap, usable_commands

log = logging.getLogger(__name__)


def read_motion(store: Store, inputs: dict, session: str) -> tuple[Motion, list[str]]:
    """The session's sensor stream from the store, checked, on a uniform grid (+ notes)."""
    key = origin_of(inputs, keys.session_key(session, "sensor_data.csv"))  # errors name it
    data = session_input(store, inputs, session, "sensor_data.csv")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(not_utf8(err), session=session, path=key) from None
    raw = parse_sensor_csv(text, source=key, session=session)
    notes = check_sensor_streams(raw, session=session, path=key)
    return resample(raw), notes


def align_run(
    store: Store,
    run_id: str,
    cfg: AlignConfig | None = None,
    *,
    force: bool = False,
    progress: bool = True,
    clips_dir: Path | None = None,
) -> dict:
    """Align every session of the run; one bad session never sinks the others.

    With labelled clips (the run's own, or a local ``clips_dir``) the offset search and the
    gate use a class model trained on them (silkpipe.clip_evidence), and their hashes are
    part of every session's re-use key. Without clips, the sessions the gate refused are
    aligned again with the class model of the run's passed sessions (silkpipe.session_classes,
    rounds while new sessions pass), and so are those it passed on energy alone below
    sure_quality, with the model of the others (the veto); the model's sessions' inputs join
    such a session's re-use key; the verdicts a session's labels replaced (first pass, veto,
    earlier rounds) are kept by their inputs too (Verdicts), so a re-run with nothing changed
    aligns nothing. Returns figures (sessions ok/failed/excluded/usable,
    ``reused`` when the published label set already came from the same inputs),
    ``failed``: session -> reason, ``excluded``: session -> the gate's reason, and
    ``clips_skipped``: the user's path of each clip the class model named and skipped.
    """
    cfg = cfg or AlignConfig()
    cfg.check_settings()  # before anything is read, as the CLI checks it
    inputs = read_run_inputs(store, run_id)
    clips_skipped: list[str] = []
    clip_model, clips_hash = run_clip_model(store, run_id, inputs, clips_dir, clips_skipped)
    keyed: dict = {"align": asdict(cfg), "step": STEP_VERSION["align"]}
    if clip_model is not None:
        keyed["clips"] = clips_hash
    settings = digest(keyed)
    current = _published_labels(store, run_id)
    old = (current or {}).get("sessions") or {}
    verdicts = Verdicts(recorded_verdicts(store, run_id, current))
    results: dict[str, tuple[dict, str]] = {}
    failed: dict[str, str] = {}

    def align(session: str, classes: SessionClasses | None = None):
        args = (session, cfg, settings, old, force, clip_model, classes)
        return verdicts.take(session, _align_one(store, run_id, inputs, verdicts, *args))

    _each(store, run_id, sorted(inputs["sessions"]), align, results, failed, progress)
    if clip_model is None:
        motions: dict[str, Motion] = {}  # passed sessions' streams, read once for both
        classes = partial(_passed_classes, store, inputs, motions=motions)
        tried = _session_veto(store, run_id, cfg, classes, align, results, failed, progress)
        _session_rounds(store, run_id, classes, align, results, failed, progress, tried)
    _clear_stale_failures(store, run_id, inputs)
    rounds = {s: verdicts.replaced(s, r[0]) for s, r in results.items()}
    set_inputs = _set_inputs(results, failed, rounds)
    reused = bool(current and current.get("inputs") == set_inputs and not force)
    if not reused:
        _publish(store, run_id, results, failed, set_inputs, rounds)
    elif current:
        log.info("label set %s was aligned from the same inputs: re-used", current["version"])
    return {**_figures(results, failed, reused), "clips_skipped": clips_skipped}


def _published_labels(store: Store, run_id: str) -> dict | None:
    """The run's published label set's pointer, or None where there is none or it is
    damaged (then said: its sessions are aligned again, not re-used)."""
    current = keys.published(store, run_id, "labels")
    if current is not None and (why := version_damage(store, run_id, "labels", current)):
        log.warning("run %s: published labels not re-used (%s): aligned again", run_id, why)
        return None
    return current


def _set_inputs(results: dict, failed: dict, rounds: dict) -> str:
    """The label set's key: every session's labels' inputs, its failures, and the inputs
    of the verdicts each session's labels replaced (Verdicts)."""
    return digest(
        {
            "sessions": {s: r[0]["inputs"] for s, r in results.items()},
            "failed": failed,
            "rounds": {s: [v[0]["inputs"] for v in vs] for s, vs in rounds.items() if vs},
        }
    )


def _each(store, run_id, sessions, work, results, failed, progress) -> None:
    """``work(session)`` for each session, isolated: one bad session never sinks the others."""
    for session in progress_bar(sessions, desc="align", unit="session", enabled=progress):
        result, reason = isolated(store, run_id, "align", session, lambda s=session: work(s))
        if reason is not None:
            results.pop(session, None)
            failed[session] = reason
            say_line(f"silkpipe align: error: {reason}")
            metrics.record_session(run_id, "align", session, {"failed": 1}, ok=False)
        else:
            results[session] = result
            metrics.record_session(run_id, "align", session, result[0], ok=True)


@dataclass
class SessionClasses:
    """The class model of the run's passed sessions (silkpipe.session_classes), the
    sessions it was trained on, and the key of their inputs (part of a re-use key)."""

    model: ClipModel
    trainers: list[str]
    key: str
    # the session's first-pass verdict: "refused"; "contradicted" (refused where the
    # self-trained class evidence contradicts: gate.Evidence.contradicted); or "passed"
    # (a weak energy pass the veto re-aligned); part of the re-use key, so a later run
    # knows which first pass to expect
    first_pass: str = "refused"
    # the offset of a first pass refused CHOICE_UNCONFIRMED (its class evidence chose another
    # energy peak than the best): a round does not pass another offset below sure_quality
    # (gate.Evidence.choice_away); part of the re-use key where set
    first_choice_s: float | None = None


def _session_veto(store, run_id, cfg, passed_classes, align, results, failed, progress) -> dict:
    """Without clips: each session the first pass passed on motion energy alone below
    sure_quality (session_classes.weak_energy_pass) is aligned again with the class model of
    the OTHER first-pass passes (never its own labels); that verdict stands: refused where
    the model's best lag lies elsewhere. Returns {session: the model's sessions}."""
    first = dict(results)
    passed = sorted(s for s, r in first.items() if not r[0]["excluded"])
    tried: dict[str, list[str]] = {}
    for session in passed:
        report = first[session][0]
        weak = session_classes.weak_energy_pass(
            report["excluded"], report["gate"], report["quality"], report["class_model"], cfg
        )
        others = [s for s in passed if s != session]
        classes = passed_classes(first, others) if weak else None
        if classes is None:
            continue
        tried[session] = others
        work = partial(align, classes=replace(classes, first_pass="passed"))
        _each(store, run_id, [session], work, results, failed, progress)
    return tried


class Verdicts:
    """Every verdict a session took in a run (first pass, veto, each round), keyed by the
    digest of its inputs. A round's verdict is replaced by a later one (and a refusal is
    never published as labels), so the label set keeps the replaced ones of each session in
    ``rounds/<session>.json``; a re-run re-uses a round's verdict whose inputs are unchanged
    instead of aligning the session again for that round."""

    def __init__(self, recorded: dict[str, dict[str, tuple[dict, str]]]):
        self.recorded = recorded  # session -> {inputs digest: (report, labels CSV)}
        self.taken: dict[str, dict[str, tuple[dict, str]]] = {}  # this run's, in order

    def known(self, store, run_id, session, wanted, old) -> tuple[dict, str] | None:
        """The verdict of ``wanted`` inputs: the published labels, or one they replaced."""
        if old.get(session) == wanted:
            published = _published(store, run_id, session)
            if published is not None:
                return published
        return self.recorded.get(session, {}).get(digest(wanted))

    def take(self, session: str, result: tuple[dict, str]) -> tuple[dict, str]:
        self.taken.setdefault(session, {})[digest(result[0]["inputs"])] = result
        return result

    def replaced(self, session: str, final: dict) -> list[tuple[dict, str]]:
        """This run's verdicts of ``session`` other than its ``final`` report."""
        taken = self.taken.get(session, {}).values()
        return [r for r in taken if r[0]["inputs"] != final["inputs"]]


def recorded_verdicts(store: Store, run_id: str, current: dict | None) -> dict:
    """session -> {inputs digest: (report, labels CSV)} of the verdicts the published
    label set ``current`` replaced (its ``rounds/``; checked by version_damage before)."""
    out: dict[str, dict[str, tuple[dict, str]]] = {}
    if current is None:
        return out
    for name in current.get("files") or {}:
        session = keys.label_rounds_session(name)
        if session is None:
            continue
        try:
            doc = keys.get_json(store, keys.label_rounds_key(run_id, session, current["version"]))
        except (KeyError, ValueError):
            continue
        out[session] = {
            digest(v["report"]["inputs"]): (v["report"], v["labels"])
            for v in (doc if isinstance(doc, list) else [])
            if _is_verdict(v)
        }
    return out


def _is_verdict(value) -> bool:
    """A replaced verdict as _publish writes it: {"report": {..., "inputs"}, "labels": CSV}."""
    report = value.get("report") if isinstance(value, dict) else None
    return isinstance(report, dict) and "inputs" in report and isinstance(value.get("labels"), str)


def _first_pass(result: tuple[dict, str]) -> str:
    """The first-pass verdict a session's class-model alignment records (see SessionClasses):
    a class-model result carries it, a first-pass result says it (re-used or not)."""
    report = result[0]
    if "first_pass" in report["inputs"]:
        return report["inputs"]["first_pass"]
    return "contradicted" if report["gate"] == CLASS_CONTRADICTS else "refused"


def _session_rounds(store, run_id, passed_classes, align, results, failed, progress, tried):
    """Without clips: re-align the refused sessions with the class model of the sessions
    passed so far, round after round while new sessions pass (session_classes.ROUNDS). A
    refused session is not among the passed, so its own labels are never in its model; one
    the self-trained class evidence contradicted carries that into every round."""
    for _ in range(session_classes.ROUNDS):
        passed = sorted(s for s, r in results.items() if not r[0]["excluded"])
        todo = [
            s
            for s, r in sorted(results.items())
            if _retestable(r) and tried.get(s) != passed and s not in failed
        ]
        classes = passed_classes(results, passed) if todo else None
        if classes is None:
            return
        for session in todo:
            tried[session] = passed

        def again(session: str, classes: SessionClasses = classes):
            first, choice = _first_pass(results[session]), _first_choice(results[session])
            return align(session, classes=replace(classes, first_pass=first, first_choice_s=choice))

        _each(store, run_id, todo, again, results, failed, progress)
        if not any(not r[0]["excluded"] for s, r in results.items() if s in todo):
            return


def _first_choice(result: tuple[dict, str]) -> float | None:
    """The offset a first pass refused CHOICE_UNCONFIRMED chose (SessionClasses): a
    class-model result carries it in its inputs, a first-pass result is it; else None."""
    report = result[0]
    if "first_pass" in report["inputs"]:
        return report["inputs"].get("first_choice_s")
    return report["offset_s"] if report["gate"] == CHOICE_UNCONFIRMED else None


def _retestable(result: tuple[dict, str]) -> bool:
    """Refused after an alignment (not for too few words): a class model may pass it."""
    return bool(result[0]["excluded"] and result[0]["offset_s"] is not None)


def _passed_classes(store, inputs, results, passed, motions) -> SessionClasses | None:
    """The class model of the passed sessions' motion under their labels (None when they
    are too few or hold too few labels of two event classes); ``motions`` caches the
    streams read."""
    if len(passed) < session_classes.MIN_SESSIONS:
        return None
    sessions = []
    for s in passed:
        if s not in motions:
            motions[s] = read_motion(store, inputs, s)[0]
        report, csv_text = results[s]
        sessions.append((motions[s], parse_labels_csv(csv_text, source="labels", session=s)))
    model = session_classes.fit_session_model(sessions)
    if model is None:
        return None
    trained = {s: results[s][0]["inputs"] for s in passed}
    key = digest({"sessions": trained, "settings": session_classes.settings()})
    return SessionClasses(model, passed, key)


def run_clip_model(
    store: Store,
    run_id: str,
    inputs: dict,
    clips_dir: Path | None,
    skipped: list[str] | None = None,
) -> tuple[ClipModel | None, str]:
    """(the class model of the run's clips or ``clips_dir``'s, the clips' hash); (None, "")
    without clips, or when they cannot tell two gesture classes apart. A run that gave
    several clip folders (clips ``<n>/<name>``) has one model of all of them. The user's
    path of each clip it skipped goes to ``skipped``: the align command's exit says it."""
    with _clip_copies(store, inputs, clips_dir) as (scratch, clips):
        model = _scratch_clip_model(scratch, skipped) if clips else None
    if clips and model is None:
        log.warning(
            "run %s: the clips do not hold two gesture classes with motion: the "
            "alignment's class evidence is self-trained",
            run_id,
        )
    return (model, digest(clips)) if model is not None else (None, "")


def check_run_clips(store: Store, run_id: str) -> None:
    """InputError for a run's clips folder that align would refuse (no clip of it can be
    read), so `silkpipe run` says it before transcribing, not an hour later; its bad clips
    are named once, by align."""
    with _clip_copies(store, read_run_inputs(store, run_id), None) as (scratch, clips):
        bad: dict[Path, str] = {}
        for folder in scratch if clips else ():
            try:
                load_clip_streams(folder, realign=False, on_error=_first_bad(bad, scratch))
            except InputError as err:
                raise _unreadable_folder(err, scratch, bad) from None


@contextmanager
def _clip_copies(
    store: Store, inputs: dict, clips_dir: Path | None
) -> Iterator[tuple[dict[Path, str], dict[str, str]]]:
    """(scratch folder -> the user's folder it stands for, the clips' name -> sha256): the
    run's clips (or ``clips_dir``'s) copied into a temporary folder, one sub-folder per
    clip folder where the run gave several."""
    from silkpipe.steps.train import folder_clips

    clips = folder_clips(clips_dir) if clips_dir is not None else dict(inputs["clips"])
    places = [] if clips_dir is not None else clip_places(clips)
    with temp_scratch("silkpipe-align-clips-") as tmp:
        for name, sha in clips.items():
            if clips_dir is not None:
                data = read_user_bytes(clips_dir / name)
            else:
                data = read_input(store, keys.clip_key(name), sha)
            (tmp / name).parent.mkdir(exist_ok=True)
            (tmp / name).write_bytes(data)
        scratch = {tmp / n: clips_origin(inputs, None, n) for n in places}
        yield scratch or {tmp: clips_origin(inputs, clips_dir)}, clips


def _first_bad(bad: dict[Path, str], scratch: dict[Path, str]):
    """An on_error that keeps each folder's first bad clip (by the user's path) in ``bad``."""

    def keep(path: Path, err: Exception) -> str:
        why = from_scratch_folders(err, path, scratch)
        bad.setdefault(path.parent, why)
        return why

    return keep


def _unreadable_folder(err: InputError, scratch: dict[Path, str], bad: dict[Path, str]):
    """A folder with no readable clip (``err.path``) as one line: the user's folder and its
    first bad clip."""
    text = from_scratch_folders(err, Path(err.path or "."), scratch)
    first = bad.get(Path(err.path or "."))
    return InputError(text + (f" (first bad clip: {first})" if first else ""))


def _scratch_clip_model(
    scratch: dict[Path, str], skipped: list[str] | None = None
) -> ClipModel | None:
    """The clip model of the scratch copies (folder -> the user's folder it stands for).

    A bad clip is named by the user's path and skipped, as train skips it. A folder with
    no readable clip is InputError naming the folder and its first bad clip, before any
    session is aligned, as train refuses it: it left no clip model for every folder, so
    one bad folder silently changed how every session was aligned."""
    bad: dict[Path, str] = {}
    first_bad = _first_bad(bad, scratch)

    def skip(path: Path, err: Exception) -> None:
        say_skipped_clip(log, path, first_bad(path, err), scratch)
        if skipped is not None:
            skipped.append(user_clip_path(path, scratch))

    try:
        return clip_model_from_folders(list(scratch), on_error=skip)
    except InputError as err:  # a folder with no readable clip: err.path names it
        raise _unreadable_folder(err, scratch, bad) from None


def _clear_stale_failures(store: Store, run_id: str, inputs: dict) -> None:
    """Failure records of sessions that are no longer the run's inputs."""
    for key in store.list(keys.failures_prefix(run_id, "align")):
        if keys.failure_name(key) not in inputs["sessions"]:
            store.delete(key)


def _align_one(
    store,
    run_id,
    inputs,
    verdicts: Verdicts,
    session,
    cfg,
    settings,
    old,
    force,
    clip_model=None,
    classes: SessionClasses | None = None,
) -> tuple[dict, str]:
    """(report, labels CSV text) of one session, re-used when its inputs are unchanged
    (with ``classes``: the inputs of the sessions its class model was trained on too), from
    the published labels or, for a verdict they replaced (``verdicts``: a first pass, a veto,
    an earlier round), their ``rounds/``: a re-run with nothing changed aligns nothing."""
    transcript_key = keys.transcript_key(run_id, session)
    try:
        transcript_bytes = store.get_bytes(transcript_key)
    except KeyError:
        raise InputError(_no_transcript(store, run_id, session), session=session) from None
    files = session_files(inputs, session)
    if "sensor_data.csv" not in files:
        raise InputError(
            "sensor_data.csv is missing", session=session, path=f"{keys.session_prefix(session)}/"
        )
    wanted = {
        "transcript": sha256(transcript_bytes),
        "sensor": files["sensor_data.csv"],
        "settings": settings,
    }
    if classes is not None:
        wanted.update(classes=classes.key, first_pass=classes.first_pass)
        if classes.first_choice_s is not None:
            wanted.update(first_choice_s=classes.first_choice_s)
    if not force and (known := verdicts.known(store, run_id, session, wanted, old)):
        return known
    motion, notes = read_motion(store, inputs, session)
    transcript = parse_json(transcript_bytes, session=session, path=transcript_key)
    words = parse_transcript(transcript, session=session, path=transcript_key)
    extraction = extract_commands(words)
    span = (float(motion.t[0]), float(motion.t[-1]))
    commands, glitches = usable_commands(extraction.commands, span, cfg.search_s)
    model = clip_model if classes is None else classes.model
    contradicted = classes is not None and classes.first_pass == "contradicted"
    rejected = extraction.rejected + glitches
    choice = None if classes is None else classes.first_choice_s
    report, csv_text = _label(session, motion, commands, rejected, cfg, model, contradicted, choice)
    _blame_clocks(report, extraction.commands, commands, span, cfg)
    _count_untimed(report, extraction.rejected, commands, cfg)
    report.update(inputs=wanted, notes=notes)
    if classes is not None:
        report["class_sessions"] = classes.trainers
    return report, csv_text


def _label(
    session, motion, commands, rejected, cfg, clip_model=None, contradicted=False, choice=None
) -> tuple[dict, str]:
    """align_session with the gate applied as configured (never switched off)."""
    intervals, rep = align_session(
        session,
        motion,
        commands,
        cfg,
        rejected_words=rejected,
        clip_model=clip_model,
        contradicted=contradicted,
        first_choice_s=choice,
    )
    report = rep.to_json()
    no_overlap = clocks_overlap(commands, (float(motion.t[0]), float(motion.t[-1])), cfg.search_s)
    if no_overlap and len(commands) >= cfg.min_commands:
        report.update(excluded=True, reason=no_overlap)
    elif not math.isfinite(rep.quality) and not report["excluded"]:
        report.update(
            excluded=True,
            reason="label quality is not a number (sensor values too large or constant?): excluded",
        )
    for k in ("quality", "offset_confidence", "quality_p_value", "event_energy_contrast"):
        if isinstance(report.get(k), float) and not math.isfinite(report[k]):
            report[k] = None  # JSON has no NaN
    report["command_times"] = [[round(c.start, 3), c.cls] for c in commands]
    return report, intervals_to_csv(intervals)


def _blame_clocks(report: dict, said: list, kept: list, span: tuple, cfg: AlignConfig) -> None:
    """Exclude with the clocks as the reason when enough commands were said but too few
    are left once those far off the sensor times are dropped (sensor timestamps that are
    not seconds from the recording's start): "only 0 command(s) found" would blame the
    transcript."""
    if len(kept) >= cfg.min_commands or len(said) < cfg.min_commands:
        return
    no_overlap = clocks_overlap(said, span, cfg.search_s)
    if no_overlap:
        report.update(excluded=True, reason=no_overlap)


def _count_untimed(report: dict, rejected: list[dict], kept: list, cfg: AlignConfig) -> None:
    """Say how many command words had no time when too few commands were left: a
    transcript without word times read "only 0 command(s) found" over dozens of them."""
    untimed = sum(r.get("reason") == "no timestamp" for r in rejected)
    if untimed and len(kept) < cfg.min_commands and report.get("reason", "").startswith("only"):
        report["reason"] += (
            f" ({untimed} more command word(s) carry no start time: a transcript without "
            "word timestamps?)"
        )


def _published(store: Store, run_id: str, session: str) -> tuple[dict, str] | None:
    """The published label set's report and labels CSV of one session (None if unreadable)."""
    prefix = keys.published_prefix(store, run_id, "labels")
    try:
        report = keys.get_json(store, f"{prefix}/{session}.json")
        csv_text = store.get_bytes(f"{prefix}/{session}.csv").decode("utf-8")
    except (KeyError, ValueError):
        return None
    return (report, csv_text) if isinstance(report, dict) else None


def _no_transcript(store: Store, run_id: str, session: str) -> str:
    why = "no transcript"
    try:
        record = keys.get_json(store, keys.failure_key(run_id, "transcribe", session))
        if isinstance(record, dict) and record.get("error"):
            why += f" (transcribe failed: {record['error']})"
    except (KeyError, ValueError):
        pass
    return why


def _publish(
    store: Store, run_id: str, results: dict, failed: dict, set_inputs: str, rounds: dict
) -> str:
    """Write the label set to a fresh version prefix, then switch the pointer to it; a
    write that fails first deletes what it wrote (keys.filling)."""
    version = keys.new_version()
    with keys.filling(store, run_id, "labels", version):
        _write_and_publish(store, run_id, version, results, failed, set_inputs, rounds)
    return version


def _write_and_publish(
    store: Store,
    run_id: str,
    version: str,
    results: dict,
    failed: dict,
    set_inputs: str,
    rounds: dict,
) -> None:
    """The label set as ``version``, then its pointer.
    ``rounds``: session -> the verdicts of this run its labels replaced (Verdicts)."""
    reports = {s: r[0] for s, r in results.items()}
    for session, (report, csv_text) in results.items():
        store.put_bytes(keys.labels_key(run_id, session, "csv", version), csv_text.encode())
        keys.put_json(store, keys.labels_key(run_id, session, "json", version), report)
        if rounds.get(session):
            replaced = [{"report": r, "labels": text} for r, text in rounds[session]]
            keys.put_json(store, keys.label_rounds_key(run_id, session, version), replaced)
    excluded = {s: r.get("reason", "") for s, r in reports.items() if r.get("excluded")}
    summary = {
        "sessions": sorted(reports),
        "failed": failed,
        "excluded": excluded,
        "reports": {
            s: {k: r.get(k) for k in ("offset_s", "offset_confidence", "quality", "excluded")}
            for s, r in reports.items()
        },
    }
    keys.put_json(store, keys.labels_summary_key(keys.labels_prefix(run_id, version)), summary)
    pointer = {"inputs": set_inputs, "sessions": {s: r["inputs"] for s, r in reports.items()}}
    keys.publish(store, run_id, "labels", version, pointer)


def _figures(results: dict, failed: dict, reused: bool) -> dict:
    excluded = {s: r[0].get("reason") or "" for s, r in results.items() if r[0].get("excluded")}
    return {
        "sessions_ok": len(results),
        "sessions_failed": len(failed),
        "sessions_excluded": len(excluded),
        "sessions_usable": len(results) - len(excluded),
        "reused": int(reused),
        "failed": failed,
        "excluded": dict(sorted(excluded.items())),
    }
