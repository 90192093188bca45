"""Permit applications in the JSON API: researchers list and read their own (made by them or
naming them), stewards and operators every one; researchers submit an application file (the
structure ``haven permit apply`` reads) with an ``Idempotency-Key`` header, so a request
sent twice records one application; stewards move applications through the same services
as the pages and the CLI. State-changing calls need the ``X-CSRF-Token`` header."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, HTTPException, Request
from fastapi.responses import JSONResponse

from catalog.db.gateway import CatalogStore, unit_of_work
from catalog.errors import InvalidApplication, InvalidTransition, NotAuthorised, NotFound, RuleViolation
from catalog.people.domain import User
from catalog.people.roles import Operation, can
from catalog.permits import drafts, service
from catalog.permits.applications import parse_application
from catalog.permits.domain import Application
from catalog.permits.vocabulary import PermitState
from portal.applications import vocabulary
from portal.applications.schemas import (
    ApplicationDetail,
    ApplicationSummary,
    Decision,
    Problem,
    QuestionToApplicant,
    Reason,
    detail,
    summary,
)
from portal.applications.views import why_not_decide
from portal.deps import gettext, now, signed_in_user
from portal.routes.review import CHANGED
from portal.state import portal_state

router = APIRouter(prefix="/api/applications", tags=["applications"])
SIGN_IN: dict[int | str, dict[str, Any]] = {401: {"description": "not signed in"}}
WRITE: dict[int | str, dict[str, Any]] = {
    **SIGN_IN,
    403: {"description": "no valid CSRF token, or the role does not allow it"},
    404: {"description": "no such application, or not one the user may see"},
    409: {"description": "the application's state or a rule does not allow it now"},
}


def _user_who_may(request: Request, operation: Operation) -> User:
    user = signed_in_user(request)
    if not can(user, operation):
        raise HTTPException(status_code=403)
    return user


@router.get(
    "",
    response_model=list[ApplicationSummary],
    responses={**SIGN_IN, 403: {"description": "no role that reads applications"}},
)
def list_applications(request: Request) -> list[ApplicationSummary]:
    """Stewards and operators: every application; researchers: those they made or that name them."""
    user, _, at = signed_in_user(request), gettext(request), now(request)
    if not (can(user, Operation.APPLY) or can(user, Operation.VIEW_APPLICATION)):
        raise HTTPException(status_code=403)
    with unit_of_work(portal_state(request).settings) as store:
        found = [
            a
            for a in store.list_applications()
            if a.state is not PermitState.DRAFT
            and (can(user, Operation.VIEW_APPLICATION) or user.username in (a.applicant, *a.data_users))
        ]
    return [summary(a, at, _) for a in found]


def _detail(request: Request, store: CatalogStore, user: User, application_id: str) -> ApplicationDetail:
    try:
        application = service.view(store, user, application_id)
    except (NotFound, NotAuthorised):
        raise HTTPException(status_code=404) from None
    history = store.transitions(application_id)
    return detail(
        application, history, drafts.notes(store, user, application_id), now(request), gettext(request)
    )


@router.get("/{application_id}", response_model=ApplicationDetail, responses={**SIGN_IN, 404: WRITE[404]})
def get_application(request: Request, application_id: str) -> ApplicationDetail:
    """One application the user may see (404 for any other, whether it exists or not)."""
    user = signed_in_user(request)
    with unit_of_work(portal_state(request).settings) as store:
        return _detail(request, store, user, application_id)


def _invalid(request: Request, refused: InvalidApplication) -> JSONResponse:
    _ = gettext(request)
    problems = [
        Problem(
            place=p.place, code=p.code, message=_(vocabulary.PROBLEMS.get(p.code, vocabulary.OTHER_PROBLEM))
        ).model_dump()
        for p in refused.problems
    ]
    return JSONResponse(
        {"detail": _("The application does not meet the rules."), "problems": problems}, status_code=422
    )


@router.post(
    "",
    response_model=ApplicationDetail,
    status_code=201,
    responses={
        **WRITE,
        422: {"description": "the application file breaks rules: every problem with its place"},
    },
)
def submit_application(
    request: Request,
    application: Annotated[
        dict[str, Any], Body(description="the application file, as `haven permit apply` reads it")
    ],
    idempotency_key: Annotated[
        str, Header(description="random, 32 to 64 characters of A-Z a-z 0-9 _ -; the same key submits once")
    ],
) -> Any:
    """Submit an application in the user's own name; a prohibited purpose is refused at once."""
    user, settings = _user_who_may(request, Operation.APPLY), portal_state(request).settings
    try:
        spec = parse_application(application, "application")
        with unit_of_work(settings) as store:
            drafts.start(store, user, idempotency_key, now(request))
            submitted = drafts.submit(store, user, idempotency_key, spec, now(request), settings=settings)
            return _detail(request, store, user, submitted.application_id)
    except InvalidApplication as refused:
        return _invalid(request, refused)
    except NotAuthorised:
        raise HTTPException(status_code=403) from None
    except NotFound:
        raise HTTPException(status_code=404) from None


def _act(
    request: Request,
    application_id: str,
    operation: Operation,
    action: Callable[[CatalogStore, User], Application],
) -> Any:
    user, _ = _user_who_may(request, operation), gettext(request)
    try:
        with unit_of_work(portal_state(request).settings) as store:
            application = service.view(store, user, application_id)
            action(store, user)
            return _detail(request, store, user, application_id)
    except NotFound:
        raise HTTPException(status_code=404) from None
    except NotAuthorised:
        raise HTTPException(status_code=403) from None
    except (RuleViolation, InvalidTransition):
        reason = why_not_decide(user.username, application) or CHANGED
        return JSONResponse({"detail": _(reason)}, status_code=409)


@router.post("/{application_id}/review", response_model=ApplicationDetail, responses=WRITE)
def start_review(request: Request, application_id: str) -> Any:
    """Start the review of a submitted application (stewards)."""
    at = now(request)
    return _act(
        request, application_id, Operation.REVIEW, lambda s, u: service.start_review(s, u, application_id, at)
    )


@router.post("/{application_id}/incomplete", response_model=ApplicationDetail, responses=WRITE)
def ask_for_information(request: Request, application_id: str, question: QuestionToApplicant) -> Any:
    """Ask the applicant for more information on some sections: the application becomes incomplete."""
    at = now(request)
    return _act(
        request,
        application_id,
        Operation.REVIEW,
        lambda s, u: drafts.ask(s, u, application_id, question.question, question.sections, at),
    )


@router.post("/{application_id}/decision", response_model=ApplicationDetail, responses=WRITE)
def decide(request: Request, application_id: str, decision: Decision) -> Any:
    """Approve or reject, with a reason; never by the applicant or a named data user."""
    at = now(request)
    return _act(
        request,
        application_id,
        Operation.DECIDE,
        lambda s, u: service.decide(
            s, u, application_id, approve=decision.approve, reason=decision.reason, now=at
        ),
    )


@router.post("/{application_id}/activate", response_model=ApplicationDetail, responses=WRITE)
def activate(request: Request, application_id: str) -> Any:
    """Activate an approved permit (stewards, operators)."""
    at = now(request)
    return _act(
        request, application_id, Operation.ACTIVATE, lambda s, u: service.activate(s, u, application_id, at)
    )


@router.post("/{application_id}/revoke", response_model=ApplicationDetail, responses=WRITE)
def revoke(request: Request, application_id: str, reason: Reason) -> Any:
    """Revoke a permit in force, with a reason."""
    at = now(request)
    return _act(
        request,
        application_id,
        Operation.REVOKE,
        lambda s, u: service.revoke(s, u, application_id, reason.reason, at),
    )


@router.post(
    "/{application_id}/resubmit",
    response_model=ApplicationDetail,
    responses={**WRITE, 422: {"description": "the amended application file breaks rules"}},
)
def resubmit(
    request: Request,
    application_id: str,
    application: Annotated[dict[str, Any], Body(description="the whole application file, amended")],
    idempotency_key: Annotated[str, Header(description="random; the same key resubmits once")],
) -> Any:
    """The applicant's answer to a request for more information: the amended application, resubmitted."""
    user, settings = _user_who_may(request, Operation.APPLY), portal_state(request).settings
    try:
        spec = parse_application(application, "application")
        with unit_of_work(settings) as store:
            service.view(store, user, application_id)
            draft = drafts.start_amendment(store, user, application_id, idempotency_key, {}, now(request))
            drafts.submit(store, user, draft.draft_id, spec, now(request), settings=settings)
            return _detail(request, store, user, application_id)
    except InvalidApplication as refused:
        return _invalid(request, refused)
    except (NotFound, NotAuthorised):
        raise HTTPException(status_code=404) from None
    except RuleViolation:
        return JSONResponse({"detail": gettext(request)(CHANGED)}, status_code=409)
