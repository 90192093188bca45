"""Permits as the pipeline and the SPE use them, read from a store (``catalog.db.gateway``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from catalog.datasets.store import DatasetStore
from catalog.errors import NotFound, UnknownPermit
from catalog.permits.domain import Application
from catalog.permits.grants import DatasetGrant, Permit
from catalog.permits.lifecycle import IN_FORCE
from catalog.permits.store import PermitStore
from catalog.permits.terms import Anonymisation
from catalog.permits.vocabulary import DataForm
from common.layout import Source


class Store(PermitStore, DatasetStore, Protocol):
    """What reading permits needs."""


def to_permit(application: Application, store: Store) -> Permit | None:
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
                date_column=dataset.metadata.get("date_column"),
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


def active_permits(store: Store, now: datetime | None = None) -> dict[str, Permit]:
    """Approved and active permits not yet expired, by id: those whose datasets are published."""
    at = now or datetime.now(UTC)
    out: dict[str, Permit] = {}
    for application in store.list_applications(IN_FORCE):
        permit = to_permit(application, store)
        if permit is not None and permit.granted_at <= at < permit.expires_at:
            out[permit.permit_id] = permit
    return out


def get_permit(store: Store, permit_id: str) -> Permit:
    """The permit with this id in whatever state (``check_can_query`` refuses unusable ones)."""
    try:
        application = store.get_application(permit_id)
    except NotFound:
        raise UnknownPermit(f"no permit with id {permit_id!r}") from None
    permit = to_permit(application, store)
    if permit is None:
        raise UnknownPermit(f"no permit with id {permit_id!r}")
    return permit
