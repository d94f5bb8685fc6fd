"""Byte copies among a user's inputs. A sample clip or a session folder that holds an
earlier one's bytes (saved again under a second name, or linked to it) is one recording
read twice: trained twice, and one copy can be held out while the other is trained on.
The clip readers, the sessions reader and the store's train step ask the same question
here."""

from __future__ import annotations

import hashlib


def content_digest(*parts: bytes) -> str:
    """One sha256 for the bytes of one or more files (each file hashed apart, so two
    files' bytes never run into each other)."""
    return hashlib.sha256(b"".join(hashlib.sha256(p).digest() for p in parts)).hexdigest()


def copy_of(seen: dict[str, str], digest: str, name: str) -> str | None:
    """The name that first held ``digest`` in ``seen`` when that is not ``name`` (``name``
    is then its byte copy); else None, ``name`` recorded as its holder."""
    first = seen.setdefault(digest, name)
    return first if first != name else None
