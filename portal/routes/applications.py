"""A researcher's permit applications: the task list (one page per section, each with its
status, saved to come back later), the check-your-answers page and the submission through
``haven permit apply``'s service; then the list of their applications and a page per
application, where they answer a request for more information.

Draft ids are random and a draft is its owner's alone; an application someone may not see is
"not found", never "forbidden", so ids reveal nothing.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from catalog.db.gateway import CatalogStore, unit_of_work
from catalog.errors import InvalidApplication, NotAuthorised, NotFound, RuleViolation
from catalog.people.domain import User
from catalog.people.roles import Operation, can
from catalog.permits import drafts, service
from catalog.permits.applications import ApplicationFile, parse_application
from catalog.permits.domain import Application, Draft
from catalog.permits.policies import completion_due
from catalog.permits.vocabulary import PermitState
from portal.applications import vocabulary
from portal.applications.files import answers_of, application_data
from portal.applications.forms import CHECKS, FieldError, named_users, read
from portal.applications.views import (
    all_complete,
    check_context,
    clock,
    problems_by_section,
    refusal_reason,
    status_of,
)
from portal.deps import gettext, now, signed_in_user
from portal.pages import pages_of
from portal.state import portal_state

router = APIRouter(include_in_schema=False)


def researcher(request: Request) -> User:
    """The signed-in user if they may apply (researchers); 403 otherwise."""
    user = signed_in_user(request)
    if not can(user, Operation.APPLY):
        raise HTTPException(status_code=403)
    return user


def _redirect(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


def _draft(store: CatalogStore, user: User, draft_id: str) -> Draft:
    try:
        return drafts.get(store, user, draft_id)
    except NotFound:
        raise HTTPException(status_code=404) from None


def catalogue_choices(store: CatalogStore, language: str) -> list[dict[str, Any]]:
    """Every dataset and its variables, for the datasets section."""
    return [
        {
            "id": d.dataset_id,
            "title": d.metadata.get("title", {}).get(language, d.dataset_id),
            "variables": [
                {
                    "name": v["name"],
                    "title": v.get("title") or v["name"],
                    "free_text": bool(v.get("free_text")),
                }
                for v in d.metadata.get("variables", [])
            ],
        }
        for d in store.list_datasets()
    ]


@router.get("/applications")
def my_applications(request: Request) -> Response:
    """The researcher's applications (made by them or naming them) and unfinished drafts."""
    user = researcher(request)
    at = now(request)
    with unit_of_work(portal_state(request).settings) as store:
        mine = [
            (a, clock(a, at))
            for a in store.list_applications()
            if a.state is not PermitState.DRAFT and user.username in (a.applicant, *a.data_users)
        ]
        unfinished = drafts.open_drafts(store, user)
    return pages_of(request).render(
        request, "applications.html", applications=mine[::-1], drafts=unfinished, vocabulary=vocabulary
    )


@router.get("/applications/new")
def new_application(request: Request) -> Response:
    """What applying takes; the start button carries a fresh draft id (sent twice, one draft)."""
    researcher(request)
    return pages_of(request).render(request, "application_new.html", draft_key=secrets.token_urlsafe(32))


@router.post("/applications/new")
async def start_application(request: Request) -> Response:
    user = researcher(request)
    key = str((await request.form()).get("draft_key") or "")
    try:
        with unit_of_work(portal_state(request).settings) as store:
            draft = drafts.start(store, user, key, now(request))
    except NotFound:
        raise HTTPException(status_code=404) from None
    return _redirect(f"/applications/drafts/{draft.draft_id}")


def _task_list(request: Request, draft: Draft, status: int = 200) -> Response:
    statuses = {s: status_of(draft.answers, s) for s in drafts.SECTIONS}
    return pages_of(request).render(
        request,
        "application_tasks.html",
        status=status,
        draft=draft,
        statuses=statuses,
        done=sum(1 for s in statuses.values() if s == "completed"),
        questions=_questions(request, draft),
        vocabulary=vocabulary,
    )


def _questions(request: Request, draft: Draft) -> list[Any]:
    if draft.amends is None:
        return []
    with unit_of_work(portal_state(request).settings) as store:
        return drafts.notes(store, researcher(request), draft.amends)


@router.get("/applications/drafts/{draft_id}")
def draft_tasks(request: Request, draft_id: str) -> Response:
    """The task list: each section with its status, and the way to check and submit."""
    user = researcher(request)
    with unit_of_work(portal_state(request).settings) as store:
        draft = _draft(store, user, draft_id)
    if draft.submitted_as is not None:
        return _redirect(f"/applications/{draft.submitted_as}")
    return _task_list(request, draft)


def _section_page(
    request: Request,
    draft: Draft,
    section: str,
    values: dict[str, Any],
    errors: list[FieldError],
    status: int,
) -> Response:
    _ = gettext(request)
    settings = portal_state(request).settings
    with unit_of_work(settings) as store:
        choices = catalogue_choices(store, request.state.visitor.language) if section == "datasets" else []
    return pages_of(request).render(
        request,
        "application_section.html",
        status=status,
        draft=draft,
        section=section,
        values=values,
        errors=[{"field": e.field, "message": e.text(_)} for e in errors],
        choices=choices,
        vocabulary=vocabulary,
        platform={"k": settings.k_anonymity, **settings.disclosure},
    )


def _section(section: str) -> str:
    if section not in drafts.SECTIONS:
        raise HTTPException(status_code=404)
    return section


@router.get("/applications/drafts/{draft_id}/sections/{section}")
def section_form(request: Request, draft_id: str, section: str) -> Response:
    """One section's questions, with the answers saved so far."""
    user = researcher(request)
    with unit_of_work(portal_state(request).settings) as store:
        draft = _draft(store, user, draft_id)
    if draft.submitted_as is not None:
        return _redirect(f"/applications/{draft.submitted_as}")
    values = draft.answers.get(_section(section), {}).get("values", {})
    if section == "data_users" and not values:
        values = {"data_users": user.username}
    return _section_page(request, draft, section, values, [], 200)


@router.post("/applications/drafts/{draft_id}/sections/{section}")
async def save_section(request: Request, draft_id: str, section: str) -> Response:
    """Save the section: "save and come back later" keeps it in progress; "save and continue"
    checks every field and marks it completed, or shows what to correct."""
    user, form = researcher(request), await request.form()
    values, later = read(_section(section), form), form.get("action") == "later"
    settings, at = portal_state(request).settings, now(request)
    with unit_of_work(settings) as store:
        draft = _draft(store, user, draft_id)
        if draft.submitted_as is not None:
            return _redirect(f"/applications/{draft.submitted_as}")
        names = named_users({section: {"values": values}})
        errors = (
            [] if later else CHECKS[section](values, check_context(store, draft.answers, settings, names))
        )
        saved = drafts.save_section(store, user, draft_id, section, values, not later and not errors, at)
    if errors:
        return _section_page(request, saved, section, values, errors, 400)
    if later:
        return _redirect(f"/applications/drafts/{draft_id}")
    following = [s for s in drafts.SECTIONS if status_of(saved.answers, s) != "completed"]
    return _redirect(
        f"/applications/drafts/{draft_id}/sections/{following[0]}"
        if following
        else f"/applications/drafts/{draft_id}/check"
    )


def _spec(draft: Draft, user: User) -> ApplicationFile:
    return parse_application(application_data(draft.answers, user.username), "application")


def _check_page(request: Request, draft: Draft, problems: tuple[Any, ...], status: int = 200) -> Response:
    _ = gettext(request)
    by_section = {
        section: [e.text(_) for e in errors] for section, errors in problems_by_section(problems).items()
    }
    data = application_data(draft.answers, draft.owner)
    purpose = data["purpose"]["category"]
    return pages_of(request).render(
        request,
        "application_check.html",
        status=status,
        draft=draft,
        problems=by_section,
        complete=all_complete(draft.answers),
        statuses={s: status_of(draft.answers, s) for s in drafts.SECTIONS},
        answers=draft.answers,
        prohibited=_(vocabulary.PROHIBITED_REASONS[purpose])
        if purpose in vocabulary.PROHIBITED_REASONS
        else None,
        vocabulary=vocabulary,
    )


@router.get("/applications/drafts/{draft_id}/check")
def check_answers(request: Request, draft_id: str) -> Response:
    """Every answer, with a link to change it, and what the service would refuse, before submitting."""
    user, settings = researcher(request), portal_state(request).settings
    problems: tuple[Any, ...] = ()
    with unit_of_work(settings) as store:
        draft = _draft(store, user, draft_id)
        if draft.submitted_as is not None:
            return _redirect(f"/applications/{draft.submitted_as}")
        if all_complete(draft.answers):
            try:
                service.check_application(store, user, _spec(draft, user), settings=settings)
            except InvalidApplication as found:
                problems = found.problems
    return _check_page(request, draft, problems)


@router.post("/applications/drafts/{draft_id}/submit")
def submit_draft(request: Request, draft_id: str) -> Response:
    """Submit through the same service as ``haven permit apply`` (or, for an answer to a
    question, ``service.resubmit``); a draft sent twice is one application."""
    user, settings = researcher(request), portal_state(request).settings
    try:
        with unit_of_work(settings) as store:
            draft = _draft(store, user, draft_id)
            if draft.submitted_as is None and not all_complete(draft.answers):
                return _redirect(f"/applications/drafts/{draft_id}/check")
            application = drafts.submit(
                store, user, draft_id, _spec(draft, user), now(request), settings=settings
            )
    except InvalidApplication as refused:
        return _check_page(request, draft, refused.problems, 400)
    except RuleViolation:
        return _redirect(f"/applications/{draft.amends}" if draft.amends else "/applications")
    return _redirect(f"/applications/{application.application_id}?submitted=1")


def viewable(store: CatalogStore, user: User, application_id: str) -> Application:
    """The application if ``user`` may see it; 404 otherwise, whether it exists or not."""
    try:
        return service.view(store, user, application_id)
    except (NotFound, NotAuthorised):
        raise HTTPException(status_code=404) from None


@router.get("/applications/{application_id}")
def application_page(request: Request, application_id: str) -> Response:
    """The application: state, decision clock, questions, decision and reasons, history."""
    user, at = signed_in_user(request), now(request)
    with unit_of_work(portal_state(request).settings) as store:
        application = viewable(store, user, application_id)
        history = store.transitions(application_id)
        questions = [n for n in drafts.notes(store, user, application_id) if n.kind == "question"]
    asked = [t for t in history if t.to_state is PermitState.INCOMPLETE]
    incomplete = application.state is PermitState.INCOMPLETE and asked
    return pages_of(request).render(
        request,
        "application.html",
        application=application,
        clock=clock(application, at),
        complete_by=completion_due(asked[-1].at) if incomplete else None,
        history=history,
        asked=asked,
        questions=questions,
        answers=answers_of(application),
        reason=refusal_reason(application, gettext(request)),
        submitted=request.query_params.get("submitted") == "1",
        can_answer=application.state is PermitState.INCOMPLETE and user.username == application.applicant,
        draft_key=secrets.token_urlsafe(32),
        vocabulary=vocabulary,
    )


@router.post("/applications/{application_id}/answer")
async def answer_questions(request: Request, application_id: str) -> Response:
    """Start (or go back to) the answer to a request for more information: a draft holding the
    application as it stands, to edit the sections asked about and resubmit."""
    user = researcher(request)
    key = str((await request.form()).get("draft_key") or "")
    try:
        with unit_of_work(portal_state(request).settings) as store:
            application = viewable(store, user, application_id)
            draft = drafts.start_amendment(
                store, user, application_id, key, answers_of(application), now(request)
            )
    except (NotAuthorised, NotFound):
        raise HTTPException(status_code=404) from None
    except RuleViolation:
        return _redirect(f"/applications/{application_id}")
    return _redirect(f"/applications/drafts/{draft.draft_id}")
