"""Resource limits hold under load: 20 concurrent sessions send hostile, heavy and ordinary
queries to the real SPE service. The service stays up, every heavy query ends refused by its
own time or memory limit (named), every hostile one by its rule, the ordinary ones answer
correctly throughout, and every request leaves its audit entry.

No timing is asserted: the limits are the service's own (set small here through settings).
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from catalog.audit import trail
from catalog.db.gateway import unit_of_work
from catalog.demo import DEMO_PERMIT_ID, RESEARCHER
from common.layout import LakeLayout
from common.settings import get_settings, reset_settings
from spe.answers import PermitQuery
from spe.client import query_service
from spe.service import QUERY_EVENT
from tests.spe.factories import persons, write_rows
from tests.spe.service_process import start_service

pytestmark = pytest.mark.usefixtures("demo")

SESSIONS = 20
REQUESTS_PER_SESSION = 3

BY_KIND = (
    "SELECT kind, count(DISTINCT person_id) AS n, sum(amount) AS total "
    "FROM claims GROUP BY kind ORDER BY kind"
)
ORDINARY = {
    BY_KIND: [["GP", 40, 400.0], ["LAB", 25, 125.0], ["SPEC", 30, 600.0]],
    "SELECT count(DISTINCT person_id) AS n FROM claims": [[95]],
}
# On ``events``, where one person has 2,000 rows: self-joins on the person multiply them.
HEAVY = [
    "SELECT count(*) AS n FROM events a JOIN events b USING (person_id) "
    "JOIN events c USING (person_id) JOIN events d USING (person_id)",
    "SELECT a.kind, count(DISTINCT a.amount + b.amount * 2000 + c.amount * 4000000) AS n "
    "FROM events a JOIN events b USING (person_id) JOIN events c USING (person_id) GROUP BY a.kind",
    "SELECT a.amount + b.amount * 2000 + c.amount * 4000000 AS g, count(*) AS n "
    "FROM events a JOIN events b USING (person_id) JOIN events c USING (person_id) GROUP BY g",
]
HOSTILE = {
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r": "shape",
    "SELECT count(*) FROM claims a, claims b, claims c, events d": "shape",
    "SELECT count(*) FROM read_csv('/etc/passwd')": "shape",
    "SELECT count(*) FROM claims; SELECT 42": "statement",
    "SELECT person_id, amount FROM claims": "shape",
    "SELECT kind, sum(length(repeat(kind, 500000000))) AS n FROM claims GROUP BY kind": "shape",
}


def _publish(home_lake: Path) -> None:
    layout = LakeLayout(home_lake)
    write_rows(
        layout.permit_table(DEMO_PERMIT_ID, "claims"),
        persons("GP", 40)
        + persons("SPEC", 30, start=100, amount=20.0)
        + persons("LAB", 25, start=200, amount=5.0),
    )
    bomb = [("bomb", "GP", float(i), False) for i in range(2000)]
    write_rows(layout.permit_table(DEMO_PERMIT_ID, "events"), persons("GP", 60, prefix="e") + bomb)


def _plan(session: int) -> list[str]:
    """Session ``session``'s queries: a third heavy, a quarter hostile, the rest ordinary."""
    ordinary, hostile = list(ORDINARY), list(HOSTILE)
    if session % 3 == 0:
        return [HEAVY[session % len(HEAVY)], ordinary[session % 2], HEAVY[(session + 1) % len(HEAVY)]]
    if session % 4 == 1:
        return [hostile[session % len(hostile)], ordinary[0], hostile[(session + 2) % len(hostile)]]
    return [ordinary[(session + i) % 2] for i in range(REQUESTS_PER_SESSION)]


def test_twenty_sessions_of_hostile_heavy_and_ordinary_queries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HAVEN_SPE_TIME_LIMIT_SECONDS", "4")
    monkeypatch.setenv("HAVEN_SPE_MEMORY_LIMIT", "100MB")
    monkeypatch.setenv("HAVEN_SPE_SERVICE_SESSIONS", "4")
    reset_settings()
    settings = get_settings()
    _publish(settings.lake)
    service = start_service(settings, tmp_path / "spe-service.log")
    try:

        def session(number: int) -> list[tuple[str, PermitQuery]]:
            return [(sql, query_service(DEMO_PERMIT_ID, RESEARCHER, sql, settings)) for sql in _plan(number)]

        with ThreadPoolExecutor(max_workers=SESSIONS) as pool:
            outcomes = [pair for found in pool.map(session, range(SESSIONS)) for pair in found]
        health = service.health()
    finally:
        code = service.stop()
    assert code == 0, service.log.read_text()

    assert len(outcomes) == SESSIONS * REQUESTS_PER_SESSION
    kinds: Counter[str] = Counter()
    for sql, ran in outcomes:
        result = ran.result
        if sql in ORDINARY:
            kinds["ordinary"] += 1
            assert (result.status, result.rows, result.suppressed) == ("ok", ORDINARY[sql], []), sql
        elif sql in HOSTILE:
            kinds["hostile"] += 1
            assert (result.status, result.rule) == ("refused", HOSTILE[sql]), sql
        else:
            kinds[f"heavy {result.rule}"] += 1
            assert result.status == "refused", sql
            assert (result.rule, result.reason) in {
                ("time_limit", "the query exceeded the time limit"),
                ("memory_limit", "the query exceeded the memory limit"),
            }, sql
    assert kinds["ordinary"] > kinds["hostile"] > 0
    # Which limit stops a heavy query first depends on the machine's load; one of them does.
    assert kinds["heavy time_limit"] + kinds["heavy memory_limit"] == 2 * len(range(0, SESSIONS, 3))
    # The service answered every request and is still the same process.
    assert health["served"] == len(outcomes)
    assert health["active"] == 0
    # Every request left one audit entry, with its status and rule, and the chain holds.
    with unit_of_work(settings) as store:
        entries = [e for e in store.audit_entries() if e.action == QUERY_EVENT]
        verified = trail.verify(store)
    assert verified.problem is None
    expected = Counter(
        (ran.result.status, ran.result.rule if ran.result.status == "refused" else None)
        for _, ran in outcomes
    )
    assert Counter((e.details["status"], e.details.get("rule")) for e in entries) == expected
    assert {e.actor for e in entries} == {RESEARCHER}
