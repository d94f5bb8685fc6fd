# ruff: noqa: E402
"""synth with the delivery's stalls off (same seed, same draws otherwise)."""

import functools
import sys

import silkpipe.realistic as r
from silkpipe.delivery import deliver

r.deliver = functools.partial(deliver, stalls=False)
from silkpipe.cli import main

main(sys.argv[1:])
