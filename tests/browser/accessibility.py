"""WCAG 2.1 A and AA checks of a page with axe-core, run inside the browser.

axe-core comes from the file that ``make browser`` installs from npm (infra/npm), never from
the network. Reports name rules and element selectors only, never text or values of the page.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page

AXE_FILE = Path(__file__).resolve().parents[2] / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")


@dataclass(frozen=True)
class Violation:
    """One axe rule broken on the page, and the elements that break it."""

    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]


@functools.cache
def axe_source() -> str:
    """axe-core's script; a missing file says how to install it."""
    if not AXE_FILE.is_file():
        raise FileNotFoundError(f"axe-core is missing ({AXE_FILE}): run `make browser`")
    return AXE_FILE.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[Violation]:
    """The WCAG 2.1 A/AA violations axe-core finds in the page's current document."""
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does
    # not govern: the check works on pages that allow only their own scripts.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source() + "\n;undefined")
    results = page.evaluate(
        "options => window.axe.run(document, options)",
        {"runOnly": {"type": "tag", "values": list(WCAG_TAGS)}, "resultTypes": ["violations"]},
    )
    return [
        Violation(
            rule=found["id"],
            impact=found.get("impact") or "unknown",
            help=found["help"],
            targets=tuple(_selector(node["target"]) for node in found["nodes"]),
        )
        for found in results["violations"]
    ]


def assert_accessible(page: Page) -> None:
    """Fail, listing each broken rule with its impact, help text and element selectors, when
    axe-core finds any WCAG 2.1 A/AA violation in the page."""
    violations = axe_violations(page)
    if violations:
        raise AssertionError(format_violations(violations, urlsplit(page.url).path or "/"))


def format_violations(violations: list[Violation], where: str) -> str:
    """A readable report: one rule per line, its elements indented below it."""
    lines = [f"{len(violations)} WCAG 2.1 A/AA rule(s) broken on {where} (axe-core):"]
    for violation in violations:
        lines.append(f"- {violation.rule} ({violation.impact}): {violation.help}")
        lines.extend(f"    {target}" for target in violation.targets)
    return "\n".join(lines)


def _selector(target: list[str | list[str]]) -> str:
    # A target is a list of selectors, one per frame; a list inside it crosses shadow roots.
    parts = [" >>> ".join(part) if isinstance(part, list) else part for part in target]
    return " >> ".join(parts)
