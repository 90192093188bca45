"""Standing indicators run in the SPE after every permit build (``haven_publish``'s last task).

Each approved indicator of a permit in force (``catalog.dashboards.indicators``) runs in a
sandbox session over the permit's tables at the versions its newest build published, under
the indicator's terms: the permit's disclosure control made stricter by the indicator's
``min_persons`` and ``rounding_base`` (rounding applies to the released counts). Every cell
must pass: a suppressed cell, or a group left out of the result for having fewer persons
than the threshold, holds the whole version for review in the airlock queue.

Differencing: an indicator's version is checked against the other cells of its own result,
not against the permit's earlier releases (its own earlier versions among them, which a new
delivery changes by a few persons and would hold every time); its stricter threshold and
rounding are what protect it across versions, as in OpenSAFELY Interactive. What it released
is added to the permit's release history all the same, so later ad-hoc queries of the
permit are checked against it.

An indicator whose permit tables were not rebuilt since its last run is not run again
(``unchanged``); errors in one indicator are recorded as a failed run and never stop the
others. Every run is audited (``indicator.run``) with the SQL's SHA-256, never its text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from deltalake import DeltaTable
from deltalake.exceptions import DeltaError

from catalog.airlock.domain import CheckedResult
from catalog.dashboards import indicators
from catalog.dashboards.indicators import Indicator, Outcome
from catalog.db.gateway import unit_of_work
from catalog.permits.domain import PermitBuild
from catalog.permits.grants import Permit
from catalog.permits.queries import get_permit
from common.layout import LakeLayout
from common.logging import get_logger, safe
from common.settings import Settings, get_settings
from spe.differencing import ReleaseHistory
from spe.differencing_history import ReleaseLog, history_path
from spe.disclosure import DisclosureSettings, Rule
from spe.errors import QueryRefused, SPEError
from spe.service import built_versions, disclosure_of, limits_of
from spe.session import SandboxSession

log = get_logger(__name__)

__all__ = ["run_indicator", "run_indicators", "terms_in_force"]


def terms_in_force(settings: Settings, permit: Permit, terms: indicators.Terms) -> DisclosureSettings:
    """The disclosure control of an indicator: its permit's, made stricter by its own terms."""
    return disclosure_of(settings, permit).strictest(terms.overrides())


def _silver(builds: Sequence[PermitBuild], versions: Mapping[str, int]) -> dict[str, dict[str, int]]:
    """Per permit table read, the silver versions the build that wrote that version read."""
    out: dict[str, dict[str, int]] = {}
    for table, version in sorted(versions.items()):
        built = [
            b
            for b in builds
            if b.outcome == "published" and b.dataset == table and b.output_version == version
        ]
        out[table] = dict(built[-1].source_versions) if built else {}
    return out


def _session(
    settings: Settings,
    permit_id: str,
    sql: str,
    tables: Mapping[str, Path],
    pinned: dict[str, int],
    terms: DisclosureSettings,
) -> tuple[CheckedResult | None, dict[str, int], list[str]]:
    """One sandbox session: the controlled result (None when refused), versions read, failing rules."""
    with SandboxSession(tables, pinned, terms, limits_of(settings)) as session:
        read = session.versions
        try:
            evaluated = session.evaluate(sql)
        except QueryRefused as exc:
            return None, read, [exc.rule or "refused"]
        own = ReleaseHistory(terms.min_persons)  # its own result's cells only (module docstring)
        result = session.disclose(evaluated, own)
        if result.status != "ok":
            return None, read, [result.rule or "refused"]
        with ReleaseLog(history_path(settings, permit_id)) as history:
            history.save(own)
    small = sum(1 for g in evaluated.companion.values() if len(g.persons) < terms.min_persons)
    left_out = small if evaluated.shape.n_keys else 0  # an overall row stays, suppressed instead
    failing = [str(s["rule"]) for s in result.suppressed] + [Rule.THRESHOLD.value] * left_out
    checked = CheckedResult(
        tuple(result.columns), tuple(tuple(r) for r in result.rows), tuple(result.suppressed)
    )
    return checked, read, failing


def _unchanged(read: Mapping[str, int], tables: Mapping[str, Path], pinned: Mapping[str, int]) -> bool:
    """Whether every table a run read is still at the version it read (the newest build's,
    else the table's newest version), so running again would read the same data."""
    if not read or not set(read) <= set(tables):
        return False
    try:
        now = {
            name: pinned[name] if name in pinned else DeltaTable(str(tables[name])).version() for name in read
        }
    except (DeltaError, OSError):
        return False
    return now == dict(read)


def run_indicator(
    settings: Settings, indicator_id: str, now: datetime | None = None, *, again: bool = False
) -> dict[str, Any]:
    """Run one indicator and record its outcome; ``unchanged`` (nothing recorded) when its
    permit's tables are at the versions its last run read, unless ``again``."""
    at = (now or datetime.now(UTC)).astimezone(UTC)
    with unit_of_work(settings) as store:
        indicator = indicators.get(store, indicator_id)
        permit = get_permit(store, indicator.permit_id)
        builds = store.permit_builds(indicator.permit_id)
        previous = indicators.last_run(store, indicator_id)
    tables = LakeLayout(settings.lake).permit_tables(indicator.permit_id)
    pinned = built_versions(builds, tables)
    if previous is not None and not again and _unchanged(previous.versions, tables, pinned):
        return {"outcome": "unchanged", "versions": previous.versions}
    terms = terms_in_force(settings, permit, indicator.terms)
    result: CheckedResult | None = None
    read: dict[str, int] = {}
    failing = ["not_published"]
    if tables:
        try:
            result, read, failing = _session(
                settings, indicator.permit_id, indicator.sql, tables, pinned, terms
            )
        except (SPEError, DeltaError, OSError):
            result, read, failing = None, pinned, ["unavailable"]
    with unit_of_work(settings) as store:
        run = indicators.record_run(
            store,
            indicator,
            result=result,
            versions=read,
            silver=_silver(builds, read),
            failing=failing,
            disclosure=asdict(terms),
            at=at,
        )
    return {
        "outcome": run.outcome.value,
        "request": run.request_id,
        "rules": list(run.rules),
        "suppressed": run.suppressed,
        "versions": run.versions,
    }


def _record_error(settings: Settings, indicator: Indicator, at: datetime) -> None:
    with unit_of_work(settings) as store:
        indicators.record_run(
            store, indicator, result=None, versions={}, silver={}, failing=["error"], disclosure={}, at=at
        )


def run_indicators(
    settings: Settings | None = None, now: datetime | None = None
) -> dict[str, dict[str, Any]]:
    """Run every approved indicator of every permit in force; by indicator id, its outcome.

    An error in one indicator is recorded as a failed run (rule ``error``) and the others run.
    """
    settings = settings or get_settings()
    at = (now or datetime.now(UTC)).astimezone(UTC)
    with unit_of_work(settings) as store:
        due = indicators.runnable(store, at)
    outcomes: dict[str, dict[str, Any]] = {}
    for indicator in due:
        try:
            outcomes[indicator.indicator_id] = run_indicator(settings, indicator.indicator_id, at)
        except Exception as exc:  # one indicator's failure never stops the others
            log.warning(
                "indicator.error", indicator=safe(indicator.indicator_id), error=safe(type(exc).__name__)
            )
            try:
                _record_error(settings, indicator, at)
            except Exception as again:  # the catalogue itself failing: the others still run
                log.warning(
                    "indicator.unrecorded",
                    indicator=safe(indicator.indicator_id),
                    error=safe(type(again).__name__),
                )
            outcomes[indicator.indicator_id] = {"outcome": Outcome.FAILED.value, "rules": ["error"]}
    return outcomes
