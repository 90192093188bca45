"""The lake's silver Delta tables as Airflow Assets, shared by the DAGs that write and read them.

An asset names a table, not a path: the same DAGs serve every instance, whatever its lake
root. ``haven_ingest``'s erase task (the last one to write silver) declares them as
outlets; ``haven_publish`` runs when any of them changes.
"""

from __future__ import annotations

from airflow.sdk import Asset, AssetAny

from common.layout import Source, Zone

SILVER_ASSETS: dict[Source, Asset] = {
    source: Asset(
        name=f"{Zone.SILVER.value}/{source.value}",
        uri=f"haven://lake/{Zone.SILVER.value}/{source.value}",
        group="haven-silver",
    )
    for source in Source
    if source is not Source.OPTOUT  # opt-outs live in the registry, never the lake
}
ANY_SILVER_CHANGE = AssetAny(*SILVER_ASSETS.values())
