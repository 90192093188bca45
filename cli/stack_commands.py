"""``haven stack``: start, stop and list the services of the production shape on this machine.

``make stack`` and ``make stack-down`` call these; ``cli.stack`` does the work.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from common.settings import get_settings

stack_app = typer.Typer(
    help="The production shape on this machine: PostgreSQL, Spark, Airflow's services, the portal.",
    no_args_is_help=True,
)


def _say(message: str) -> None:
    typer.echo(message, err=True)


@stack_app.command("up")
def stack_up(
    spark: Annotated[
        bool,
        typer.Option("--spark/--no-spark", help="Start the Spark cluster (else tasks run Spark locally)."),
    ] = True,
) -> None:
    """Start every service that is not running, on 127.0.0.1, and wait until each answers.

    Example:

        haven stack up
    """
    from cli.stack import settings_file, up

    stack = up(get_settings(), spark=spark, say=_say)
    typer.echo(f"Airflow {stack.airflow_api_url}  portal {stack.portal_url}")
    typer.echo(f"talk to the stack: export HAVEN_SETTINGS_FILE={settings_file(stack)}")


@stack_app.command("down")
def stack_down() -> None:
    """Stop every service of the stack (its data stay under HAVEN_HOME/stack).

    Example:

        haven stack down
    """
    from cli.stack import down

    down(get_settings(), say=_say)


@stack_app.command("status")
def stack_status(
    as_json: Annotated[bool, typer.Option("--json", help="Print the services as JSON.")] = False,
) -> None:
    """Each service of the stack with its address and state (up, starting, down); exit 3
    when one is not up.

    Example:

        haven stack status --json
    """
    from cli.stack import status

    services = status(get_settings())
    if as_json:
        typer.echo(json.dumps([s.as_dict() for s in services], indent=2))
    else:
        for service in services:
            pid = "" if service.pid is None else f"  pid {service.pid}"
            typer.echo(f"{service.name:<22} {service.address:<24} {service.state}{pid}")
    if any(s.state not in ("up", "local") for s in services):
        raise typer.Exit(3)
