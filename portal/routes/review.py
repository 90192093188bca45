"""The data stewards' side of permit applications: the queue (overdue first, filters that
always say how many applications they hide) and the review of one application section by
section, with notes, a question to the applicant (which marks it incomplete), the decision
with its reason, activation and revocation; all through ``catalog.permits``' services.

Every action form carries the state the application had when the page was drawn: sent twice
(a double click, the back button), the second finds the state moved on and changes nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from catalog.db.gateway import CatalogStore, unit_of_work
from catalog.errors import InvalidTransition, NotAuthorised, NotFound, RuleViolation
from catalog.people.domain import User
from catalog.people.roles import Operation, can
from catalog.permits import drafts, service
from catalog.permits.domain import Application
from catalog.permits.lifecycle import IN_FORCE
from catalog.permits.policies import MIN_REASON_LENGTH, can_decide
from catalog.permits.vocabulary import PermitState
from portal.applications import vocabulary
from portal.applications.files import answers_of
from portal.applications.forms import FieldError
from portal.applications.views import clock, queue, refusal_reason, why_not_decide
from portal.deps import gettext, now, signed_in_user
from portal.i18n import N_
from portal.pages import pages_of
from portal.state import portal_state

router = APIRouter(include_in_schema=False)
CHANGED = N_("This application changed since you opened the page: check its state, then try again.")
NOT_ALLOWED = N_("Your account may not do this.")


def reviewer(request: Request) -> User:
    """The signed-in user if they may see every application (stewards, operators); 403 otherwise."""
    user = signed_in_user(request)
    if not can(user, Operation.VIEW_APPLICATION):
        raise HTTPException(status_code=403)
    return user


@router.get("/review")
def review_queue(request: Request, state: str = "", overdue: str = "", q: str = "") -> Response:
    """Every application with its decision clock, overdue first; the filter says what it hides."""
    reviewer(request)
    state = state if state in vocabulary.STATES else ""
    with unit_of_work(portal_state(request).settings) as store:
        found = queue(store.list_applications(), now(request), state=state, overdue=overdue == "1", words=q)
    return pages_of(request).render(
        request,
        "review_queue.html",
        queue=found,
        state=state,
        overdue=overdue == "1",
        q=q,
        vocabulary=vocabulary,
    )


def _application(store: CatalogStore, user: User, application_id: str) -> Application:
    try:
        return service.view(store, user, application_id)
    except (NotFound, NotAuthorised):
        raise HTTPException(status_code=404) from None


def _page(
    request: Request,
    application_id: str,
    *,
    errors: list[FieldError] = (),  # type: ignore[assignment]
    message: str | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    user, _ = reviewer(request), gettext(request)
    with unit_of_work(portal_state(request).settings) as store:
        application = _application(store, user, application_id)
        history = store.transitions(application_id)
        notes = drafts.notes(store, user, application_id)
    state = application.state
    return pages_of(request).render(
        request,
        "review.html",
        status=status,
        application=application,
        answers=answers_of(application),
        clock=clock(application, now(request)),
        history=history,
        notes=notes,
        reason=refusal_reason(application, _),
        errors=[{"field": e.field, "message": e.text(_)} for e in errors],
        message=_(message) if message else None,
        form=form or {},
        form_key=secrets.token_urlsafe(32),
        actions={
            "note": can(user, Operation.REVIEW),
            "start": state is PermitState.SUBMITTED and can(user, Operation.REVIEW),
            "ask": state is PermitState.SUBMITTED and can(user, Operation.REVIEW),
            "decide": can_decide(user, application),
            "activate": state is PermitState.APPROVED and can(user, Operation.ACTIVATE),
            "revoke": state in IN_FORCE and can(user, Operation.REVOKE),
        },
        why_not=why_not_decide(user.username, application) if can(user, Operation.DECIDE) else None,
        changed=request.query_params.get("changed") == "1",
        vocabulary=vocabulary,
    )


@router.get("/review/{application_id}")
def review_page(request: Request, application_id: str) -> Response:
    """One application, section by section with the stewards' notes, and the actions its state allows."""
    return _page(request, application_id)


def _act(
    request: Request, application_id: str, expected: str, action: Callable[[CatalogStore, User], object]
) -> Response:
    """Run one service action unless the state moved on since the page was drawn."""
    user = reviewer(request)
    try:
        with unit_of_work(portal_state(request).settings) as store:
            application = _application(store, user, application_id)
            if application.state.value != expected:
                return RedirectResponse(f"/review/{application_id}?changed=1", status_code=303)
            action(store, user)
    except NotAuthorised:
        return _page(request, application_id, message=NOT_ALLOWED, status=403)
    except (RuleViolation, InvalidTransition):
        reason = why_not_decide(user.username, application) or CHANGED
        return _page(request, application_id, message=reason, status=409)
    return RedirectResponse(f"/review/{application_id}", status_code=303)


def _reason_error(field: str, text: str) -> list[FieldError]:
    if len(text.strip()) >= MIN_REASON_LENGTH:
        return []
    return [FieldError(field, N_("Write at least %(length)s characters."), (("length", MIN_REASON_LENGTH),))]


@router.post("/review/{application_id}/notes")
async def add_note(request: Request, application_id: str) -> Response:
    """A steward's note on one section (stewards only see it); the same form twice adds one."""
    user, form = reviewer(request), await request.form()
    section, text, key = (str(form.get(k) or "") for k in ("section", "text", "form_key"))
    if section not in drafts.SECTIONS:
        raise HTTPException(status_code=400)
    field = f"note-{section}"
    if not text.strip() or len(text) > drafts.MAX_NOTE_LENGTH:
        error = FieldError(
            field, N_("Write a note of 1 to %(length)s characters."), (("length", drafts.MAX_NOTE_LENGTH),)
        )
        return _page(request, application_id, errors=[error], form={field: text}, status=400)
    try:
        with unit_of_work(portal_state(request).settings) as store:
            _application(store, user, application_id)
            drafts.add_note(store, user, application_id, section, text, key, now(request))
    except NotAuthorised:
        return _page(request, application_id, message=NOT_ALLOWED, status=403)
    except (RuleViolation, NotFound):
        raise HTTPException(status_code=400) from None
    return RedirectResponse(f"/review/{application_id}#notes-{section}", status_code=303)


@router.post("/review/{application_id}/start")
async def start_review(request: Request, application_id: str) -> Response:
    expected = str((await request.form()).get("state") or "")
    at = now(request)
    return _act(
        request, application_id, expected, lambda s, u: service.start_review(s, u, application_id, at)
    )


@router.post("/review/{application_id}/ask")
async def ask(request: Request, application_id: str) -> Response:
    """Ask the applicant for more information on some sections: the application becomes incomplete."""
    form = await request.form()
    question, expected = str(form.get("question") or ""), str(form.get("state") or "")
    sections = [str(s) for s in form.getlist("sections") if str(s) in drafts.SECTIONS]
    errors = _reason_error("ask-question", question)
    if not sections:
        errors.append(FieldError("ask-sections", N_("Choose the sections the question is about.")))
    if errors:
        kept = {"ask-question": question, "ask-sections": sections}
        return _page(request, application_id, errors=errors, form=kept, status=400)
    at = now(request)
    return _act(
        request,
        application_id,
        expected,
        lambda s, u: drafts.ask(s, u, application_id, question, sections, at),
    )


@router.post("/review/{application_id}/decide")
async def decide(request: Request, application_id: str) -> Response:
    """Approve or reject, with the reason the register publishes."""
    form = await request.form()
    decision, reason, expected = (str(form.get(k) or "") for k in ("decision", "reason", "state"))
    errors = _reason_error("decide-reason", reason)
    if decision not in ("approve", "reject"):
        errors.insert(0, FieldError("decide-decision", N_("Choose to approve or to reject.")))
    if errors:
        return _page(request, application_id, errors=errors, form={"decide-reason": reason}, status=400)
    at = now(request)
    return _act(
        request,
        application_id,
        expected,
        lambda s, u: service.decide(
            s, u, application_id, approve=decision == "approve", reason=reason, now=at
        ),
    )


@router.post("/review/{application_id}/activate")
async def activate(request: Request, application_id: str) -> Response:
    expected, at = str((await request.form()).get("state") or ""), now(request)
    return _act(request, application_id, expected, lambda s, u: service.activate(s, u, application_id, at))


@router.post("/review/{application_id}/revoke")
async def revoke(request: Request, application_id: str) -> Response:
    """Revoke a permit in force, with a reason: its queries are refused at once."""
    form = await request.form()
    reason, expected = str(form.get("reason") or ""), str(form.get("state") or "")
    errors = _reason_error("revoke-reason", reason)
    if errors:
        return _page(request, application_id, errors=errors, form={"revoke-reason": reason}, status=400)
    at = now(request)
    return _act(
        request, application_id, expected, lambda s, u: service.revoke(s, u, application_id, reason, at)
    )
