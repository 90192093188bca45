"""``haven indicator``: standing indicators from a terminal (propose, approve, retire, list, run).

Each command calls one function of ``catalog.dashboards.indicators`` or ``spe.indicators``
and prints the outcome; the rules live there. Haven errors (a refused approval, terms below
the permit's threshold) exit 1 (``cli.main.run``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from catalog.dashboards.indicators import Indicator, Status

indicator_app = typer.Typer(
    help="Standing indicators: a query two stewards approve once, re-released on every new delivery.",
    no_args_is_help=True,
)


def _entry(indicator: Indicator, status: Status | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": indicator.indicator_id,
        "permit": indicator.permit_id,
        "state": indicator.state.value,
        "min_persons": indicator.terms.min_persons,
        "rounding_base": indicator.terms.rounding_base,
        "proposed_by": indicator.proposed_by,
        "approvals": list(indicator.approvals),
        "sql_sha256": indicator.sql_sha256,
        "description": indicator.description.en,
    }
    if status is not None:
        latest, run = status.latest, status.latest_run
        entry["latest_release"] = None if latest is None else latest.aggregate_id
        entry["released_at"] = None if latest is None else latest.released_at.isoformat()
        entry["last_run"] = None if run is None else run.outcome.value
        entry["awaiting_review"] = status.held
    return entry


@indicator_app.command("propose")
def indicator_propose(
    sql: Annotated[str, typer.Argument(metavar="SQL", help="One SELECT statement over the permit's tables.")],
    permit: Annotated[str, typer.Option(help="Permit id.")],
    as_user: Annotated[str, typer.Option("--as", help="A named data user of the permit, or a steward.")],
    en: Annotated[str, typer.Option("--en", help="What it shows, in English.")],
    fr: Annotated[str, typer.Option("--fr", help="What it shows, in French.")],
    nl: Annotated[str, typer.Option("--nl", help="What it shows, in Dutch.")],
    de: Annotated[str, typer.Option("--de", help="What it shows, in German.")],
    min_persons: Annotated[
        int | None,
        typer.Option(help="Fewest persons per cell; default HAVEN_INDICATOR_MIN_PERSONS (100)."),
    ] = None,
    rounding: Annotated[
        int | None,
        typer.Option(help="Round counts to this base; default HAVEN_INDICATOR_ROUNDING_BASE (10)."),
    ] = None,
) -> None:
    """Propose a standing indicator; two stewards must approve it before it runs.

    Example:

        haven indicator propose --permit demo-permit --as researcher@demo --en "Persons per provider type" --fr "Personnes par type de prestataire" --nl "Personen per soort zorgverlener" --de "Personen je Leistungserbringer" "SELECT provider_type, count(DISTINCT person_id) AS persons FROM claims GROUP BY provider_type"
    """  # noqa: E501
    from catalog.dashboards import indicators
    from catalog.db.gateway import unit_of_work
    from common.settings import get_settings
    from spe.session import SandboxSession

    SandboxSession.check_statement(sql)  # one SELECT, or refused now rather than at every run
    settings = get_settings()
    terms = indicators.Terms(
        settings.indicator_min_persons if min_persons is None else min_persons,
        settings.indicator_rounding_base if rounding is None else rounding,
    )
    with unit_of_work() as store:
        proposed = indicators.propose(
            store,
            store.get_user(as_user),
            permit_id=permit,
            sql=sql,
            description={"en": en, "fr": fr, "nl": nl, "de": de},
            terms=terms,
            platform_min_persons=settings.disclosure_min_persons,
        )
    typer.echo(
        f"{proposed.indicator_id} proposed (at least {terms.min_persons} persons per cell, counts "
        f"rounded to {terms.rounding_base}); awaiting two stewards' approvals"
    )


@indicator_app.command("approve")
def indicator_approve(
    indicator_id: Annotated[
        str, typer.Argument(metavar="INDICATOR_ID", help="As `haven indicator list` shows.")
    ],
    as_user: Annotated[str, typer.Option("--as", help="Approving steward (embedded mode only).")],
) -> None:
    """A steward's approval; the second, by another steward, lets the indicator run.

    Examples:

        haven indicator approve ind-2026-3hv8c5t2wd --as steward@demo

        haven indicator approve ind-2026-3hv8c5t2wd --as reviewer@demo
    """
    from catalog.dashboards import indicators
    from catalog.db.gateway import unit_of_work

    with unit_of_work() as store:
        approved = indicators.approve(store, store.get_user(as_user), indicator_id)
    typer.echo(f"{approved.indicator_id} {approved.state.value} ({len(approved.approvals)} of 2 approvals)")


@indicator_app.command("retire")
def indicator_retire(
    indicator_id: Annotated[
        str, typer.Argument(metavar="INDICATOR_ID", help="As `haven indicator list` shows.")
    ],
    as_user: Annotated[str, typer.Option("--as", help="Retiring steward (embedded mode only).")],
) -> None:
    """A steward retires an indicator: it runs no more; its releases stay in the registry.

    Example:

        haven indicator retire ind-2026-3hv8c5t2wd --as steward@demo
    """
    from catalog.dashboards import indicators
    from catalog.db.gateway import unit_of_work

    with unit_of_work() as store:
        retired = indicators.retire(store, store.get_user(as_user), indicator_id)
    typer.echo(f"{retired.indicator_id} {retired.state.value}")


@indicator_app.command("list")
def indicator_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Indicators: id, permit, state, terms, latest release and whether a newer one awaits review.

    Example:

        haven indicator list
    """
    from catalog.dashboards import indicators
    from catalog.db.gateway import unit_of_work

    with unit_of_work() as store:
        entries = [_entry(i, indicators.status(store, i.indicator_id)) for i in store.list_indicators()]
    if as_json:
        typer.echo(json.dumps(entries, indent=2))
        return
    for e in entries:
        held = "; a newer version awaits review" if e["awaiting_review"] else ""
        released = e["released_at"] or "none yet"
        typer.echo(
            f"{e['id']:<20} {e['permit']:<16} {e['state']:<9} >={e['min_persons']} persons, "
            f"rounded to {e['rounding_base']}; latest release {released}{held}"
        )
    typer.echo(f"({len(entries)} indicators)")


@indicator_app.command("run")
def indicator_run(
    indicator_id: Annotated[
        str | None,
        typer.Argument(metavar="[INDICATOR_ID]", help="Only this one (default: every approved one)."),
    ] = None,
    again: Annotated[
        bool, typer.Option(help="Run even if its tables did not change since its last run.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Run approved indicators through the SPE now, as haven_publish does after each build:
    released when every cell passes their terms, else held in the airlock queue.

    Examples:

        haven indicator run

        haven indicator run ind-2026-3hv8c5t2wd --again
    """
    from common.settings import get_settings
    from spe.indicators import run_indicator, run_indicators

    settings = get_settings()
    outcomes = (
        run_indicators(settings)
        if indicator_id is None
        else {indicator_id: run_indicator(settings, indicator_id, again=again)}
    )
    if as_json:
        typer.echo(json.dumps(outcomes, indent=2, default=str))
        return
    for iid, outcome in outcomes.items():
        rules = f" ({', '.join(outcome['rules'])})" if outcome.get("rules") else ""
        request = f" as {outcome['request']}" if outcome.get("request") else ""
        typer.echo(f"{iid} {outcome['outcome']}{request}{rules}")
    typer.echo(f"({len(outcomes)} indicators)")
