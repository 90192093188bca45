"""The lake layout: zones and table names in one place.

Every Delta table path is computed here, so that jobs, the SPE and tests agree on where
data lives and nobody concatenates paths by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Zone(StrEnum):
    """Zones of the lake, in the order data flows through them."""

    BRONZE = "bronze"
    QUARANTINE = "quarantine"
    SILVER = "silver"
    PERMITS = "permits"
    AGGREGATES = "aggregates"


class Source(StrEnum):
    """Extract families delivered by the trusted third party."""

    POPULATION = "population"
    CLAIMS = "claims"
    PHARMACY = "pharmacy"
    HOSPITAL_STAYS = "hospital_stays"
    LAB_RESULTS = "lab_results"
    CLINICAL_NOTES = "clinical_notes"
    WELLNESS = "wellness"
    OPTOUT = "optout"


# The sources refined into silver tables, population first: the other sources' quality
# suites check their people against it. Opt-out events go to the registry instead.
LAKE_SOURCES = (
    Source.POPULATION,
    Source.CLAIMS,
    Source.PHARMACY,
    Source.HOSPITAL_STAYS,
    Source.LAB_RESULTS,
    Source.CLINICAL_NOTES,
    Source.WELLNESS,
)

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def check_name(kind: str, name: str) -> str:
    """Return ``name`` if it is a safe path component (lower-case, digits, ``_``, ``-``)."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"invalid {kind} name: must match {_NAME.pattern}")
    return name


@dataclass(frozen=True)
class LakeLayout:
    """Paths of every zone and table under one lake root."""

    root: Path

    def zone(self, zone: Zone) -> Path:
        return self.root / zone.value

    def table(self, zone: Zone, name: str) -> Path:
        """A table of the bronze, quarantine, silver or aggregates zone."""
        if zone is Zone.PERMITS:
            raise ValueError("permit tables are addressed with permit_table()")
        return self.zone(zone) / check_name("table", name)

    def permit_dir(self, permit_id: str) -> Path:
        """The workspace holding every dataset of one permit."""
        return self.zone(Zone.PERMITS) / check_name("permit", permit_id)

    def permit_table(self, permit_id: str, dataset: str) -> Path:
        return self.permit_dir(permit_id) / check_name("dataset", dataset)

    def permit_tables(self, permit_id: str) -> dict[str, Path]:
        """Every Delta table in a permit's workspace, by dataset name."""
        folder = self.permit_dir(permit_id)
        if not folder.is_dir():
            return {}
        return {child.name: child for child in sorted(folder.iterdir()) if (child / "_delta_log").is_dir()}
