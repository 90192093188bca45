"""The JSON API of the workbench and the airlock, for scripts: the same services as the pages
and the CLI (``haven schema``, ``haven query``, ``haven output ...``), the same access rules
(what a user may not see answers 404), described in ``/openapi.json``.

State-changing calls need the ``X-CSRF-Token`` header (``GET /api/me`` gives it). Filing a
release request takes an optional ``Idempotency-Key`` header: a key used before returns the
request it filed instead of filing another.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Request
from fastapi.responses import JSONResponse

from catalog.airlock.domain import OutputContext
from catalog.errors import NotAuthorised, PermitDenied, RuleViolation, UnknownPermit
from catalog.people.domain import User
from portal import workbench as wb
from portal.deps import gettext, now, signed_in_user
from portal.spe_schemas import (
    FieldProblem,
    OutputDetail,
    OutputSummary,
    PastQueryOut,
    PermitOut,
    Problems,
    QueryAnswer,
    QueryIn,
    ReleasedTable,
    ReleaseRequestIn,
    ReviewIn,
    TableOut,
)
from portal.state import portal_state
from spe.airlock import request_output, review_output
from spe.client import run_query
from spe.errors import NotPublished

router = APIRouter(prefix="/api", tags=["workbench and airlock"])
HIDDEN: dict[int | str, dict[str, Any]] = {
    401: {"description": "not signed in"},
    404: {"description": "no such permit or request for this user"},
}
WRITES: dict[int | str, dict[str, Any]] = {
    **HIDDEN,
    403: {"description": "no valid CSRF token, or not allowed now"},
}


def _hidden(request: Request, user: User, permit_id: str) -> HTTPException:
    return HTTPException(status_code=wb.status_of(wb.denied(portal_state(request).settings, user, permit_id)))


def _problems(request: Request, detail: str, errors: list[Any], status: int = 422) -> JSONResponse:
    body = Problems(detail=detail, errors=[FieldProblem(field=e.field, message=e.message) for e in errors])
    return JSONResponse(body.model_dump(), status_code=status)


@router.get("/workbench", response_model=list[PermitOut], responses=HIDDEN)
def api_permits(request: Request) -> list[PermitOut]:
    """The permits in force that name the signed-in user as a data user."""
    return wb.usable_permits(portal_state(request).settings, signed_in_user(request), now(request))


@router.get("/workbench/{permit_id}/schema", response_model=list[TableOut], responses=HIDDEN)
def api_schema(request: Request, permit_id: str) -> list[TableOut]:
    """The permit's tables and columns in the SPE (``haven schema``; audited)."""
    user = signed_in_user(request)
    try:
        return wb.schema(portal_state(request).settings, user, permit_id, now(request))
    except (wb.Hidden, wb.NotUsable) as error:
        raise HTTPException(status_code=wb.status_of(error)) from None
    except NotPublished:
        raise HTTPException(status_code=409) from None


@router.post("/workbench/{permit_id}/query", response_model=QueryAnswer, responses=WRITES)
def api_query(request: Request, permit_id: str, body: QueryIn) -> QueryAnswer:
    """One statement through disclosure control (``haven query``; audited whatever the outcome).
    A refused query answers 200 with ``status: refused`` and the reason."""
    user = signed_in_user(request)
    try:
        ran = run_query(permit_id, user.username, body.sql, portal_state(request).settings, now(request))
    except (UnknownPermit, PermitDenied):
        raise _hidden(request, user, permit_id) from None
    except NotPublished:
        raise HTTPException(status_code=409) from None
    return wb.answer(ran, body.sql, gettext(request))


@router.get("/workbench/{permit_id}/history", response_model=list[PastQueryOut], responses=HIDDEN)
def api_history(request: Request, permit_id: str) -> list[PastQueryOut]:
    """The signed-in user's own queries on the permit, newest first (from the audit log)."""
    user = signed_in_user(request)
    settings = portal_state(request).settings
    if not any(p.id == permit_id for p in wb.usable_permits(settings, user, now(request))):
        raise _hidden(request, user, permit_id)
    return wb.history(settings, user, permit_id, gettext(request))


@router.post(
    "/workbench/{permit_id}/outputs",
    response_model=OutputDetail,
    status_code=201,
    responses={**WRITES, 422: {"model": Problems, "description": "context missing, or the query refused"}},
)
def api_request_release(
    request: Request,
    permit_id: str,
    body: ReleaseRequestIn,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Any:
    """File the result of ``sql`` for release with its context (``haven output request``)."""
    user, _ = signed_in_user(request), gettext(request)
    settings = portal_state(request).settings
    if idempotency_key is not None and not wb.SUBMISSION_KEY.fullmatch(idempotency_key):
        return _problems(request, _("The request could not be understood. Go back and try again."), [], 400)
    errors = wb.context_errors(body.shows, body.needed_for, _)
    if errors:
        return _problems(request, _("There is a problem"), errors)
    try:
        filed = request_output(
            permit_id,
            user.username,
            body.sql,
            OutputContext(body.shows, body.needed_for),
            settings,
            submission_key=idempotency_key,
            at=now(request),
        )
    except (UnknownPermit, PermitDenied, NotAuthorised):
        raise _hidden(request, user, permit_id) from None
    except NotPublished:
        raise HTTPException(status_code=409) from None
    if filed.request is None:
        assert filed.query is not None
        refused = wb.answer(filed.query, body.sql, _)
        explanation = refused.refusal.explanation if refused.refusal else ""
        return _problems(
            request, _("The query was refused"), [FieldProblem(field="sql", message=explanation)]
        )
    detail = wb.output(settings, user, filed.request.request_id, _)
    return JSONResponse(detail.model_dump(mode="json"), status_code=200 if filed.again else 201)


@router.get("/outputs", response_model=list[OutputSummary], responses=HIDDEN)
def api_outputs(request: Request) -> list[OutputSummary]:
    """Every release request the signed-in user may see (``haven output list --as``)."""
    return [
        s
        for s, _refusal in wb.outputs(
            portal_state(request).settings, signed_in_user(request), gettext(request)
        )
    ]


@router.get("/outputs/{request_id}", response_model=OutputDetail, responses=HIDDEN)
def api_output(request: Request, request_id: str) -> OutputDetail:
    """One request as the user may see it (``haven output show``): votes once both voted."""
    try:
        return wb.output(
            portal_state(request).settings, signed_in_user(request), request_id, gettext(request)
        )
    except wb.Hidden:
        raise HTTPException(status_code=404) from None


@router.post(
    "/outputs/{request_id}/reviews",
    response_model=OutputDetail,
    responses={**WRITES, 422: {"model": Problems, "description": "no decision or no reason"}},
)
def api_review(request: Request, request_id: str, body: ReviewIn) -> Any:
    """A steward's vote (``haven output review``): blind until both voted; the second decides,
    after disclosure control ran again."""
    user, _ = signed_in_user(request), gettext(request)
    settings = portal_state(request).settings
    try:
        detail = wb.output(settings, user, request_id, _)
    except wb.Hidden:
        raise HTTPException(status_code=404) from None
    if detail.review_refusal is not None:
        return JSONResponse({"detail": detail.review_refusal.label}, status_code=403)
    errors = wb.vote_errors("approve" if body.approve else "reject", body.reason, _)
    if errors:
        return _problems(request, _("There is a problem"), errors)
    try:
        review_output(
            request_id,
            user.username,
            approve=body.approve,
            reason=body.reason,
            settings=settings,
            at=now(request),
        )
    except (RuleViolation, NotAuthorised):
        raise HTTPException(status_code=409) from None
    return wb.output(settings, user, request_id, _)


@router.get("/outputs/{request_id}/released", response_model=ReleasedTable, responses=WRITES)
def api_released(request: Request, request_id: str) -> ReleasedTable:
    """A released output, for a named data user of its permit (``haven output get``; audited)."""
    try:
        released = wb.released(portal_state(request).settings, signed_in_user(request), request_id)
    except wb.Hidden:
        raise HTTPException(status_code=404) from None
    except (NotAuthorised, RuleViolation):
        raise HTTPException(status_code=403) from None
    return ReleasedTable(
        id=released.request_id,
        permit=released.permit_id,
        columns=list(released.result.columns),
        rows=[list(r) for r in released.result.rows],
        versions=dict(released.versions),
    )
