"""``python -m silkpipe``: the ``silkpipe`` command, for when its script is not on PATH."""

import sys

from silkpipe.cli import main

if __name__ == "__main__":
    sys.exit(main())
