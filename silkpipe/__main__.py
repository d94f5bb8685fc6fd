"""``python -m silkpipe``: the ``silkpipe`` command, for when its script is not on PATH."""

from silkpipe.cli import entry

if __name__ == "__main__":
    entry()
