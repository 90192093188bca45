"""Dataset metadata (HealthDCAT-AP) is validated before it enters the catalogue."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from catalog.datasets.metadata import DatasetMetadata
from common.layout import Source
from tests.catalog.factories import described


def _with(**changes: Any) -> dict[str, Any]:
    return {**described(Source.CLAIMS).model_dump(mode="json"), **changes}


def test_claims_metadata_is_complete_in_four_languages() -> None:
    meta = described(Source.CLAIMS)
    assert len({meta.title.fr, meta.title.nl, meta.title.de, meta.title.en}) == 4
    assert "pid" not in {v.name for v in meta.variables}  # the TTP pseudonym is never offered
    assert meta.access_rights == "NON_PUBLIC" and meta.date_column == "service_date"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": {"fr": "Titre", "nl": "Titel", "en": "Title"}}, "title.de"),
        ({"themes": ["HEALTH"]}, "unknown theme: HEALTH"),
        ({"keywords": {"fr": ["a"], "nl": ["b"], "en": ["c"]}}, "keywords: none in de"),
        ({"date_column": "visit_day"}, "date_column 'visit_day' is not one of the variables"),
        ({"coding_systems": ["snomed-xx"]}, "unknown coding system or health category: snomed-xx"),
        ({"health_categories": []}, "health_categories"),
        ({"min_typical_age": 70, "max_typical_age": 18}, "max_typical_age is below min_typical_age"),
        ({"access_rights": "PUBLIC"}, "access_rights"),
        ({"temporal_start": "2025-01-01", "temporal_end": "2020-01-01"}, "temporal coverage ends before"),
    ],
)
def test_invalid_metadata_is_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        DatasetMetadata.model_validate(_with(**changes))
