"""The query workbench (researchers) and the airlock (researchers and stewards), as pages.

- ``/workbench``: the permits in force that name the user; ``/workbench/{permit_id}``: an SQL
  editor beside the permit's tables (``haven schema``), results after disclosure control
  (``haven query``) with every suppressed cell marked and its rule explained, the user's own
  query history, and the form to request release of a result (``haven output request``).
- ``/outputs``: the release requests the user may see; ``/outputs/{request_id}``: one request,
  with the review form for a steward who may review it (``haven output show`` / ``review``);
  ``/outputs/{request_id}/download``: a released output as CSV (``haven output get``).
- ``/airlock``: the stewards' queue; a filter never hides a request without saying how many
  and why.

A permit or request the user may not see answers 404, whatever exists. A double submission of
the release form files one request: each form carries a one-time submission key.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from catalog.airlock.domain import OutputContext
from catalog.airlock.policies import MIN_CONTEXT_LENGTH
from catalog.airlock.releases import as_csv
from catalog.errors import NotAuthorised, PermitDenied, RuleViolation, UnknownPermit
from catalog.people.domain import Role, User
from catalog.permits.policies import MIN_REASON_LENGTH
from portal import spe_vocabulary as words
from portal import workbench as wb
from portal.deps import gettext, now, signed_in_user
from portal.i18n import N_
from portal.pages import pages_of
from portal.routes.auth import FieldError
from portal.spe_schemas import QueryAnswer
from portal.state import portal_state
from spe import client as spe_client
from spe.airlock import request_output, review_output
from spe.errors import NotPublished

router = APIRouter(include_in_schema=False)
MAX_SQL_LENGTH = 100_000


def new_submission_key() -> str:
    """A one-time key for one rendering of the release form (double submission files once)."""
    return secrets.token_urlsafe(24)


def _sql_errors(sql: str, _: wb.Translate) -> list[FieldError]:
    if not sql.strip():
        return [FieldError("sql", _("Write a query to run."))]
    if len(sql) > MAX_SQL_LENGTH:
        return [FieldError("sql", _("The query is too long."))]
    return []


def _workbench(
    request: Request,
    user: User,
    permit_id: str,
    *,
    sql: str = "",
    answer: QueryAnswer | None = None,
    errors: list[FieldError] | None = None,
    shows: str = "",
    needed_for: str = "",
    submission_key: str | None = None,
    status: int = 200,
) -> Response:
    """The workbench page: editor, result, release form, the permit's tables and the history."""
    settings, _ = portal_state(request).settings, gettext(request)
    try:
        tables = wb.schema(settings, user, permit_id, now(request))
    except (wb.Hidden, wb.NotUsable) as error:
        raise HTTPException(status_code=wb.status_of(error)) from None
    except NotPublished:
        tables = None
    return pages_of(request).render(
        request,
        "workbench.html",
        status=status,
        permit_id=permit_id,
        title=wb.permit_title(settings, permit_id),
        tables=tables,
        sql=sql,
        answer=answer,
        errors=errors or [],
        shows=shows,
        needed_for=needed_for,
        submission_key=submission_key or new_submission_key(),
        past=wb.history(settings, user, permit_id, _),
        min_context=MIN_CONTEXT_LENGTH,
    )


@router.get("/workbench")
def workbench_permits(request: Request) -> Response:
    """The permits in force that name the signed-in user as a data user."""
    user = signed_in_user(request)
    permits = wb.usable_permits(portal_state(request).settings, user, now(request))
    return pages_of(request).render(request, "workbench_permits.html", permits=permits)


@router.get("/workbench/{permit_id}")
def workbench(request: Request, permit_id: str) -> Response:
    """The editor beside the permit's tables (listing them is audited, as ``haven schema``)."""
    return _workbench(request, signed_in_user(request), permit_id)


def _run(request: Request, user: User, permit_id: str, sql: str) -> QueryAnswer | None:
    """``haven query`` for the user (audited; through the SPE service when it is up); None
    when the permit has no tables yet."""
    try:
        ran = spe_client.run_query(
            permit_id, user.username, sql, portal_state(request).settings, now(request)
        )
    except (UnknownPermit, PermitDenied):
        error = wb.denied(portal_state(request).settings, user, permit_id)
        raise HTTPException(status_code=wb.status_of(error)) from None
    except NotPublished:
        return None
    return wb.answer(ran, sql, gettext(request))


@router.post("/workbench/{permit_id}")
def run_query(request: Request, permit_id: str, sql: Annotated[str, Form()] = "") -> Response:
    """Run one statement through disclosure control and show the result."""
    user, _ = signed_in_user(request), gettext(request)
    errors = _sql_errors(sql, _)
    if errors:
        return _workbench(request, user, permit_id, sql=sql, errors=errors, status=400)
    return _workbench(request, user, permit_id, sql=sql, answer=_run(request, user, permit_id, sql))


@router.post("/workbench/{permit_id}/outputs")
def request_release(
    request: Request,
    permit_id: str,
    sql: Annotated[str, Form()] = "",
    shows: Annotated[str, Form()] = "",
    needed_for: Annotated[str, Form()] = "",
    submission_key: Annotated[str, Form()] = "",
) -> Response:
    """File the result of ``sql`` for release with its context (``haven output request``);
    a submission key seen before leads to the request it filed."""
    user, _ = signed_in_user(request), gettext(request)
    if not wb.SUBMISSION_KEY.fullmatch(submission_key):
        raise HTTPException(status_code=400)
    form: dict[str, Any] = {
        "sql": sql,
        "shows": shows,
        "needed_for": needed_for,
        "submission_key": submission_key,
    }
    errors = _sql_errors(sql, _)
    if errors:
        return _workbench(request, user, permit_id, errors=errors, status=400, **form)
    errors = wb.context_errors(shows, needed_for, _)
    if errors:
        # The verdict is shown with the form again: it comes from running the query again.
        answer = _run(request, user, permit_id, sql)
        return _workbench(request, user, permit_id, answer=answer, errors=errors, status=400, **form)
    settings = portal_state(request).settings
    try:
        filed = request_output(
            permit_id,
            user.username,
            sql,
            OutputContext(shows, needed_for),
            settings,
            submission_key=submission_key,
            at=now(request),
        )
    except (UnknownPermit, PermitDenied, NotAuthorised):
        raise HTTPException(status_code=wb.status_of(wb.denied(settings, user, permit_id))) from None
    except NotPublished:
        return _workbench(request, user, permit_id, status=409, **form)
    if filed.request is None:
        assert filed.query is not None
        answer = wb.answer(filed.query, sql, _)
        return _workbench(request, user, permit_id, answer=answer, status=400, **form)
    return RedirectResponse(f"/outputs/{filed.request.request_id}?filed=1", status_code=303)


@router.get("/outputs")
def output_list(request: Request) -> Response:
    """The release requests the user may see (their own and their permits'; all for stewards)."""
    user = signed_in_user(request)
    listed = wb.outputs(portal_state(request).settings, user, gettext(request))
    return pages_of(request).render(request, "outputs.html", items=[(s, None) for s, _refusal in listed])


QUEUE_FILTERS = ("todo", "all")
HIDDEN_REASONS = {
    "already_voted": N_("you have voted on: %(count)s"),
    "not_reviewable": N_("decided: %(count)s"),
    "author": N_("you may not review, as their author: %(count)s"),
    "data_user": N_("you may not review, as a named data user of their permit: %(count)s"),
    "applicant": N_("you may not review, as the applicant of their permit: %(count)s"),
}


@router.get("/airlock")
def airlock_queue(request: Request, show: str = "todo") -> Response:
    """The stewards' queue: by default the requests the steward may review now; the page
    says how many others the filter leaves out, and why."""
    user = signed_in_user(request)
    if not user.has(Role.STEWARD):
        raise HTTPException(status_code=403)
    show = show if show in QUEUE_FILTERS else "todo"
    listed = wb.outputs(portal_state(request).settings, user, gettext(request))
    shown = [(s, refusal) for s, refusal in listed if show == "all" or refusal is None]
    hidden: dict[str, int] = {}
    for _summary, refusal in listed:
        if show == "todo" and refusal is not None:
            hidden[refusal] = hidden.get(refusal, 0) + 1
    return pages_of(request).render(
        request,
        "airlock.html",
        show=show,
        shown=shown,
        total=len(listed),
        hidden=[(code, count) for code, count in sorted(hidden.items())],
        hidden_reasons=HIDDEN_REASONS,
        refusals=words.REVIEW_REFUSALS,
    )


def _output_page(
    request: Request,
    user: User,
    request_id: str,
    *,
    errors: list[FieldError] | None = None,
    decision: str = "",
    reason: str = "",
    status: int = 200,
) -> Response:
    try:
        detail = wb.output(portal_state(request).settings, user, request_id, gettext(request))
    except wb.Hidden:
        raise HTTPException(status_code=404) from None
    return pages_of(request).render(
        request,
        "output.html",
        status=status,
        output=detail,
        steward=user.has(Role.STEWARD),
        errors=errors or [],
        decision=decision,
        reason=reason,
        filed=request.query_params.get("filed") == "1",
        voted=request.query_params.get("voted") == "1",
        min_reason=MIN_REASON_LENGTH,
    )


@router.get("/outputs/{request_id}")
def output_page(request: Request, request_id: str) -> Response:
    """One release request as the user may see it; the review form for a steward who may review."""
    return _output_page(request, signed_in_user(request), request_id)


@router.post("/outputs/{request_id}/review")
def review(
    request: Request,
    request_id: str,
    decision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """A steward's vote (``haven output review``): blind until both voted; the second decides."""
    user, _ = signed_in_user(request), gettext(request)
    settings = portal_state(request).settings
    try:
        detail = wb.output(settings, user, request_id, _)
    except wb.Hidden:
        raise HTTPException(status_code=404) from None
    if not detail.may_review:
        return _output_page(request, user, request_id, status=403)
    errors = wb.vote_errors(decision, reason, _)
    if errors:
        return _output_page(
            request, user, request_id, errors=errors, decision=decision, reason=reason, status=400
        )
    try:
        review_output(
            request_id,
            user.username,
            approve=decision == "approve",
            reason=reason,
            settings=settings,
            at=now(request),
        )
    except (RuleViolation, NotAuthorised):
        # Another tab or steward got there first: the page says where the request stands now.
        return _output_page(request, user, request_id, status=409)
    return RedirectResponse(f"/outputs/{request_id}?voted=1", status_code=303)


@router.get("/outputs/{request_id}/download")
def download(request: Request, request_id: str) -> Response:
    """A released output as CSV, for a named data user of its permit (audited)."""
    user = signed_in_user(request)
    try:
        released = wb.released(portal_state(request).settings, user, request_id)
    except wb.Hidden:
        raise HTTPException(status_code=404) from None
    except (NotAuthorised, RuleViolation):
        raise HTTPException(status_code=403) from None
    return Response(
        as_csv(released.result),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{released.request_id}.csv"'},
    )
