"""Train step: the run's label set + clips -> a model scored on held-out data (or, with
``test_split`` off, a model trained on every window, with no held-out score).

The model records its inputs (the label set's sessions that passed the gate, their
labels and sensor hashes, the run's clips and the training settings) in its pointer
``runs/<id>/model.json``; it is retrained only when they changed (or with ``force``).
Files go to a fresh ``runs/<id>/model/<version>/`` and the pointer is written last, so
a failed retrain leaves the old model whole and in use.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from silkpipe import store as keys
from silkpipe.clips import clip_folder_files, clips_hint, distinct_folders, folder_problem
from silkpipe.copies import copy_of
from silkpipe.errors import InputError, not_utf8, one_line, read_user_bytes, shown
from silkpipe.locks import one_training, temp_scratch, tmp_path
from silkpipe.steps.align import read_motion
from silkpipe.steps.common import (
    STEP_VERSION,
    clip_places,
    clips_origin,
    digest,
    from_scratch_folders,
    origin_of,
    read_input,
    read_run_inputs,
    say_skipped_clip,
    session_files,
    session_input,
    sha256,
    version_damage,
)
from silkpipe.store import Store
from silkpipe.training import TrainConfig
from silkpipe.training_only import (
    TrainingOnlyConfig,
    TrainingOnlyRun,
    dated_by_name,
    recording_day,
)

log = logging.getLogger(__name__)

MODEL_FILES = ("weights.pt", "model.ts", "model.onnx", "history.json", "config.json")
REPORT_FILES = ("metrics.json", "confusion.png")
#: What a model trained with no test split says in place of its held-out scores.
NO_TEST_SPLIT = (
    "no held-out test set: trained on every window (--no-test-split), so this model has no "
    "held-out score; score the setup with silkpipe evaluate --cv (e.g. leave-day-out)"
)
#: Settings keyed only when not at this value: at it they train the published models byte
#: for byte, so those keep their keys. Settings added later, and the torch thread count:
#: another count sums in another order and trains another model (bench/notes/det50.txt)
KEYED_WHEN_SET = {
    "gesture_balance": "off",
    "min_epoch_windows": 0,
    "unlabelled_noise": 0.0,
    "threads": 1,
}


def keyed_settings(cfg: TrainConfig) -> dict:
    """The training settings a model's key is made from (see KEYED_WHEN_SET)."""
    return {
        k: v
        for k, v in cfg.to_dict().items()
        if not (k in KEYED_WHEN_SET and v == KEYED_WHEN_SET[k])
    }


@dataclass
class TrainPlan:
    """What a model is made from: session label sets, clip names, settings, their hash."""

    sessions: dict[str, dict]  # session -> {"labels", "sensor", "metadata": sha256}
    clips: dict[str, str]  # clip file (its place in the work copy, see local_clips) -> sha256
    inputs: str
    clips_dirs: tuple[Path, ...] = ()  # local folders instead of the run's clips
    run_inputs: dict = field(default_factory=dict)  # inputs.json as read (not hashed)
    test_split: bool = True  # hold out a test set to score the model (keyed when off)


def train_plan(
    store: Store,
    run_id: str,
    cfg: TrainConfig,
    clips_dirs: Sequence[Path] = (),
    test_split: bool = True,
) -> TrainPlan:
    """The run's gated sessions and clips, and the hash that keys the model.

    Clips are the run's own (``inputs.json``), or those of local ``clips_dirs``. A run
    without a label set (a mistyped --run-id or --store) is refused before its inputs are
    read: reading records inputs.json where there is none, into a store made for it.
    ``test_split`` off is keyed (``"test_split": false``); on, the key is the one models
    published before the option had, so they are re-used.
    """
    prefix, names = gated_sessions(store, run_id)
    inputs = read_run_inputs(store, run_id)
    sessions = {  # metadata.json dates the session (config.json's trained_on days)
        name: {
            "labels": sha256(store.get_bytes(f"{prefix}/{name}.csv")),
            "sensor": (inputs["sessions"].get(name) or {}).get("sensor_data.csv"),
            "metadata": (inputs["sessions"].get(name) or {}).get("metadata.json"),
        }
        for name in names
    }
    sessions = _without_copies(sessions)
    clips_dirs = tuple(distinct_folders(list(clips_dirs)))
    clips = local_clips(clips_dirs) if clips_dirs else dict(inputs["clips"])
    settings = keyed_settings(cfg)
    keyed: dict = {"sessions": sessions, "clips": clips, "settings": settings}
    keyed |= {} if test_split else {"test_split": False}
    key = digest({**keyed, "step": STEP_VERSION["train"]})
    return TrainPlan(sessions, clips, key, clips_dirs, inputs, test_split)


def _without_copies(sessions: dict[str, dict]) -> dict[str, dict]:
    """The sessions less any whose sensor_data.csv is an earlier one's byte for byte (a
    session folder copied, or linked, under a second name): trained on as two sessions, one
    copy could be held out while the other is trained on, and the held-out score would then
    be of data the model was trained on."""
    seen: dict[str, str] = {}  # sensor_data.csv's sha256 -> the first session holding it
    kept = {}
    for name, entry in sessions.items():
        sensor = entry["sensor"]
        if sensor is not None and (first := copy_of(seen, sensor, name)) is not None:
            log.warning(
                "session %s: its sensor_data.csv is session %s's byte for byte (a copy or a "
                "link of that folder): not trained on (a second copy could be held out as a "
                "test set the model was trained on)",
                shown(name),
                shown(first),
            )
            continue
        kept[name] = entry
    return kept


def gated_sessions(store: Store, run_id: str) -> tuple[str, list[str]]:
    """(the run's published label set's prefix, its sessions that passed the gate); a run
    without a label set, or with a damaged one, is refused (reading nothing else)."""
    labels = keys.published(store, run_id, "labels") or {}
    if "files" in labels and (why := version_damage(store, run_id, "labels", labels)):
        raise InputError(f"run {run_id}'s published labels are damaged ({why}): run align again")
    prefix = keys.published_prefix(store, run_id, "labels")
    summary_key = keys.labels_summary_key(prefix)
    try:
        summary = keys.get_json(store, summary_key)
    except KeyError:
        raise InputError(
            f"run {run_id} has no label set (run align first)", path=summary_key
        ) from None
    except ValueError as err:  # not JSON, or not UTF-8
        raise InputError(f"invalid JSON: {err}: run align again", path=summary_key) from None
    if not _is_summary(summary):
        raise InputError("not a label set summary: run align again", path=summary_key)
    excluded, names = summary.get("excluded") or {}, []
    for name in dict.fromkeys(summary.get("sessions") or []):
        if name in excluded:
            log.info("session %s excluded by align (%s): not trained on", name, excluded[name])
        else:
            names.append(name)
    return prefix, names


def _is_summary(doc) -> bool:
    """A label set's summary.json as align writes it: an object whose sessions are a list
    of names and whose excluded (if any) maps names to reasons."""
    if not isinstance(doc, dict):
        return False
    sessions, excluded = doc.get("sessions") or [], doc.get("excluded") or {}
    return (
        isinstance(sessions, list)
        and all(isinstance(n, str) for n in sessions)
        and isinstance(excluded, dict)
    )


def local_clips(folders: Sequence[Path]) -> dict[str, str]:
    """The files of local clip folders -> sha256, so a changed file in any of them changes
    the model's key. One folder's files go by their names (the key a single ``--clips``
    always had); several folders' as ``<n>/<name>``, n their place on the command line, so
    equal names in two folders are two files. Another order is another key, rightly: the
    order names the streams (the later folder's become ``<block>/<name>``) and orders the
    windows, so the model differs."""
    if len(folders) == 1:
        return folder_clips(folders[0])
    return {
        f"{n}/{name}": sha
        for n, folder in enumerate(folders, 1)
        for name, sha in folder_clips(folder).items()
    }


def _clip_source(plan: TrainPlan, name: str) -> Path:
    """The local file a plan's clip entry (local_clips) was read from."""
    if len(plan.clips_dirs) == 1:
        return plan.clips_dirs[0] / name
    n, file_name = name.split("/", 1)
    return plan.clips_dirs[int(n) - 1] / file_name


def folder_clips(folder: Path) -> dict[str, str]:
    """name -> sha256 of one local clips folder's files (clip_folder_files: links out of it
    are logged and not read); one with no clip CSV is refused (train and align)."""
    if why := folder_problem(folder):
        raise InputError(f"clips folder {why}", path=str(folder))
    files = clip_folder_files(folder, on_error=lambda path, err: log.warning("%s", err))
    if not any(p.suffix == ".csv" for p in files):  # asked for clips: none is no default
        raise InputError(
            f"no clip CSV files{clips_hint(folder)} (links out of the folder are not read)",
            path=str(folder),
        )
    return {p.name: sha256(read_user_bytes(p)) for p in files}  # unreadable: named, exit 2


def train_run(
    store: Store,
    run_id: str,
    cfg: TrainConfig | None = None,
    *,
    force: bool = False,
    progress: bool = True,
    clips_dirs: Sequence[Path] = (),
    test_split: bool = True,
) -> dict:
    """Train on the run's labels and clips (or ``clips_dirs``'s) unless a model from the
    same inputs is published; ``test_split`` off trains on every window and scores nothing.

    Returns figures for the step metrics (``skipped`` 1 when the model was re-used).
    """
    cfg = cfg or TrainConfig()
    plan = train_plan(store, run_id, cfg, clips_dirs, test_split)
    lock = tmp_path(f"train-{run_id}", store.uri, ".lock")  # beside _work_path's folder
    with one_training(lock, f"run {run_id}"):  # a run's twin waits, then re-uses its model
        current = keys.published(store, run_id, "model")
        if current is not None and current.get("inputs") == plan.inputs and not force:
            why = version_damage(store, run_id, "model", current)
            if not why:
                log.info("model %s was trained on the same inputs: re-used", current["version"])
                return {"skipped": 1, **_held_out(current), **(current.get("figures") or {})}
            log.warning("model %s not re-used (%s): trained again", current["version"], why)
        return _train_in_work_folder(store, run_id, plan, cfg, progress)


def _held_out(pointer: dict) -> dict:
    """The ``held_out`` figure of a model published before models' figures carried it:
    its pointer says ``held_out: false`` when it was trained with no test split."""
    return {"held_out": int(pointer.get("held_out") is not False)}


def _train_in_work_folder(store: Store, run_id: str, plan, cfg, progress: bool) -> dict:
    """Fit and publish in the run's work folder; it is kept while it holds a checkpoint."""
    work = _work_folder(store, run_id)
    try:
        streams = _streams(store, run_id, plan, work, progress)
        figures = _fit_and_publish(store, run_id, plan, streams, cfg, work, progress)
    finally:
        if (work / "model" / "checkpoint.pt").exists():
            log.info("kept %s: a re-run resumes from its checkpoint", work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return figures


def _work_folder(store: Store, run_id: str) -> Path:
    """A fixed folder per store and run, so a killed training resumes from its checkpoint."""
    work = _work_path(store, run_id)
    work.mkdir(parents=True, exist_ok=True)
    return work


def _work_path(store: Store, run_id: str) -> Path:
    """Where the run's work folder is, in TMPDIR, named by the run id and store."""
    return tmp_path(f"train-{run_id}", store.uri)


def labelled_sessions(store: Store, run_id: str) -> list:
    """The run's labelled sessions that passed the gate, as ``train`` trains on them, each
    with its recording day (training-only data for ``evaluate --cv``). Read only: a run
    without a label set (a mistyped id, another store) is refused before its inputs are
    read; they are read once, and a run without inputs.json (uploaded by a workflow) is
    read as the store holds it, not recorded: reading a run writes nothing."""
    _, names = gated_sessions(store, run_id)
    inputs = read_run_inputs(store, run_id, write=False)  # evaluate writes nothing
    return _session_streams(store, run_id, names, inputs)


def training_only_runs(cfg: TrainingOnlyConfig) -> list[TrainingOnlyRun]:
    """Each run's labelled sessions (``evaluate --cv --store S --run-id R``); a run with
    none is refused: adding it would change nothing the user asked for."""
    from silkpipe.store import FileStore, open_store

    store, runs = open_store(cfg.store), []
    if isinstance(store, FileStore) and not store.root.is_dir():  # not "r1 has no label set"
        raise InputError("store folder is missing (--store)", path=cfg.store)
    for run_id in cfg.run_ids:
        streams = labelled_sessions(store, run_id)
        if not streams:
            raise InputError(f"run {run_id} has no labelled session that passed the gate")
        runs.append(TrainingOnlyRun(run_id, streams))
    return runs


def _session_streams(
    store: Store, run_id: str, names: list[str], inputs: dict, hashes: dict | None = None
) -> list:
    """The named sessions' published labels on their motion (sessions without a label
    left out), each with its recording day. With ``hashes`` (session -> the label file's
    sha256 the model's key was made from) a label file that no longer matches is refused."""
    from silkpipe.dataset import session_stream
    from silkpipe.labels import parse_labels_csv

    prefix = keys.published_prefix(store, run_id, "labels")
    streams = []
    for name in names:
        key = f"{prefix}/{name}.csv"
        data = store.get_bytes(key)
        if hashes is not None and sha256(data) != hashes[name]:  # the key names other labels
            raise InputError(
                "changed while train was reading it: run train again", session=name, path=key
            )
        try:
            text = data.decode()
        except UnicodeDecodeError as err:
            raise InputError(f"{not_utf8(err)}: run align again", session=name, path=key) from None
        intervals = parse_labels_csv(text, source=key, session=name)
        if intervals:
            motion, _ = read_motion(store, inputs, name)
            stream = session_stream(name, motion, intervals)
            stream.day = recording_day(_metadata(store, inputs, name), name)
            streams.append(stream)
    return streams


def _metadata(store: Store, inputs: dict, name: str) -> dict:
    """The session's metadata.json ({} when it has none, it is not an object, or it cannot
    be read: it only dates the session, so a broken one is warned about in one line naming
    the session and the file, never fatal)."""
    from silkpipe.errors import parse_json

    if "metadata.json" not in session_files(inputs, name):
        return {}
    where = origin_of(inputs, keys.session_key(name, "metadata.json"))
    try:
        data = session_input(store, inputs, name, "metadata.json")
        doc = parse_json(data, session=name, path=where)
        if not isinstance(doc, dict):
            kind = _JSON_KINDS.get(type(doc), "boolean")
            raise InputError(f"a JSON {kind}, not an object", session=name, path=where)
    except InputError as err:
        log.warning("%s: %s", one_line(err, path=where), dated_by_name(recording_day({}, name)))
        return {}
    return doc


_JSON_KINDS = {list: "array", str: "string", int: "number", float: "number", type(None): "null"}


def _streams(store: Store, run_id: str, plan: TrainPlan, work: Path, progress: bool) -> list:
    inputs = plan.run_inputs  # read once, by train_plan
    hashes = {name: entry["labels"] for name, entry in plan.sessions.items()}
    streams = _session_streams(store, run_id, list(plan.sessions), inputs, hashes)
    for key in store.list(keys.failures_prefix(run_id, "train")):
        store.delete(key)  # this training's clip refusals replace the last one's
    if plan.clips:
        streams += _clip_streams(store, run_id, plan, inputs, work / "clips", progress)
    check_classes(streams, f"run {run_id}")
    return streams


def _clip_streams(
    store: Store, run_id: str, plan: TrainPlan, inputs: dict, folder: Path, progress
) -> list:
    """The plan's clips, copied into ``folder`` (one sub-folder per local folder when there
    are several) and read as load_clip_folders reads them; a bad clip is named by the
    user's path and recorded as a failure, and each stream's source is the user's folder."""
    from silkpipe.clips import load_clip_folders

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for name, sha in plan.clips.items():
        if plan.clips_dirs:
            source = _clip_source(plan, name)
            data = source.read_bytes()
            if sha256(data) != sha:  # the key would name other bytes than those trained on
                raise InputError(
                    "changed while train was reading it: run train again", path=str(source)
                )
        else:
            data = read_input(store, keys.clip_key(name), sha)
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_bytes(data)
    origins = _scratch_origins(plan, inputs, folder)

    def skip(path: Path, err: Exception) -> None:
        why = from_scratch_folders(err, path, origins)
        say_skipped_clip(log, path, why, origins)
        n = path.parent.name if path.parent != folder else ""  # its folder's place, if several
        keys.put_json(
            store,
            keys.failure_key(run_id, "train", f"{n}-{path.stem}" if n else path.stem),
            {"session": path.stem, "step": "train", "error": why, "kind": "input"},
        )

    try:
        streams = load_clip_folders(list(origins), progress=progress, on_error=skip)
    except InputError as err:  # a folder with no readable clip, a block twice
        raise InputError(from_scratch_folders(err, Path(err.path or folder), origins)) from None
    for st in streams:
        st.source = origins.get(Path(st.source), st.source)
    return streams


def _scratch_origins(plan: TrainPlan, inputs: dict, folder: Path) -> dict[Path, str]:
    """Each scratch folder the plan's clips are copied into -> the user's folder it stands
    for: one per local folder when there are several, one per uploaded folder of a run
    that gave several (clips ``<n>/<name>``), else ``folder`` itself."""
    if len(plan.clips_dirs) > 1:
        return {folder / str(n): str(d) for n, d in enumerate(plan.clips_dirs, 1)}
    places = [] if plan.clips_dirs else clip_places(plan.clips)
    if places:
        return {folder / n: clips_origin(inputs, None, n) for n in places}
    return {folder: clips_origin(inputs, next(iter(plan.clips_dirs), None))}


def model_clip_folders(plan: TrainPlan) -> list[str]:
    """The clip folders a model names (``clip_folders``): the local ones it was given, or
    the folders the run's clips were uploaded from when there were several ([] for one:
    the run's clips, as before)."""
    if plan.clips_dirs:
        return [str(d) for d in plan.clips_dirs]
    return [clips_origin(plan.run_inputs, None, n) for n in clip_places(plan.clips)]


def check_classes(streams: list, what: str) -> None:
    """A classifier needs two classes: one class would score a meaningless macro-F1 1.0."""
    if not streams:
        raise InputError(f"{what}: no labelled sessions passed the gate and no clips to train on")
    classes = {label for s in streams for (_, _, label) in s.intervals}
    if len(classes) < 2:
        raise InputError(
            f"{what}: every label is {''.join(classes)!r}: a gesture model "
            "needs at least two classes (add clips or sessions of others)"
        )


def _fit_and_publish(store, run_id, plan, streams, cfg, work, progress) -> dict:
    """Fit, then write the model as a fresh version and switch its pointer to it; a write
    that fails first deletes what it wrote (keys.filling)."""
    summary, test = _fit(plan, streams, cfg, work, progress)
    version = keys.new_version()
    with keys.filling(store, run_id, "model", version):
        return _publish_model(store, run_id, plan, streams, work, summary, test, version)


def _publish_model(store, run_id, plan, streams, work, summary, test, version) -> dict:
    """The fitted model in ``work`` as ``version``, then its pointer; returns its figures."""
    prefix = keys.model_prefix(run_id, version)
    if test is not None:
        _name_scored_model(work / "report" / "metrics.json", prefix)
    for name in MODEL_FILES:
        keys.put_file(store, f"{prefix}/{name}", work / "model" / name)
    for name in REPORT_FILES if test is not None else ("metrics.json",):
        keys.put_file(store, f"{prefix}/{name}", work / "report" / name)
    split = {"scheme": "none", "groups": []}
    if test is not None:
        split = {"scheme": test["test_scheme"], "groups": test["test_groups"]}
    keys.put_json(store, f"{prefix}/test_split.json", split)
    figures = model_figures(summary, streams, test)
    record = {
        "inputs": plan.inputs,
        "sessions": plan.sessions,
        "clips": sorted(plan.clips),
        "clip_folders": model_clip_folders(plan),
        "figures": figures,
    }
    if not plan.test_split:  # said where a reader of the pointer looks for the scores
        record.update(test_split=False, held_out=False, note=NO_TEST_SPLIT)
    keys.publish(store, run_id, "model", version, record)
    (work / "model" / "checkpoint.pt").unlink(missing_ok=True)
    return figures


def _name_scored_model(metrics_file: Path, prefix: str) -> None:
    """metrics.json names the model it scored by its store key: evaluate wrote the work
    folder's path, gone once the model is published (the report showed that path)."""
    metrics = json.loads(metrics_file.read_text())
    metrics["model"] = prefix
    metrics_file.write_text(json.dumps(metrics, indent=2, sort_keys=True))


def _fit(plan: TrainPlan, streams: list, cfg, work: Path, progress: bool):
    """(training summary, test result): trained with a held-out test set scored into
    ``work/report`` (metrics.json, confusion.png), or, with the plan's test split off, on
    every window as folder mode trains (its validation split stays as it is)
    with a metrics.json that says there is no held-out score (test result None)."""
    from silkpipe.evaluation import write_report
    from silkpipe.training import train, train_with_test

    if plan.test_split:
        summary, test = train_with_test(streams, work / "model", config=cfg, progress=progress)
        write_report(test, work / "report")
        return summary, test
    summary = train(streams, work / "model", config=cfg, progress=progress)
    (work / "report").mkdir(exist_ok=True)
    (work / "report" / "metrics.json").write_text(
        json.dumps(no_test_metrics(summary), indent=2, sort_keys=True)
    )
    return summary, None


def no_test_metrics(summary: dict) -> dict:
    """metrics.json of a model trained with no test split: no score, and why (the report
    shows it in place of the held-out scores and confusion matrix)."""
    return {
        "held_out": False,
        "test_scheme": "none",
        "test_groups": [],
        "test_windows": 0,
        "trained_windows": summary["windows"],
        "note": NO_TEST_SPLIT,
    }


def model_figures(summary: dict, streams: list, test: dict | None = None) -> dict:
    """The numbers a training leaves for the step metrics and the pointer."""
    figures = {
        k: summary[k]
        for k in (
            "epochs",
            "kept_epoch",
            "best_val_epoch",
            "train_seconds",
            "windows",
            "train_windows",
            "val_windows",
            "val_macro_f1",
        )
    }
    figures["untrained_samples"] = summary.get("left_out_of_training", {}).get("samples", 0)
    figures["sessions"] = sum(s.kind == "session" for s in streams)
    figures["clips"] = sum(s.kind == "clip" for s in streams)
    figures["held_out"] = int(test is not None)  # 0: no test split, no held-out score
    if test is not None:
        figures.update(
            macro_f1=test["macro_f1"], accuracy=test["accuracy"], test_windows=test["windows"]
        )
        figures.update({f"f1_{name}": c["f1"] for name, c in test["per_class"].items()})
    return figures


def evaluate_model(store: Store, run_id: str, streams: list, backend: str = "onnx") -> dict:
    """Score the run's published model on labelled streams (clips or sessions)."""
    from silkpipe.evaluation import evaluate

    if keys.published(store, run_id, "model") is None:
        raise InputError(f"run {run_id} has no model (run train first)")
    with temp_scratch("silkpipe-eval-") as tmp:
        folder = keys.download_prefix(
            store, keys.published_prefix(store, run_id, "model"), tmp / "model"
        )
        return evaluate(folder, streams, backend=backend)
