"""``haven output``: the airlock from a terminal (request, review, list, show, get).

Each command calls one function of ``spe.airlock`` or ``catalog.airlock.releases`` and prints the
outcome; the rules live there. Haven errors (a refused review or download) exit 1
(``cli.main.run``); a query refused in the SPE files nothing and exits 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.render import print_table

if TYPE_CHECKING:
    from catalog.airlock.domain import OutputRequest, RequestView

output_app = typer.Typer(
    help="Output release (the airlock): request, review and download results.", no_args_is_help=True
)
AS_USER = typer.Option("--as", help="Acting user (embedded mode only).")


def _summary(request: OutputRequest) -> dict[str, Any]:
    return {
        "id": request.request_id,
        "permit": request.permit_id,
        "state": request.state.value,
        "verdict": request.verdict,
        "created_at": request.created_at.isoformat(),
        "decided_at": None if request.decided_at is None else request.decided_at.isoformat(),
    }


def _detail(seen: RequestView) -> dict[str, Any]:
    request = seen.request
    return {
        **_summary(request),
        "author": request.author,
        "sql": request.sql,
        "sql_sha256": request.sql_sha256,
        "versions": request.versions,
        "columns": list(request.result.columns),
        "rows": [list(r) for r in request.result.rows],
        "suppressed": list(request.result.suppressed),
        "shows": None if request.context is None else request.context.shows,
        "needed_for": None if request.context is None else request.context.needed_for,
        "release_check": None
        if request.release_check is None
        else {"status": request.release_check.status.value, "suppressed": request.release_check.suppressed},
        "votes_cast": seen.votes_cast,
        "reviews": [
            {"reviewer": r.reviewer, "vote": r.vote.value, "reason": r.reason, "at": r.at.isoformat()}
            for r in seen.reviews
        ],
    }


@output_app.command("request")
def output_request(
    sql: Annotated[
        str, typer.Argument(metavar="SQL", help="One SELECT statement, run through disclosure control.")
    ],
    permit: Annotated[str, typer.Option(help="Permit id.")],
    as_user: Annotated[str, AS_USER],
    shows: Annotated[
        str, typer.Option(help="What the output shows, in words (at least 20 characters; for the reviewers).")
    ],
    why: Annotated[
        str, typer.Option(help="Why it must leave the secure environment (at least 20 characters).")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")] = False,
) -> None:
    """Run SQL in the SPE and ask for its checked result to be released; two stewards review it.

    Example:

        haven output request --permit demo-permit --as researcher@demo --shows "Pharmacy deliveries, 2025" --why "Yearly total for table 1." "SELECT count(*) AS n FROM pharmacy"
    """  # noqa: E501
    from catalog.airlock.domain import OutputContext
    from spe.airlock import request_output

    filed = request_output(permit, as_user, sql, OutputContext(shows, why))
    assert filed.query is not None  # no submission key: the query always ran
    result, request = filed.query.result, filed.request
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "id": None if request is None else request.request_id,
                    "state": None if request is None else request.state.value,
                    "verdict": None if request is None else request.verdict,
                    "versions": filed.query.versions,
                    **result.as_dict(),
                },
                indent=2,
                default=str,
            )
        )
    elif request is None:
        typer.echo(f"refused: {result.reason}; no release request filed")
    else:
        print_table(request.result.columns, request.result.rows)
        typer.echo(
            f"{request.request_id} {request.state.value}: automated verdict {request.verdict} "
            f"({len(request.result.suppressed)} suppressed cells); awaiting two stewards' reviews"
        )
    if request is None:
        raise typer.Exit(2)


@output_app.command("review")
def output_review(
    request_id: Annotated[
        str, typer.Argument(metavar="REQUEST_ID", help="Output request id (as `haven output list` shows).")
    ],
    reason: Annotated[str, typer.Option(help="Why: kept with the vote, shown once both have voted.")],
    as_user: Annotated[str, typer.Option("--as", help="Reviewing steward (embedded mode only).")],
    approve: Annotated[bool, typer.Option("--approve/--reject", help="Approve or reject the release.")],
) -> None:
    """A steward's vote on a release request; the second vote decides: two approvals release it
    if disclosure control, run again at that moment, still passes; otherwise it is rejected.

    Examples:

        haven output review out-2026-3hv8c5t2wd --approve --reason "No small cells." --as steward@demo

        haven output review out-2026-3hv8c5t2wd --approve --reason "Fits the purpose." --as reviewer@demo
    """
    from spe.airlock import review_output

    seen = review_output(request_id, as_user, approve=approve, reason=reason)
    if seen.request.decided_at is None:
        typer.echo(
            f"{request_id} vote recorded ({seen.votes_cast} of 2); the other vote stays hidden "
            "until both stewards have voted"
        )
    else:
        votes = ", ".join(f"{r.reviewer} {r.vote.value}" for r in seen.reviews)
        check = seen.request.release_check
        checked = "" if check is None else f"; disclosure control at release: {check.status.value}"
        typer.echo(f"{request_id} {seen.request.state.value} ({votes}){checked}")


@output_app.command("list")
def output_list(
    as_user: Annotated[str | None, typer.Option("--as", help="Only the requests this user may see.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Release requests: id, permit, state, automated verdict (never their contents).

    Example:

        haven output list --as steward@demo
    """
    from catalog.airlock import releases
    from catalog.db.gateway import unit_of_work

    with unit_of_work() as store:
        actor = None if as_user is None else store.get_user(as_user)
        requests = releases.list_requests(store, actor)
    entries = [_summary(r) for r in requests]
    if as_json:
        typer.echo(json.dumps(entries, indent=2))
        return
    for e in entries:
        typer.echo(f"{e['id']:<14} {e['permit']:<16} {e['state']:<13} {e['verdict']:<11} {e['created_at']}")
    typer.echo(f"({len(entries)} requests)")


@output_app.command("show")
def output_show(
    request_id: Annotated[
        str, typer.Argument(metavar="REQUEST_ID", help="Output request id (as `haven output list` shows).")
    ],
    as_user: Annotated[str, AS_USER],
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """A request for review: table, SQL, verdict, Delta versions; votes once both stewards voted.

    Example:

        haven output show out-2026-3hv8c5t2wd --as steward@demo
    """
    from catalog.airlock import releases
    from catalog.db.gateway import unit_of_work

    with unit_of_work() as store:
        detail = _detail(releases.view(store, store.get_user(as_user), request_id))
    if as_json:
        typer.echo(json.dumps(detail, indent=2))
        return
    typer.echo(
        f"{detail['id']} {detail['state']} (permit {detail['permit']}, by {detail['author']}, "
        f"verdict {detail['verdict']})"
    )
    typer.echo(f"sql: {detail['sql']}")
    typer.echo(f"shows: {detail['shows']}")
    typer.echo(f"needed for: {detail['needed_for']}")
    typer.echo("versions: " + ", ".join(f"{t}@{v}" for t, v in sorted(detail["versions"].items())))
    print_table(detail["columns"], detail["rows"])
    for s in detail["suppressed"]:
        typer.echo(f"suppressed: row {s['row']} column {s['column']} ({s['rule']})")
    typer.echo(f"votes cast: {detail['votes_cast']} of 2")
    if detail["release_check"] is not None:
        typer.echo(f"disclosure control at release: {detail['release_check']['status']}")
    for r in detail["reviews"]:
        typer.echo(f"  {r['reviewer']}: {r['vote']} ({r['reason']})")


@output_app.command("get")
def output_get(
    request_id: Annotated[
        str, typer.Argument(metavar="REQUEST_ID", help="Output request id (as `haven output list` shows).")
    ],
    as_user: Annotated[str, AS_USER],
    as_json: Annotated[bool, typer.Option("--json", help="Print the table as JSON.")] = False,
    out: Annotated[Path | None, typer.Option(help="Save the table as CSV to this file.")] = None,
) -> None:
    """Download a released output; any other state is refused.

    Example:

        haven output get out-2026-3hv8c5t2wd --as researcher@demo --out released.csv
    """
    from catalog.airlock import releases
    from catalog.db.gateway import unit_of_work

    with unit_of_work() as store:
        request = releases.download(store, store.get_user(as_user), request_id)
    table = request.result
    if out is not None:
        out.write_bytes(releases.as_csv(table).encode("utf-8"))
        typer.echo(f"{request_id}: {len(table.rows)} rows saved to {out}")
    elif as_json:
        typer.echo(
            json.dumps(
                {
                    "id": request_id,
                    "permit": request.permit_id,
                    "columns": list(table.columns),
                    "rows": [list(r) for r in table.rows],
                    "suppressed": list(table.suppressed),
                    "versions": request.versions,
                },
                indent=2,
            )
        )
    else:
        print_table(table.columns, table.rows)
