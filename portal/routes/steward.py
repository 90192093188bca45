"""Stewards' pages: the audit log (filtered, paginated, its hash chain verified on the page)
and the quality report (each dataset's latest validation results and its label per silver
version). Stewards and operators only; others get 403, signed-out visitors the sign-in page."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from catalog.errors import NotAuthorised
from portal.deps import gettext, signed_in_user, visitor_of
from portal.pages import pages_of
from portal.state import portal_state
from portal.steward import TEXT_FIELDS, FieldError, audit_log, parse_query, quality_report

router = APIRouter(include_in_schema=False)
FORM_FIELDS = (*TEXT_FIELDS, "start", "end")


@router.get("/audit")
def audit(request: Request) -> Response:
    """The audit log, newest first, with the filters of the query and how many entries they hide."""
    user = signed_in_user(request)
    _ = gettext(request)
    query = parse_query(request.query_params)
    try:
        log, options = audit_log(portal_state(request).settings, user, query, _)
    except NotAuthorised:
        raise HTTPException(status_code=403) from None
    typed = {name: request.query_params.get(name, "") for name in (*FORM_FIELDS, "expected_head")}
    kept = {name: value for name, value in typed.items() if value}

    def page_link(page: int) -> str:
        return "/audit?" + urlencode({**kept, "page": page})

    # "Show every entry" drops the filters and keeps the head to check against.
    head = {"expected_head": kept["expected_head"]} if "expected_head" in kept else {}
    errors = [FieldError(e.field, _(e.message)) for e in query.errors]
    return pages_of(request).render(
        request,
        "audit.html",
        status=400 if errors else 200,
        log=log,
        options=options,
        typed=typed,
        errors=errors,
        page_link=page_link,
        clear_link="/audit" + (f"?{urlencode(head)}" if head else ""),
    )


@router.get("/quality")
def quality(request: Request) -> Response:
    """Every dataset's latest validation results and quality and utility label per silver version."""
    user = signed_in_user(request)
    try:
        report = quality_report(
            portal_state(request).settings, user, visitor_of(request).language, gettext(request)
        )
    except NotAuthorised:
        raise HTTPException(status_code=403) from None
    return pages_of(request).render(request, "quality.html", datasets=report)
