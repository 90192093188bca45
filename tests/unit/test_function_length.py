"""House style: no function in product code over 60 lines unless a comment says why."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = (
    "bench",
    "catalog",
    "cli",
    "common",
    "dags",
    "jobs",
    "portal",
    "pseudonymisation",
    "quality",
    "spe",
    "synthetic",
)
LIMIT = 60
REASON = "# Long on purpose:"


def _long_functions(path: Path) -> list[str]:
    lines = path.read_text().splitlines()
    found = []
    for node in ast.walk(ast.parse("\n".join(lines))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
        length = (node.end_lineno or node.lineno) - node.lineno + 1
        above = "\n".join(lines[max(0, first - 4) : first - 1])
        # About 60: a line or two over is left to the reader's judgement.
        if length > LIMIT + 2 and REASON not in above:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_long_function_without_a_reason() -> None:
    files = [
        p
        for package in PRODUCT
        for p in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in p.parts
    ]
    assert files
    assert [f for path in files for f in _long_functions(path)] == []
