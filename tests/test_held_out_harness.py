"""The held-out harness the README gives for issue 24 (`bench/notes/held51.sh`) runs
`nd40.py collect`, which imports `gate_dev` (it wraps the gate's `decide` to record the
evidence of every session and control) and, for its report, `gaterecall`. When the gate
moved to silkpipe/gate.py, both still named `alignment._decide` and the harness no longer
ran (review 54); nothing but a measurement would have found it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

NOTES = Path(__file__).resolve().parent.parent / "bench" / "notes"


def test_the_harness_modules_import_and_wrap_the_gate_the_aligner_calls():
    probe = (
        "import gate_dev, gaterecall, nd40, fresh38\n"
        "import silkpipe.alignment as al\n"
        "assert al.decide is gate_dev._capture, 'the aligner would not call the wrapper'\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], cwd=NOTES, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
