"""Cross-validation protocols, each scored on windows and on stitched continuous streams.

- ``time-range``: held-out contiguous time ranges of every block and class (purge gap),
  the within-block protocol the README used to quote alone;
- ``leave-day-out``: train on every other day, test on one, on the classes all days share;
- ``leave-block-out``: within a day, train on its other blocks and test on one, for every
  block whose classes the rest of its day also holds (a day needs two such blocks).

Every fold trains a fresh model per seed. Results hold per-fold scores, the pooled score
(predictions of all folds together) and the spread (min/max fold), the pooled confusion
with the punch-vs-noise share, and event-level spotting counts (silkpipe.spotting).
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from silkpipe.dataset import (
    LabelledStream,
    Windows,
    concat_windows,
    make_windows,
    time_range_split,
    unlabelled_windows,
)
from silkpipe.errors import InputError
from silkpipe.evaluation import scores
from silkpipe.spotting import add_counts, event_scores, spot
from silkpipe.training_only import describe_runs, fold_mask, format_runs, tagged, tested_days
from silkpipe.vocabulary import CLASSES
from silkpipe.whole_samples import (
    describe,
    flawed_windows,
    trainable,
    untrained_reason,
    whole_line,
    whole_score,
)

PROTOCOLS = ("time-range", "leave-day-out", "leave-block-out")


#: Few-shot folds: a sample of a long state recording is this long (a 2025-10-14 clip's
#: length), and the new day's labelled samples count this many times in training (chosen
#: on the fold testing 2025-10-14: bench/notes/cross_day_adapt.txt).
SHOT_SAMPLE_S = 2.5
SHOT_REPEAT = 4


@dataclass
class Fold:
    name: str
    train: np.ndarray  # window masks
    test: np.ndarray
    shots: np.ndarray | None = None  # the test day's labelled first samples, trained on too


def window_days(windows: Windows, streams: list[LabelledStream]) -> np.ndarray:
    day = {st.name: st.day for st in streams}
    return np.array([day[n] for n in windows.streams], dtype=object)


def classes_by_day(windows: Windows, days: np.ndarray) -> dict[str, set[str]]:
    """Each day's classes among the windows."""
    return {d: {CLASSES[i] for i in set(windows.y[days == d])} for d in sorted(set(days))}


def shared_classes(windows: Windows, days: np.ndarray) -> list[str]:
    """Classes every day holds (leave-day-out scores only those)."""
    held = classes_by_day(windows, days).values()
    return [c for c in CLASSES if held and all(c in there for there in held)]


def time_range_folds(windows: Windows, n_folds: int = 5, purge_s: float = 2.0) -> list[Fold]:
    out = []
    for k in range(n_folds):
        train, test = time_range_split(windows, 1 / n_folds, k, purge_s)
        out.append(Fold(f"time-range {k + 1}/{n_folds}", train, test))
    return out


def leave_day_out_folds(days: np.ndarray) -> list[Fold]:
    return [Fold(f"test day {d}", days != d, days == d) for d in sorted(set(days))]


def leave_block_out_folds(windows: Windows, days: np.ndarray) -> tuple[list[Fold], list[str]]:
    """Folds for every block that can be held out within its day, and why others cannot."""
    folds, notes = [], []
    for day in sorted(set(days)):
        blocks = sorted(set(windows.groups[days == day]))
        for block in blocks:
            test = windows.groups == block
            train = (days == day) & ~test
            held, rest = set(windows.y[test]), set(windows.y[train])
            if len(held) >= 2 and held <= rest:
                folds.append(Fold(f"{day} test {block}", train, test))
            else:
                missing = sorted(CLASSES[i] for i in held - rest)
                why = (
                    f"the day's other blocks lack {', '.join(missing)}"
                    if missing
                    else ("it holds one class only")
                )
                notes.append(f"{day}: {block} cannot be held out: {why}")
    return folds, notes


class TorchPredictor:
    """A trained GestureNet behind the Predictor interface (logits, labels)."""

    def __init__(self, model: torch.nn.Module):
        self.model = model.eval()
        self.labels = list(CLASSES)

    def logits(self, windows: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            x = torch.from_numpy(np.ascontiguousarray(windows, dtype=np.float32))
            return self.model(x).numpy()


def fit_fold(windows: Windows, cfg, work: Path, pool: Windows | None = None, adapt=None):
    """Train on these windows (the training module's loop and refit) -> a predictor; with
    ``adapt`` (silkpipe.adapt.AdaptConfig), self-trained on the unlabelled ``pool`` too."""
    from silkpipe.model import load_torch_model
    from silkpipe.training import train_windows

    if adapt is not None and pool is not None:
        from silkpipe.adapt import self_train

        self_train(windows, pool, work, cfg, adapt, progress=False, export=False)
    else:
        train_windows(windows, work, config=cfg, progress=False, export=False)
    return TorchPredictor(load_torch_model(work))


def shot_split(windows: Windows, streams, test: np.ndarray, k: int, purge_s: float = 2.0):
    """(shots, rest) of a fold's test windows: per class its first k samples in recording
    order (a sample is a clip, or SHOT_SAMPLE_S of a longer recording), as a user would
    label them at the start of a new day; the rest, less a purge after a partly used
    recording, is scored. A sample that trains nothing (whole_samples) is no shot: it stays
    a test window and the next sample is taken."""
    by_name = {st.name: st for st in streams}
    shots, rest = np.zeros(len(windows), bool), test.copy()
    for c in sorted(set(windows.y[test].tolist())):
        names = set(windows.streams[test & (windows.y == c)])
        left = k
        for name in sorted(names, key=lambda n: (by_name[n].motion.t[0], n)):
            if left <= 0:
                break
            if untrained_reason(by_name[name]) is not None:
                continue
            st, mine = by_name[name], test & (windows.streams == name) & (windows.y == c)
            span = st.intervals[0].end - st.intervals[0].start
            take = min(left, max(1, math.ceil(span / SHOT_SAMPLE_S - 1e-6)))
            cut = st.motion.t[0] + take * SHOT_SAMPLE_S
            whole = take * SHOT_SAMPLE_S >= span
            shots |= mine if whole else mine & (windows.times < cut)
            rest &= ~mine if whole else ~(mine & (windows.times < cut + purge_s))
            left -= take
    return shots, rest


def with_shots(folds: list[Fold], windows: Windows, streams, k: int, purge_s: float):
    out = []
    for f in folds:
        shots, rest = shot_split(windows, streams, f.test, k, purge_s)
        if not rest.any():  # else the fold would score 0.000 on no windows
            raise InputError(f"--shots {k} takes every test sample of {f.name}: none is left")
        out.append(Fold(f"{f.name}, {k} shots", f.train, rest, shots))
    return out


def folds_for(protocol: str, windows: Windows, days: np.ndarray, purge_s: float):
    """(folds, notes) of a protocol."""
    if protocol == "time-range":
        return time_range_folds(windows, purge_s=purge_s), []
    if protocol == "leave-day-out":
        if len(set(days)) < 2:
            return [], ["leave-day-out needs clips of two days (give --clips twice)"]
        return leave_day_out_folds(days), []
    if protocol == "leave-block-out":
        return leave_block_out_folds(windows, days)
    raise ValueError(f"unknown protocol {protocol!r}")


def run_protocol(
    streams: list[LabelledStream],
    protocol: str,
    cfg,
    seeds: list[int],
    work_dir=None,
    adapt=None,
    shots: int = 0,
    training_only: list | None = None,
    preset: str = "default",
) -> dict:
    """Train and score every fold of a protocol for every seed (see module doc); with
    ``adapt``, leave-day-out folds self-train on the test day's recordings, unlabelled;
    with ``shots`` they also train on the test day's first ``shots`` samples per class;
    ``training_only`` runs (silkpipe.training_only) train every fold, never tested;
    ``preset``: the named settings ``cfg`` started from (training_settings)."""
    if (adapt is not None or shots) and protocol != "leave-day-out":
        raise InputError(
            f"--adapt and --shots need --cv leave-day-out (a new day to adapt to), not {protocol}"
        )
    windows, days, classes, streams, unshared = _protocol_windows(streams, protocol, cfg.window)
    folds, notes = folds_for(protocol, windows, days, cfg.purge_s)
    notes += unshared
    if shots:
        folds = with_shots(folds, windows, streams, shots, cfg.purge_s)
    extra = _Extra.of(training_only or [], classes, cfg.window)
    masks = [extra.mask_for(tested_days(windows, streams, f.test), f.name, notes) for f in folds]
    rows, y_true, y_pred, whole = [], [], [], []
    events: dict = {}
    with tempfile.TemporaryDirectory(dir=work_dir, prefix="cv-") as tmp:
        for seed in seeds:
            for k, fold in enumerate(folds):
                row, truth, pred, counts, mine = _run_fold(
                    windows,
                    streams,
                    fold,
                    replace(cfg, seed=seed),
                    Path(tmp) / f"{seed}-{k}",
                    adapt,
                    extra.subset(masks[k]),  # taken per fold: one fold's copy held at a time
                )
                rows.append({"seed": seed, **row})
                y_true.append(truth)
                y_pred.append(pred)
                whole.append(mine)
                add_counts(events, counts)
    out = _summary(protocol, classes, notes, rows, y_true, y_pred, events, seeds)
    out.update(_whole_only(y_true, y_pred, whole))
    out["left_out_of_training"] = trainable(windows, streams)[1]
    if training_only:
        out["training_only"] = describe_runs(training_only, extra.windows)
    out["training_settings"] = training_settings(cfg, preset)
    _name_variants(out, shots, adapt)
    return out


def training_settings(cfg, preset: str) -> dict:
    """The preset the folds trained with and each setting of ``cfg`` that differs from
    it (window ones as window.NAME; not the seed: ``seeds`` names it), so that numbers
    measured with changed settings are never read as the preset's."""
    from dataclasses import asdict

    from silkpipe.training import preset as preset_config

    def flat(config) -> dict:
        values = asdict(config)
        window = values.pop("window")
        return {**values, **{f"window.{k}": v for k, v in window.items()}}

    ours, theirs = flat(cfg), flat(preset_config(preset))
    changed = {
        name: {"value": value, "preset": theirs[name]}
        for name, value in ours.items()
        if name != "seed" and value != theirs[name]
    }
    return {"preset": preset, "changed": changed}


def settings_line(r: dict) -> str:
    """One line naming a result's preset and changed settings ("" for the default
    preset unchanged); KeyError, TypeError or AttributeError where cv.json was edited."""
    settings = r.get("training_settings")
    if not settings:
        return ""
    changed = settings["changed"]
    if settings["preset"] == "default" and not changed:
        return ""
    line = f"training settings: preset {settings['preset']}"
    if changed:
        line += "; changed: " + ", ".join(
            f"{name} {c['value']} (preset {c['preset']})" for name, c in changed.items()
        )
    return line


def _protocol_windows(streams: list[LabelledStream], protocol: str, window):
    """(windows, their days, the classes scored, streams, notes): leave-day-out keeps only
    the classes every day holds, and a note names each class it leaves out."""
    windows = make_windows(streams, window)
    days = window_days(windows, streams)
    classes, notes = list(CLASSES), []
    if protocol == "leave-day-out":
        classes = shared_classes(windows, days)
        notes = unshared_notes(windows, days, classes)
        keep = np.isin(windows.y, [CLASSES.index(c) for c in classes])
        windows, days = windows.subset(keep), days[keep]
        streams = [st for st in streams if st.intervals[0].label in classes or st.kind != "clip"]
    return windows, days, classes, streams, notes


def unshared_notes(windows: Windows, days: np.ndarray, classes: list[str]) -> list[str]:
    """A line per class some day holds and leave-day-out does not score, naming the days
    without it: a day of one class cut the others out, and only the header's class list
    showed it (bad_input_sweep51)."""
    held = classes_by_day(windows, days)
    out = []
    for c in CLASSES:
        lacking = [str(d) for d, there in held.items() if c not in there]
        if c not in classes and len(lacking) < len(held):
            out.append(f"{c} is not scored: not held by {', '.join(lacking)}")
    return out


def _name_variants(out: dict, shots: int, adapt) -> None:
    """Few-shot and self-trained results are named apart, so no report mistakes them for
    plain leave-day-out."""
    if shots:
        out["protocol"] += f" + {shots} shots per class (few-shot)"
        out["shots"] = {"per_class": shots, "repeat": SHOT_REPEAT, "sample_s": SHOT_SAMPLE_S}
    if adapt is not None:
        out["protocol"] += " + self-trained on the test day"
        out["adapt"] = {"share": adapt.share, "rounds": adapt.rounds}


@dataclass
class _Extra:
    """Training-only windows (in the protocol's classes), their streams and days, and which
    of them train (whole_samples.trainable: the same for every fold and seed)."""

    windows: Windows | None
    streams: list[LabelledStream]
    days: np.ndarray
    trains: np.ndarray

    @classmethod
    def of(cls, runs: list, classes: list[str], window) -> _Extra:
        streams = tagged(runs)
        if not streams:
            return cls(None, [], np.array([], dtype=object), np.array([], bool))
        w = make_windows(streams, window)
        w = w.subset(np.isin(w.y, [CLASSES.index(c) for c in classes]))
        return cls(w, streams, window_days(w, streams), trainable(w, streams, warn=False)[0])

    def mask_for(self, test_days: set, fold: str, notes: list[str]) -> np.ndarray:
        """The windows a fold may train on; why others may not is added to ``notes``."""
        mask, why = fold_mask(self.days, test_days, fold)
        notes += why
        return mask

    def subset(self, mask: np.ndarray) -> Windows | None:
        """The windows a fold trains on (of ``mask``, those that train)."""
        if self.windows is None:
            return None
        return self.windows.subset(mask & self.trains)


def _fold_training(windows, streams, fold: Fold, extra) -> tuple[Windows, dict, int]:
    """(what a fold trains on, what was left out of it, training-only windows in it)."""
    train_mask, left_out = trainable(windows, streams, fold.train)
    train = windows.subset(train_mask)
    if fold.shots is not None:
        shots, _ = trainable(windows, streams, fold.shots, warn=False)
        train = concat_windows([train] + [windows.subset(shots)] * SHOT_REPEAT)
    if extra is None:
        return train, left_out, 0
    return concat_windows([train, extra]), left_out, len(extra)


def _run_fold(windows, streams, fold: Fold, cfg, work: Path, adapt=None, extra=None):
    pool = None
    if adapt is not None:  # the test day's recordings slid whole, their labels unused
        held = set(windows.streams[fold.test])
        pool = unlabelled_windows([st for st in streams if st.name in held], cfg.window)
    train, left_out, n_extra = _fold_training(windows, streams, fold, extra)
    predictor = fit_fold(train, cfg, work, pool, adapt)
    test = windows.subset(fold.test).primaries()
    pred = predictor.logits(test.core()).argmax(axis=1)
    s = scores(test.y, pred, CLASSES)
    whole = ~flawed_windows(test, streams)
    on_whole = whole_score(test.y, pred, whole, CLASSES)
    per_day, per_day_absent = _by_day(test, pred, window_days(test, streams))
    held = set(test.streams)
    full = [st for st in streams if st.name in held and _all_in(windows, fold.test, st.name)]
    spotted = spot(predictor, full, cfg.window, seed=cfg.seed) if full else {"counts": {}}
    row = {
        "fold": fold.name,
        "macro_f1": s["macro_f1"],
        "macro_f1_with_absent": s["macro_f1_with_absent"],
        "accuracy": s["accuracy"],
        "windows": len(test),
        "whole_sample_macro_f1": on_whole["whole_sample_macro_f1"],
        "whole_sample_windows": on_whole["whole_sample_windows"],
        "left_out_of_training": left_out,
        "training_only_windows": n_extra,
        "per_day": per_day,
        "per_day_with_absent": per_day_absent,
        "streams_spotted": len(full),
        "event_f1": {c: v["f1"] for c, v in event_scores(spotted["counts"]).items()},
    }
    return row, test.y, pred, spotted["counts"], whole


def _by_day(test, pred: np.ndarray, days: np.ndarray) -> tuple[dict, dict]:
    """Macro-F1 per day, and the same counting a class predicted there but never true at
    F1 0 (only for the days where that differs: a day without idle, say)."""
    per_day, with_absent = {}, {}
    for d in sorted(set(days)):
        s = scores(test.y[days == d], pred[days == d], CLASSES)
        per_day[d] = s["macro_f1"]
        if s["predicted_without_truth"]:
            with_absent[d] = s["macro_f1_with_absent"]
    return per_day, with_absent


def _whole_only(y_true: list, y_pred: list, whole: list) -> dict:
    """whole_samples.whole_score pooled over the folds ({} without folds)."""
    if not whole:
        return {}
    keep = np.concatenate(whole)
    return whole_score(np.concatenate(y_true), np.concatenate(y_pred), keep, CLASSES)


def _all_in(windows: Windows, mask: np.ndarray, name: str) -> bool:
    mine = (windows.streams == name) & (windows.primary if windows.primary is not None else True)
    return bool(mask[mine].all())


def punch_noise(confusion: dict) -> dict:
    """How often punches are called noise and noise is called punch (rows: truth)."""
    m = np.asarray(confusion["matrix"])
    labels = list(confusion.get("labels") or CLASSES)
    if "punch" not in labels or "noise" not in labels or m.ndim != 2:
        return {
            "punch_called_noise": None,
            "noise_called_punch": None,
            "punch_windows": 0,
            "noise_windows": 0,
        }
    p, n = labels.index("punch"), labels.index("noise")

    def share(a: int, b: int) -> float | None:
        return round(float(m[a, b] / m[a].sum()), 4) if m[a].sum() else None

    return {
        "punch_called_noise": share(p, n),
        "noise_called_punch": share(n, p),
        "punch_windows": int(m[p].sum()),
        "noise_windows": int(m[n].sum()),
    }


def _summary(protocol, classes, notes, rows, y_true, y_pred, events, seeds) -> dict:
    out: dict = {
        "protocol": protocol,
        "classes": classes,
        "notes": notes,
        "seeds": seeds,
        "folds": rows,
    }
    if not rows:
        return out
    pooled = scores(np.concatenate(y_true), np.concatenate(y_pred), CLASSES)
    per_seed = []
    for seed in seeds:
        idx = [i for i, r in enumerate(rows) if r["seed"] == seed]
        yt = np.concatenate([y_true[i] for i in idx])
        per_seed.append(scores(yt, np.concatenate([y_pred[i] for i in idx]), CLASSES)["macro_f1"])
    f1s = [r["macro_f1"] for r in rows]
    out.update(
        pooled_macro_f1=pooled["macro_f1"],
        pooled_macro_f1_with_absent=pooled["macro_f1_with_absent"],
        pooled_macro_f1_per_seed=per_seed,
        fold_min=min(f1s),
        fold_max=max(f1s),
        per_class=pooled["per_class"],
        confusion=pooled["confusion"],
        punch_noise=punch_noise(pooled["confusion"]),
        events=event_scores(events),
    )
    return out


def _trained_also(r: dict) -> list[str]:
    """What the folds trained on besides the other folds' windows."""
    lines = []
    if r.get("adapt"):
        a = r["adapt"]
        lines.append(
            f"  self-trained on each test day's recordings, labels unused "
            f"(share {a['share']}, {a['rounds']} rounds)"
        )
    if r.get("shots"):
        lines.append(
            f"  few-shot: each fold also trains on its test day's first {r['shots']['per_class']} "
            f"samples per class (x{r['shots']['repeat']}) and scores the rest: not leave-day-out"
        )
    return lines + format_runs(r.get("training_only") or [])


def format_result(r: dict) -> str:
    """A short plain-text table of one protocol's result."""
    lines = [f"== {r['protocol']} (classes: {', '.join(r['classes'])}; seeds {r['seeds']})"]
    lines += [f"  {line}" for line in [settings_line(r)] if line]
    lines += _trained_also(r)
    lines += [f"  note: {n}" for n in r["notes"]]
    left_out = describe(r.get("left_out_of_training") or {})
    if left_out:
        lines.append(f"  {left_out} in any fold (their test windows are scored)")
    for f in r["folds"]:
        ev = " ".join(f"{c} {v:.2f}" for c, v in f["event_f1"].items())
        absent = f.get("per_day_with_absent") or {}
        days = " ".join(
            f"{d} {v:.3f}" + (f" [{absent[d]:.3f}]" if d in absent else "")
            for d, v in f["per_day"].items()
        )
        lines.append(
            f"  seed {f['seed']} {f['fold']:<34s} macro-F1 {f['macro_f1']:.3f} "
            f"({f['windows']} windows; by day {days})  event F1: {ev or '-'}"
        )
    if "pooled_macro_f1" not in r:
        lines.append("  no folds")
        return "\n".join(lines)
    lines.append(
        f"  pooled macro-F1 {r['pooled_macro_f1']:.3f} (per seed "
        f"{', '.join(f'{v:.3f}' for v in r['pooled_macro_f1_per_seed'])}), "
        f"folds min {r['fold_min']:.3f} max {r['fold_max']:.3f}"
    )
    if r.get("pooled_macro_f1_with_absent", r["pooled_macro_f1"]) != r["pooled_macro_f1"]:
        lines.append(
            f"  pooled macro-F1 counting a class predicted but never true at F1 0: "
            f"{r['pooled_macro_f1_with_absent']:.3f}"
        )
    if any(f.get("per_day_with_absent") for f in r["folds"]):
        lines.append(
            "  [x] after a day's score: that day's score counting a class predicted there "
            "but never true at F1 0"
        )
    if r.get("flawed_sample_windows"):
        lines.append(whole_line(r, "pooled macro-F1"))
    pn = r["punch_noise"]
    lines.append(
        f"  punch called noise {pn['punch_called_noise']} of {pn['punch_windows']}; "
        f"noise called punch {pn['noise_called_punch']} of {pn['noise_windows']}"
    )
    for c, v in r["events"].items():
        lines.append(
            f"  events {c:6s} P {v['precision']:.3f} R {v['recall']:.3f} "
            f"F1 {v['f1']:.3f} (tp {v['tp']} fn {v['fn']} fp {v['fp']})"
        )
    return "\n".join(lines)
