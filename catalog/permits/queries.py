"""Read-side helpers that open the instance's catalogue: permits as the pipeline and SPE use them."""

from __future__ import annotations

from datetime import UTC, datetime

from catalog.db.engine import open_catalog
from catalog.db.store import SqlStore
from catalog.exceptions import NotFound
from catalog.permits.domain import Application
from catalog.permits.grants import DatasetGrant, Permit
from catalog.permits.lifecycle import IN_FORCE
from catalog.permits.terms import Anonymisation
from catalog.permits.vocabulary import DataForm
from common.layout import Source
from common.settings import Settings


def to_permit(application: Application, store: SqlStore) -> Permit | None:
    """The permit an approved application grants; None before approval or after a refusal."""
    if application.granted_at is None or application.expires_at is None:
        return None
    grants = []
    for requested in application.datasets:
        dataset = store.get_dataset(requested.dataset)
        grants.append(
            DatasetGrant(
                name=requested.dataset,
                source=Source(dataset.source),
                columns=requested.variables,
                date_column=dataset.metadata["date_column"],
                period_start=application.period_start,
                period_end=application.period_end,
            )
        )
    return Permit(
        permit_id=application.application_id,
        title=application.title,
        purpose=application.purpose,
        granted_at=application.granted_at,
        expires_at=application.expires_at,
        users=application.data_users,
        datasets=tuple(grants),
        state=application.state.value,
        cohort=application.cohort_rules,
        anonymisation=(
            application.anonymisation or Anonymisation()
            if application.data_form is DataForm.ANONYMISED
            else None
        ),
        disclosure=application.disclosure,
    )


def permits_in_force(settings: Settings | None = None, now: datetime | None = None) -> dict[str, Permit]:
    at = now or datetime.now(UTC)
    out: dict[str, Permit] = {}
    with open_catalog(settings).session() as session:
        store = SqlStore(session)
        for application in store.list_applications(IN_FORCE):
            permit = to_permit(application, store)
            if permit is not None and permit.granted_at <= at < permit.expires_at:
                out[permit.permit_id] = permit
    return out


def find_permit(permit_id: str, settings: Settings | None = None) -> Permit | None:
    with open_catalog(settings).session() as session:
        store = SqlStore(session)
        try:
            application = store.get_application(permit_id)
        except NotFound:
            return None
        return to_permit(application, store)
