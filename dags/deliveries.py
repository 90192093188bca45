"""Deliveries in landing as an Airflow Asset, watched by the triggerer.

A delivery is complete when its ``manifest.json`` (the file the sender writes last) is in
landing. ``DeliveryTrigger`` runs in the triggerer: it moves each complete delivery out of
landing into a folder of its own (``jobs.landing.claim_delivery``) and fires an event whose
payload names that folder; the event updates ``LANDING``, which schedules ``haven_ingest``.

Why a watcher rather than a sensor or the REST API: the delivery itself starts the run, with
no operator step and no sensor task occupying a worker slot or adding a DAG run every few
minutes; the triggerer is one of the stack's services anyway. The trigger reads the landing
folder from the settings when it runs, so the DAGs stay the same for every instance.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from airflow.sdk import Asset, AssetWatcher
from airflow.triggers.base import BaseEventTrigger, TriggerEvent


class DeliveryTrigger(BaseEventTrigger):
    """Fires once per complete delivery in landing, with ``{"delivery": folder}``."""

    def __init__(self, poke_interval: float = 2.0) -> None:
        super().__init__()
        self.poke_interval = poke_interval

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return ("dags.deliveries.DeliveryTrigger", {"poke_interval": self.poke_interval})

    async def run(self) -> AsyncIterator[TriggerEvent]:
        from common.settings import get_settings
        from jobs.landing import claim_delivery

        settings = get_settings()
        while True:
            folder = await asyncio.to_thread(claim_delivery, settings.landing, settings.deliveries)
            if folder is None:
                await asyncio.sleep(self.poke_interval)
            else:
                yield TriggerEvent({"delivery": str(folder)})


LANDING = Asset(
    name="landing",
    uri="haven://landing",
    group="haven-landing",
    watchers=[AssetWatcher(name="haven-deliveries", trigger=DeliveryTrigger())],
)


def delivered_folder(context: Any) -> str | None:
    """The folder of the delivery whose arrival started this run, or None when no delivery
    did (a manual trigger, ``dag.test()``)."""
    events = [
        event
        for asset, asset_events in (context.get("triggering_asset_events") or {}).items()
        if getattr(asset, "name", None) == LANDING.name
        for event in asset_events
    ]
    folders = [(event.extra or {}).get("payload", {}).get("delivery") for event in events]
    folders = [f for f in folders if f]
    if len(folders) > 1:
        from airflow.sdk.exceptions import AirflowFailException

        # Each delivery needs a run of its own; they stay in their folders until then.
        raise AirflowFailException(
            f"{len(folders)} deliveries started one run: trigger haven_ingest once per folder "
            "with the conf key landing_dir: " + ", ".join(sorted(folders))
        )
    return folders[0] if folders else None
