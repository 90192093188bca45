"""The catalogue: the list of datasets (with a filter that works without JavaScript and is
enhanced by htmx) and each dataset's page."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from catalog.errors import NotFound
from portal.catalogue import dataset_page, list_cards
from portal.datasets import matches
from portal.deps import gettext, now, visitor_of
from portal.pages import pages_of
from portal.state import portal_state

router = APIRouter(include_in_schema=False)


@router.get("/datasets")
def catalogue(request: Request, q: str = "", theme: str = "") -> Response:
    """Every dataset as a card; ``q`` keeps those whose title or description has every word,
    ``theme`` those filed under that EU data theme."""
    visitor = visitor_of(request)
    cards = list_cards(
        portal_state(request).settings, visitor.user, visitor.language, gettext(request), now(request)
    )
    themes = {t.code: t.label for c in cards for t in c.themes}
    shown = [c for c in cards if matches(c, q, theme)]
    return pages_of(request).render(
        request,
        "catalogue.html",
        cards=shown,
        total=len(cards),
        q=q,
        theme=theme,
        themes=sorted(themes.items()),
    )


@router.get("/datasets/{dataset_id}")
def dataset(request: Request, dataset_id: str) -> Response:
    """One dataset's HealthDCAT-AP description in the visitor's language."""
    visitor = visitor_of(request)
    try:
        shown = dataset_page(
            portal_state(request).settings,
            dataset_id,
            visitor.user,
            visitor.language,
            gettext(request),
            now(request),
        )
    except NotFound:
        raise HTTPException(status_code=404) from None
    return pages_of(request).render(request, "dataset.html", dataset=shown)
