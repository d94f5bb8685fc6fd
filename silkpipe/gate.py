"""The gate: whether a session's fitted offset is trusted enough to train on.

An offset search always returns a best lag, right or not; the gate weighs what was found
there (the energy fit against shuffled words, the class signature, a class model's
evidence, where the best lag lies in the search) and passes the session or refuses it
with the reason. ``alignment.align_session`` gathers the Evidence and calls ``decide``.
The rules' settings are AlignConfig fields; their comments there say which wrong offsets
on held-out sessions each was written from (bench/notes).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from silkpipe.class_evidence import ClassTest
from silkpipe.errors import InputError
from silkpipe.signature import SignatureTest
from silkpipe.transcripts import Command

if TYPE_CHECKING:
    from silkpipe.alignment import AlignConfig


#: Class models trained before the session was seen: their permutation p is fair with few
#: words (silkpipe.clip_evidence, silkpipe.session_classes).
FIXED_MODELS = ("clips", "sessions")


@dataclass
class Evidence:
    """What the gate weighs: energy fit, class signature, class evidence, search edge."""

    quality: float
    p_value: float
    sig: SignatureTest
    cls: ClassTest | None = None
    at_edge: bool = False
    moved: bool = False  # class evidence chose another energy peak than the best one
    disagree: bool = False  # the clip model's best lag lies away from the chosen one
    rate_fitted: bool = False  # the search fitted the clock rate too (a count clock)
    class_channels: bool = True  # the search that found the offset used class channels
    lag_margin: float | None = None  # fixed class model: clip_evidence.lag_margin
    best_away_s: float | None = None  # ... and where its best score away lies
    rate_edge: float | None = None  # rate fitted: _scale_edge of the scale taken
    # The first pass's self-trained class evidence contradicted this session (the align
    # step's session-class rounds carry it: a fixed model never contradicts): a pass below
    # sure_quality then needs a fixed class model's route (_confirms_contradicted).
    contradicted: bool = False
    # The first pass chose another energy peak than the best by its class evidence,
    # unconfirmed (CHOICE_UNCONFIRMED; the align step's session-class rounds carry where),
    # and this offset lies more than clip_agree_s from that choice: two class evidences
    # put the words at different peaks, so energy under sure_quality, or the round's
    # model alone, does not pass it (decide).
    choice_away: bool = False
    # A loss whose size may be off by over loss_spread_s, the words on its two sides
    # fitting that far apart (_straddled_loss; None: none such).
    uncertain_loss: list[float] | None = None
    # A bracket loss of uncertain size with too few words before it to check that size,
    # the fit following the words after it (_unchecked_bracket; None: none such).
    unchecked_loss: list[float] | None = None
    # A loss the clock spread, half of it over loss_spread_s, with words among its rows
    # (_spread_loss; None: none such).
    spread_loss: list[float] | None = None
    # fixed class model: clip_evidence.common_margin (None: none, or not computed)
    common_margin: float | None = None
    # fixed class model, scale a != 1: rate_classes.rate_margin (class_rate_margin)
    rate_margin: float | None = None
    # Seconds the fit puts its earliest word after the stream's first sample (negative:
    # before it; None: not computed).
    first_word_s: float | None = None


def decide(
    ev: Evidence, cfg: AlignConfig, keep_refused: bool, commands: list[Command]
) -> tuple[bool, str, str]:
    """(excluded, reason, how the gate decided): gate_verdict's, a pass a fixed class model
    moved off the best energy peak against its own lag profile refused (_moved_away), and
    a pass of a session the first pass's self-trained class evidence contradicted refused
    unless confirmed."""
    at_chance, gate = gate_verdict(
        ev.quality,
        ev.p_value,
        ev.sig,
        cfg,
        ev.cls,
        ev.at_edge,
        ev.moved,
        ev.disagree,
        ev.rate_fitted,
        ev.class_channels,
        ev.lag_margin,
        ev.rate_edge,
    )
    if not at_chance and _moved_away(ev, gate_levels(cfg)):
        at_chance, gate = True, PEAKS_AWAY
    if not at_chance and ev.contradicted:
        at_chance, gate = _contradicted_verdict(ev, cfg, gate)
    if not at_chance and ev.choice_away and not _sure_energy(ev, gate_levels(cfg)):
        at_chance, gate = True, CHOICE_ELSEWHERE
    if not at_chance and ev.uncertain_loss and _loss_judged(ev, cfg):
        at_chance, gate = True, LOSS_UNCERTAIN
    if not at_chance and ev.unchecked_loss and _loss_judged(ev, cfg):
        at_chance, gate = True, LOSS_UNCHECKED
    if not at_chance and ev.spread_loss and _loss_judged(ev, cfg):
        at_chance, gate = True, LOSS_SPREAD
    if not at_chance and _away_on_common(ev, gate, gate_levels(cfg)):
        at_chance, gate = True, COMMON_AWAY
    if not at_chance and _moved_weakly(ev, gate_levels(cfg)):
        at_chance, gate = True, MOVED_WEAKLY
    if not at_chance and _rate_unconfirmed(ev, gate_levels(cfg)):
        at_chance, gate = True, RATE_PREFERS_ONE
    if not at_chance and _energy_before_start(ev, gate, cfg):
        at_chance, gate = True, BEFORE_START
    if not at_chance and _one_class_unchecked(ev, gate, gate_levels(cfg)):
        at_chance, gate = True, ONE_CLASS_UNCHECKED
    if at_chance and not keep_refused:
        return True, _refusal(ev, cfg, gate) + _one_class_hint(commands), gate
    if at_chance:
        return False, f"{gate} (quality {ev.quality:.2f}), kept although refused", gate
    fixed = ev.cls is not None and ev.cls.model in FIXED_MODELS
    if ev.moved and fixed and ev.cls is not None and _route(ev.cls.model) != gate:
        gate += f"; offset chosen by {_route(ev.cls.model)}"  # it passed only through them
    return False, "", gate


def gate_verdict(
    quality: float,
    p_value: float,
    sig: SignatureTest,
    cfg: AlignConfig,
    cls: ClassTest | None = None,
    at_edge: bool = False,
    moved: bool = False,
    disagree: bool = False,
    rate_fitted: bool = False,
    class_channels: bool | None = None,
    lag_margin: float | None = None,
    rate_edge: float | None = None,
) -> tuple[bool, str]:
    """(at chance, how the gate decided).

    Energy alone (quality) can be fooled by words that merely fall into an active
    stretch; the class-signature test cannot. So a session passes on energy (from
    energy_level: _under_level) or on the signature test beside a fair energy p, and no
    energy passes it when enough jump and turn words say the classes do not sit where the
    offset puts them. The class-evidence
    test (all event classes) and a best lag at the search edge (the true peak may lie
    beyond it) refuse the same way; an offset the class evidence chose over the best
    energy peak (``moved``) needs that evidence to hold on its own (class_confirm_p). A
    fixed class model (clip-trained, or trained on other sessions: FIXED_MODELS) can pass a
    session beside a fair energy p (clip_pass_p, clip_energy_p). Where the search also
    fitted the clock rate (``rate_fitted``, a count clock), another rate one gesture period
    away fits almost as well, so energy below sure_quality passes only with a class route
    beside it. ``class_channels``: whether the search that found the offset used class
    channels (None: whether the config searches with them). ``lag_margin``: how clearly the
    fixed class model scores the words best at this lag (clip_evidence.lag_margin); below
    class_peak_margin its route does not pass them (a placement a period or more off).
    ``rate_edge``: where the rate was fitted, how near the scale taken lies to the searched
    scales' edge (_scale_edge); at rate_edge_share or beyond no route below sure_quality
    passes it (_routes).
    """
    cfg = gate_levels(cfg)
    if not np.isfinite(quality):
        return True, "quality is not a number"
    if at_edge:
        return True, "offset at the search edge"
    if moved and not (cls is not None and cls.testable and cls.p_value <= cfg.class_confirm_p):
        return True, CHOICE_UNCONFIRMED
    if quality >= max(cfg.sure_quality, cfg.min_quality):
        return False, "energy"
    if disagree:
        return True, "class evidence peaks elsewhere"
    if _class_contradicts(cls, cfg):
        return True, CLASS_CONTRADICTS
    if _contradicts(sig, cfg):
        return True, "class signature contradicts"
    if quality >= cfg.min_quality and not rate_fitted:
        return False, "energy"
    at_rate_edge = rate_fitted and rate_edge is not None and rate_edge >= cfg.rate_edge_share
    verdict = _routes(quality, p_value, sig, cfg, cls, class_channels, lag_margin, at_rate_edge)
    return _under_level(verdict, quality, rate_fitted, lag_margin, cfg)


def _under_level(
    verdict: tuple[bool, str],
    quality: float,
    rate_fitted: bool,
    lag_margin: float | None,
    cfg: AlignConfig,
) -> tuple[bool, str]:
    """energy_allowance: energy alone passes under min_quality, from energy_level, where no
    route passed (a route that did keeps its name in the report) and nothing refuses: no
    clock rate fitted, and no fixed class model's lag profile putting the words better
    away (gate_verdict has already checked the rest). Under energy_level, energy passes
    from the unlifted min_quality where that profile scores the words best here
    (class_peak_unlifts)."""
    if not verdict[0] or rate_fitted:
        return verdict
    if quality < energy_level(cfg, rate_fitted):
        return (False, PROFILE_UNLIFTS) if _profile_unlifts(quality, lag_margin, cfg) else verdict
    return (True, PEAKS_AWAY) if _fits_better_away(lag_margin, cfg) else (False, "energy")


def _profile_unlifts(quality: float, lag_margin: float | None, cfg: AlignConfig) -> bool:
    """class_peak_unlifts: a fixed class model's lag profile scores the words best at this
    offset, by class_peak_unlift_margin spreads at least, and energy reaches min_quality
    before the class channels' lift (``cfg``: the gate's lifted levels)."""
    if not cfg.class_peak_unlifts or lag_margin is None:
        return False
    floor = max(cfg.class_peak_margin, 0.0)
    best_here = lag_margin > floor and lag_margin >= cfg.class_peak_unlift_margin
    return best_here and quality >= cfg.min_quality - _lift(cfg)


def _routes(
    quality: float,
    p_value: float,
    sig: SignatureTest,
    cfg: AlignConfig,
    cls: ClassTest | None,
    class_channels: bool | None,
    lag_margin: float | None,
    at_rate_edge: bool,
) -> tuple[bool, str]:
    """The routes below sure_quality: a fixed class model's, the class signature's; where
    neither passes, why. ``at_rate_edge``: the fitted clock rate lies at the edge of the
    rates searched, which no route confirms (the words can sit on their own classes at a
    wrong rate: bench/notes/rate.txt)."""
    class_route = _clip_confirms(cls, quality, p_value, cfg) and cls is not None
    peaks_away = _fits_better_away(lag_margin, cfg)
    signature = _signature_passes(sig, quality, p_value, cfg, class_channels)
    if class_route and not peaks_away and not at_rate_edge and cls is not None:
        return False, _route(cls.model)
    if signature and not at_rate_edge:
        return False, "class signature"
    if class_route and peaks_away:  # the model's own lag profile puts the words better away
        return True, PEAKS_AWAY
    if at_rate_edge and (class_route or signature):
        return True, RATE_AT_EDGE
    if quality >= cfg.min_quality:  # rate_fitted: energy alone does not settle the rate
        return True, "clock rate unconfirmed"
    if _few_class_words_only(cls, quality, p_value, cfg):
        return True, FEW_CLASS_WORDS
    return True, "at chance"


def _few_class_words_only(
    cls: ClassTest | None, quality: float, p_value: float, cfg: AlignConfig
) -> bool:
    """A fixed class model's strong class p that passes but for its few words beside a
    loose energy p (_few_words_loose_energy)."""
    if cls is None or cls.model not in FIXED_MODELS or not cls.testable:
        return False
    return _strong_class_p(cls, quality, p_value, cfg) and _few_words_loose_energy(
        cls, p_value, cfg
    )


def _signature_passes(
    sig: SignatureTest, quality: float, p_value: float, cfg: AlignConfig, class_channels
) -> bool:
    """The class-signature route: its p beside a fair energy p, energy above its floor.
    With class channels the search itself puts jump words on pushes and turn words on
    spins, so the signature test at its offset is no longer independent of it: closed
    (``class_channels`` None: whether the config searches with them)."""
    if class_channels is None:
        class_channels = cfg.class_channel_weight > 0
    floor = cfg.min_quality - cfg.signature_quality_allowance
    fair = sig.p_value <= cfg.max_signature_p and p_value <= cfg.max_energy_p
    return not class_channels and fair and quality >= floor


#: The gate's verdict where the self-trained class evidence contradicts (_class_contradicts).
CLASS_CONTRADICTS = "class evidence contradicts"
#: ... where the class evidence chose another energy peak than the best one (``moved``) and
#: cannot confirm it on its own (class_confirm_p) ...
CHOICE_UNCONFIRMED = "class choice unconfirmed"
#: ... where a session-class round would pass, below sure_quality, an offset more than
#: clip_agree_s from the first pass's unconfirmed class choice (Evidence.choice_away) ...
CHOICE_ELSEWHERE = "first class choice elsewhere"
#: ... where a fixed class model's route would pass, or anything would pass below
#: sure_quality an offset that model moved (_moved_away), where its own lag profile puts
#: the words better away (class_peak_margin) ...
PEAKS_AWAY = "class evidence fits better away"
#: ... where that profile, judged on the words on the motion at both lags, puts them better
#: away from a route's pass or a moved pass (_away_on_common) ...
COMMON_AWAY = "class evidence fits better away on common words"
#: ... where the first pass's self-trained class evidence contradicted the session and no
#: fixed class model's route confirms the offset (Evidence.contradicted) ...
CONTRADICTED_BEFORE = "class evidence contradicted, unconfirmed"
#: ... where energy under the lifted level passed because a fixed class model's lag profile
#: scores the words best at this offset (class_peak_unlifts) ...
PROFILE_UNLIFTS = "energy, class lag profile confirms"
#: ... and where a route would pass a fitted clock rate at the edge of the rates searched
#: (rate_edge_share).
RATE_AT_EDGE = "clock rate at the edge of its bound"
#: ... where a pass under sure_quality took a fitted clock scale != 1 that the fixed class
#: model does not prefer to scale 1 (class_rate_margin) ...
RATE_PREFERS_ONE = "class evidence prefers the clock's own rate"
#: ... and where energy under sure_quality would pass words on both sides of a loss whose
#: size may be off by more than loss_spread_s (Evidence.uncertain_loss).
LOSS_UNCERTAIN = "words straddle a loss of uncertain size"
#: ... and where the words after such a loss, sized from a pace bracket, set the offset and
#: too few words before it check its size (Evidence.unchecked_loss).
LOSS_UNCHECKED = "words after a loss of uncertain size set the offset"
#: ... and where words lie among the rows the clock spread a loss over, half of it more
#: than loss_spread_s (Evidence.spread_loss).
LOSS_SPREAD = "words lie where the clock could not place a loss"
#: ... where a fixed class model's strong class p stands beside an energy p above
#: max_energy_p on fewer than min_class_words class words (_few_words_loose_energy).
FEW_CLASS_WORDS = "class evidence on too few words beside a loose energy fit"
#: ... where a fixed class model moved the offset off the best energy peak, under
#: sure_quality, on a lag margin under class_moved_margin (_moved_weakly) ...
MOVED_WEAKLY = "class choice off the energy peak on a weak lag profile"
#: ... where energy alone under sure_quality puts a word before the stream's start
#: (AlignConfig.energy_before_start_s).
BEFORE_START = "energy fit puts words before the stream's start"
#: ... where energy alone under sure_quality passes words of one gesture class that no fixed
#: class model's lag profile confirms (AlignConfig.one_class_needs_profile).
ONE_CLASS_UNCHECKED = "energy on one class's words, unconfirmed by a class model"
_RATE_AT_EDGE_WHY = (
    "on a clock rebuilt from row counts the fitted clock rate lies at the edge of the rates "
    "searched around the measured one, where the true rate is not expected: the words may "
    "fit best there on other gestures than their own, which the class evidence, blind to a "
    "rate error this small, cannot tell"
)


def gate_levels(cfg: AlignConfig) -> AlignConfig:
    """The config whose quality levels the gate applies: with class channels in the search,
    min_quality and sure_quality raised by class_channel_lift (class_max_lift where the
    search keeps the better of energy alone and class channels)."""
    lift = _lift(cfg)
    if lift == 0:
        return cfg
    return replace(cfg, min_quality=cfg.min_quality + lift, sure_quality=cfg.sure_quality + lift)


def _lift(cfg: AlignConfig) -> float:
    """How far gate_levels raises the quality levels (0 without class channels)."""
    if cfg.class_channel_weight <= 0:
        return 0.0
    return cfg.class_max_lift if cfg.class_channel_max else cfg.class_channel_lift


def check_energy_allowance(cfg: AlignConfig) -> None:
    """InputError for an energy_allowance not below min_quality: energy alone would pass
    from a level at or under 0, i.e. at chance (a typo like 5 for 0.5). An allowance of 0
    leaves the level itself, however low it is set."""
    if cfg.energy_allowance > 0 and cfg.energy_allowance >= cfg.min_quality:
        raise InputError(
            f"setting AlignConfig.energy_allowance is {cfg.energy_allowance!r}: it must be "
            f"below min_quality ({cfg.min_quality!r}), else energy alone passes at chance"
        )


def energy_level(cfg: AlignConfig, rate_fitted: bool) -> float:
    """The energy quality under which a session is refused for weak energy (``cfg``: the
    gate's levels): min_quality less energy_allowance, where energy alone passes with
    nothing refusing; min_quality where the clock rate was fitted (above it the refusal is
    the unconfirmed rate: energy alone passes a fitted rate only at sure_quality)."""
    return cfg.min_quality if rate_fitted else cfg.min_quality - cfg.energy_allowance


def passes_from(cfg: AlignConfig, rate_fitted: bool, lag_margin: float | None = None) -> float:
    """The energy quality from which energy alone passes a session (the report's
    energy_level): energy_level, or sure_quality where the clock rate was fitted, or the
    unlifted min_quality where a fixed class model's lag profile scores the words best
    here (_profile_unlifts)."""
    levels = gate_levels(cfg)
    if rate_fitted:
        return round(levels.sure_quality, 3)
    level = energy_level(levels, False)
    if _profile_unlifts(level, lag_margin, levels):
        level = min(level, levels.min_quality - _lift(levels))
    return round(level, 3)


def _moved_away(ev: Evidence, levels: AlignConfig) -> bool:
    """An offset a fixed class model chose over the best energy peak (``moved``), under
    sure_quality, where that model's own lag profile puts the words better away
    (class_peak_margin): refused, the check its route makes (_routes). An energy pass at
    the lifted min_quality returned before that check, moved or not, and a session-class
    round moved a right first pass a gesture period off that way (R1 of
    bench/notes/fp46.txt). ``levels``: gate_levels."""
    return _fixed_move_under_sure(ev, levels) and _fits_better_away(ev.lag_margin, levels)


def _moved_weakly(ev: Evidence, levels: AlignConfig) -> bool:
    """An offset a fixed class model chose over the best energy peak, under sure_quality,
    whose lag margin stays under class_moved_margin: the model prefers it to lags a period
    away by too little to overrule the energy's best peak (``levels``: gate_levels)."""
    floor = levels.class_moved_margin
    if floor is None or ev.lag_margin is None:
        return False
    return _fixed_move_under_sure(ev, levels) and ev.lag_margin < floor


def _fixed_move_under_sure(ev: Evidence, levels: AlignConfig) -> bool:
    """A fixed class model moved the offset off the best energy peak (``moved``) and energy
    alone is under the sure level: what _moved_away and _moved_weakly each judge."""
    fixed = ev.cls is not None and ev.cls.model in FIXED_MODELS
    return ev.moved and fixed and not _sure_energy(ev, levels)


def _away_on_common(ev: Evidence, gate: str, levels: AlignConfig) -> bool:
    """A pass through a fixed class model's route, or of an offset that model moved, under
    sure_quality, whose class evidence on the words on the motion at both lags fits
    better away (Evidence.common_margin under class_peak_margin): the FLOOR profile
    penalises a lag for words off the motion there, the choice and test skip them, so
    neither alone judges two lags on the same words (R3 of bench/notes/fp46.txt; off with
    class_peak_common, whose absence leaves common_margin None)."""
    if ev.common_margin is None or ev.cls is None or ev.cls.model not in FIXED_MODELS:
        return False
    routed = gate == _route(ev.cls.model)
    moved = ev.moved and not _sure_energy(ev, levels)
    return (routed or moved) and ev.common_margin < levels.class_peak_margin


def _rate_unconfirmed(ev: Evidence, levels: AlignConfig) -> bool:
    """A pass under sure_quality on a fitted clock scale != 1 whose fixed class model
    scores the words better at scale 1 (Evidence.rate_margin under class_rate_margin;
    off with None). ``levels``: gate_levels."""
    if levels.class_rate_margin is None or ev.rate_margin is None or not ev.rate_fitted:
        return False
    return not _sure_energy(ev, levels) and ev.rate_margin < levels.class_rate_margin


def _fits_better_away(lag_margin: float | None, cfg: AlignConfig) -> bool:
    """A fixed class model's lag profile scores the words better away from this offset than
    at it (clip_evidence.lag_margin under class_peak_margin; None: no such model)."""
    return lag_margin is not None and lag_margin < cfg.class_peak_margin


def _route(model: str) -> str:
    """The gate's name of a fixed class model's route."""
    return "clip classes" if model == "clips" else "session classes"


def _clip_confirms(cls: ClassTest | None, quality: float, p_value: float, cfg: AlignConfig) -> bool:
    """The clip-trained model says the words' classes sit where the offset puts them, and
    the energy fit is better than most shuffles: a fixed model cannot fit itself to the
    words, so its p is fair with few of them."""
    if cls is None or cls.model not in FIXED_MODELS or not cls.testable:
        return False
    if _strong_class_p(cls, quality, p_value, cfg) and not _few_words_loose_energy(
        cls, p_value, cfg
    ):
        return True
    return (
        quality >= cfg.min_quality - cfg.clip_quality_allowance
        and cls.p_value <= cfg.clip_support_p
        and p_value <= cfg.max_energy_p
    )


def _strong_class_p(cls: ClassTest, quality: float, p_value: float, cfg: AlignConfig) -> bool:
    """_clip_confirms' first way: the fixed model's class p at most clip_pass_p beside an
    energy p at most clip_energy_p, energy over the signature route's floor."""
    floor = cfg.min_quality - cfg.signature_quality_allowance
    strong = cls.p_value <= cfg.clip_pass_p and p_value <= cfg.clip_energy_p
    return strong and quality >= floor


def _few_words_loose_energy(cls: ClassTest, p_value: float, cfg: AlignConfig) -> bool:
    """An energy p above max_energy_p (allowed up to clip_energy_p for a strong class p)
    with fewer than min_class_words class words: a permutation p over so few words is
    reached a gesture period off (898_00's period-shifted control, bench/notes/ctl49.txt),
    so the relaxed energy p then does not stand beside it."""
    return p_value > cfg.max_energy_p and cls.words < cfg.min_class_words


def _confirms_contradicted(ev: Evidence, cfg: AlignConfig) -> bool:
    """What still passes a session whose first-pass self-trained class evidence contradicted
    it (Evidence.contradicted): energy at sure_quality, or a fixed class model's route.
    Energy under sure_quality alone does not: the round's model cannot contradict, so its
    silence says nothing about the contradiction."""
    levels = gate_levels(cfg)
    return _sure_energy(ev, levels) or _fixed_route_confirms(ev, levels)


def _energy_before_start(ev: Evidence, gate: str, cfg: AlignConfig) -> bool:
    """energy_before_start_s: an energy-alone pass under sure_quality whose fit puts a word
    before the stream's start (words describe gestures the stream recorded)."""
    limit = cfg.energy_before_start_s
    if limit is None or ev.first_word_s is None or gate != "energy":
        return False
    return ev.first_word_s < -limit and not _sure_energy(ev, gate_levels(cfg))


def _one_class_unchecked(ev: Evidence, gate: str, levels: AlignConfig) -> bool:
    """one_class_needs_profile: an energy-alone pass under sure_quality of words holding
    fewer than two gesture classes, which no fixed class model's lag profile puts best
    here by class_peak_unlift_margin (``levels``: gate_levels)."""
    if not levels.one_class_needs_profile or gate != "energy" or _sure_energy(ev, levels):
        return False
    if ev.cls is not None and ev.cls.classes >= 2:
        return False
    return ev.lag_margin is None or ev.lag_margin < levels.class_peak_unlift_margin


def _sure_energy(ev: Evidence, levels: AlignConfig) -> bool:
    """Energy alone at the sure level (``levels``: gate_levels)."""
    return ev.quality >= max(levels.sure_quality, levels.min_quality)


def _loss_judged(ev: Evidence, cfg: AlignConfig) -> bool:
    """Whether the loss rules judge this pass: any pass where cfg.loss_rules_at_sure holds,
    else only one under the sure level."""
    return cfg.loss_rules_at_sure or not _sure_energy(ev, gate_levels(cfg))


def _fixed_route_confirms(ev: Evidence, levels: AlignConfig) -> bool:
    """A fixed class model's route (_routes): its class p beside a fair energy p, its lag
    profile at its best here, a fitted rate not at its edge (``levels``: gate_levels)."""
    at_rate_edge = ev.rate_edge is not None and ev.rate_edge >= levels.rate_edge_share
    confirms = _clip_confirms(ev.cls, ev.quality, ev.p_value, levels)
    return confirms and not _fits_better_away(ev.lag_margin, levels) and not at_rate_edge


def _contradicted_verdict(ev: Evidence, cfg: AlignConfig, gate: str) -> tuple[bool, str]:
    """gate_verdict's pass of a session the first pass's class evidence contradicted: kept
    at sure energy (named as gate_verdict named it) or through a fixed class model's route
    (named for that route: energy alone below sure would not have passed it), else
    CONTRADICTED_BEFORE (_confirms_contradicted)."""
    levels = gate_levels(cfg)
    if _sure_energy(ev, levels):
        return False, gate
    if ev.cls is not None and _fixed_route_confirms(ev, levels):
        return False, _route(ev.cls.model)
    return True, CONTRADICTED_BEFORE


def _class_contradicts(cls: ClassTest | None, cfg: AlignConfig) -> bool:
    """The self-trained class evidence says the words' classes do not sit there."""
    if cls is not None and cls.model in FIXED_MODELS:
        return False
    enough = cls is not None and cls.testable and cls.words >= cfg.min_class_words
    return bool(enough and cls is not None and cls.p_value > cfg.class_contradict_p)


def _contradicts(sig: SignatureTest, cfg: AlignConfig) -> bool:
    enough = sig.testable and min(sig.jumps, sig.turns) >= cfg.min_signature_words
    return enough and sig.p_value > cfg.contradict_p


def _peaks_away(ev: Evidence, cfg: AlignConfig) -> str:
    """Why neither a fixed class model's route nor energy just under the level passed, or
    an offset that model moved (_moved_away): the model's words fit better away."""
    p = 1.0 if ev.cls is None else ev.cls.p_value
    finds = "finds" if p <= cfg.clip_support_p else "does not find"
    if ev.moved:  # _moved_away: the model itself took this offset over the energy's best
        finds = "chose this offset over the best motion energy peak and " + finds
    return (
        f"the {_route(ev.cls.model if ev.cls else '')} model {finds} the gesture words' "
        f"classes here (p={p:.4f}), and they fit the motion better {ev.best_away_s:+.2f} s "
        f"from this offset (lag margin {ev.lag_margin:.3f} < {cfg.class_peak_margin}): the "
        "offset may be a gesture period or more off, with the words' true classes meeting "
        "gestures alike"
    )


def _common_away(ev: Evidence, cfg: AlignConfig) -> str:
    """Why a route's or a moved pass was refused on common words (_away_on_common)."""
    p = 1.0 if ev.cls is None else ev.cls.p_value
    return (
        f"the {_route(ev.cls.model if ev.cls else '')} model finds the gesture words' classes "
        f"here (p={p:.4f}), but on the words that lie on the motion both here and at another "
        f"offset a gesture period or more away they fit better there (common-words margin "
        f"{ev.common_margin:.3f} < {cfg.class_peak_margin}): the offset may be a gesture "
        "period or more off, the words that would fit badly here falling off the motion"
    )


def _contradicted_before(ev: Evidence, cfg: AlignConfig) -> str:
    """Why a session the first pass's class evidence contradicted stays refused: what the
    round's fixed class model lacked (_confirms_contradicted), named, since its p alone can
    be small and still not confirm; the first pass's offset may differ from this one."""
    p = 1.0 if ev.cls is None else ev.cls.p_value
    sure = max(cfg.sure_quality, cfg.min_quality)
    found = f"finds the gesture words' classes here (p={p:.4f}), but "
    if ev.cls is None or not ev.cls.testable:
        lacks = "cannot test the gesture words' classes"
    elif p > cfg.clip_support_p and p > cfg.clip_pass_p:
        lacks = f"does not find the gesture words' classes here (p={p:.4f})"
    elif not _clip_confirms(ev.cls, ev.quality, ev.p_value, cfg):
        lacks = found + f"not beside a fair energy fit (energy p={ev.p_value:.2f})"
    elif _fits_better_away(ev.lag_margin, cfg) and ev.best_away_s is not None:
        lacks = found + f"they fit the motion better {ev.best_away_s:+.2f} s from this offset"
    else:
        lacks = found + "the fitted clock rate lies at the edge of the rates searched"
    return (
        "its first alignment, without the other sessions' class model, was refused because "
        "its own class test contradicted it; energy alone (quality "
        f"{ev.quality:.2f}) passes such a session only from {round(sure, 2)}, and the "
        f"class model of the run's other passed sessions {lacks}"
    )


def _prefers_one(ev: Evidence, cfg: AlignConfig) -> str:
    """Why a pass on a fitted clock scale the class model does not prefer is refused."""
    model = _route(ev.cls.model if ev.cls else "")
    return (
        "on a clock rebuilt from row counts the fit took a clock rate off the measured "
        f"one, but the {model} model scores the gesture words no "
        f"better there than at the clock's own rate (rate margin {ev.rate_margin:.3f} < "
        f"{cfg.class_rate_margin}): the words may sit on their gestures at a rate a "
        "percent off, so the offset is not confirmed"
    )


def _choice_elsewhere(ev: Evidence, cfg: AlignConfig) -> str:
    """Why a round refuses an offset away from the first pass's unconfirmed class choice
    (CHOICE_ELSEWHERE; ``cfg``: the gate's levels)."""
    sure = round(max(cfg.sure_quality, cfg.min_quality), 2)
    return (
        "its first alignment, without the other sessions' class model, chose another motion "
        "energy peak by the gesture words' classes (unconfirmed, so refused), more than "
        f"{cfg.clip_agree_s} s from this offset, where the run's other passed sessions' "
        f"class model puts them: two class evidences disagree, and energy alone (quality "
        f"{ev.quality:.2f}) passes such a session only from {sure}"
    )


def _weak_energy(
    quality: float, p_value: float, cfg: AlignConfig, rate_fitted: bool = False
) -> str:
    """Why energy alone is too weak: at chance, or better than the shuffles but not by the
    gate's margin (the best of a search over many lags beats shuffles more often than its
    p says; the margin is what keeps shifted and shuffled audio out). The level quoted is
    the one applied (energy_level)."""
    level = round(energy_level(cfg, rate_fitted), 2)
    if p_value > cfg.max_energy_p:
        return (
            f"labels match motion no better than shuffled commands "
            f"(quality {quality:.2f} < {level}, p={p_value:.2f})"
        )
    return (
        f"labels match motion better than shuffled commands (p={p_value:.2f}), but not by "
        f"the margin the gate asks without a class test to confirm the offset (quality "
        f"{quality:.2f} < {level}); commands falling into stretches of activity "
        "can do as well"
    )


#: Why a best offset at the search edge is refused (_refusal).
_AT_EDGE_WHY = (
    "the best offset lies at the edge of the offset search, so the true one may lie beyond it"
)


def _loss_uncertain(loss: list[float], quality: float, cfg: AlignConfig) -> str:
    """LOSS_UNCERTAIN's reason, naming the loss (Evidence.uncertain_loss)."""
    before, after = loss[4:6]
    return (
        f"{_inserted_loss(loss)}, and the words before it fit best at offset {before:+.2f} s, "
        f"those after it at {after:+.2f} s: the clock may step there"
        f"{_against_sure(quality, cfg)}"
    )


def _loss_unchecked(loss: list[float], quality: float, cfg: AlignConfig) -> str:
    """LOSS_UNCHECKED's reason, naming the loss (Evidence.unchecked_loss)."""
    before, after = loss[4:6]
    return (
        f"{_inserted_loss(loss)}; the {int(after)} words after it set the offset, and "
        f"{int(before)} before it (< {cfg.loss_split_words}) cannot check that size, so the "
        f"offset at the stream's start may be off by as much{_against_sure(quality, cfg)}"
    )


def _loss_spread(loss: list[float], quality: float, cfg: AlignConfig) -> str:
    """LOSS_SPREAD's reason, naming the loss (Evidence.spread_loss)."""
    size, lo, hi, words = loss[2:6]
    return (
        f"the rebuilt clock lost {size:.2f} s somewhere between {lo:.1f} s and {hi:.1f} s "
        f"and could not tell where, so the {_words(int(words))} there may be up to "
        f"{size / 2:.2f} s off (> {cfg.loss_spread_s} s)"
        f"{_against_sure(quality, cfg, 'places a loss')}"
    )


def _words(n: int) -> str:
    """'1 word', 'n words'."""
    return f"{n} word" if n == 1 else f"{n} words"


def _inserted_loss(loss: list[float]) -> str:
    """A loss record [arrival s, size, spread, rebuilt s, ...] in words."""
    _, size, spread, at = loss[:4]
    return (
        f"the rebuilt clock inserted a loss at {at:.1f} s ({size:.2f} s) whose size may be "
        f"off by {spread:.2f} s"
    )


def _against_sure(quality: float, cfg: AlignConfig, checks: str = "checks a size") -> str:
    """' (quality q < sure s)' against the level _sure_energy applies; at or above it, that
    a loss moves the words whatever the energy (loss_rules_at_sure): no energy ``checks``."""
    sure = round(max(cfg.sure_quality, cfg.min_quality), 2)
    if quality >= sure:
        return f" (quality {quality:.2f}, at sure {sure} or above: no energy {checks})"
    return f" (quality {quality:.2f} < sure {sure})"


def _few_words_why(cls: ClassTest, p_value: float, cfg: AlignConfig) -> str:
    """FEW_CLASS_WORDS's reason (_few_words_loose_energy)."""
    return (
        f"the {_route(cls.model)} model finds the gesture words' classes here "
        f"(p={cls.p_value:.4f}), but on {cls.words} class words only (< {cfg.min_class_words}),"
        f" beside an energy fit many shuffles match (energy p={p_value:.2f} > "
        f"{cfg.max_energy_p}): so few words' classes also fit a gesture period off"
    )


def _moved_weakly_why(ev: Evidence, lag_margin: float, cfg: AlignConfig) -> str:
    """MOVED_WEAKLY's reason (_moved_weakly)."""
    return (
        f"the {_route(ev.cls.model if ev.cls else '')} model moved the offset off the best "
        f"motion energy peak, but scores its words here only {lag_margin:.3f} spreads "
        f"above lags a gesture period or more away (< {cfg.class_moved_margin}): the "
        "offset may be a gesture period off"
    )


def _loss_why(ev: Evidence, cfg: AlignConfig, gate: str) -> str:
    """The loss rules' reason for ``gate`` (LOSS_UNCERTAIN, LOSS_UNCHECKED, LOSS_SPREAD),
    "" for any other gate or without its record."""
    if gate == LOSS_UNCERTAIN and ev.uncertain_loss:
        return _loss_uncertain(ev.uncertain_loss, ev.quality, cfg)
    if gate == LOSS_UNCHECKED and ev.unchecked_loss:
        return _loss_unchecked(ev.unchecked_loss, ev.quality, cfg)
    if gate == LOSS_SPREAD and ev.spread_loss:
        return _loss_spread(ev.spread_loss, ev.quality, cfg)
    return ""


def _refused_what(ev: Evidence, cfg: AlignConfig, gate: str) -> str:
    """The main clause of _refusal: the gate's own reason where it has one, else what the
    energy and class evidence lacked (``cfg``: the gate's levels)."""
    quality, p_value = ev.quality, ev.p_value
    if gate == PEAKS_AWAY:
        what = _peaks_away(ev, cfg)
    elif gate == COMMON_AWAY:
        what = _common_away(ev, cfg)
    elif gate == MOVED_WEAKLY and ev.lag_margin is not None:
        what = _moved_weakly_why(ev, ev.lag_margin, cfg)
    elif gate == RATE_AT_EDGE:
        what = _RATE_AT_EDGE_WHY
    elif gate == RATE_PREFERS_ONE:
        what = _prefers_one(ev, cfg)
    elif gate == CONTRADICTED_BEFORE:
        what = _contradicted_before(ev, cfg)
    elif gate == CHOICE_ELSEWHERE:
        what = _choice_elsewhere(ev, cfg)
    elif loss := _loss_why(ev, cfg, gate):
        what = loss
    elif gate == FEW_CLASS_WORDS and ev.cls is not None:
        what = _few_words_why(ev.cls, p_value, cfg)
    elif gate == BEFORE_START and ev.first_word_s is not None:
        what = (
            f"motion energy matches the commands (quality {quality:.2f} < sure "
            f"{cfg.sure_quality}) only with the first word {-ev.first_word_s:.1f} s before "
            "the IMU stream starts, where no gesture was recorded"
        )
    elif gate == ONE_CLASS_UNCHECKED:
        what = _one_class_why(ev, cfg)
    elif quality < energy_level(cfg, ev.rate_fitted):
        what = _weak_energy(quality, p_value, cfg, ev.rate_fitted)
    elif ev.at_edge:
        what = _AT_EDGE_WHY
    elif ev.disagree:
        what = (
            "the gesture words' classes fit the motion best at another offset than the "
            f"motion energy does (more than {cfg.clip_agree_s} s away)"
        )
    elif ev.rate_fitted and not ev.moved:
        what = (
            f"motion energy matches the commands (quality {quality:.2f} < sure "
            f"{cfg.sure_quality}), but on a clock rebuilt from row counts another clock rate "
            "fits almost as well one gesture period away, and no class test confirms this one"
        )
    elif ev.moved:
        p = 1.0 if ev.cls is None else ev.cls.p_value
        what = (
            "energy and class evidence point to different offsets, and the class "
            f"evidence is not strong enough to decide (p={p:.2f} > {cfg.class_confirm_p})"
        )
    else:
        what = (
            f"motion energy matches the commands (quality {quality:.2f}), but that "
            "can be words merely falling into a stretch of activity"
        )
    return what


def _refusal(ev: Evidence, cfg: AlignConfig, gate: str = "") -> str:
    """Why a session is refused, with what the user can do about it."""
    cfg = gate_levels(cfg)
    quality, sig = ev.quality, ev.sig
    what = _refused_what(ev, cfg, gate)
    if ev.at_edge and quality < energy_level(cfg, ev.rate_fitted):
        what += "; the best offset lies at the edge of the offset search"
    if _class_contradicts(ev.cls, cfg) and ev.cls is not None:
        what += (
            f"; the gesture words' classes do not match the motion at that offset "
            f"(class-evidence p={ev.cls.p_value:.2f} over {ev.cls.words} words)"
        )
    if _contradicts(sig, cfg):
        what += (
            f"; jump and turn words do not sit on jumps and turns at that offset "
            f"(class-signature p={sig.p_value:.2f} over {sig.jumps} jump and "
            f"{sig.turns} turn words)"
        )
    elif sig.p_value <= cfg.max_signature_p and gate != RATE_AT_EDGE:
        what += f"; the class signature (p={sig.p_value:.3f}) alone is not enough"
    return what + (
        ": not trained on. To make such a session usable, record the watch's "
        "own timestamp (timestamp_ns) and spread the commands over the session, "
        "each said as its gesture starts"
    )


def _one_class_why(ev: Evidence, cfg: AlignConfig) -> str:
    """ONE_CLASS_UNCHECKED's clause: what the energy fit lacked and why it matters."""
    if ev.lag_margin is None:
        profile = "no class model trained elsewhere scored the words"
    else:
        profile = f"a class model's lag margin {ev.lag_margin:.2f} < {cfg.class_peak_unlift_margin}"
    return (
        f"motion energy matches the commands (quality {ev.quality:.2f} < sure "
        f"{cfg.sure_quality}), but the gesture words hold one class, whose order cannot "
        f"tell this offset from one a gesture period away, and {profile}"
    )


def _one_class_hint(commands: list[Command]) -> str:
    """Why a one-class session is hard to place, added to its refusal."""
    classes = {c.cls for c in commands}
    if len(classes) != 1:
        return ""
    (cls,) = classes
    return (
        f"; every command is {cls!r}: one class only, so its words line up with motion "
        "only where each marks a distinct movement"
    )
