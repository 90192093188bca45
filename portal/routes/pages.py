"""The home page, per role, and the language chooser."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from catalog.datasets.metadata import LANGUAGES
from catalog.db.gateway import CatalogStore, unit_of_work
from catalog.people.domain import Role, User
from catalog.people.roles import Operation, can
from catalog.permits.access import Access, access_by_dataset
from catalog.permits.lifecycle import AWAITING_DECISION
from portal.auth.sessions import LANGUAGE_COOKIE, LANGUAGE_COOKIE_DAYS, set_cookie
from portal.deps import local_path, now, visitor_of
from portal.error_pages import error_response
from portal.pages import pages_of
from portal.state import portal_state

router = APIRouter(include_in_schema=False)


def home_figures(store: CatalogStore, user: User, at: datetime) -> dict[str, Any]:
    """What the home page tells ``user``, by role: counts only, each behind its permission."""
    figures: dict[str, Any] = {"datasets": len(store.list_datasets())}
    if user.has(Role.RESEARCHER):
        access = list(access_by_dataset(store, user, now=at).values())
        figures["in_force"] = access.count(Access.IN_FORCE)
        figures["pending"] = access.count(Access.PENDING)
    if can(user, Operation.VIEW_APPLICATION):
        figures["awaiting_decision"] = len(store.list_applications(AWAITING_DECISION))
    if can(user, Operation.MANAGE_USERS):
        figures["accounts"] = len(store.list_users())
    return figures


@router.get("/")
def home(request: Request) -> Response:
    """What Haven is and where to go; signed in, what the user's roles can do here."""
    user = visitor_of(request).user
    figures: dict[str, Any] = {}
    with unit_of_work(portal_state(request).settings) as store:
        figures = (
            home_figures(store, user, now(request)) if user else {"datasets": len(store.list_datasets())}
        )
    roles = sorted(r.value for r in user.roles) if user else []
    return pages_of(request).render(request, "home.html", figures=figures, roles=roles)


@router.post("/language")
def choose_language(
    request: Request,
    lang: Annotated[str, Form()] = "",
    next_page: Annotated[str, Form(alias="next")] = "/",
) -> Response:
    """Keep the chosen language: on the account when signed in, in a cookie either way."""
    if lang not in LANGUAGES:
        return error_response(request, 400)
    user = visitor_of(request).user
    if user is not None:
        with unit_of_work(portal_state(request).settings) as store:
            store.set_user_language(user.username, lang)
    response = RedirectResponse(local_path(next_page), status_code=303)
    set_cookie(request, response, LANGUAGE_COOKIE, lang, max_age=LANGUAGE_COOKIE_DAYS * 86400)
    return response
