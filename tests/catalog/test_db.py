"""The database: migrations match the models, run from code; a new catalogue holds no demo data."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from catalog.audit import trail
from catalog.db.engine import HEAD, Catalog, alembic_config, migrate
from catalog.db.gateway import unit_of_work
from catalog.db.models import Base
from catalog.db.store import SqlStore
from catalog.demo import DEMO_PERMIT_ID, DEMO_USERS, seed
from catalog.people.domain import SYSTEM
from catalog.permits.grants import DatasetGrant
from catalog.permits.queries import get_permit
from catalog.permits.vocabulary import PermitState
from common.layout import Source
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


def test_a_new_catalogue_holds_only_the_system_user(catalog: Catalog) -> None:
    with catalog.session() as session:
        store = SqlStore(session)
        assert store.list_users() == [SYSTEM]
        assert (store.list_applications(), store.list_datasets(), store.audit_entries()) == ([], [], [])


def test_seeding_the_demo_twice_changes_nothing(demo_catalog: Catalog) -> None:
    with demo_catalog.session() as session:
        before = [e.entry_hash for e in SqlStore(session).audit_entries()]
    assert seed() is False
    with demo_catalog.session() as session:
        assert [e.entry_hash for e in SqlStore(session).audit_entries()] == before


def test_the_demo_holds_the_demo_permit(demo_catalog: Catalog, settings: Settings) -> None:
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
    with unit_of_work(settings) as store:
        seeded = get_permit(store, DEMO_PERMIT_ID)
    assert (seeded.users, seeded.datasets, seeded.granted_at, seeded.expires_at) == (
        ("researcher@demo",),
        (
            DatasetGrant(
                name="claims",
                source=Source.CLAIMS,
                columns=(
                    "nomenclature_code",
                    "service_date",
                    "provider_type",
                    "amount_reimbursed",
                    "amount_copay",
                ),
                date_column="service_date",
                period_start=date(2025, 1, 1),
                period_end=date(2025, 12, 31),
            ),
            DatasetGrant(
                name="pharmacy",
                source=Source.PHARMACY,
                columns=("delivery_date", "atc_code", "ddd", "amount_reimbursed"),
                date_column="delivery_date",
                period_start=date(2025, 1, 1),
                period_end=date(2025, 12, 31),
            ),
            DatasetGrant(
                name="hospital_stays",
                source=Source.HOSPITAL_STAYS,
                columns=(
                    "admission_date",
                    "discharge_date",
                    "stay_type",
                    "main_diagnosis",
                    "apr_drg",
                    "severity",
                ),
                date_column="admission_date",
                period_start=date(2025, 1, 1),
                period_end=date(2025, 12, 31),
            ),
        ),
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2031, 1, 1, tzinfo=UTC),
    )


def test_demo_passwords_sign_the_demo_users_in(demo_catalog: Catalog) -> None:
    from catalog.demo import demo_passwords
    from catalog.people.users import authenticate

    chosen = demo_passwords()
    assert sorted(chosen) == sorted(DEMO_USERS) and len(set(chosen.values())) == len(chosen)
    assert all(len(p) >= 12 for p in chosen.values())
    with demo_catalog.session() as session:
        store = SqlStore(session)
        for username, password in chosen.items():
            assert authenticate(store, username, password).username == username
        assert password not in repr(store.audit_entries())
