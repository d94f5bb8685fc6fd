"""A stop signal answered inside code run from a string must still exit by its status."""

import os
import signal
import subprocess
import sys
import textwrap


def test_sigterm_inside_exec_of_a_string_still_exits_143(tmp_path):
    """Under ``python -m``, CPython exits by SIGINT after a KeyboardInterrupt left any
    ``exec(text)`` (dataclasses build methods so in torch's lazy imports), even when the
    command handled it: `train` stopped by SIGTERM there ended -2, not 143 (a CI run). The
    probe lands the signal inside such a string, deterministically, and runs the real
    entry as a module."""
    (tmp_path / "probe.py").write_text(
        textwrap.dedent(
            """
            import sys
            import silkpipe.commands.train as train


            def stopped_inside_a_string(args):
                exec("import os, signal, time; os.kill(os.getpid(), signal.SIGTERM); time.sleep(9)")
                return {}


            train.run = stopped_inside_a_string
            from silkpipe.cli import entry

            sys.argv = ["silkpipe", "train", "--out", sys.argv[1]]
            entry()
            """
        )
    )
    proc = subprocess.run(
        [sys.executable, "-m", "probe", str(tmp_path / "out")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])},
        preexec_fn=lambda: signal.signal(signal.SIGTERM, signal.SIG_DFL),
    )
    assert proc.returncode == 143, proc.stderr[-2000:]
    assert proc.stderr.strip().splitlines()[-1].startswith("silkpipe train: interrupted: ")
