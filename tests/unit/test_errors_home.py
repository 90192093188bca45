"""House style: each package's error classes live in its own ``errors.py``, under its root error."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

from common.errors import HavenError

ROOT = Path(__file__).resolve().parents[2]
ROOTS = {
    "catalog": "CatalogError",
    "cli": "CLIError",
    "jobs": "JobError",
    "portal": "PortalError",
    "pseudonymisation": "PseudonymisationError",
    "quality": "QualityError",
    "spe": "SPEError",
}
PRODUCT = (*ROOTS, "bench", "common", "dags", "synthetic")


def _raises_kind(node: ast.ClassDef) -> bool:
    """Whether a class derives, by name, from an exception class."""
    names = [b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases]
    return any(
        n.endswith(("Error", "Exception", "Refused", "Denied", "Failed", "Unavailable")) for n in names
    )


def test_error_classes_are_defined_only_in_errors_modules() -> None:
    stray = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"
        for package in PRODUCT
        for path in sorted((ROOT / package).rglob("*.py"))
        if path.name != "errors.py"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ClassDef) and _raises_kind(node)
    ]
    assert stray == []


@pytest.mark.parametrize("package", sorted(ROOTS))
def test_every_error_of_a_package_is_under_its_root(package: str) -> None:
    module = importlib.import_module(f"{package}.errors")
    root = getattr(module, ROOTS[package])
    assert issubclass(root, HavenError)
    errors = [c for _, c in inspect.getmembers(module, inspect.isclass) if c.__module__ == module.__name__]
    assert len(errors) > 1
    assert [c.__name__ for c in errors if not issubclass(c, root)] == []
