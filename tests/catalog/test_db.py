"""The database: migrations match the models, run from code, and a new catalogue holds the demo."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from catalog.audit import trail
from catalog.db.engine import HEAD, Catalog, alembic_config, migrate
from catalog.db.models import Base
from catalog.db.store import SqlStore
from catalog.demo import DEMO_PERMIT_ID, DEMO_USERS
from catalog.permits.grants import DEMO_PERMIT, get_permit
from catalog.permits.vocabulary import PermitState
from common.settings import Settings


def test_migrations_match_the_models(catalog: Catalog) -> None:
    with catalog.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_head_constant_is_the_newest_migration() -> None:
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD


def test_migrate_is_idempotent_and_downgrades(catalog: Catalog) -> None:
    assert migrate(catalog.engine) is False
    with catalog.engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    assert "applications" not in inspect(catalog.engine).get_table_names()
    assert migrate(catalog.engine) is False  # the version table survives a downgrade
    assert "applications" in inspect(catalog.engine).get_table_names()


def test_new_catalogue_holds_the_demo_permit(demo_catalog: Catalog, settings: Settings) -> None:
    with demo_catalog.session() as session:
        store = SqlStore(session)
        permit = store.get_application(DEMO_PERMIT_ID)
        assert permit.state is PermitState.ACTIVE
        assert permit.decided_by == "steward@demo" and permit.decision_reason
        assert {u.username for u in store.list_users()} == {*DEMO_USERS, "system"}
        assert [t.to_state for t in store.transitions(DEMO_PERMIT_ID)] == [
            PermitState.SUBMITTED,
            PermitState.UNDER_REVIEW,
            PermitState.APPROVED,
            PermitState.ACTIVE,
        ]
        actions = [e.action for e in store.audit_entries()]
        assert actions[-4:] == [
            "application.submitted",
            "application.review_started",
            "application.approved",
            "permit.activated",
        ]
        assert trail.verify(store).ok
    seeded = get_permit(DEMO_PERMIT_ID, settings)
    assert (seeded.users, seeded.datasets, seeded.granted_at, seeded.expires_at) == (
        DEMO_PERMIT.users,
        DEMO_PERMIT.datasets,
        DEMO_PERMIT.granted_at,
        DEMO_PERMIT.expires_at,
    )
