"""Reading the catalogue for the portal: one unit of work per page or API call, the
signed-in researcher's access included. Shared by the HTML pages and the JSON API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from catalog.db.gateway import unit_of_work
from catalog.people.domain import Role, User
from catalog.permits.access import Access, access_by_dataset
from common.settings import Settings
from portal.datasets import card, page
from portal.schemas import DatasetCard, DatasetPage


def _access_of(user: User | None, found: dict[str, Access] | None, dataset_id: str) -> Access | None:
    if user is None or found is None:
        return None
    return found.get(dataset_id, Access.NONE)


def list_cards(
    settings: Settings, user: User | None, lang: str, _: Callable[[str], str], at: datetime
) -> list[DatasetCard]:
    """Every dataset as a card in ``lang``; with the access state when ``user`` is a researcher."""
    with unit_of_work(settings) as store:
        records = store.list_datasets()
        found = access_by_dataset(store, user, now=at) if user and user.has(Role.RESEARCHER) else None
    return [card(r, lang, _access_of(user, found, r.dataset_id), _) for r in records]


def dataset_page(
    settings: Settings, dataset_id: str, user: User | None, lang: str, _: Callable[[str], str], at: datetime
) -> DatasetPage:
    """One dataset's page; ``catalog.errors.NotFound`` if there is no such dataset."""
    with unit_of_work(settings) as store:
        record = store.get_dataset(dataset_id)
        found = access_by_dataset(store, user, now=at) if user and user.has(Role.RESEARCHER) else None
    return page(record, lang, _access_of(user, found, dataset_id), _)
