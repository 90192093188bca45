"""The citizen's public pages, no sign-in needed: the transparency register (with its CSV and
JSON exports, also under ``/api/register``), "could my data be used?", the data types
explained, and the accessibility statement with its complaints contact.

"Could my data be used?" is a POST so that what a visitor says stays out of URLs, browser
history and access logs; it is compared with the permits' criteria in memory and kept
nowhere, and each client address may ask a limited number of times per window.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from portal.auth.sessions import client_address
from portal.catalogue import list_cards
from portal.deps import gettext, now, visitor_of
from portal.error_pages import error_response
from portal.pages import pages_of
from portal.register import (
    AGE_BANDS,
    PROVINCES,
    SEXES,
    as_csv,
    as_records,
    describe_criteria,
    parse_someone,
    permits_for,
    register_rows,
    register_view,
)
from portal.state import portal_state
from portal.steward import FieldError

router = APIRouter()
EXPORT_NAME = "haven-transparency-register"


@router.get("/register", include_in_schema=False)
def register(request: Request) -> Response:
    """Every application and permit, filtered by the query's parameters, saying how many are hidden."""
    view = register_view(portal_state(request).settings, request.query_params, now(request))
    return pages_of(request).render(request, "register.html", view=view, criteria=_criteria(request))


def _criteria(request: Request) -> Callable[[dict[str, Any] | None], str]:
    """Cohort criteria in the visitor's language, for the templates."""
    language, _ = visitor_of(request).language, gettext(request)
    return lambda rules: describe_criteria(rules, language, _)


@router.get("/register.csv", include_in_schema=False)
def register_csv(request: Request) -> Response:
    """The whole register as CSV (UTF-8, one line per application), its cohort summaries
    in the visitor's language."""
    body = as_csv(register_rows(portal_state(request).settings, now(request)), _criteria(request))
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{EXPORT_NAME}.csv"'},
    )


@router.get("/register.json", include_in_schema=False)
def register_json(request: Request) -> Response:
    """The whole register as JSON."""
    return JSONResponse(as_records(register_rows(portal_state(request).settings, now(request))))


@router.get("/api/register", tags=["api"])
def api_register(request: Request) -> list[dict[str, Any]]:
    """The public transparency register (EHDS Art 58): every application past draft, its
    decision with reasons, its permit period, released outputs (a count) and whether
    opt-outs were applied (``all_in_force``, ``before_grant`` or ``not_applicable``)."""
    return as_records(register_rows(portal_state(request).settings, now(request)))


def _lookup_page(request: Request, status: int = 200, **context: Any) -> Response:
    language = visitor_of(request).language
    provinces = sorted(((code, names[language]) for code, names in PROVINCES.items()), key=lambda p: p[1])
    context.setdefault("errors", [])
    context.setdefault("someone", None)
    context.setdefault("result", None)
    context.setdefault("criteria", _criteria(request))
    return pages_of(request).render(
        request,
        "could_my_data.html",
        status=status,
        bands=list(AGE_BANDS),
        sexes=SEXES,
        provinces=provinces,
        **context,
    )


@router.get("/could-my-data-be-used", include_in_schema=False)
def could_my_data(request: Request) -> Response:
    """The form: age band, sex and province, each optional."""
    return _lookup_page(request)


@router.post("/could-my-data-be-used", include_in_schema=False)
async def could_my_data_answer(request: Request) -> Response:
    """Which permits' cohort criteria could include someone like the visitor said."""
    state = portal_state(request)
    if not state.lookups.allow(client_address(request)):
        return error_response(request, 429)
    form = await request.form()
    someone, problems = parse_someone({k: v for k, v in form.items() if isinstance(v, str)})
    if problems:
        _ = gettext(request)
        errors = [FieldError(name, _(message)) for name, message in problems]
        return _lookup_page(request, status=400, errors=errors)
    could, excluded = permits_for(register_rows(state.settings, now(request)), someone)
    return _lookup_page(request, someone=someone, result={"could": could, "excluded": excluded})


@router.get("/data-types", include_in_schema=False)
def data_types(request: Request) -> Response:
    """Each dataset in plain words; data people entered themselves labelled as such."""
    visitor = visitor_of(request)
    cards = list_cards(portal_state(request).settings, None, visitor.language, gettext(request), now(request))
    return pages_of(request).render(request, "data_types.html", cards=cards)


@router.get("/accessibility", include_in_schema=False)
def accessibility(request: Request) -> Response:
    """The accessibility statement (EN 301 549, WCAG 2.1 AA) and how to complain."""
    contact = portal_state(request).settings.contact_email
    return pages_of(request).render(request, "accessibility.html", contact=contact)
