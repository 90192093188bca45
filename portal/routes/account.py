"""The signed-in user's own pages: the account (name, roles, language, latest notifications)
and the notifications, each marked read one by one or all at once.

A notification is found only among the user's own: another user's id, like an id that does
not exist, is 404. Marking read twice (a double click, the back button) changes nothing the
second time: the first time read is kept.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from catalog.datasets.metadata import LANGUAGES
from catalog.db.gateway import unit_of_work
from catalog.errors import NotFound
from catalog.notifications import service as notifications
from portal.auth.sessions import LANGUAGE_COOKIE, LANGUAGE_COOKIE_DAYS, set_cookie
from portal.deps import gettext, local_path, now, signed_in_user, visitor_of
from portal.i18n import N_
from portal.pages import pages_of
from portal.state import portal_state
from portal.steward import FieldError, notifications_of

router = APIRouter(include_in_schema=False)
LATEST = 5  # notifications the account page shows


def _account_page(request: Request, *, errors: list[FieldError], chosen: str, status: int) -> Response:
    user = signed_in_user(request)
    visitor = visitor_of(request)
    found = notifications_of(portal_state(request).settings, user, visitor.language)
    return pages_of(request).render(
        request,
        "account.html",
        status=status,
        user=user,
        roles=sorted(r.value for r in user.roles),
        chosen=chosen,
        errors=errors,
        latest=found.notifications[:LATEST],
        unread=found.unread,
        total=len(found.notifications),
        notice=request.query_params.get("done") == "language",
    )


@router.get("/account")
def account(request: Request) -> Response:
    """Who the user is, their roles, their language (to change) and their latest notifications."""
    return _account_page(request, errors=[], chosen=visitor_of(request).language, status=200)


@router.post("/account/language")
def account_language(request: Request, language: Annotated[str, Form()] = "") -> Response:
    """Keep the chosen language on the account (and in the language cookie)."""
    user = signed_in_user(request)
    if language not in LANGUAGES:
        _ = gettext(request)
        message = _(N_("Choose one of the four languages."))
        return _account_page(request, errors=[FieldError("language", message)], chosen="", status=400)
    with unit_of_work(portal_state(request).settings) as store:
        store.set_user_language(user.username, language)
    response = RedirectResponse("/account?done=language", status_code=303)
    set_cookie(request, response, LANGUAGE_COOKIE, language, max_age=LANGUAGE_COOKIE_DAYS * 86400)
    return response


@router.get("/notifications")
def notification_list(request: Request) -> Response:
    """The user's notifications, newest first; unread ones can be marked read."""
    user = signed_in_user(request)
    found = notifications_of(portal_state(request).settings, user, visitor_of(request).language)
    return pages_of(request).render(
        request,
        "notifications.html",
        found=found,
        marked=int(marked) if (marked := request.query_params.get("marked", "")).isdigit() else None,
    )


@router.post("/notifications/{notification_id}/read")
def mark_read(
    request: Request, notification_id: str, next_page: Annotated[str, Form(alias="next")] = "/notifications"
) -> Response:
    """Mark one of the user's notifications read; 404 for anyone else's."""
    user = signed_in_user(request)
    try:
        with unit_of_work(portal_state(request).settings) as store:
            notifications.mark_read(store, user, notification_id, now(request))
    except NotFound:
        raise HTTPException(status_code=404) from None
    return RedirectResponse(local_path(next_page, "/notifications"), status_code=303)


@router.post("/notifications/read")
def mark_all_read(request: Request) -> Response:
    """Mark every unread notification of the user read."""
    user = signed_in_user(request)
    with unit_of_work(portal_state(request).settings) as store:
        marked = notifications.mark_all_read(store, user, now(request))
    return RedirectResponse(f"/notifications?marked={marked}", status_code=303)
