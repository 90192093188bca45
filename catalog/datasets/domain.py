"""Catalogue datasets and their quality labels, as stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class DatasetRecord:
    """A catalogue dataset: its id, lake source, HealthDCAT-AP metadata and published versions."""

    dataset_id: str
    source: str
    metadata: dict[str, Any]
    versions: tuple[tuple[int, datetime, int | None], ...] = ()  # (Delta version, published at, rows)
    quality: QualityLabel | None = None  # the label of the newest measured silver version


@dataclass(frozen=True)
class DatasetRevision:
    """A steward's correction of a dataset's description (``haven catalog edit``)."""

    dataset_id: str
    revision: int  # 1, 2, ... per dataset
    actor: str
    at: datetime
    changes: dict[str, Any]  # the fields this revision set
    corrected: dict[str, Any]  # every field corrected so far, applied over the repository's file


@dataclass(frozen=True)
class QualityLabel:
    """The EHDS quality and utility label of one silver version (``quality.label``)."""

    silver_version: int
    run_id: str
    measured_at: datetime
    label: dict[str, Any]

    def summary(self) -> str:
        """One line: the grade of each element, for catalogue readers."""
        label = self.label
        technical = ", ".join(f"{name} {v['grade']}" for name, v in label["technical_quality"].items())
        return (
            f"EHDS quality and utility label, silver version {self.silver_version} "
            f"(scale {label['scale']}): documentation {label['documentation']['grade']}; "
            f"technical quality: {technical}; quality management "
            f"{label['quality_management']['grade']}; coverage {label['coverage']['grade']}; "
            f"access delays {label['access_delays']['grade']}; "
            f"enrichments {label['enrichments']['grade']}"
        )
