"""Plain factory functions for tests: keyword-only defaults make the common case one line."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from catalog.db.gateway import unit_of_work
from catalog.demo import DEMO_PERMIT_ID
from catalog.permits.domain import PermitBuild
from catalog.permits.grants import DatasetGrant, Permit
from common.layout import Source
from common.settings import Settings, get_settings
from pseudonymisation.keys import FileKeyStore, Key

CLAIM_HEADER = [
    "pid",
    "nomenclature_code",
    "service_date",
    "provider_type",
    "provider_id",
    "institution_id",
    "amount_reimbursed",
    "amount_copay",
    "amount_supplement",
]


def make_key(*, scope: str = "platform", key_id: str = "k0001", fill: int = 7) -> Key:
    """A key of known bytes, stored in the test's own key store (Spark reads keys from files)."""
    return FileKeyStore(get_settings().keys).put(scope, key_id, bytes([fill]) * 32)


def claim_row(
    *,
    pid: str = "p1",
    code: str = "101010",
    day: str = "2025-03-01",
    provider_type: str = "GP",
    provider_id: str = "PRV00001",
    institution: str = "",
    reimbursed: str = "20.00",
    copay: str = "2.00",
    supplement: str = "0.00",
) -> list[str]:
    return [pid, code, day, provider_type, provider_id, institution, reimbursed, copay, supplement]


def make_permit(
    *,
    permit_id: str = "p-test",
    users: tuple[str, ...] = ("alice",),
    columns: tuple[str, ...] = ("nomenclature_code", "service_date"),
    start: date = date(2025, 1, 1),
    end: date = date(2025, 12, 31),
    granted_at: datetime = datetime(2026, 1, 1, tzinfo=UTC),
    expires_at: datetime = datetime(2027, 1, 1, tzinfo=UTC),
) -> Permit:
    grant = DatasetGrant(
        name="claims",
        source=Source.CLAIMS,
        columns=columns,
        date_column="service_date",
        period_start=start,
        period_end=end,
    )
    return Permit(
        permit_id=permit_id,
        title="test",
        purpose="scientific research",
        granted_at=granted_at,
        expires_at=expires_at,
        users=users,
        datasets=(grant,),
    )


def permit_builds(settings: Settings, permit_id: str) -> list[PermitBuild]:
    """What the catalogue recorded of a permit's builds, oldest first."""
    with unit_of_work(settings) as store:
        return store.permit_builds(permit_id)


def narrow_demo_permit_to_claims(home: Path) -> None:
    """Narrow the demo permit of the instance at ``home`` to its claims dataset: for pipeline
    runs that load no pharmacy or hospital stays (the permit would be skipped for want of
    their silver), which keeps those runs short."""
    with unit_of_work(Settings(home=home)) as store:
        application = store.get_application(DEMO_PERMIT_ID)
        claims = tuple(d for d in application.datasets if d.dataset == "claims")
        store.update_application(replace(application, datasets=claims))
