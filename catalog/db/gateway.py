"""The one way to the catalogue's storage: a unit of work over every store Protocol.

``with unit_of_work(settings) as store:`` opens the instance's catalogue (migrated on first
use in a process), hands out one store that implements every concept's Protocol
(``catalog.<concept>.store``) over one session, commits when the block ends normally and
rolls back when it raises. Services take that store as their first argument and never open
the database themselves; the entry points (the CLI, the DAG tasks through ``jobs``, the
SPE, the portal) open the unit of work, so a transition, its history and its audit entry
are written together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from catalog.db.engine import open_catalog
from catalog.db.outputs import SqlOutputStore
from common.settings import Settings

# The store every unit of work hands out: all Protocols, the airlock's included.
CatalogStore = SqlOutputStore


@contextmanager
def unit_of_work(settings: Settings | None = None) -> Iterator[CatalogStore]:
    """One transaction on the catalogue of ``settings`` (default: the process settings)."""
    with open_catalog(settings).session() as session:
        yield CatalogStore(session)
