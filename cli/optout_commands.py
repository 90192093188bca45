"""``haven optout``: record opt-outs and withdrawals in the registry, and see the counts.

The commands never print a pid: they say what was recorded (event ids, counts). The rules
(channels, agents, duplicates) live in ``catalog.optout.registry``; a refused event exits with 1,
a malformed value (an unknown channel, a time without its zone) with 2 and the usage.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer

from catalog.optout.vocabulary import OptOutChannel, OptOutSource

optout_app = typer.Typer(help="The opt-out registry (EHDS Art 71).", no_args_is_help=True)

PidOption = Annotated[str, typer.Option("--pid", help="The citizen's TTP pseudonym (never printed).")]
ChannelOption = Annotated[OptOutChannel, typer.Option("--channel", help="Where the citizen asked.")]
AgentOption = Annotated[
    str | None,
    typer.Option("--agent", help="Id of the agent who took a phone or desk request (refused for online)."),
]
AtOption = Annotated[
    str | None,
    typer.Option("--at", help="When the citizen made the request, ISO 8601 with a time zone (default: now)."),
]


def _when(at: str | None) -> datetime:
    if at is None:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(at.strip().replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(
            "not an ISO 8601 date-time, e.g. 2026-03-01T09:30:00+01:00", param_hint="--at"
        ) from None
    if value.tzinfo is None:
        raise typer.BadParameter("needs a time zone, e.g. 2026-03-01T09:30:00Z", param_hint="--at")
    return value


def _record(action: str, pid: str, channel: OptOutChannel, agent: str | None, at: str | None) -> None:
    from catalog.db.gateway import unit_of_work
    from catalog.optout import registry

    event = registry.make_event(
        pid=pid,
        action=action,
        event_time=_when(at),
        channel=channel.value,
        agent=agent,
        source=OptOutSource.CLI.value,
    )
    with unit_of_work() as store:
        outcome = registry.record(store, [event], actor=event.agent or "system", source=OptOutSource.CLI)
    if outcome.recorded:
        typer.echo(
            f"{action} recorded as event {outcome.event_ids[0]} ({channel.value}); it takes effect "
            "at the next opt-out run (haven_optout) or delivery"
        )
    else:
        typer.echo(f"{action} already recorded: nothing changed")


@optout_app.command("add")
def optout_add(
    pid: PidOption, channel: ChannelOption, agent: AgentOption = None, at: AtOption = None
) -> None:
    """Record a citizen's opt-out of secondary use.

    Example:

        haven optout add --pid TTP-0000123 --channel phone --agent desk-7
    """
    _record("optout", pid, channel, agent, at)


@optout_app.command("withdraw")
def optout_withdraw(
    pid: PidOption, channel: ChannelOption, agent: AgentOption = None, at: AtOption = None
) -> None:
    """Record the withdrawal of an opt-out: the person is back in at the next delivery.

    Example:

        haven optout withdraw --pid TTP-0000123 --channel online
    """
    _record("withdrawal", pid, channel, agent, at)


@optout_app.command("status")
def optout_status(
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Counts only: persons whose opt-out is in force, events by channel and action.

    Example:

        haven optout status
    """
    from dataclasses import asdict

    from catalog.db.gateway import unit_of_work
    from catalog.optout import registry

    with unit_of_work() as store:
        result = registry.status(store)
    if as_json:
        typer.echo(json.dumps(asdict(result), indent=2, sort_keys=True))
        return
    typer.echo(f"opt-outs in force: {result.persons_opted_out:,} persons")
    typer.echo(
        f"events: {result.events:,} ("
        + ", ".join(f"{k} {v:,}" for k, v in result.events_by_action.items())
        + ")"
    )
    typer.echo("by channel: " + ", ".join(f"{k} {v:,}" for k, v in result.events_by_channel.items()))
