"""Reading the audit log, the quality report and notifications for the portal: one unit of
work per page or API call, through the catalogue's services (the same as ``haven audit
verify`` and ``haven quality report``); shared by the HTML pages and the JSON API.

Filters are checked here, each problem named by its field with an untranslated message that
the caller translates.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from catalog.audit.search import AuditFilter, choices, search
from catalog.audit.trail import Verification
from catalog.datasets import quality as dataset_quality
from catalog.datasets.metadata import metadata_of
from catalog.db.gateway import unit_of_work
from catalog.notifications import messages
from catalog.notifications import service as notifications
from catalog.notifications.domain import Notification as Stored
from catalog.people.domain import User
from catalog.permits import service
from common.quality_results import QualityStore
from common.settings import Settings
from portal import vocabulary
from portal.datasets import quality as label_of
from portal.i18n import N_
from portal.schemas import Named
from portal.schemas_steward import (
    AuditEntry,
    AuditFilters,
    AuditLog,
    ChainCheck,
    DatasetQuality,
    Notification,
    Notifications,
    Validation,
    ValidationOutcome,
)

Gettext = Callable[[str], str]
HEAD = re.compile(r"^[0-9a-f]{64}$")
TEXT_FIELDS = ("action", "actor", "object_type", "object_id")
MAX_TEXT = 120  # the longest actor, action or id the audit log stores
CAUSES = {
    "missing": N_("Entry %(n)s is missing or out of order."),
    "unlinked": N_("Entry %(n)s does not follow the entry before it: entries were removed or reordered."),
    "altered": N_("Entry %(n)s was altered: its hash does not match its content."),
    "head": N_(
        "The last entry is not the head you gave: entries were removed from the end, "
        "or the head belongs to another log."
    ),
}


@dataclass(frozen=True)
class FieldError:
    """One problem of a form: the field's id (the summary links to it) and the message."""

    field: str
    message: str


@dataclass(frozen=True)
class AuditQuery:
    """What a reader asked of the audit log, checked."""

    filters: AuditFilter
    page: int
    expected_head: str | None
    errors: tuple[FieldError, ...]  # messages untranslated


def _day(params: Mapping[str, str], name: str, errors: list[FieldError]) -> date | None:
    text = params.get(name, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append(FieldError(name, N_("Enter the date as year-month-day, for example 2026-03-02.")))
        return None


def parse_query(params: Mapping[str, str]) -> AuditQuery:
    """The filters, page and expected head of a request; problems listed by field."""
    errors: list[FieldError] = []
    texts = {name: params.get(name, "").strip() for name in TEXT_FIELDS}
    for name, value in texts.items():
        if len(value) > MAX_TEXT:
            errors.append(FieldError(name, N_("Enter at most 120 characters.")))
            texts[name] = ""
    start, end = _day(params, "start", errors), _day(params, "end", errors)
    if start and end and start > end:
        errors.append(FieldError("end", N_("The end date must be the start date or later.")))
        end = None
    head = params.get("expected_head", "").strip().lower() or None
    if head is not None and not HEAD.fullmatch(head):
        errors.append(
            FieldError("expected_head", N_("Enter the head as 64 hexadecimal characters (0-9, a-f)."))
        )
        head = None
    page = params.get("page", "1").strip()
    return AuditQuery(
        AuditFilter(**texts, start=start, end=end),
        int(page) if page.isdigit() and int(page) > 0 else 1,
        head,
        tuple(errors),
    )


def _chain(check: Verification, stored: int, expected_head: str | None, _: Gettext) -> ChainCheck:
    message = None
    if check.cause is not None:
        message = _(CAUSES[check.cause]) % {"n": check.first_bad}
    return ChainCheck(
        intact=check.ok,
        entries=check.entries,
        stored=stored,
        head=check.head,
        cause=check.cause,
        first_bad=check.first_bad,
        message=message,
        expected_head=expected_head,
    )


def audit_log(
    settings: Settings, user: User, query: AuditQuery, _: Gettext
) -> tuple[AuditLog, dict[str, list[str]]]:
    """A page of the log as ``query`` filters it, the chain verified, and the filters' choices;
    ``catalog.errors.NotAuthorised`` unless ``user`` may read and verify the audit log."""
    with unit_of_work(settings) as store:
        entries = service.audit_entries(store, user)
        check = service.verify_audit(store, user, query.expected_head)
    found = search(entries, query.filters, query.page)
    actions, object_types = choices(entries)
    wanted = query.filters
    log = AuditLog(
        filters=AuditFilters(
            action=wanted.action,
            actor=wanted.actor,
            object_type=wanted.object_type,
            object_id=wanted.object_id,
            start=wanted.start,
            end=wanted.end,
        ),
        entries=[
            AuditEntry(
                seq=e.seq,
                at=datetime.fromisoformat(e.at),
                actor=e.actor,
                action=e.action,
                object_type=e.object_type,
                object_id=e.object_id,
                details=e.details,
                entry_hash=e.entry_hash,
            )
            for e in found.entries
        ],
        total=found.total,
        matching=found.matching,
        hidden=found.hidden,
        page=found.page,
        pages=found.pages,
        first=found.first,
        chain=_chain(check, len(entries), query.expected_head, _),
    )
    return log, {"actions": actions, "object_types": object_types}


def _named(code: str, names: dict[str, str], _: Gettext) -> Named:
    return Named(code=code, label=_(names[code]) if code in names else code)


def _validation(record: dict[str, object] | None, _: Gettext) -> Validation | None:
    if record is None or not isinstance(record.get("validation"), dict):
        return None
    report: dict[str, object] = record["validation"]  # type: ignore[assignment]
    outcomes = [
        ValidationOutcome(
            name=str(o["name"]),
            severity=_named(str(o["severity"]), vocabulary.SEVERITIES, _),
            dimension=_named(str(o["dimension"]), vocabulary.QUALITY_ELEMENTS, _),
            success=bool(o["success"]),
            element_count=o.get("element_count"),
            unexpected_count=o.get("unexpected_count"),
        )
        for o in report.get("outcomes", [])  # type: ignore[attr-defined]
    ]
    failed = [o for o in outcomes if not o.success]
    return Validation(
        run_id=str(record.get("run_id", "")),
        passed=not any(o.severity.code == "critical" for o in failed),
        critical_failures=sum(o.severity.code == "critical" for o in failed),
        warnings=sum(o.severity.code == "warning" for o in failed),
        outcomes=outcomes,
    )


def quality_report(settings: Settings, user: User, lang: str, _: Gettext) -> list[DatasetQuality]:
    """Every dataset's latest validation results and its label per silver version, as ``haven
    quality report`` reads them; ``NotAuthorised`` unless ``user`` may see quality reports."""
    latest = QualityStore(settings.home / "quality").latest()
    with unit_of_work(settings) as store:
        found = dataset_quality.quality_report(store, user, latest)
        titles = {r.dataset_id: getattr(metadata_of(r).title, lang) for r in store.list_datasets()}
    return [
        DatasetQuality(
            id=d.dataset_id,
            title=titles[d.dataset_id],
            source=d.source,
            validation=_validation(d.validation, _),
            labels=[label for stored in d.labels if (label := label_of(stored, _)) is not None],
        )
        for d in found
    ]


def notification(stored: Stored, lang: str) -> Notification:
    return Notification(
        id=stored.notification_id,
        action=stored.action,
        object_type=stored.object_type,
        object_id=stored.object_id,
        text=messages.title(stored, lang),
        link=stored.path,
        created_at=stored.created_at,
        read=stored.read_at is not None,
        read_at=stored.read_at,
    )


def notifications_of(settings: Settings, user: User, lang: str) -> Notifications:
    """The user's own notifications, newest first, in ``lang``."""
    with unit_of_work(settings) as store:
        found = notifications.notifications_of(store, user)
        unread = notifications.unread(store, user)
    return Notifications(unread=unread, notifications=[notification(n, lang) for n in found])
