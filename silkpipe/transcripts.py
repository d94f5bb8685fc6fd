"""Transcripts: read WhisperX / Whisper JSON into timed words and extract command words.

WhisperX writes ``segments[].words[]`` (``word``, ``start``, ``end``, ``score``) and a flat
``word_segments``; words such as numbers can lack ``start``/``end``. Plain Whisper and
faster-whisper write ``probability`` instead of ``score``. Command extraction maps words to
the vocabulary through whole-word matching ("return" is never "turn"), multi-word phrases
("walk start", "turn left") and a lexicon of mishearings learned from our real transcripts.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from silkpipe.errors import InputError, parse_json
from silkpipe.vocabulary import CLASSES, PHRASES, normalise_word, word_class


@dataclass
class Word:
    text: str
    start: float | None
    end: float | None
    score: float | None


@dataclass
class Command:
    """A spoken command: its class and audio-clock time."""

    cls: str
    start: float
    end: float
    text: str
    score: float | None


@dataclass
class Extraction:
    commands: list[Command]
    rejected: list[dict]  # words that looked like commands but were not used, with the reason

    def counts(self) -> dict[str, int]:
        found = Counter(c.cls for c in self.commands)
        return {cls: found.get(cls, 0) for cls in CLASSES}

    def to_json(self) -> dict:
        return {
            "commands": [asdict(c) for c in self.commands],
            "counts": self.counts(),
            "rejected": self.rejected,
        }


def _number(value, field: str, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where}: {field} is {value!r}, not a number")
    try:
        number = float(value)
    except OverflowError:  # a JSON integer past float range: bad input, not a fault
        raise ValueError(f"{where}: {field} is an integer too large for a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{where}: {field} is not finite")
    return number


def parse_transcript(
    data: object, *, session: str | None = None, path: str | None = None
) -> list[Word]:
    """Timed words from a WhisperX-style dict (segments[].words[], else word_segments)."""
    if not isinstance(data, dict):
        raise InputError("transcript is not a JSON object", session=session, path=path)
    if "segments" not in data and "word_segments" not in data:
        raise InputError(
            "transcript has neither 'segments' nor 'word_segments'", session=session, path=path
        )
    raw_words: list = []
    segments = data.get("segments") or []
    if not isinstance(segments, list):
        raise InputError("'segments' is not a list", session=session, path=path)
    for i, segment in enumerate(segments):
        if not isinstance(segment, dict):
            raise InputError(f"segments[{i}] is not an object", session=session, path=path)
        words = segment.get("words") or []
        if not isinstance(words, list):
            raise InputError(f"segments[{i}].words is not a list", session=session, path=path)
        raw_words.extend((f"segments[{i}].words[{j}]", w) for j, w in enumerate(words))
    if not raw_words:
        flat = data.get("word_segments") or []
        if not isinstance(flat, list):
            raise InputError("'word_segments' is not a list", session=session, path=path)
        raw_words = [(f"word_segments[{j}]", w) for j, w in enumerate(flat)]
    if not raw_words:
        _refuse_wordless(segments, session, path)
    out = []
    for where, w in raw_words:
        if not isinstance(w, dict):
            raise InputError(f"{where} is not an object", session=session, path=path)
        text = w.get("word", w.get("text", ""))
        if not isinstance(text, str):
            raise InputError(f"{where}: word is not text", session=session, path=path)
        try:
            start = _number(w.get("start"), "start", where)
            end = _number(w.get("end"), "end", where)
            score = _number(w.get("score", w.get("probability")), "score", where)
        except ValueError as err:
            raise InputError(str(err), session=session, path=path) from None
        out.append(Word(text=text, start=start, end=end, score=score))
    _refuse_copied(out, [where for where, _ in raw_words], session, path)
    return out


def _refuse_wordless(segments: list, session: str | None, path: str | None) -> None:
    """Segments that carry text but no word list (Whisper run without word timestamps):
    read as no words, the session was excluded as "only 0 command(s) found", blaming the
    speech. Refused naming the missing list; silkpipe's own transcripts always hold one."""
    spoken = [
        i
        for i, seg in enumerate(segments)
        if "words" not in seg and isinstance(seg.get("text"), str) and seg["text"].strip()
    ]
    if spoken and not any("words" in seg for seg in segments):
        raise InputError(
            f"segments[{spoken[0]}] has text but no 'words' list, as have {len(spoken)} of "
            f"{len(segments)} segments, and there are no 'word_segments': a transcript "
            "without word timestamps (run WhisperX's alignment, or Whisper with word "
            "timestamps)",
            session=session,
            path=path,
        )


#: Share of timed words that are exact copies of an earlier one (same text, start and end)
#: beyond which the transcript holds its words twice; a real one holds none.
COPIED_SHARE = 0.1


def _refuse_copied(
    words: list[Word], places: list[str], session: str | None, path: str | None
) -> None:
    """A transcript appended to itself (its segments twice): every command came twice at
    one time and the labels were cut differently, without a word. Refused, naming the
    first copy; a stray copy or two still pass."""
    seen: set[tuple[str, float, float | None]] = set()
    copies: list[str] = []
    timed = 0
    for word, where in zip(words, places, strict=True):
        if word.start is None:
            continue
        timed += 1
        key = (word.text.strip(), word.start, word.end)
        if key in seen:
            copies.append(where)
        seen.add(key)
    if len(copies) > COPIED_SHARE * timed:
        raise InputError(
            f"{copies[0]} is a copy of an earlier word (same text, start and end), as are "
            f"{len(copies)} of {timed} timed words: the transcript holds its words twice "
            "(segments appended again?); keep each word once",
            session=session,
            path=path,
        )


def load_transcript(path: str | Path, *, session: str | None = None) -> list[Word]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("transcript is missing", session=session, path=str(path)) from None
    except UnicodeDecodeError as err:
        raise InputError(f"invalid JSON: {err}", session=session, path=str(path)) from None
    data = parse_json(text, session=session, path=str(path))
    return parse_transcript(data, session=session, path=str(path))


def extract_commands(words: list[Word], *, min_score: float = 0.0) -> Extraction:
    """Commands in time order. Phrases win over single words; the first word carries the time."""
    tokens = [normalise_word(w.text) for w in words]
    commands: list[Command] = []
    rejected: list[dict] = []
    longest = max(len(p) for p in PHRASES)
    i = 0
    while i < len(words):
        cls, span = None, 1
        for n in range(longest, 1, -1):
            phrase = tuple(tokens[i : i + n])
            if len(phrase) == n and phrase in PHRASES:
                cls, span = PHRASES[phrase], n
                break
        if cls is None:
            cls = word_class(tokens[i])
        if cls is not None:
            first, last = words[i], words[i + span - 1]
            text = " ".join(w.text.strip() for w in words[i : i + span])
            if first.start is None:
                rejected.append({"word": text, "reason": "no timestamp"})
            elif first.score is not None and first.score < min_score:
                rejected.append({"word": text, "reason": f"score {first.score:.2f} < {min_score}"})
            else:
                end = last.end if last.end is not None else first.start
                commands.append(Command(cls, first.start, max(end, first.start), text, first.score))
        i += span
    commands.sort(key=lambda c: c.start)
    return Extraction(commands=commands, rejected=rejected)
