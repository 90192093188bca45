"""The query workbench and the airlock for the portal: the SPE's and the catalogue's services
called as the CLI calls them (``haven schema``, ``haven query``, ``haven output ...``), their
outcomes turned into the response models of ``portal.spe_schemas`` in one language. Shared by
the HTML pages and the JSON API; no rule is decided here.

Access: a permit or request the user may not see is reported as ``Hidden`` (404 for the
routes: existence does not leak); a permit the user is named on but may not use now is
``NotUsable`` (403, with the SPE's reason).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from catalog.airlock import releases
from catalog.airlock.domain import OutputRequest, RequestView
from catalog.airlock.policies import (
    MAX_CONTEXT_LENGTH,
    MIN_CONTEXT_LENGTH,
    can_download,
    check_can_view,
    context_problems,
    review_refusal,
)
from catalog.db.gateway import unit_of_work
from catalog.errors import NotAuthorised, NotFound, PermitDenied, UnknownPermit
from catalog.people.domain import User
from catalog.permits.policies import MIN_REASON_LENGTH, reason_given
from catalog.permits.queries import active_permits, get_permit
from common.settings import Settings
from portal import spe_vocabulary as words
from portal.errors import Hidden, NotUsable, PortalError
from portal.routes.auth import FieldError
from portal.schemas import Named
from portal.spe_schemas import (
    ColumnOut,
    Explained,
    OutputDetail,
    OutputSummary,
    PastQueryOut,
    PermitOut,
    QueryAnswer,
    ReleaseCheckOut,
    ReviewOut,
    SuppressedCell,
    TableOut,
)
from spe.history import own_queries
from spe.schema import permit_schema
from spe.service import PermitQuery

Translate = Callable[[str], str]
# A one-time form or Idempotency-Key value: what the airlock files a request once under.
SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def named(code: str, names: Mapping[str, str], _: Translate) -> Named:
    return Named(code=code, label=_(names[code]) if code in names else code)


def _rule(code: str, _: Translate) -> Explained:
    return Explained(
        code=code,
        label=_(words.RULE_NAMES.get(code, code)),
        explanation=_(words.RULE_EXPLANATIONS.get(code, words.UNKNOWN_RULE)),
    )


def _refusal(code: str, _: Translate) -> Explained:
    return Explained(
        code=code,
        label=_(words.STATUSES["refused"]),
        explanation=_(words.REFUSALS.get(code, words.UNKNOWN_REFUSAL)),
    )


def _suppressed(
    cells: Sequence[Mapping[str, Any]], _: Translate
) -> tuple[list[SuppressedCell], list[Explained]]:
    marked = [
        SuppressedCell(row=int(c["row"]), column=str(c["column"]), rule=_rule(str(c["rule"]), _))
        for c in cells
    ]
    rules = {cell.rule.code: cell.rule for cell in marked}
    return marked, list(rules.values())


def denied(settings: Settings, user: User, permit_id: str) -> PortalError:
    """What a denial of ``permit_id`` to ``user`` becomes: hidden unless they are named on it."""
    try:
        with unit_of_work(settings) as store:
            permit = get_permit(store, permit_id)
    except UnknownPermit:
        return Hidden("no such permit")
    return NotUsable("permit not usable now") if user.username in permit.users else Hidden("not named")


def usable_permits(settings: Settings, user: User, at: datetime) -> list[PermitOut]:
    """The permits in force that name ``user`` as a data user."""
    with unit_of_work(settings) as store:
        permits = active_permits(store, now=at)
    return [
        PermitOut(
            id=p.permit_id, title=p.title, expires_at=p.expires_at, datasets=[d.name for d in p.datasets]
        )
        for p in sorted(permits.values(), key=lambda p: p.permit_id)
        if user.username in p.users
    ]


def permit_title(settings: Settings, permit_id: str) -> str:
    with unit_of_work(settings) as store:
        return get_permit(store, permit_id).title


def schema(settings: Settings, user: User, permit_id: str, at: datetime) -> list[TableOut]:
    """``haven schema`` for ``user`` (audited); ``Hidden``/``NotUsable`` when denied,
    ``spe.errors.NotPublished`` when the permit has no tables yet."""
    try:
        tables = permit_schema(permit_id, user.username, settings, at)
    except (UnknownPermit, PermitDenied):
        raise denied(settings, user, permit_id) from None
    return [
        TableOut(
            name=t.name,
            title=t.title,
            version=t.version,
            patient_entered=t.patient_entered,
            columns=[ColumnOut(name=c.name, type=c.type, description=c.description) for c in t.columns],
        )
        for t in tables
    ]


def answer(ran: PermitQuery, sql: str, _: Translate) -> QueryAnswer:
    """A query's outcome, every suppressed cell and refusal explained in the user's language."""
    result = ran.result
    cells, rules = _suppressed(result.suppressed, _)
    verdict = None
    if result.status == "ok":
        verdict = named("suppressed" if result.suppressed else "pass", words.VERDICTS, _)
    return QueryAnswer(
        status=result.status,
        columns=list(result.columns),
        rows=[list(releases.plain_row(row)) for row in result.rows],
        suppressed=cells,
        rules=rules,
        unit=result.unit,
        refusal=None if result.status == "ok" else _refusal(result.rule or "shape", _),
        detail=None if result.status == "ok" else result.reason,
        versions=dict(ran.versions),
        sql_sha256=releases.sql_digest(sql),
        verdict=verdict,
    )


def history(settings: Settings, user: User, permit_id: str, _: Translate) -> list[PastQueryOut]:
    """The user's own queries on the permit, newest first (the audit trail's record)."""
    return [
        PastQueryOut(
            at=q.at,
            status=named(q.status, words.STATUSES, _),
            refusal=None
            if q.rule is None
            else Named(code=q.rule, label=_(words.REFUSALS.get(q.rule, words.UNKNOWN_REFUSAL))),
            rows=q.rows,
            suppressed=q.suppressed,
            rules=[Named(code=r, label=_(words.RULE_NAMES.get(r, r))) for r in q.rules],
            versions=list(q.versions),
            sql_sha256=q.sql_sha256,
        )
        for q in own_queries(settings, permit_id, user.username)
    ]


def summary(request: OutputRequest, votes_cast: int, _: Translate) -> OutputSummary:
    return OutputSummary(
        id=request.request_id,
        permit=request.permit_id,
        author=request.author,
        state=named(request.state.value, words.STATES, _),
        verdict=named(request.verdict, words.VERDICTS, _),
        created_at=request.created_at,
        decided_at=request.decided_at,
        votes_cast=votes_cast,
    )


def _detail(seen: RequestView, refusal: str | None, may_download: bool, _: Translate) -> OutputDetail:
    request = seen.request
    cells, rules = _suppressed(request.result.suppressed, _)
    check = request.release_check
    return OutputDetail(
        **summary(request, seen.votes_cast, _).model_dump(),
        sql=request.sql,
        sql_sha256=request.sql_sha256,
        shows=None if request.context is None else request.context.shows,
        needed_for=None if request.context is None else request.context.needed_for,
        versions=dict(request.versions),
        columns=list(request.result.columns),
        rows=[list(r) for r in request.result.rows],
        suppressed=cells,
        rules=rules,
        reviews=[
            ReviewOut(reviewer=r.reviewer, vote=named(r.vote.value, words.VOTES, _), reason=r.reason, at=r.at)
            for r in seen.reviews
        ],
        release_check=None
        if check is None
        else ReleaseCheckOut(
            status=Explained(
                code=check.status.value,
                label=check.status.value,
                explanation=_(words.RELEASE_CHECKS[check.status.value]),
            ),
            suppressed=check.suppressed,
            at=check.at,
        ),
        may_review=refusal is None,
        review_refusal=None if refusal is None else named(refusal, words.REVIEW_REFUSALS, _),
        may_download=may_download,
    )


def output(settings: Settings, user: User, request_id: str, _: Translate) -> OutputDetail:
    """A request as ``user`` may see it (``haven output show``); ``Hidden`` otherwise."""
    try:
        with unit_of_work(settings) as store:
            seen = releases.view(store, user, request_id)
            permit = store.get_application(seen.request.permit_id)
            refusal = review_refusal(user, seen.request, permit, store.output_reviews(request_id))
            may_download = can_download(user, seen.request, permit)
    except (NotFound, NotAuthorised):
        raise Hidden("no such request for this user") from None
    return _detail(seen, refusal, may_download, _)


def outputs(settings: Settings, user: User, _: Translate) -> list[tuple[OutputSummary, str | None]]:
    """Every request ``user`` may see (``haven output list --as``), oldest first, each with
    why the user may not review it (None: they may)."""
    with unit_of_work(settings) as store:
        found = releases.list_requests(store, user)
        listed = []
        for request in found:
            reviews = store.output_reviews(request.request_id)
            permit = store.get_application(request.permit_id)
            listed.append((summary(request, len(reviews), _), review_refusal(user, request, permit, reviews)))
    return listed


def released(settings: Settings, user: User, request_id: str) -> OutputRequest:
    """A released output for download (``haven output get``, audited); ``Hidden`` for a user
    who may not see the request, the catalogue's error when it may not leave."""
    try:
        with unit_of_work(settings) as store:
            request = store.get_output_request(request_id)
            check_can_view(user, request, store.get_application(request.permit_id))
    except (NotFound, NotAuthorised):
        raise Hidden("no such request for this user") from None
    with unit_of_work(settings) as store:
        return releases.download(store, user, request_id)


def status_of(error: PortalError) -> int:
    """The HTTP status of an access error: 403 for a permit the user is named on, else 404."""
    return 403 if isinstance(error, NotUsable) else 404


def context_errors(shows: str, needed_for: str, _: Translate) -> list[FieldError]:
    """The catalogue's context rule, its problems said in the user's language."""
    limits = {"min": MIN_CONTEXT_LENGTH, "max": MAX_CONTEXT_LENGTH}
    return [
        FieldError(field, _(words.CONTEXT_ERRORS[field, problem]) % limits)
        for field, problem in context_problems(shows, needed_for).items()
    ]


def vote_errors(decision: str, reason: str, _: Translate) -> list[FieldError]:
    """A vote needs a decision and the catalogue's reason rule, said in the user's language."""
    errors = []
    if decision not in ("approve", "reject"):
        errors.append(FieldError("decision-approve", _("Choose to approve or to reject the release.")))
    if not reason_given(reason):
        errors.append(
            FieldError(
                "reason", _("Give a reason of at least %(min)s characters.") % {"min": MIN_REASON_LENGTH}
            )
        )
    return errors
