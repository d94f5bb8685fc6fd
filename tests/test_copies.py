"""silkpipe.copies: the one byte-copy check of the clip readers, the sessions reader and the
store's train step."""

from silkpipe.copies import content_digest, copy_of


def test_the_second_holder_of_a_digest_is_a_copy_of_the_first():
    seen: dict[str, str] = {}
    assert copy_of(seen, content_digest(b"a"), "one") is None
    assert copy_of(seen, content_digest(b"b"), "two") is None
    assert copy_of(seen, content_digest(b"a"), "three") == "one"
    assert copy_of(seen, content_digest(b"a"), "one") is None  # asked again of itself


def test_files_are_hashed_apart():
    """Two files whose bytes joined are the same are not the same pair of files."""
    assert content_digest(b"ab", b"c") != content_digest(b"a", b"bc")
    assert content_digest(b"ab", b"c") == content_digest(b"ab", b"c")
