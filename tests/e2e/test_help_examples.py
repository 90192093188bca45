"""Every command's --help shows an example, and every command has its place in the order in
which the examples run: tests/e2e/test_demo_path.py makes the demo instance with the `haven
demo` example and runs all the others on it through the real command, in this order (a
permit applied for before it is decided, a request reviewed before it is downloaded)."""

from __future__ import annotations

import re

from typer.main import get_command

from cli.main import app

# The order in which the examples run; every command has its place.
ORDER = (
    "demo",
    "status",
    "generate",
    "pipeline run",
    "pipeline publish",
    "quality report",
    "catalog seed-demo",
    "user add",
    "user disable",
    "user enable",
    "catalog export",
    "catalog show",
    "catalog edit",
    "schema",
    "query",
    "output request",
    "output review",
    "output list",
    "output show",
    "output get",
    "indicator propose",
    "indicator approve",
    "indicator list",
    "indicator retire",
    "indicator run",
    "permit apply",
    "permit decide",
    "permit list",
    "permit builds",
    "permit revoke",
    "permit sweep",
    "optout add",
    "optout withdraw",
    "optout status",
    "audit verify",
    "serve",
    "spe status",
    "spe serve",
    "stack up",
    "stack status",
    "stack down",
    "bench",
)
# Commands whose example tests/e2e/test_demo_path.py does not run through the command line in
# ORDER, and why. Every other example runs there.
NOT_RUN = {
    "demo": "runs first, on its own, to make the demo instance the others use",
    "pipeline run": "runs once before, with --json and a changed description folder",
    "pipeline publish": "runs once before, with --json",
    "serve": "serves until it is stopped; tests/portal run the same app in-process",
    "spe serve": "serves until it is stopped; tests/spe/test_service.py starts it as a process",
    "stack up": "starts PostgreSQL, Airflow and the portal; tests/integration/test_scheduler.py does",
    "stack status": "lists what stack up started; tests/integration/test_scheduler.py checks it",
    "stack down": "stops what stack up started; tests/integration/test_scheduler.py does",
    "indicator approve": "names the id propose printed; tests/catalog/test_cli_indicators.py approves",
    "indicator retire": "names an indicator id; tests/catalog/test_cli_indicators.py retires one",
    "indicator run": "its second example names an indicator id; tests/catalog/test_cli_indicators.py runs",
}
EXAMPLE = re.compile(r"^ {4}(haven .+)$", re.MULTILINE)


def examples() -> dict[str, list[str]]:
    """Per command (``"permit decide"``), the example lines of its help text."""
    found: dict[str, list[str]] = {}

    def walk(command: object, path: tuple[str, ...]) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                walk(sub, (*path, name))
        else:
            found[" ".join(path)] = EXAMPLE.findall(getattr(command, "help", "") or "")

    walk(get_command(app), ())
    return found


def test_every_command_has_an_example_and_a_place_in_the_order() -> None:
    found = examples()
    assert sorted(ORDER) == sorted(found)
    assert set(NOT_RUN) <= set(ORDER)
    assert [c for c in ORDER if not found[c]] == []
    for command, lines in found.items():
        assert all(line.startswith(f"haven {command} ") or line == f"haven {command}" for line in lines)
