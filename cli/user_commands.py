"""``haven user``: accounts of the web portal, from a terminal.

An operator creates an account with its roles; the command prints a one-time link to the
portal's set-password page, which the operator passes on to the account's owner. The owner
chooses the password there, so nobody else ever knows it. In the embedded mode the acting
operator is named with ``--as``; shell access to the host is operator access.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from catalog.people.domain import Role

user_app = typer.Typer(help="Accounts of the web portal.", no_args_is_help=True)
# A user name is the owner's email address: something before and after one @, no spaces.
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,55}$")
# An organisation's name as people write it, in any of the country's languages (the column
# holds 300 characters); no markup or control characters.
ORGANISATION = re.compile(r"^[\w .,'&()/-]{1,300}$")


def organisation_name(text: str) -> str:
    """``text`` with its whitespace collapsed, if it is an organisation's name."""
    name = " ".join(text.split())
    if not ORGANISATION.fullmatch(name):
        raise typer.BadParameter(
            "must be a name of 1 to 300 letters, digits, spaces and . , ' & ( ) / -",
            param_hint="--organisation",
        )
    return name


@user_app.command("add")
def user_add(
    email: Annotated[
        str, typer.Argument(metavar="EMAIL", help="User name of the account: its owner's email.")
    ],
    role: Annotated[list[Role], typer.Option("--role", help="A role of the account (repeat for more).")],
    as_user: Annotated[str, typer.Option("--as", help="Acting operator (embedded mode only).")],
    name: Annotated[str, typer.Option(help="Name shown in the portal.")] = "",
    pid: Annotated[
        str | None,
        typer.Option(
            "--pid",
            help="The person's TTP pid, for a citizen account: links it so its owner can opt out "
            "online (never shown in the portal).",
        ),
    ] = None,
    organisation: Annotated[
        str | None,
        typer.Option(
            "--organisation",
            help="Who the owner works for, as the portal shows it: a dashboard published to "
            "the organisation reaches the signed-in accounts of the same organisation.",
        ),
    ] = None,
) -> None:
    """Create a portal account with its roles and print a one-time link for its owner to choose
    a password (valid for HAVEN_PORTAL_PASSWORD_LINK_HOURS, 72 by default; audited).

    Example:

        haven user add analyst2@demo --role policy_analyst --organisation "Demo Ministry" --as operator@demo

        haven user add c2@demo --role citizen --pid PID --as operator@demo
    """
    from catalog.db.gateway import unit_of_work
    from catalog.optout import citizens
    from catalog.people import password_links
    from catalog.people.users import create_user
    from common.settings import get_settings

    if not EMAIL.fullmatch(email):
        raise typer.BadParameter("must be an email address (one @, no spaces)", param_hint="EMAIL")
    if pid is not None and Role.CITIZEN not in role:
        raise typer.BadParameter("only a citizen account has a pid", param_hint="--pid")
    organisation = None if organisation is None else organisation_name(organisation)
    settings = get_settings()
    now = datetime.now(UTC)
    valid_for = timedelta(hours=settings.portal_password_link_hours)
    with unit_of_work() as store:
        actor = store.get_user(as_user)
        create_user(store, actor, email, set(role), display_name=name, organisation=organisation)
        if pid is not None:
            citizens.link(store, actor, email, pid, now=now)
        secret = password_links.issue(store, actor, email, now=now, valid_for=valid_for)
    roles = ", ".join(sorted(r.value for r in role))
    of = f", of {organisation}" if organisation is not None else ""
    linked = ", linked to its person" if pid is not None else ""
    typer.echo(f"created {email} ({roles}{of}{linked})")
    typer.echo(f"one-time link to choose the password, valid until {now + valid_for:%Y-%m-%d %H:%M} UTC:")
    typer.echo(f"  {settings.portal_url.rstrip('/')}/set-password/{secret}")


def _set_disabled(email: str, as_user: str, *, disabled: bool) -> None:
    from catalog.db.gateway import unit_of_work
    from catalog.people import users

    now = datetime.now(UTC)
    with unit_of_work() as store:
        actor = store.get_user(as_user)
        if disabled:
            users.disable(store, actor, email, now=now)
        else:
            users.enable(store, actor, email, now=now)


@user_app.command("disable")
def user_disable(
    email: Annotated[str, typer.Argument(metavar="EMAIL", help="User name of the account.")],
    as_user: Annotated[str, typer.Option("--as", help="Acting operator (embedded mode only).")],
) -> None:
    """Disable a portal account: it signs in no more, by password or through an identity
    provider, and its open sessions end now (operators; not their own account; audited).

    Example:

        haven user disable analyst2@demo --as operator@demo
    """
    _set_disabled(email, as_user, disabled=True)
    typer.echo(f"disabled {email}: it cannot sign in; its sessions ended")


@user_app.command("enable")
def user_enable(
    email: Annotated[str, typer.Argument(metavar="EMAIL", help="User name of the account.")],
    as_user: Annotated[str, typer.Option("--as", help="Acting operator (embedded mode only).")],
) -> None:
    """Let a disabled portal account sign in again (operators; audited).

    Example:

        haven user enable analyst2@demo --as operator@demo
    """
    _set_disabled(email, as_user, disabled=False)
    typer.echo(f"enabled {email}: it can sign in again")
