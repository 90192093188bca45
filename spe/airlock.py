"""The SPE's side of the airlock: filing a release request and the check before release.

A request holds only what the session released (columns, rows and the suppression list
after disclosure control), never the query's raw rows; ``catalog.airlock.releases`` keeps it,
runs the two-steward review and lets only released outputs be downloaded. Before the second
approval releases it, disclosure control runs again here (``release_check``), over the Delta
versions the request read, with the thresholds in force and the permit's release history as
it stands: what every session of the permit released since the request was filed included.
The CLI and the portal both call these functions, so both file and review the same way.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from deltalake.exceptions import DeltaError

from catalog.airlock import releases
from catalog.airlock.domain import (
    CheckedResult,
    CheckStatus,
    OutputContext,
    OutputRequest,
    OutputState,
    ReleaseCheck,
    RequestView,
)
from catalog.airlock.policies import check_context
from catalog.dashboards import indicators, registry
from catalog.dashboards.indicators import Terms
from catalog.db.gateway import unit_of_work
from catalog.permits.grants import Permit
from catalog.permits.queries import get_permit
from common.layout import LakeLayout
from common.settings import Settings, get_settings
from spe.differencing import ReleaseHistory
from spe.differencing_history import ReleaseLog, history_path
from spe.errors import SPEError
from spe.service import PermitQuery, disclosure_of, run_permit_query
from spe.session import SandboxSession

# One filing per submission key at a time in this process: a double click waits for the
# first filing and then finds it (the catalogue's unique key guards across processes).
_FILING_GUARD = threading.Lock()
_FILING: dict[str, threading.Lock] = {}


@dataclass(frozen=True)
class Filed:
    """The audited query and, when it was answered, the request filed with its verdict.

    ``query`` is None when the submission key had filed a request already (nothing ran again).
    """

    query: PermitQuery | None
    request: OutputRequest | None

    @property
    def again(self) -> bool:
        """The submission had been filed before: this is that request, not a new one."""
        return self.query is None and self.request is not None


@contextmanager
def _one_filing(submission_key: str | None) -> Iterator[None]:
    if submission_key is None:
        yield
        return
    with _FILING_GUARD:
        lock = _FILING.setdefault(submission_key, threading.Lock())
    try:
        with lock:
            yield
    finally:
        with _FILING_GUARD:
            _FILING.pop(submission_key, None)


def request_output(
    permit_id: str,
    user: str,
    sql: str,
    context: OutputContext,
    settings: Settings | None = None,
    *,
    submission_key: str | None = None,
    at: datetime | None = None,
) -> Filed:
    """Run ``sql`` in the SPE for ``user`` and file the controlled result for release.

    The context is checked before the query runs (``RuleViolation`` names the fields). A
    refused query files nothing (there is no checked result to release). A
    ``submission_key`` the user already filed with returns that request without running
    anything again.
    """
    settings = settings or get_settings()
    check_context(context.shows, context.needed_for)
    with _one_filing(submission_key):
        if submission_key is not None:
            with unit_of_work(settings) as store:
                earlier = releases.filed_with(store, store.get_user(user), submission_key)
            if earlier is not None:
                return Filed(None, earlier)
        ran = run_permit_query(permit_id, user, sql, settings, at)
        if ran.result.status != "ok":
            return Filed(ran, None)
        checked = CheckedResult(
            columns=tuple(ran.result.columns),
            rows=tuple(tuple(row) for row in ran.result.rows),
            suppressed=tuple(ran.result.suppressed),
        )
        with unit_of_work(settings) as store:
            request = releases.request_release(
                store,
                store.get_user(user),
                permit_id=permit_id,
                sql=sql,
                result=checked,
                versions=ran.versions,
                context=context,
                submission_key=submission_key,
                now=at,
            )
    return Filed(ran, request)


def _cells(result: CheckedResult) -> set[tuple[int, str]]:
    return {(int(s["row"]), str(s["column"])) for s in result.suppressed}


def release_check(
    settings: Settings, permit: Permit, request: OutputRequest, at: datetime, terms: Terms | None = None
) -> ReleaseCheck:
    """Disclosure control run again on ``request``'s SQL at the Delta versions it read.

    It passes only when it gives exactly the table the request holds. It releases nothing
    itself (the history is read, not written) and fails closed: data versions that are gone,
    a permit without tables or a refused query make it ``unavailable``. A standing
    indicator's held version (``terms``) is checked as its run was: under the indicator's
    terms, against its own cells only (``spe.indicators``).
    """
    tables = LakeLayout(settings.lake).permit_tables(permit.permit_id)
    if not request.versions or not set(request.versions) <= set(tables):
        return ReleaseCheck(CheckStatus.UNAVAILABLE, 0, at)
    disclosure = disclosure_of(settings, permit)
    if terms is not None:
        disclosure = disclosure.strictest(terms.overrides())
    try:
        with ReleaseLog(history_path(settings, permit.permit_id)) as log:
            history = (
                log.history(disclosure.min_persons)
                if terms is None
                else ReleaseHistory(disclosure.min_persons)
            )
            read = {name: tables[name] for name in request.versions}
            with SandboxSession(read, request.versions, disclosure, history=history) as session:
                result = session.run(request.sql)
    except (SPEError, DeltaError, OSError):
        return ReleaseCheck(CheckStatus.UNAVAILABLE, 0, at)
    if result.status != "ok":
        return ReleaseCheck(CheckStatus.UNAVAILABLE, 0, at)
    again = releases.plain_result(
        CheckedResult(tuple(result.columns), tuple(tuple(r) for r in result.rows), tuple(result.suppressed))
    )
    if again == request.result:
        return ReleaseCheck(CheckStatus.PASSED, 0, at)
    return ReleaseCheck(CheckStatus.CHANGED, len(_cells(again) - _cells(request.result)), at)


def review_output(
    request_id: str,
    reviewer: str,
    *,
    approve: bool,
    reason: str,
    settings: Settings | None = None,
    at: datetime | None = None,
) -> RequestView:
    """A steward's vote (``catalog.airlock.releases.review``); when it would release the
    output, disclosure control runs again first (``release_check``). A released output's
    table enters the registry of released aggregates in the same transaction
    (``catalog.dashboards.registry``), with the disclosure control that checked it."""
    settings = settings or get_settings()
    at = (at or datetime.now(UTC)).astimezone(UTC)
    with unit_of_work(settings) as store:
        permit = get_permit(store, store.get_output_request(request_id).permit_id)
        terms = indicators.terms_of_request(store, request_id)  # a standing indicator's held version

    def recheck(request: OutputRequest, when: datetime) -> ReleaseCheck:
        return release_check(settings, permit, request, when, terms)

    with unit_of_work(settings) as store:
        decided = releases.review(
            store,
            store.get_user(reviewer),
            request_id,
            approve=approve,
            reason=reason,
            recheck=recheck,
            now=at,
        )
        if decided.request.state is OutputState.RELEASED:
            applied = disclosure_of(settings, permit)
            if terms is not None:
                applied = applied.strictest(terms.overrides())
            disclosure = asdict(applied)
            registry.record_release(store, decided.request, disclosure=disclosure, at=at)
        return decided
