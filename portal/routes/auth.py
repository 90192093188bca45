"""Sign in, sign out, and set a password from a one-time link.

Sign-in makes a new session secret every time (no session fixation) and ends any session the
browser had; failures are throttled per account and per address (``portal.auth.throttle``)
and audited without the password. Form errors are listed at the top of the form, each
linking to its field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from catalog.db.gateway import unit_of_work
from catalog.errors import InvalidLink
from catalog.people import password_links, sessions
from catalog.people.users import MIN_PASSWORD_LENGTH
from portal.auth.sessions import SESSION_COOKIE, client_address, drop_cookie, set_cookie
from portal.deps import gettext, local_path, now, signed_in_user, visitor_of
from portal.i18n import N_
from portal.pages import pages_of
from portal.state import portal_state

router = APIRouter(include_in_schema=False)
MAX_PASSWORD_LENGTH = 1024  # argon2 takes any length; this only bounds the work per request


@dataclass(frozen=True)
class FieldError:
    """One problem of a form: the field's id (the summary links to it) and the message."""

    field: str
    message: str


def _sign_in_page(
    request: Request, *, username: str, next_page: str, errors: list[FieldError], status: int
) -> Response:
    return pages_of(request).render(
        request,
        "sign_in.html",
        status=status,
        username=username,
        next_page=next_page,
        errors=errors,
        notice=request.query_params.get("done") == "password",
        oidc=portal_state(request).oidc is not None,
    )


@router.get("/sign-in")
def sign_in_form(request: Request) -> Response:
    next_page = local_path(request.query_params.get("next"))
    return _sign_in_page(request, username="", next_page=next_page, errors=[], status=200)


def _missing(username: str, password: str) -> list[FieldError]:
    """Empty fields, with their messages untranslated (the caller translates)."""
    errors = []
    if not username.strip():
        errors.append(FieldError("username", N_("Enter your user name.")))
    if not password:
        errors.append(FieldError("password", N_("Enter your password.")))
    return errors


@router.post("/sign-in")
def sign_in(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next_page: Annotated[str, Form(alias="next")] = "/",
) -> Response:
    """Check the password and start a new session, or say what went wrong."""
    _ = gettext(request)
    state, client, at = portal_state(request), client_address(request), now(request)
    username, target = username.strip(), local_path(next_page)
    errors = [FieldError(e.field, _(e.message)) for e in _missing(username, password)]
    if errors:
        return _sign_in_page(request, username=username, next_page=target, errors=errors, status=400)
    if state.throttle.held(username, client):
        with unit_of_work(state.settings) as store:
            sessions.refuse(store, username, client, "throttled", at)
        minutes = state.settings.portal_signin_window_minutes
        message = _("Too many failed sign-ins. Wait %(minutes)s minutes, then try again.") % {
            "minutes": minutes
        }
        return _sign_in_page(
            request, username=username, next_page=target, errors=[FieldError("username", message)], status=429
        )
    with unit_of_work(state.settings) as store:
        signed = sessions.sign_in(store, username, password, client=client, now=at)
        previous = visitor_of(request).session_secret
        if signed is not None and previous:
            store.remove_session(sessions.digest(previous))
    if signed is None:
        state.throttle.failed(username, client)
        message = _("The user name or the password is not right.")
        return _sign_in_page(
            request, username=username, next_page=target, errors=[FieldError("username", message)], status=400
        )
    state.throttle.succeeded(username)
    response = RedirectResponse(target, status_code=303)
    set_cookie(request, response, SESSION_COOKIE, signed.secret)
    return response


@router.post("/sign-out")
def sign_out(request: Request) -> Response:
    """End the session (audited) and forget its cookie."""
    signed_in_user(request)
    secret = visitor_of(request).session_secret
    with unit_of_work(portal_state(request).settings) as store:
        if secret:
            sessions.sign_out(store, secret, client=client_address(request), now=now(request))
    response = RedirectResponse("/", status_code=303)
    drop_cookie(request, response, SESSION_COOKIE)
    return response


def _link_invalid(request: Request) -> Response:
    return pages_of(request).render(request, "link_invalid.html", status=410)


def _password_page(
    request: Request, secret: str, username: str, errors: list[FieldError], status: int
) -> Response:
    return pages_of(request).render(
        request,
        "set_password.html",
        status=status,
        secret=secret,
        username=username,
        errors=errors,
        min_length=MIN_PASSWORD_LENGTH,
    )


@router.get("/set-password/{secret}")
def set_password_form(request: Request, secret: str) -> Response:
    """The form to choose a password, while the link is valid (it is not used up by looking)."""
    try:
        with unit_of_work(portal_state(request).settings) as store:
            link = password_links.check(store, secret, now=now(request))
    except InvalidLink:
        return _link_invalid(request)
    return _password_page(request, secret, link.username, [], 200)


def _password_errors(password: str, confirm: str) -> list[tuple[str, str, dict[str, int]]]:
    if len(password) < MIN_PASSWORD_LENGTH:
        return [
            (
                "password",
                N_("Choose a password of at least %(length)s characters."),
                {"length": MIN_PASSWORD_LENGTH},
            )
        ]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [
            (
                "password",
                N_("Choose a password of at most %(length)s characters."),
                {"length": MAX_PASSWORD_LENGTH},
            )
        ]
    if password != confirm:
        return [("confirm", N_("The two passwords are not the same."), {})]
    return []


@router.post("/set-password/{secret}")
def set_password(
    request: Request,
    secret: str,
    password: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Set the password and use the link up; then the owner signs in with it."""
    _ = gettext(request)
    settings, at = portal_state(request).settings, now(request)
    try:
        with unit_of_work(settings) as store:
            link = password_links.check(store, secret, now=at)
            problems = _password_errors(password, confirm)
            if not problems:
                password_links.redeem(store, secret, password, now=at)
    except InvalidLink:
        return _link_invalid(request)
    if problems:
        errors = [FieldError(field, _(message) % values) for field, message, values in problems]
        return _password_page(request, secret, link.username, errors, 400)
    return RedirectResponse("/sign-in?done=password", status_code=303)
