"""The gesture vocabulary: classes, how players say them, how Whisper mishears them."""

from __future__ import annotations

import re

#: Classes in a fixed order: the model's label indices follow it.
CLASSES: tuple[str, ...] = ("jump", "punch", "turn", "walk", "idle", "noise")
#: Short gestures: a label window around the spoken word.
EVENT_CLASSES = frozenset({"jump", "punch", "turn"})
#: States last until the next command (their labels cover about one gesture: alignment).
STATE_CLASSES = frozenset({"walk", "idle"})

#: Spoken forms (single words) -> class. Multi-word forms are in PHRASES.
SPOKEN_FORMS: dict[str, str] = {
    "jump": "jump",
    "punch": "punch",
    "attack": "punch",
    "turn": "turn",
    "walk": "walk",
    "walking": "walk",
    "idle": "idle",
    "rest": "idle",
    "stop": "idle",
    "noise": "noise",
}

#: Mishearings seen in the real WhisperX / tiny.en transcripts of our sessions.
MISHEARINGS: dict[str, str] = {
    "idol": "idle",
    "idols": "idle",
    "either": "idle",
    "idle.": "idle",
    "noice": "noise",
    "nice": "noise",
    "noises": "noise",
    "jumps": "jump",
    "jumped": "jump",
    "jumping": "jump",
    "punches": "punch",
    "punching": "punch",
    "turns": "turn",
    "turning": "turn",
    "walks": "walk",
    "walked": "walk",
    # seen in our real WhisperX transcripts (../shared/data, 2025-10-17 sessions):
    "lido": "idle",
    "arrest": "idle",
    "still": "idle",
}

#: Multi-word commands: a tuple of normalised words -> class. The first word carries the time.
PHRASES: dict[tuple[str, ...], str] = {
    ("walk", "start"): "walk",
    ("start", "walking"): "walk",
    ("turn", "left"): "turn",
    ("turn", "right"): "turn",
    ("this", "is", "noise"): "noise",
    ("that", "was", "noise"): "noise",
    ("stay", "still"): "idle",
}

#: Clip file-name classes -> vocabulary class.
CLIP_CLASS_MAP: dict[str, str] = {
    "jump": "jump",
    "punch": "punch",
    "turn_left": "turn",
    "turn_right": "turn",
    "turn": "turn",
    "walk": "walk",
    "idle": "idle",
    "noise_action": "noise",
    "noise_locomotion": "noise",
    "baseline_noise": "noise",
    "noise": "noise",
}

#: The prompt given to Whisper so it expects our command words.
COMMAND_PROMPT = "Commands: jump, punch, attack, turn, walk, walk start, idle, rest, stop, noise."

_WORD_CHARS = re.compile(r"[^a-z']+")


def normalise_word(text: str) -> str:
    """Lower-case and strip punctuation: 'Jump!' -> 'jump'. Whole words only, never substrings."""
    return _WORD_CHARS.sub("", text.lower()).strip("'")


def word_class(word: str) -> str | None:
    """The class a single normalised word names, or None ('return' is not 'turn')."""
    return SPOKEN_FORMS.get(word) or MISHEARINGS.get(word)


def clip_class(file_stem: str) -> str | None:
    """The class of a clip from its file name, e.g. 'turn_left_1760_to_1761' -> 'turn'."""
    for prefix in sorted(CLIP_CLASS_MAP, key=len, reverse=True):
        if file_stem == prefix or file_stem.startswith(prefix + "_"):
            return CLIP_CLASS_MAP[prefix]
    return None
