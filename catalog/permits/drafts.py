"""Applications written section by section before they are submitted, and stewards' notes on
each section of an application under review.

A draft belongs to the researcher who started it and to nobody else: any other user asking
for it gets ``NotFound``, as if it did not exist. Submitting a draft goes through
``service.apply`` (or ``service.resubmit`` when the draft answers a request for more
information), so every rule of ``haven permit apply`` holds; a draft is submitted once, and
submitting it again returns the application it became.

The draft's ``answers`` are what the portal's forms gave, per section; turning them into an
application file is the portal's job (``portal.applications.forms``), checking it the
service's.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

from catalog.audit import trail
from catalog.errors import NotFound, RuleViolation
from catalog.people.domain import User
from catalog.people.roles import Operation, can, check_can
from catalog.permits import service
from catalog.permits.applications import ApplicationFile
from catalog.permits.domain import Application, Draft, Note
from catalog.permits.policies import check_can_resubmit, check_can_view_application, check_reason
from catalog.permits.store import DraftStore
from catalog.permits.vocabulary import PermitState
from common.settings import Settings

# The sections of an application, in the order a researcher fills them in.
SECTIONS = ("purpose", "datasets", "cohort", "period", "data_form", "disclosure", "data_users")
# Draft ids and form keys are random (``secrets.token_urlsafe(32)``): nobody can guess another's.
KEY = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
MAX_NOTE_LENGTH = 4000


class Store(service.Store, DraftStore, Protocol):
    """The workflow's store and the drafts'."""


def _check_key(key: str) -> None:
    if not KEY.match(key):
        raise NotFound("no such draft")


def get(store: Store, actor: User, draft_id: str) -> Draft:
    """The actor's own draft; ``NotFound`` for anyone else's, as for one that does not exist."""
    _check_key(draft_id)
    draft = store.find_draft(draft_id)
    if draft is None or draft.owner != actor.username:
        raise NotFound("no such draft")
    return draft


def start(
    store: Store, actor: User, draft_id: str, now: datetime, *, answers: dict[str, Any] | None = None
) -> Draft:
    """A new draft with the id the start form carried; the same form sent twice gives one draft."""
    check_can(actor, Operation.APPLY)
    _check_key(draft_id)
    found = store.find_draft(draft_id)
    if found is not None:
        return get(store, actor, draft_id)
    draft = Draft(draft_id, actor.username, answers or {}, now, now)
    store.add_draft(draft)
    return draft


def start_amendment(
    store: Store, actor: User, application_id: str, draft_id: str, answers: dict[str, Any], now: datetime
) -> Draft:
    """A draft to answer a request for more information on ``application_id`` (incomplete),
    holding ``answers`` (the application as it stands); an open one is reused."""
    application = store.get_application(application_id)
    check_can_resubmit(actor, application)
    if application.state is not PermitState.INCOMPLETE:
        raise RuleViolation(f"application {application_id} is {application.state}, not incomplete")
    for draft in store.drafts_of(actor.username):
        if draft.amends == application_id and draft.submitted_as is None:
            return draft
    started = start(store, actor, draft_id, now, answers=answers)
    amending = replace(started, amends=application_id)
    store.update_draft(amending)
    return amending


def save_section(
    store: Store,
    actor: User,
    draft_id: str,
    section: str,
    values: dict[str, Any],
    complete: bool,
    now: datetime,
) -> Draft:
    """Keep one section's values, complete (checked by the caller) or still in progress."""
    if section not in SECTIONS:
        raise NotFound("no such section")
    draft = get(store, actor, draft_id)
    if draft.submitted_as is not None:
        raise RuleViolation(f"this draft was submitted as {draft.submitted_as}")
    answers = {**draft.answers, section: {"values": values, "complete": complete}}
    saved = replace(draft, answers=answers, updated_at=now)
    store.update_draft(saved)
    return saved


def submit(
    store: Store,
    actor: User,
    draft_id: str,
    spec: ApplicationFile,
    now: datetime,
    *,
    settings: Settings | None = None,
) -> Application:
    """Submit the draft as ``spec`` through the workflow (a new application, or the answer to a
    request for more information); a draft submitted already returns its application."""
    draft = get(store, actor, draft_id)
    if draft.submitted_as is not None:
        return store.get_application(draft.submitted_as)
    if draft.amends is not None:
        application = service.resubmit(store, actor, draft.amends, now, spec=spec, settings=settings)
    else:
        application = service.apply(store, actor, spec, now, settings=settings)
    store.update_draft(replace(draft, submitted_as=application.application_id, updated_at=now))
    return application


def open_drafts(store: Store, actor: User) -> list[Draft]:
    """The actor's drafts not submitted yet, oldest first."""
    return [d for d in store.drafts_of(actor.username) if d.submitted_as is None]


def add_note(
    store: Store, actor: User, application_id: str, section: str, text: str, form_key: str, now: datetime
) -> bool:
    """A steward's note on one section (stewards see it, the applicant does not); audited
    without its text. The same form sent twice adds one note: returns whether it was added."""
    check_can(actor, Operation.REVIEW)
    check_can_view_application(actor, store.get_application(application_id))
    if section not in SECTIONS:
        raise NotFound("no such section")
    body = text.strip()
    if not body or len(body) > MAX_NOTE_LENGTH:
        raise RuleViolation(f"a note has 1 to {MAX_NOTE_LENGTH} characters")
    added = store.add_note(Note(application_id, section, actor.username, now, body, "note", form_key))
    if added:
        trail.append(
            store,
            actor=actor.username,
            action="application.note_added",
            object_type="application",
            object_id=application_id,
            at=now,
            details={"section": section},
        )
    return added


def ask(
    store: Store, actor: User, application_id: str, question: str, sections: list[str], now: datetime
) -> Application:
    """Ask the applicant for more information: the application becomes incomplete with the
    question as its reason (``service.mark_incomplete``), and the sections it is about are kept."""
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown or not sections:
        raise RuleViolation("a question names one or more sections of the application")
    text = check_reason(question)
    marked = service.mark_incomplete(store, actor, application_id, text, now)
    for section in sections:
        store.add_note(Note(application_id, section, actor.username, now, text, "question"))
    return marked


def notes(store: Store, actor: User, application_id: str) -> list[Note]:
    """The notes a user may read: stewards and operators all, the applicant and the named
    users only the sections questions were about."""
    application = store.get_application(application_id)
    check_can_view_application(actor, application)
    found = store.notes(application_id)
    return found if can(actor, Operation.VIEW_APPLICATION) else [n for n in found if n.kind == "question"]
