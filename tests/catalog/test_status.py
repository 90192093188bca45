"""`haven status` on SQLite and PostgreSQL: a new instance has run nothing; pending work,
permits and opt-outs are counted from the catalogue; a broken audit chain shows; no password.
(tests/e2e/test_demo_path.py checks the runs, silver tables and lake size after real runs.)"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime

from sqlalchemy import text, update
from sqlalchemy.engine import make_url

from catalog.audit import trail
from catalog.db.engine import Catalog
from catalog.db.models import AuditRow
from catalog.db.outputs import SqlOutputStore
from catalog.optout import registry
from catalog.optout.vocabulary import OptOutSource
from common.layout import LAKE_SOURCES
from common.settings import get_settings
from jobs.status import DAGS, DagRun, SilverTable, instance_status
from tests.catalog.factories import submit
from tests.catalog.output_factories import airlock_world, file_request


def test_a_new_instance_has_run_nothing_and_holds_nothing(catalog: Catalog) -> None:
    state = instance_status(get_settings())
    assert state.dags == [DagRun(dag, None, None, None, None) for dag in DAGS]
    assert state.silver == [SilverTable(s.value, None, 0) for s in LAKE_SOURCES]
    assert state.permits_in_force == []
    assert (state.optouts_in_force, state.applications_pending, state.releases_pending) == (0, 0, 0)
    assert (state.audit_entries, state.audit_head, state.audit_intact) == (0, trail.GENESIS, True)
    assert state.lake_bytes == 0
    password = make_url(str(get_settings().catalog_url)).password
    if password:
        assert password not in json.dumps(state.as_dict()) and "***" in state.backends["catalogue"]


def test_permits_pending_work_and_optouts_are_counted(catalog: Catalog) -> None:
    with catalog.session() as session:
        store = SqlOutputStore(session)
        people, permit = airlock_world(store)
        submit(store, people["rita"], title="A second study, waiting for its decision")
        file_request(store, people["rita"], permit)
        events = [
            registry.make_event(
                pid=pid,
                action="optout",
                event_time=datetime(2026, 3, 1, tzinfo=UTC),
                channel="online",
                agent=None,
                source=OptOutSource.CLI.value,
            )
            for pid in ("TTP-status-1", "TTP-status-2")
        ]
        registry.record(store, events, actor="system", source=OptOutSource.CLI)
        head = trail.verify(store)
    state = instance_status(get_settings())
    assert state.permits_in_force == [permit.application_id]
    assert (state.optouts_in_force, state.applications_pending, state.releases_pending) == (2, 1, 1)
    assert (state.audit_entries, state.audit_head, state.audit_intact) == (head.entries, head.head, True)


def test_a_broken_audit_chain_shows_in_the_status(catalog: Catalog) -> None:
    with catalog.session() as session:
        airlock_world(SqlOutputStore(session))
    # Someone with the database's administrator rights drops the append-only trigger.
    postgres = catalog.engine.dialect.name == "postgresql"
    with catalog.engine.begin() as connection:
        connection.execute(
            text(
                "DROP TRIGGER audit_log_append_only ON audit_log"
                if postgres
                else "DROP TRIGGER audit_log_no_update"
            )
        )
        connection.execute(update(AuditRow).where(AuditRow.seq == 2).values(actor="mallory"))
    state = instance_status(get_settings())
    assert (state.audit_intact, state.audit_entries) == (False, 1)
    shown = subprocess.run(
        [sys.executable, "-m", "cli", "status"], capture_output=True, text=True, check=False, timeout=120
    )
    assert shown.returncode == 0, shown.stderr
    assert "BROKEN: run `haven audit verify`" in shown.stdout
    assert "haven_ingest    never run" in shown.stdout
