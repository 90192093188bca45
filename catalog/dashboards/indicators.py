"""Standing indicators: a query two stewards approve once, re-released on every new delivery.

An indicator is a permit's query with stricter terms than an ad-hoc release (by default at
least 100 persons behind every cell and counts rounded to 10, ``HAVEN_INDICATOR_*``, as
OpenSAFELY Interactive does; never below the permit's own threshold). It is proposed by a
named data user of the permit or a steward, and approved by two distinct stewards who are
neither its proposer nor a named user or the applicant of the permit (the airlock's
four-eyes rule). Once approved, each run (``spe.indicators``, after every permit build)
records what it read and its outcome:

- ``released``: every cell passed the stricter terms; the new version is filed as an output
  request already released, with the two approving stewards as its reviewers, and enters
  the registry of released aggregates, where dashboards find it;
- ``held``: a cell failed; the version is filed in the airlock queue for two stewards to
  review, naming the failing rule, and dashboards keep the last released version;
- ``failed``: the query was refused (its rule named) or could not run; nothing is filed.

The SQL is kept in the catalogue and never logged or audited: entries carry its SHA-256.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from catalog.airlock.domain import CheckedResult, OutputContext, OutputRequest, OutputState
from catalog.airlock.lifecycle import REQUESTED_EVENT, REVIEWABLE
from catalog.airlock.releases import plain_result, sql_digest
from catalog.audit import trail
from catalog.dashboards import registry
from catalog.dashboards.domain import ReleasedAggregate, Texts
from catalog.errors import NotAuthorised, NotFound, RuleViolation, passes
from catalog.people.domain import Role, User
from catalog.people.store import UserStore
from catalog.permits.domain import Application
from catalog.permits.lifecycle import IN_FORCE
from catalog.references import new_reference
from catalog.statemachine import Lifecycle, Transition

LANGUAGES = ("fr", "nl", "de", "en")
MAX_DESCRIPTION = 500
APPROVALS_NEEDED = 2
SYSTEM = "system"  # the author of the output requests the runs file


class IndicatorState(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    RETIRED = "retired"


class Outcome(StrEnum):
    RELEASED = "released"  # every cell passed: released automatically
    HELD = "held"  # a cell failed: filed in the airlock queue
    FAILED = "failed"  # refused or could not run: nothing filed


_STEWARD = frozenset({Role.STEWARD})
TRANSITIONS: dict[IndicatorState, dict[IndicatorState, Transition]] = {
    IndicatorState.PROPOSED: {
        IndicatorState.APPROVED: Transition("indicator.approved", _STEWARD),
        IndicatorState.RETIRED: Transition("indicator.retired", _STEWARD),
    },
    IndicatorState.APPROVED: {IndicatorState.RETIRED: Transition("indicator.retired", _STEWARD)},
    IndicatorState.RETIRED: {},
}
PROPOSED_EVENT = "indicator.proposed"
APPROVAL_EVENT = "indicator.approval_recorded"  # the first of the two approvals
RUN_EVENT = "indicator.run"
LIFECYCLE = Lifecycle(
    initial=IndicatorState.PROPOSED,
    transitions=TRANSITIONS,
    start=f"{PROPOSED_EVENT} (data user/steward)",
    subject="an indicator",
)


@dataclass(frozen=True)
class Terms:
    """The stricter disclosure terms of an indicator (``spe.disclosure`` field names)."""

    min_persons: int
    rounding_base: int

    def overrides(self) -> dict[str, int]:
        return {"min_persons": self.min_persons, "rounding_base": self.rounding_base}


@dataclass(frozen=True)
class Indicator:
    indicator_id: str
    permit_id: str
    sql: str  # never logged or audited: ``sql_sha256`` stands for it
    sql_sha256: str
    description: Texts
    terms: Terms
    state: IndicatorState
    proposed_by: str
    proposed_at: datetime
    approvals: tuple[str, ...] = ()  # the approving stewards, in order
    approved_at: datetime | None = None
    retired_at: datetime | None = None


@dataclass(frozen=True)
class Run:
    """One run of an indicator: when, what it read, and what came of it."""

    run_id: str
    indicator_id: str
    at: datetime
    versions: dict[str, int]  # permit table -> Delta version read
    silver: dict[str, dict[str, int]]  # permit table -> silver source -> version its build read
    outcome: Outcome
    request_id: str | None = None  # the output request filed (released or held)
    rule: str | None = None  # held or failed: the first failing rule
    suppressed: int = 0  # held: cells suppressed, groups left out for too few persons included
    rules: tuple[str, ...] = field(default_factory=tuple)  # every failing rule


@dataclass(frozen=True)
class Status:
    """What a dashboard says of an indicator: its latest release, and whether a newer run waits."""

    indicator: Indicator
    latest: ReleasedAggregate | None
    latest_run: Run | None
    # A run newer than the latest release was held and its request still awaits the stewards.
    held: bool = False


class IndicatorStore(Protocol):
    def add_indicator(self, indicator: Indicator) -> None: ...
    def find_indicator(self, indicator_id: str) -> Indicator | None: ...
    def update_indicator(self, indicator: Indicator) -> None: ...
    def list_indicators(self) -> list[Indicator]: ...
    def add_indicator_run(self, run: Run) -> None: ...
    def indicator_runs(self, indicator_id: str) -> list[Run]: ...
    def find_indicator_run_by_request(self, request_id: str) -> Run | None: ...


class Store(registry.Store, IndicatorStore, UserStore, Protocol):
    """Everything indicators read and write."""


def threshold_floor(platform_min_persons: int, permit: Application) -> int:
    """The lowest ``min_persons`` an indicator of ``permit`` may ask for: the permit's threshold."""
    own = permit.disclosure.min_persons if permit.disclosure is not None else None
    return max(platform_min_persons, own or 0)


def check_can_propose(user: User, permit: Application, terms: Terms, floor: int, now: datetime) -> None:
    """A named data user of a permit in force, or a steward, proposes; terms never below the permit's."""
    if Role.STEWARD not in user.roles and user.username not in permit.data_users:
        raise NotAuthorised(
            f"user {user.username!r} may not propose indicators for permit {permit.application_id}: "
            "only its named data users and stewards may"
        )
    if permit.state not in IN_FORCE or permit.expires_at is None or now >= permit.expires_at:
        raise RuleViolation(f"permit {permit.application_id} is not in force")
    if terms.min_persons < floor:
        raise RuleViolation(
            f"an indicator needs at least {floor} persons per cell (the threshold in force for "
            f"permit {permit.application_id}), not {terms.min_persons}"
        )
    if terms.rounding_base < 1:
        raise RuleViolation("an indicator's counts are rounded: the rounding base must be 1 or more")


def _check_description(values: Mapping[str, str]) -> Texts:
    cleaned = {lang: str(values.get(lang, "")).strip() for lang in LANGUAGES}
    missing = [lang for lang, text in cleaned.items() if not text]
    if missing:
        raise RuleViolation(f"an indicator is described in every language; missing: {', '.join(missing)}")
    long = [lang for lang, text in cleaned.items() if len(text) > MAX_DESCRIPTION]
    if long:
        raise RuleViolation(f"a description has at most {MAX_DESCRIPTION} characters: {', '.join(long)}")
    return Texts(**cleaned)


def _audit(store: Store, actor: str, action: str, indicator: Indicator, at: datetime, **details: Any) -> None:
    trail.append(
        store,
        actor=actor,
        action=action,
        object_type="indicator",
        object_id=indicator.indicator_id,
        at=at,
        details={"permit": indicator.permit_id, "sql_sha256": indicator.sql_sha256, **details},
    )


def propose(
    store: Store,
    actor: User,
    *,
    permit_id: str,
    sql: str,
    description: Mapping[str, str],
    terms: Terms,
    platform_min_persons: int,
    now: datetime | None = None,
) -> Indicator:
    """A new indicator, proposed; ``RuleViolation`` or ``NotAuthorised`` names the rule broken."""
    at = (now or datetime.now(UTC)).astimezone(UTC)
    permit = store.get_application(permit_id)
    check_can_propose(actor, permit, terms, threshold_floor(platform_min_persons, permit), at)
    if not sql.strip():
        raise RuleViolation("an indicator needs its query")
    indicator = Indicator(
        indicator_id=new_reference("ind", at),
        permit_id=permit_id,
        sql=sql,
        sql_sha256=sql_digest(sql),
        description=_check_description(description),
        terms=terms,
        state=IndicatorState.PROPOSED,
        proposed_by=actor.username,
        proposed_at=at,
    )
    store.add_indicator(indicator)
    _audit(store, actor.username, PROPOSED_EVENT, indicator, at, **terms.overrides())
    return indicator


def check_can_approve(user: User, indicator: Indicator, permit: Application) -> None:
    """Two distinct stewards approve, neither the proposer nor a named user or the applicant."""
    who, iid = user.username, indicator.indicator_id
    if Role.STEWARD not in user.roles:
        raise NotAuthorised(f"user {who!r} may not approve indicators: needs role steward")
    if who == indicator.proposed_by:
        raise RuleViolation(f"{who!r} proposed indicator {iid} and may not approve it")
    if who in permit.data_users or who == permit.applicant:
        raise RuleViolation(f"steward {who!r} uses or applied for permit {permit.application_id}")
    if who in indicator.approvals:
        raise RuleViolation(f"steward {who!r} has already approved {iid}")
    if indicator.state is not IndicatorState.PROPOSED:
        raise RuleViolation(f"indicator {iid} is {indicator.state}, not proposed")


def can_approve(user: User, indicator: Indicator, permit: Application) -> bool:
    return passes(lambda: check_can_approve(user, indicator, permit))


def get(store: Store, indicator_id: str) -> Indicator:
    found = store.find_indicator(indicator_id)
    if found is None:
        raise NotFound(f"no indicator {indicator_id!r}")
    return found


def approve(store: Store, actor: User, indicator_id: str, now: datetime | None = None) -> Indicator:
    """One steward's approval; the second distinct one moves the indicator to ``approved``."""
    at = (now or datetime.now(UTC)).astimezone(UTC)
    indicator = get(store, indicator_id)
    check_can_approve(actor, indicator, store.get_application(indicator.permit_id))
    approvals = (*indicator.approvals, actor.username)
    if len(approvals) < APPROVALS_NEEDED:
        changed = replace(indicator, approvals=approvals)
        store.update_indicator(changed)
        _audit(store, actor.username, APPROVAL_EVENT, changed, at, approvals=len(approvals))
        return changed
    step = LIFECYCLE.transition(indicator.state, IndicatorState.APPROVED)
    changed = replace(indicator, approvals=approvals, state=IndicatorState.APPROVED, approved_at=at)
    store.update_indicator(changed)
    _audit(store, actor.username, step.event, changed, at, approvals=len(approvals))
    return changed


def retire(store: Store, actor: User, indicator_id: str, now: datetime | None = None) -> Indicator:
    """A steward retires an indicator: it runs no more; its releases stay in the registry."""
    at = (now or datetime.now(UTC)).astimezone(UTC)
    indicator = get(store, indicator_id)
    if Role.STEWARD not in actor.roles:
        raise NotAuthorised(f"user {actor.username!r} may not retire indicators: needs role steward")
    step = LIFECYCLE.transition(indicator.state, IndicatorState.RETIRED)
    changed = replace(indicator, state=IndicatorState.RETIRED, retired_at=at)
    store.update_indicator(changed)
    _audit(store, actor.username, step.event, changed, at)
    return changed


def runnable(store: Store, now: datetime | None = None) -> list[Indicator]:
    """Every approved indicator of a permit in force, oldest first."""
    at = (now or datetime.now(UTC)).astimezone(UTC)
    out = []
    for indicator in store.list_indicators():
        if indicator.state is not IndicatorState.APPROVED:
            continue
        permit = store.get_application(indicator.permit_id)
        if permit.state in IN_FORCE and permit.expires_at is not None and at < permit.expires_at:
            out.append(indicator)
    return out


def last_run(store: Store, indicator_id: str) -> Run | None:
    runs = store.indicator_runs(indicator_id)
    return runs[-1] if runs else None


def _request(
    indicator: Indicator, result: CheckedResult, versions: Mapping[str, int], state: OutputState, at: datetime
) -> OutputRequest:
    plain = plain_result(result)
    day = f"{at:%Y-%m-%d}"
    shows = (
        f"standing indicator {indicator.indicator_id}, released automatically on {day}: "
        f"{indicator.description.en}"
        if state is OutputState.RELEASED
        else f"standing indicator {indicator.indicator_id}, run on {day}, held for review: "
        f"{indicator.description.en}"
    )
    needed = f"standing indicator approved by {' and '.join(indicator.approvals)}"
    return OutputRequest(
        request_id=new_reference("out", at),
        permit_id=indicator.permit_id,
        author=SYSTEM,
        sql=indicator.sql,
        sql_sha256=indicator.sql_sha256,
        result=plain,
        versions=dict(versions),
        verdict=plain.verdict,
        state=state,
        created_at=at,
        decided_at=at if state is OutputState.RELEASED else None,
        context=OutputContext(shows, needed),
    )


def _versions(versions: Mapping[str, int]) -> list[str]:
    return [f"{table}@{version}" for table, version in sorted(versions.items())]


# Long on purpose: the three outcomes of a run, each written and audited in one place.
def record_run(
    store: Store,
    indicator: Indicator,
    *,
    result: CheckedResult | None,
    versions: Mapping[str, int],
    silver: Mapping[str, Mapping[str, int]],
    failing: Sequence[str],
    disclosure: Mapping[str, Any],
    at: datetime,
) -> Run:
    """Record one run: released when every cell passed (``failing`` empty), held in the
    airlock queue when a rule failed, failed when there is no result (``failing`` names why).

    ``failing`` lists the rules that failed, a rule once per cell (groups left out for too
    few persons count as ``threshold``). ``disclosure`` is the terms the run applied.
    """
    request: OutputRequest | None = None
    if result is None:
        outcome = Outcome.FAILED
    elif failing:
        outcome = Outcome.HELD
        request = _request(indicator, result, versions, OutputState.SUBMITTED, at)
        store.add_output_request(request)
        trail.append(
            store,
            actor=SYSTEM,
            action=REQUESTED_EVENT,
            object_type="output",
            object_id=request.request_id,
            at=at,
            details={
                "permit": indicator.permit_id,
                "indicator": indicator.indicator_id,
                "verdict": request.verdict,
                "sql_sha256": request.sql_sha256,
                "versions": _versions(versions),
                "rows": len(request.result.rows),
                "suppressed": len(failing),
            },
        )
    else:
        outcome = Outcome.RELEASED
        request = _request(indicator, result, versions, OutputState.RELEASED, at)
        store.add_output_request(request)
        registry.record_release(store, request, disclosure=disclosure, at=at, reviewers=indicator.approvals)
    rules = tuple(sorted(set(failing)))
    run = Run(
        run_id=new_reference("run", at),
        indicator_id=indicator.indicator_id,
        at=at,
        versions=dict(versions),
        silver={table: dict(found) for table, found in silver.items()},
        outcome=outcome,
        request_id=None if request is None else request.request_id,
        rule=rules[0] if rules else None,
        suppressed=len(failing) if result is not None else 0,
        rules=rules,
    )
    store.add_indicator_run(run)
    _audit(
        store,
        SYSTEM,
        RUN_EVENT,
        indicator,
        at,
        outcome=outcome.value,
        request=run.request_id,
        versions=_versions(versions),
        rules=list(rules),
        suppressed=run.suppressed,
        rows=0 if request is None else len(request.result.rows),
    )
    return run


def released_version(store: Store, run: Run) -> ReleasedAggregate | None:
    """The released aggregate a run filed, if it is released (automatically or by review)."""
    return None if run.request_id is None else store.find_released_aggregate(run.request_id)


def status(store: Store, indicator_id: str) -> Status:
    """The indicator, its latest released version (automatic, or a held one two stewards
    released since) and its latest run."""
    indicator = get(store, indicator_id)
    runs = store.indicator_runs(indicator_id)
    latest = None
    newer: list[Run] = []  # the runs after the latest release, newest first
    for run in reversed(runs):
        latest = released_version(store, run)
        if latest is not None:
            break
        newer.append(run)
    held = any(
        run.outcome is Outcome.HELD
        and run.request_id is not None
        and store.get_output_request(run.request_id).state in REVIEWABLE
        for run in newer
    )
    return Status(indicator, latest, runs[-1] if runs else None, held)


def is_reference(reference: str) -> bool:
    """Whether a dashboard's reference names an indicator (else a released aggregate)."""
    return reference.startswith("ind-")


def terms_of_request(store: Store, request_id: str) -> Terms | None:
    """The terms of the indicator whose run filed ``request_id``; None for an ad-hoc request."""
    run = store.find_indicator_run_by_request(request_id)
    return None if run is None else get(store, run.indicator_id).terms


if __name__ == "__main__":  # python -m catalog.dashboards.indicators: the diagram for README.md
    print(LIFECYCLE.mermaid_diagram(), end="")
