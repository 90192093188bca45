"""The permit workflow: every operation checks its rules here, in the service layer.

Entry points (CLI, web app, DAG tasks) call these functions with the acting ``User`` and a
store; each state change goes through ``TRANSITIONS`` and writes its history row and its
audit entry in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from catalog.audit import trail
from catalog.audit.domain import AuditEntry
from catalog.audit.store import AuditStore
from catalog.datasets.store import DatasetStore
from catalog.errors import InvalidApplication, NotAuthorised, NotFound, RuleViolation
from catalog.people.domain import SYSTEM, User
from catalog.people.roles import Operation, check_can
from catalog.people.store import UserStore
from catalog.permits.applications import ApplicationFile
from catalog.permits.domain import Application, Problem, RequestedDataset, TransitionRecord
from catalog.permits.lifecycle import AWAITING_DECISION, IN_FORCE, transition
from catalog.permits.policies import (
    add_months,
    check_can_decide,
    check_can_resubmit,
    check_can_view_application,
    check_purpose_allowed,
    check_purpose_fits_organisation,
    check_reason,
    decision_due,
    is_overdue,
)
from catalog.permits.store import PermitStore
from catalog.permits.vocabulary import DataForm, PermitState
from catalog.references import new_reference
from common.layout import Source
from common.schemas import SCHEMAS
from common.settings import Settings, get_settings


class Store(PermitStore, AuditStore, UserStore, DatasetStore, Protocol):
    """Everything the workflow reads and writes."""


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)


def _move(
    store: Store,
    application: Application,
    target: PermitState,
    actor: User,
    now: datetime,
    reason: str | None = None,
    **changes: object,
) -> Application:
    """Apply one lifecycle transition: role check, new state, history row, audit entry."""
    move = transition(application.state, target)
    if actor is not SYSTEM and not actor.roles & move.roles:
        raise NotAuthorised(
            f"user {actor.username!r} may not move {application.application_id} "
            f"from {application.state} to {target}"
        )
    updated = replace(application, state=target, **changes)  # type: ignore[arg-type]
    store.update_application(updated)
    store.add_transition(
        TransitionRecord(application.application_id, application.state, target, actor.username, now, reason)
    )
    trail.append(
        store,
        actor=actor.username,
        action=move.event,
        object_type="application",
        object_id=application.application_id,
        at=now,
        details={"from": application.state.value, "to": target.value},
    )
    return updated


def _dataset_problems(store: Store, spec: ApplicationFile) -> list[Problem]:
    """Datasets and variables the catalogue does not have, or that anonymised data cannot hold."""
    problems = []
    for index, request in enumerate(spec.datasets):
        place = f"datasets[{index}]"
        try:
            dataset = store.get_dataset(request.name)
        except NotFound:
            text = f"{place}.name: no dataset {request.name!r} in the catalogue"
            problems.append(Problem(f"{place}.name", "unknown_dataset", text))
            continue
        known = {v["name"]: v for v in dataset.metadata.get("variables", [])}
        unknown = [v for v in request.variables if v not in known]
        if unknown:
            text = f"{place}.variables: not in dataset {request.name!r}: " + ", ".join(unknown)
            problems.append(Problem(f"{place}.variables", "unknown_variables", text))
        linking = record_identifiers(dataset.source, request.variables)
        if spec.data_form is DataForm.ANONYMISED and linking:
            text = (
                f"{place}.variables: record and provider ids link rows and "
                f"cannot be part of anonymised data: {', '.join(linking)} (leave them out, "
                "or apply for pseudonymised data with a justification)"
            )
            problems.append(Problem(f"{place}.variables", "linking_variables", text))
        free = [v for v in request.variables if known.get(v, {}).get("free_text")]
        if spec.data_form is DataForm.ANONYMISED and free:
            text = (
                f"{place}.variables: free text is never part of anonymised data, even "
                f"de-identified: {', '.join(free)} (leave it out, or apply for pseudonymised data)"
            )
            problems.append(Problem(f"{place}.variables", "free_text", text))
    return problems


def _user_problems(store: Store, spec: ApplicationFile) -> list[Problem]:
    return [
        Problem(f"data_users[{index}]", "unknown_user", f"data_users[{index}]: no registered user {name!r}")
        for index, name in enumerate(spec.data_users)
        if store.find_user(name) is None
    ]


def record_identifiers(source: str, variables: Iterable[str]) -> list[str]:
    """The requested variables that identify a record or a care provider (``common.schemas``)."""
    try:
        schema = SCHEMAS[Source(source)]
    except (ValueError, KeyError):
        return []
    return [v for v in variables if v in schema.identifiers]


def _k_problems(spec: ApplicationFile, minimum_k: int) -> list[Problem]:
    if spec.anonymisation is None or spec.anonymisation.k is None or spec.anonymisation.k >= minimum_k:
        return []
    text = (
        f"anonymisation.k: {spec.anonymisation.k} is below the platform's "
        f"minimum of {minimum_k}; a permit may only raise k"
    )
    return [Problem("anonymisation.k", "k_below_platform", text)]


def _disclosure_problems(spec: ApplicationFile, platform: dict[str, float]) -> list[Problem]:
    looser = [] if spec.disclosure is None else spec.disclosure.looser_than(platform)
    if not looser:
        return []
    text = "disclosure: a permit may only make disclosure control stricter than the platform's: " + ", ".join(
        f"{name} (platform: {platform[name]:g})" for name in looser
    )
    return [Problem(f"disclosure.{name}", "looser_disclosure", text) for name in looser]


def check_application(
    store: Store, actor: User, spec: ApplicationFile, *, settings: Settings | None = None
) -> tuple[RequestedDataset, ...]:
    """Every rule an application must meet before it is recorded (the purpose aside: a
    prohibited one is recorded and refused); ``InvalidApplication`` lists each problem.

    A user interface calls it to show problems before submitting; ``apply`` calls it too.
    """
    platform = settings or get_settings()
    check_can(actor, Operation.APPLY)
    if actor.username != spec.applicant:
        raise NotAuthorised(f"user {actor.username!r} may only apply in their own name")
    problems = _k_problems(spec, platform.k_anonymity) + _disclosure_problems(spec, platform.disclosure)
    problems += _dataset_problems(store, spec) + _user_problems(store, spec)
    if problems:
        raise InvalidApplication("\n".join(dict.fromkeys(p.text for p in problems)), problems)
    return tuple(RequestedDataset(d.name, tuple(d.variables)) for d in spec.datasets)


def _content(spec: ApplicationFile, datasets: tuple[RequestedDataset, ...]) -> dict[str, Any]:
    """The fields of an application that its file gives."""
    return {
        "title": spec.title,
        "applicant": spec.applicant,
        "organisation": spec.organisation.name,
        "organisation_type": spec.organisation.type,
        "purpose": spec.purpose.category.value,
        "lay_summary": spec.purpose.summary,
        "commercial": spec.commercial,
        "datasets": datasets,
        "cohort_criteria": spec.cohort,
        "period_start": spec.period.start,
        "period_end": spec.period.end,
        "data_form": spec.data_form,
        "pseudonymisation_justification": spec.justification,
        "data_users": tuple(spec.data_users),
        "duration_months": spec.duration_months,
        "cohort_rules": spec.cohort_rules,
        "anonymisation": spec.anonymisation,
        "disclosure": spec.disclosure,
    }


def _refuse_if_prohibited(store: Store, submitted: Application, at: datetime) -> Application:
    """A prohibited purpose is refused at once, by the platform, with the legal reason."""
    try:
        check_purpose_allowed(submitted.purpose)
    except RuleViolation as refusal:
        return _move(
            store,
            submitted,
            PermitState.REJECTED,
            SYSTEM,
            at,
            reason=str(refusal),
            decided_at=at,
            decided_by=SYSTEM.username,
            decision_reason=str(refusal),
        )
    return submitted


def apply(
    store: Store,
    actor: User,
    spec: ApplicationFile,
    now: datetime | None = None,
    application_id: str | None = None,
    *,
    settings: Settings | None = None,
) -> Application:
    """Record and submit an application; one for a prohibited purpose is refused at once, with the reason.

    The platform's k-anonymity threshold and disclosure control come from the instance's
    settings (``HAVEN_K_ANONYMITY``, ``HAVEN_DISCLOSURE_*``): an application may ask for
    stricter ones, never looser.
    """
    at = _now(now)
    datasets = check_application(store, actor, spec, settings=settings)
    draft = Application(
        application_id=application_id or new_reference("app", at),
        **_content(spec, datasets),
        state=PermitState.DRAFT,
        created_at=at,
    )
    store.add_application(draft)
    trail.append(
        store,
        actor=actor.username,
        action="application.created",
        object_type="application",
        object_id=draft.application_id,
        at=at,
    )
    submitted = _move(store, draft, PermitState.SUBMITTED, actor, at, submitted_at=at)
    return _refuse_if_prohibited(store, submitted, at)


def view(store: Store, actor: User, application_id: str) -> Application:
    """Every field of an application, for the people allowed to see it."""
    application = store.get_application(application_id)
    check_can_view_application(actor, application)
    return application


def history(store: Store, actor: User, application_id: str) -> list[TransitionRecord]:
    view(store, actor, application_id)
    return store.transitions(application_id)


def mark_incomplete(
    store: Store, actor: User, application_id: str, reason: str, now: datetime | None = None
) -> Application:
    check_can(actor, Operation.REVIEW)
    text = check_reason(reason)
    application = store.get_application(application_id)
    return _move(store, application, PermitState.INCOMPLETE, actor, _now(now), reason=text)


def resubmit(
    store: Store,
    actor: User,
    application_id: str,
    now: datetime | None = None,
    *,
    spec: ApplicationFile | None = None,
    settings: Settings | None = None,
) -> Application:
    """The applicant completes an incomplete application; the decision clock starts again.

    With ``spec`` the applicant's answers replace the application's content first, checked by
    the same rules as a new application (audited as ``application.amended`` with the names
    of the fields that changed, when any did); a prohibited purpose is then refused at once.
    """
    application = store.get_application(application_id)
    check_can_resubmit(actor, application)
    at = _now(now)
    transition(application.state, PermitState.SUBMITTED)
    if spec is not None:
        application = _amend(store, actor, application, spec, at, settings)
    submitted = _move(store, application, PermitState.SUBMITTED, actor, at, submitted_at=at)
    return _refuse_if_prohibited(store, submitted, at)


def _amend(
    store: Store,
    actor: User,
    application: Application,
    spec: ApplicationFile,
    at: datetime,
    settings: Settings | None,
) -> Application:
    if spec.applicant != application.applicant:
        raise NotAuthorised(f"application {application.application_id} keeps its applicant")
    amended = replace(application, **_content(spec, check_application(store, actor, spec, settings=settings)))
    changed = sorted(
        f.name for f in fields(Application) if getattr(amended, f.name) != getattr(application, f.name)
    )
    if not changed:
        return application
    store.update_application(amended)
    trail.append(
        store,
        actor=actor.username,
        action="application.amended",
        object_type="application",
        object_id=application.application_id,
        at=at,
        details={"fields": changed},
    )
    return amended


def start_review(store: Store, actor: User, application_id: str, now: datetime | None = None) -> Application:
    check_can(actor, Operation.REVIEW)
    application = store.get_application(application_id)
    return _move(store, application, PermitState.UNDER_REVIEW, actor, _now(now))


def decide(
    store: Store, actor: User, application_id: str, *, approve: bool, reason: str, now: datetime | None = None
) -> Application:
    """Approve or reject, with a reason; an approval grants the permit for its duration."""
    at = _now(now)
    application = store.get_application(application_id)
    check_can_decide(actor, application)
    text = check_reason(reason)
    if application.state is PermitState.SUBMITTED:
        application = _move(store, application, PermitState.UNDER_REVIEW, actor, at)
    if not approve:
        return _move(
            store,
            application,
            PermitState.REJECTED,
            actor,
            at,
            reason=text,
            decided_at=at,
            decided_by=actor.username,
            decision_reason=text,
        )
    check_purpose_allowed(application.purpose)
    check_purpose_fits_organisation(application.purpose, application.organisation_type)
    return _move(
        store,
        application,
        PermitState.APPROVED,
        actor,
        at,
        reason=text,
        decided_at=at,
        decided_by=actor.username,
        decision_reason=text,
        granted_at=at,
        expires_at=add_months(at, application.duration_months),
    )


def activate(store: Store, actor: User, permit_id: str, now: datetime | None = None) -> Application:
    """The permit's datasets are published: the permit is in use."""
    check_can(actor, Operation.ACTIVATE)
    return _move(store, store.get_application(permit_id), PermitState.ACTIVE, actor, _now(now))


def revoke(
    store: Store, actor: User, permit_id: str, reason: str, now: datetime | None = None
) -> Application:
    check_can(actor, Operation.REVOKE)
    text = check_reason(reason)
    return _move(store, store.get_application(permit_id), PermitState.REVOKED, actor, _now(now), reason=text)


def expire_due(store: Store, actor: User, now: datetime | None = None) -> list[str]:
    """Move every approved or active permit past its expiry to expired; returns their ids."""
    check_can(actor, Operation.EXPIRE)
    at = _now(now)
    expired = []
    for permit in store.list_applications(IN_FORCE):
        if permit.expires_at is not None and permit.expires_at <= at:
            _move(store, permit, PermitState.EXPIRED, actor, at)
            expired.append(permit.application_id)
    return expired


def overdue(store: Store, actor: User, now: datetime | None = None) -> list[tuple[Application, datetime]]:
    """Applications past their 3-month decision deadline, oldest first, with the deadline."""
    check_can(actor, Operation.LIST_OVERDUE)
    at = _now(now)
    late = []
    for application in store.list_applications(AWAITING_DECISION):
        due = decision_due(application)
        if due is not None and is_overdue(application, at):
            late.append((application, due))
    return sorted(late, key=lambda pair: pair[1])


def audit_entries(store: Store, actor: User) -> list[AuditEntry]:
    """The audit log, for stewards and operators."""
    check_can(actor, Operation.READ_AUDIT)
    return store.audit_entries()


def verify_audit(store: Store, actor: User, expected_head: str | None = None) -> trail.Verification:
    """Check the audit chain (stewards and operators; the CLI acts as the platform operator)."""
    check_can(actor, Operation.VERIFY_AUDIT)
    return trail.verify(store, expected_head)
