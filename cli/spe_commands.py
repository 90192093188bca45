"""``haven spe``: the long-lived SPE service that ``haven query`` and the portal use when it is up."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from common.settings import get_settings

spe_app = typer.Typer(help="The secure processing environment's service.", no_args_is_help=True)


@spe_app.command("serve")
def spe_serve() -> None:
    """Run the SPE service on its owner-only Unix socket until stopped (Ctrl-C or SIGTERM):
    `haven query` and the portal's workbench then answer warm through it (see README, "The
    SPE service").

    Example:

        haven spe serve
    """
    from spe.server import serve

    settings = get_settings()

    def ready(tables: int) -> None:
        typer.echo(
            f"Haven SPE service on {settings.spe_service_socket} ({tables} permit tables warm, "
            f"{settings.spe_service_sessions} sessions at once; stop with Ctrl-C)",
            err=True,
        )

    serve(settings, ready)


@spe_app.command("status")
def spe_status(
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
) -> None:
    """Whether the SPE service answers on its socket, and its counters.

    Example:

        haven spe status
    """
    from spe.client import health
    from spe.errors import ServiceUnavailable

    settings = get_settings()
    try:
        found = health(settings)
    except ServiceUnavailable as exc:
        if as_json:
            typer.echo(json.dumps({"up": False, "socket": str(settings.spe_service_socket)}))
        else:
            typer.echo(f"SPE service not up ({exc}); queries run in-process")
        return
    if as_json:
        typer.echo(json.dumps({"up": True, "socket": str(settings.spe_service_socket), **found}, indent=2))
        return
    typer.echo(
        f"SPE service up on {settings.spe_service_socket}: pid {found['pid']}, "
        f"{found['served']} queries served, {found['active']} running of {found['sessions']}, "
        f"{found['snapshots']} table versions warm, address space capped at "
        f"{found['address_space_mib']} MiB, up {found['uptime_s']} s"
    )
