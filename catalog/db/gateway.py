"""The one way to the catalogue's storage: a unit of work over every store Protocol.

``with unit_of_work(settings) as store:`` opens the instance's catalogue (migrated on first
use in a process), hands out one store that implements every concept's Protocol
(``catalog.<concept>.store``) over one session, commits when the block ends normally and
rolls back when it raises. Services take that store as their first argument and never open
the database themselves; the entry points (the CLI, the DAG tasks through ``jobs``, the
SPE, the portal) open the unit of work, so a transition, its history and its audit entry
are written together or not at all.

Every audit entry the store appends may notify people (``catalog.notifications``): the
notifications are written in the same transaction, their mails are sent only after it
committed, and nothing is sent when it rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from catalog.db.engine import open_catalog
from catalog.db.notifications import SqlNotificationStore
from catalog.notifications import mail
from common.settings import Settings, get_settings

# The store every unit of work hands out: all Protocols, the airlock's and notifications' included.
CatalogStore = SqlNotificationStore


@contextmanager
def unit_of_work(settings: Settings | None = None) -> Iterator[CatalogStore]:
    """One transaction on the catalogue of ``settings`` (default: the process settings)."""
    settings = settings or get_settings()
    catalog = open_catalog(settings)
    with catalog.session() as session:
        store = CatalogStore(session, settings.portal_url)
        yield store
    if store.outbox:
        sent = mail.send(settings, store.outbox)
        if sent:
            with catalog.session() as session:
                CatalogStore(session).mark_notifications_mailed(sent, datetime.now(UTC))
