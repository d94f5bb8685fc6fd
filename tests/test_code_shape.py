"""Code shape: no function in silkpipe/ is longer than a reader can follow in one screen."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "silkpipe"
MAX_LINES = 60


def long_functions(root: Path, max_lines: int) -> list[str]:
    """``path:line name (n lines)`` of every function longer than max_lines, counted from
    its ``def`` line to the end of its body (decorators not counted)."""
    out = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = node.end_lineno - node.lineno + 1
                if n > max_lines:
                    out.append(f"{path.relative_to(root.parent)}:{node.lineno} {node.name} ({n})")
    return out


def test_no_function_over_60_lines():
    assert long_functions(PACKAGE, MAX_LINES) == []


def test_the_check_sees_a_long_function(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_LINES))
    (tmp_path / "m.py").write_text(
        f"@staticmethod\ndef short():\n    return 1\n\n\ndef f():\n{body}\n"
    )
    assert long_functions(tmp_path, MAX_LINES) == [f"{tmp_path.name}/m.py:6 f ({MAX_LINES + 1})"]
