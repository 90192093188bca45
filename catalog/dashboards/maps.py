"""Maps of Belgian provinces: which rows of released aggregates a map draws, and the full
Vega-Lite spec that draws them, with the provinces' boundaries joined in on the server.

A map's chart (checked by ``catalog.dashboards.specs``) names the column of province NIS codes
(04000 for the Brussels-Capital Region) and the numeric column to colour by. Each province
with exactly one row is coloured by its number; a suppressed number is drawn in grey and named
"suppressed", never as zero or as a gap; a province with no row, or a row without a number,
is drawn white. Rows whose code is not a province (empty, unknown, "other") are not drawn and
are counted, as are rows of a province that has several (a map shows one number per
province): the page says how many, and its table holds them all.

The boundaries are the caller's (the portal's, vendored from npm), one GeoJSON feature per
NIS code; the analyst supplies no data, URL or lookup.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from common.reference import provinces

SUPPRESSED_FILL = "#8c8c8c"  # grey: no hue of the colour scale is grey
NONE_FILL = "#ffffff"
OUTLINE = "#4d4d4d"
# The colour scale without its palest end, which white (no number) would resemble.
SCHEME = {"name": "yellowgreenblue", "extent": [0.15, 1]}
WIDTH, HEIGHT = 480, 400


def province_code(value: Any) -> str | None:
    """The province NIS code ``value`` names (a code written as a number too: 4000 is 04000),
    or None when it names none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        text = f"{value:05d}"
    elif isinstance(value, str):
        text = value.strip()
        text = text.zfill(5) if text.isdigit() else text
    else:
        return None
    return text if text in provinces() else None


def province_column(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str | None:
    """The first column at least half of whose values are province codes (None: no column)."""
    for index, column in enumerate(columns):
        values = [row[index] for row in rows if row[index] is not None]
        found = sum(province_code(v) is not None for v in values)
        if found and 2 * found >= len(values):
            return column
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def numeric_columns(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> tuple[str, ...]:
    """The columns holding numbers only (empty and suppressed cells aside), at least one."""
    return tuple(
        column
        for index, column in enumerate(columns)
        if any(_is_number(row[index]) for row in rows)
        and all(row[index] is None or _is_number(row[index]) for row in rows)
    )


@dataclass(frozen=True)
class MapRow:
    """One row a map may draw: its cells by column, and whether its colour cell is suppressed."""

    record: Mapping[str, Any]
    suppressed: bool


@dataclass(frozen=True)
class Placed:
    """The rows a map draws, by province code, and how many rows it cannot draw."""

    rows: Mapping[str, MapRow]
    off_map: int  # rows whose code is no province, or whose province has several rows


def place(rows: Sequence[MapRow], key: str) -> Placed:
    """``rows`` on the map: each province with exactly one row gets it; the others are counted."""
    by_code: dict[str, list[MapRow]] = defaultdict(list)
    off_map = 0
    for row in rows:
        code = province_code(row.record.get(key))
        if code is None:
            off_map += 1
        else:
            by_code[code].append(row)
    drawn = {code: found[0] for code, found in by_code.items() if len(found) == 1}
    return Placed(drawn, off_map + sum(len(found) for found in by_code.values() if len(found) > 1))


def repeated(rows: Sequence[Mapping[str, Any]], key: str) -> list[str]:
    """The province codes that more than one of ``rows`` names, in order."""
    seen: dict[str, int] = defaultdict(int)
    for row in rows:
        code = province_code(row.get(key))
        if code is not None:
            seen[code] += 1
    return sorted(code for code, count in seen.items() if count > 1)


@dataclass(frozen=True)
class MapTexts:
    """What the map says, in the reader's language."""

    names: Mapping[str, str]  # province name by NIS code
    suppressed: str  # the legend's and the label's word for a suppressed number
    none: str  # for a province the results give no number
    number: Callable[[Any], str]  # a number as the reader writes it


def _fresh(name: str, taken: set[str]) -> str:
    """``name``, or ``name`` with a number after it, such that no column has it."""
    found, n = name, 1
    while found in taken:
        found, n = f"{name}_{n}", n + 1
    taken.add(found)
    return found


# Long on purpose: the whole drawn spec in one place (three layers, their fields, the legends).
def map_spec(
    chart: Mapping[str, Any],
    placed: Placed,
    shapes: Mapping[str, Mapping[str, Any]],
    texts: MapTexts,
    title: str,
) -> dict[str, Any]:
    """The full Vega-Lite spec of a checked map chart: one shape per province of ``shapes``,
    coloured by its row's number, grey and labelled suppressed, or white; each shape's label
    (its accessible name) says the province and its number in the reader's language."""
    key = str(chart["encoding"]["shape"]["field"])
    colour = dict(chart["encoding"]["color"])
    field = str(colour["field"])
    taken = {key, field}
    shape, state, label, status = (_fresh(n, taken) for n in ("shape", "state", "label", "status"))
    values = []
    for code, feature in sorted(shapes.items()):
        row = placed.rows.get(code)
        value = None if row is None else row.record.get(field)
        if row is not None and row.suppressed:
            kind, said = "suppressed", texts.suppressed
        elif _is_number(value):
            kind, said = "shown", texts.number(value)
        else:
            kind, said = "none", texts.none
        values.append(
            {
                key: code,
                field: value if kind == "shown" else None,
                shape: dict(feature),
                state: kind,
                status: {"suppressed": texts.suppressed, "none": texts.none}.get(kind),
                label: f"{texts.names.get(code, code)}: {said}",
            }
        )
    outline = {"type": "geoshape", "stroke": OUTLINE, "strokeWidth": 0.6}
    geometry = {"shape": {"field": shape, "type": "geojson"}, "description": {"field": label}}
    colour["scale"] = {"scheme": SCHEME}
    layers: list[dict[str, Any]] = [
        {
            "transform": [{"filter": {"field": state, "equal": "shown"}}],
            "mark": outline,
            "encoding": {**geometry, "color": colour},
        }
    ]
    others = [
        (text, fill)
        for kind, text, fill in (
            ("suppressed", texts.suppressed, SUPPRESSED_FILL),
            ("none", texts.none, NONE_FILL),
        )
        if any(v[state] == kind for v in values)
    ]
    if others:
        layers.append(
            {
                "transform": [{"filter": {"field": state, "oneOf": ["suppressed", "none"]}}],
                "mark": outline,
                "encoding": {
                    **geometry,
                    "color": {
                        "field": status,
                        "type": "nominal",
                        "scale": {"domain": [t for t, _ in others], "range": [f for _, f in others]},
                        "legend": {"title": None},
                    },
                },
            }
        )
    full: dict[str, Any] = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title,
        "width": chart.get("width", WIDTH),
        "height": chart.get("height", HEIGHT),
        "projection": {"type": "mercator"},
        "data": {"values": values},
        "layer": layers,
        "resolve": {"scale": {"color": "independent"}, "legend": {"color": "independent"}},
    }
    if "description" in chart:
        full["description"] = chart["description"]
    return full
