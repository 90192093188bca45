"""The visitor of each request: who is signed in (from the session cookie), in which language,
and the CSRF token their forms must carry.

Cookies are HttpOnly and SameSite=Lax, and Secure whenever the request came over HTTPS. The
session cookie holds only a random secret; the catalogue holds its hash and enforces the
idle and absolute timeouts (``catalog.people.sessions``). A visit cookie gives signed-out
visitors a secret too, so their forms (sign-in, language) carry a CSRF token as well.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request, Response

from catalog.db.gateway import unit_of_work
from catalog.people import sessions
from catalog.people.domain import User
from portal.auth.csrf import token_for
from portal.i18n import choose_language
from portal.state import PortalState

SESSION_COOKIE = "haven_session"
VISIT_COOKIE = "haven_visit"
LANGUAGE_COOKIE = "haven_lang"
LANGUAGE_COOKIE_DAYS = 365


@dataclass(frozen=True)
class Visitor:
    """Who is asking, in which language, with which CSRF token."""

    user: User | None
    language: str
    csrf_token: str
    session_secret: str | None  # the live session's cookie secret, when signed in
    visit_secret: str
    new_visit: bool  # the visit cookie must be set on the response
    stale_session: bool  # the browser sent a session cookie that names no live session
    unread: int = 0  # the signed-in user's unread notifications, for the header


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def _signed_in(state: PortalState, secret: str | None) -> tuple[User | None, str | None, int]:
    """The user of a live session, their stored language and unread notifications, or (None, None, 0)."""
    if not secret:
        return None, None, 0
    with unit_of_work(state.settings) as store:
        user = sessions.resume(store, secret, now=state.clock(), timeouts=state.timeouts)
        if user is None:
            return None, None, 0
        return user, store.user_language(user.username), store.count_unread_notifications(user.username)


def resolve_visitor(request: Request, state: PortalState) -> Visitor:
    """The visitor of ``request`` (opens the catalogue when a session cookie is present)."""
    session_secret = request.cookies.get(SESSION_COOKIE)
    user, preference, unread = _signed_in(state, session_secret)
    visit = request.cookies.get(VISIT_COOKIE)
    new_visit = not visit
    visit_secret = visit or sessions.new_secret()
    language = choose_language(
        request.query_params.get("lang"),
        preference,
        request.cookies.get(LANGUAGE_COOKIE),
        request.headers.get("accept-language"),
    )
    live = session_secret if user else None
    return Visitor(
        user=user,
        language=language,
        csrf_token=token_for(state.key, live or visit_secret),
        session_secret=live,
        visit_secret=visit_secret,
        new_visit=new_visit,
        stale_session=bool(session_secret) and user is None,
        unread=unread,
    )


def secure(request: Request) -> bool:
    """Whether cookies must be Secure: the request came over HTTPS."""
    return request.url.scheme == "https"


def set_cookie(
    request: Request, response: Response, name: str, value: str, max_age: int | None = None
) -> None:
    """Set one of the portal's cookies with its flags: HttpOnly, SameSite=Lax, Secure on HTTPS."""
    response.set_cookie(
        name, value, max_age=max_age, path="/", httponly=True, samesite="lax", secure=secure(request)
    )


def drop_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(name, path="/", httponly=True, samesite="lax", secure=secure(request))


def finish(request: Request, response: Response, visitor: Visitor) -> None:
    """Set or clear the cookies the visitor's state calls for, unless the route already did."""
    already = {h.split("=", 1)[0] for h in response.headers.getlist("set-cookie")}
    if visitor.new_visit and VISIT_COOKIE not in already:
        set_cookie(request, response, VISIT_COOKIE, visitor.visit_secret)
    if visitor.stale_session and SESSION_COOKIE not in already:
        drop_cookie(request, response, SESSION_COOKIE)
