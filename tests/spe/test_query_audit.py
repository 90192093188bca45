"""Every SPE query is audited, answered, refused or denied: actor, permit, status, rule or
suppressions, Delta versions, and a hash of the SQL; never the SQL text or a value."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from catalog.db.engine import Catalog
from catalog.db.store import SqlStore
from catalog.demo import DEMO_PERMIT_ID, RESEARCHER
from catalog.errors import PermitDenied, UnknownPermit
from catalog.permits.domain import PermitBuild
from catalog.permits.terms import Disclosure
from common.layout import LakeLayout
from common.settings import Settings
from spe.differencing_history import history_path
from spe.errors import NotPublished
from spe.service import QUERY_EVENT, run_permit_query
from tests.catalog.fixtures import catalog_url, demo_catalog, settings  # noqa: F401 (fixtures
from tests.spe.factories import persons, write_rows

# Every test here works on the demonstration (demo users, the lake's datasets described, the demo permit).
pytestmark = pytest.mark.usefixtures("demo")

OK = "SELECT kind, count(DISTINCT person_id) AS n FROM claims WHERE kind <> 'LAB' GROUP BY kind ORDER BY kind"
SMALL = "SELECT count(DISTINCT person_id) AS n FROM claims WHERE kind = 'LAB'"
ROW_LEVEL = "SELECT person_id, amount FROM claims"
SMUGGLED = "SELECT count(*) FROM claims; SELECT 42"
FILE_READ = "SELECT count(*) FROM read_csv('/etc/passwd')"


def _publish(settings: Settings) -> None:  # noqa: F811
    table = LakeLayout(settings.lake).permit_table(DEMO_PERMIT_ID, "claims")
    write_rows(table, persons("GP", 14) + persons("SPEC", 11, start=100) + persons("LAB", 3, start=200))
    write_rows(table, persons("GP", 2, start=300), mode="append")  # version 1


def _entries(catalog: Catalog) -> list:  # type: ignore[type-arg]
    with catalog.session() as session:
        return [e for e in SqlStore(session).audit_entries() if e.action == QUERY_EVENT]


def _digest(sql: str) -> str:
    return hashlib.sha256(sql.encode()).hexdigest()


def test_answers_and_refusals_are_audited_alike_without_sql_or_values(
    demo_catalog: Catalog,  # noqa: F811
    settings: Settings,  # noqa: F811
) -> None:
    _publish(settings)
    outcomes = [
        run_permit_query(DEMO_PERMIT_ID, RESEARCHER, sql, settings)
        for sql in (OK, SMALL, ROW_LEVEL, SMUGGLED, FILE_READ)
    ]
    assert [o.result.status for o in outcomes] == ["ok", "ok", "refused", "refused", "refused"]
    assert outcomes[0].versions == {"claims": 1}
    entries = _entries(demo_catalog)
    assert [(e.actor, e.object_type, e.object_id) for e in entries] == [
        (RESEARCHER, "permit", DEMO_PERMIT_ID)
    ] * 5
    assert [e.details for e in entries] == [
        {
            "status": "ok",
            "sql_sha256": _digest(OK),
            "suppressed": 0,
            "rows": 2,
            "rules": [],
            "versions": ["claims@1"],
        },
        {
            "status": "ok",
            "sql_sha256": _digest(SMALL),
            "suppressed": 1,
            "rows": 1,
            "rules": ["threshold"],
            "versions": ["claims@1"],
        },
        {"status": "refused", "sql_sha256": _digest(ROW_LEVEL), "rule": "shape", "versions": ["claims@1"]},
        {"status": "refused", "sql_sha256": _digest(SMUGGLED), "rule": "statement", "versions": ["claims@1"]},
        {
            "status": "refused",
            "sql_sha256": entries[4].details["sql_sha256"],
            "rule": entries[4].details["rule"],
            "versions": ["claims@1"],
        },
    ]
    assert entries[4].details["rule"] in {"shape", "sql_error"}
    written = json.dumps(
        [
            (e.actor, e.action, e.object_id, {k: v for k, v in e.details.items() if k != "sql_sha256"})
            for e in entries
        ]
    )
    for fragment in ("SELECT", "DISTINCT", "person_id", "passwd", "GP", "SPEC", "LAB", "p1", "42"):
        assert fragment not in written


def test_denials_are_audited_too(demo_catalog: Catalog, settings: Settings) -> None:  # noqa: F811
    _publish(settings)
    with pytest.raises(PermitDenied, match="not a named data user"):
        run_permit_query(DEMO_PERMIT_ID, "analyst@demo", OK, settings)
    with pytest.raises(UnknownPermit):
        run_permit_query("no-such-permit", RESEARCHER, OK, settings)
    with pytest.raises(UnknownPermit):
        run_permit_query("Robert'); DROP TABLE", RESEARCHER, OK, settings)
    assert [(e.actor, e.object_id, e.details) for e in _entries(demo_catalog)] == [
        ("analyst@demo", DEMO_PERMIT_ID, {"status": "denied", "sql_sha256": _digest(OK), "rule": "permit"}),
        (
            RESEARCHER,
            "no-such-permit",
            {"status": "denied", "sql_sha256": _digest(OK), "rule": "unknown_permit"},
        ),
        (RESEARCHER, "invalid-id", {"status": "denied", "sql_sha256": _digest(OK), "rule": "unknown_permit"}),
    ]


def test_a_permit_without_published_datasets_is_refused_and_audited(
    demo_catalog: Catalog,  # noqa: F811
    settings: Settings,  # noqa: F811
) -> None:
    with pytest.raises(NotPublished, match="no published datasets"):
        run_permit_query(DEMO_PERMIT_ID, RESEARCHER, OK, settings)
    assert [e.details for e in _entries(demo_catalog)] == [
        {"status": "refused", "sql_sha256": _digest(OK), "rule": "not_published"}
    ]


def test_a_session_reads_the_version_the_permits_build_recorded(
    demo_catalog: Catalog,  # noqa: F811
    settings: Settings,  # noqa: F811
) -> None:
    _publish(settings)  # versions 0 and 1 of the table exist
    with demo_catalog.session() as session:
        SqlStore(session).add_permit_build(
            PermitBuild(
                permit_id=DEMO_PERMIT_ID,
                outcome="published",
                at=datetime(2026, 2, 1, tzinfo=UTC),
                dataset="claims",
                source_versions={"claims": 3},
                output_version=0,
                rows=28,
            )
        )
    pinned = run_permit_query(DEMO_PERMIT_ID, RESEARCHER, OK, settings)
    assert pinned.versions == {"claims": 0}
    assert _entries(demo_catalog)[-1].details["versions"] == ["claims@0"]
    with demo_catalog.session() as session:  # after a removal, nothing recorded pins a version
        SqlStore(session).add_permit_build(
            PermitBuild(permit_id=DEMO_PERMIT_ID, outcome="removed", at=datetime(2026, 3, 1, tzinfo=UTC))
        )
    assert run_permit_query(DEMO_PERMIT_ID, RESEARCHER, OK, settings).versions == {"claims": 1}


def test_differencing_spans_separate_calls_of_a_permit(demo_catalog: Catalog, settings: Settings) -> None:  # noqa: F811
    _publish(settings)  # 16 GP persons, p0..p13 and p300, p301
    everyone = "SELECT count(DISTINCT person_id) AS n FROM claims WHERE kind = 'GP'"
    all_but_one = everyone + " AND person_id <> 'p0'"
    first = run_permit_query(DEMO_PERMIT_ID, RESEARCHER, everyone, settings).result
    assert (first.rows, first.suppressed) == ([[16]], [])
    # A new call, a new session: the second count would give p0's presence by difference.
    second = run_permit_query(DEMO_PERMIT_ID, RESEARCHER, all_but_one, settings).result
    assert (second.rows, second.suppressed) == ([[None]], [{"row": 0, "column": "n", "rule": "differencing"}])
    again = run_permit_query(DEMO_PERMIT_ID, RESEARCHER, everyone, settings).result
    assert again.rows == [[16]]  # the same release again discloses nothing new
    total = "SELECT sum(amount) AS total FROM claims WHERE kind = 'GP'"
    assert run_permit_query(DEMO_PERMIT_ID, RESEARCHER, total, settings).result.rows == [[160.0]]
    log = history_path(settings, DEMO_PERMIT_ID)
    assert oct(log.stat().st_mode & 0o777) == "0o600"
    content = log.read_bytes()
    for fragment in (b"p0", b"p13", b"p301", b"GP", b"SELECT", b"amount", b"sum"):
        assert fragment not in content


def test_a_permits_own_stricter_terms_apply_to_its_queries(demo_catalog: Catalog, settings: Settings) -> None:  # noqa: F811
    _publish(settings)  # 16 GP persons
    with demo_catalog.session() as session:
        store = SqlStore(session)
        store.update_application(
            replace(store.get_application(DEMO_PERMIT_ID), disclosure=Disclosure(min_persons=20))
        )
    gp = "SELECT count(DISTINCT person_id) AS n FROM claims WHERE kind = 'GP'"
    result = run_permit_query(DEMO_PERMIT_ID, RESEARCHER, gp, settings).result
    assert (result.rows, result.suppressed) == ([[None]], [{"row": 0, "column": "n", "rule": "threshold"}])
