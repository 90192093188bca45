"""The audit log's hash chain detects edits, removals and reordering, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import Executable, delete, select, update
from sqlalchemy.exc import DatabaseError

from catalog.audit import trail
from catalog.db.engine import Catalog, alembic_config
from catalog.db.gateway import unit_of_work
from catalog.db.models import AuditRow
from catalog.db.store import SqlStore


def _fill(catalog: Catalog, n: int = 5) -> str:
    with catalog.session() as session:
        store = SqlStore(session)
        for i in range(n):
            trail.append(
                store,
                actor="otto",
                action="dataset.published",
                object_type="dataset",
                object_id="claims",
                details={"version": i, "rows": 10 * i},
            )
        return trail.verify(store).head


def _tamper(catalog: Catalog, *statements: Executable) -> None:
    """Someone with the database's administrator rights drops the triggers and edits the log."""
    with catalog.engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0001")
    with catalog.session() as session:
        for statement in statements:
            session.execute(statement)


def _verify(catalog: Catalog, expected_head: str | None = None) -> trail.Verification:
    with catalog.session() as session:
        return trail.verify(SqlStore(session), expected_head)


def test_intact_chain_verifies(catalog: Catalog) -> None:
    head = _fill(catalog)
    result = _verify(catalog, head)
    assert (result.ok, result.entries, result.head) == (True, 5, head)


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        (update(AuditRow).where(AuditRow.seq == 3).values(actor="mallory"), "entry 3 was altered"),
        (
            update(AuditRow).where(AuditRow.seq == 2).values(details={"version": 1, "rows": 99}),
            "entry 2 was altered",
        ),
        (delete(AuditRow).where(AuditRow.seq == 3), "entry 3 is missing or out of order"),
    ],
)
def test_edit_and_removal_are_detected(catalog: Catalog, tamper, problem: str) -> None:  # type: ignore[no-untyped-def]
    _fill(catalog)
    _tamper(catalog, tamper)
    result = _verify(catalog)
    assert not result.ok and result.problem is not None and result.problem.startswith(problem)


def test_reordering_is_detected(catalog: Catalog) -> None:
    _fill(catalog)
    _tamper(catalog)
    with catalog.session() as session:
        rows = {r.seq: r for r in session.scalars(select(AuditRow).where(AuditRow.seq.in_([2, 3])))}
        rows[2].seq, rows[3].seq = -2, -3
        session.flush()
        rows[2].seq, rows[3].seq = 3, 2
    result = _verify(catalog)
    assert result.problem == "entry 2 does not follow entry 1 (removed or reordered entries)"
    assert result.entries == 1


def test_removing_the_tail_is_detected_against_a_recorded_head(catalog: Catalog) -> None:
    head = _fill(catalog)
    _tamper(catalog, delete(AuditRow).where(AuditRow.seq == 5))
    assert _verify(catalog).ok  # a shorter chain is self-consistent ...
    result = _verify(catalog, head)  # ... but not the one recorded elsewhere
    assert result.problem is not None and "differs from the expected" in result.problem


@pytest.mark.parametrize(
    "statement",
    [
        update(AuditRow).where(AuditRow.seq == 1).values(actor="mallory"),
        delete(AuditRow).where(AuditRow.seq == 5),
    ],
)
def test_the_database_refuses_updates_and_deletes(catalog: Catalog, statement: Executable) -> None:
    _fill(catalog)
    with pytest.raises(DatabaseError, match="append-only"), catalog.session() as session:
        session.execute(statement)
    assert _verify(catalog).entries == 5


@pytest.mark.parametrize(
    "details",
    [
        {"note": "Patient J. Peeters, born 1961"},
        {"value": {"nested": 1}},
        {"free text key": 1},
    ],
)
def test_entries_refuse_free_text(catalog: Catalog, details: dict[str, object]) -> None:
    with catalog.session() as session, pytest.raises(ValueError, match="audit detail"):
        trail.append(
            SqlStore(session), actor="otto", action="x", object_type="y", object_id="z", details=details
        )


def test_other_components_record_events(catalog: Catalog) -> None:
    # The opt-out registry, the SPE and the pipeline append through the one unit of work.
    with unit_of_work() as store:
        entry = trail.append(
            store,
            actor="agent-17",
            action="optout.recorded",
            object_type="person",
            object_id="pseudonym-ab12",
            details={"channel": "phone"},
        )
    assert entry.seq == _verify(catalog).entries
    assert _verify(catalog).ok
