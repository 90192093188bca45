"""Filing an output release request from the SPE: the result goes through disclosure control first.

The request holds only what the session released (columns, rows and the suppression list
after disclosure control), never the query's raw rows; ``catalog.airlock.releases`` keeps it, runs
the two-steward review and lets only released outputs be downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.airlock import releases
from catalog.airlock.domain import CheckedResult, OutputRequest
from catalog.db.gateway import unit_of_work
from common.settings import Settings
from spe.service import PermitQuery, run_permit_query


@dataclass(frozen=True)
class Filed:
    """The audited query and, when it was answered, the request filed with its verdict."""

    query: PermitQuery
    request: OutputRequest | None


def request_output(permit_id: str, user: str, sql: str, settings: Settings | None = None) -> Filed:
    """Run ``sql`` in the SPE for ``user`` and file the controlled result for release.

    A refused query files nothing (there is no checked result to release).
    """
    ran = run_permit_query(permit_id, user, sql, settings)
    if ran.result.status != "ok":
        return Filed(ran, None)
    checked = CheckedResult(
        columns=tuple(ran.result.columns),
        rows=tuple(tuple(row) for row in ran.result.rows),
        suppressed=tuple(ran.result.suppressed),
    )
    with unit_of_work(settings) as store:
        request = releases.request_release(
            store, store.get_user(user), permit_id=permit_id, sql=sql, result=checked, versions=ran.versions
        )
    return Filed(ran, request)
