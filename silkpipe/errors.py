"""One exception type for bad input, so every step can report it in one line."""


class InputError(Exception):
    """Bad input: names the session and the file and says what is wrong."""

    def __init__(self, message: str, *, session: str | None = None, path: str | None = None):
        self.session = session
        self.path = path
        where = []
        if session:
            where.append(f"session {session}")
        if path:
            where.append(f"file {path}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class PartialFailure(Exception):
    """A run finished, but some sessions or steps failed: exit status 1, not 0."""
