"""What every route asks of a request: the visitor, the signed-in user, the time, a
translation function, and where it may send the visitor back to."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import Request

from catalog.people.domain import User
from portal.auth.sessions import Visitor
from portal.errors import NotSignedIn
from portal.pages import pages_of
from portal.state import portal_state


def visitor_of(request: Request) -> Visitor:
    visitor: Visitor = request.state.visitor
    return visitor


def signed_in_user(request: Request) -> User:
    """The signed-in user; ``NotSignedIn`` (a redirect to sign-in, or 401 on the API) otherwise."""
    user = visitor_of(request).user
    if user is None:
        raise NotSignedIn("this needs a signed-in user")
    return user


def now(request: Request) -> datetime:
    return portal_state(request).clock()


def gettext(request: Request) -> Callable[[str], str]:
    """``_`` in the visitor's language, for messages built in Python."""
    translate: Callable[[str], str] = pages_of(request).gettext(visitor_of(request).language)
    return translate


def local_path(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path on this site, else ``default``: no open redirects."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    return target
