"""The JSON API under ``/api/``: the catalogue and the signed-in user, described by the app's
OpenAPI document (``/openapi.json``). It answers in the language of ``?lang=``, the user's
preference or Accept-Language, like the pages; its state-changing calls need the
``X-CSRF-Token`` header (``GET /api/me`` gives the token)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, HTTPException, Request

from catalog.db.gateway import unit_of_work
from catalog.errors import NotFound
from portal import vocabulary
from portal.catalogue import dataset_page, list_cards
from portal.deps import gettext, now, signed_in_user, visitor_of
from portal.schemas import DatasetCard, DatasetPage, LanguageChoice, Me, Named
from portal.state import portal_state

router = APIRouter(prefix="/api", tags=["api"])
NEEDS_SIGN_IN: dict[int | str, dict[str, Any]] = {401: {"description": "not signed in"}}


@router.get("/datasets", response_model=list[DatasetCard])
def api_datasets(request: Request) -> list[DatasetCard]:
    """Every dataset of the catalogue; ``access`` is set for a signed-in researcher."""
    visitor = visitor_of(request)
    return list_cards(
        portal_state(request).settings, visitor.user, visitor.language, gettext(request), now(request)
    )


@router.get(
    "/datasets/{dataset_id}", response_model=DatasetPage, responses={404: {"description": "no such dataset"}}
)
def api_dataset(request: Request, dataset_id: str) -> DatasetPage:
    """One dataset's whole description (HealthDCAT-AP) in one language, its versions and quality label."""
    visitor = visitor_of(request)
    try:
        return dataset_page(
            portal_state(request).settings,
            dataset_id,
            visitor.user,
            visitor.language,
            gettext(request),
            now(request),
        )
    except NotFound:
        raise HTTPException(status_code=404) from None


def _me(request: Request) -> Me:
    user = signed_in_user(request)
    visitor = visitor_of(request)
    _ = gettext(request)
    return Me(
        username=user.username,
        display_name=user.display_name,
        roles=[Named(code=r.value, label=_(vocabulary.ROLES[r.value])) for r in sorted(user.roles)],
        language=visitor.language,
        csrf_token=visitor.csrf_token,
    )


@router.get("/me", response_model=Me, responses=NEEDS_SIGN_IN)
def api_me(request: Request) -> Me:
    """The signed-in user, their roles and language, and their CSRF token."""
    return _me(request)


@router.put(
    "/me/language",
    response_model=Me,
    responses={**NEEDS_SIGN_IN, 403: {"description": "no valid CSRF token"}},
)
def api_set_language(request: Request, choice: LanguageChoice) -> Me:
    """Keep ``language`` as the signed-in user's language."""
    user = signed_in_user(request)
    with unit_of_work(portal_state(request).settings) as store:
        store.set_user_language(user.username, choice.language)
    request.state.visitor = replace(visitor_of(request), language=choice.language)
    return _me(request)
