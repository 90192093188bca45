"""A dashboard's chart as data: a Vega-Lite spec restricted to display, checked server-side.

The analyst writes (or accepts the default of) a Vega-Lite spec without data; the portal
adds the released aggregates' rows itself. Only what changes how released numbers are shown
is accepted: a bar or line mark, the x, y, colour and x-offset channels naming columns of
the aggregates, filters on field values, sort orders, number formats and labels. Everything
that computes (aggregate, calculate, joinaggregate, window, lookup, bin, time units, ...),
reads data from elsewhere (data, URLs, named datasets) or evaluates expressions (string
filters, signals, params, label expressions) is refused with the reason, so a dashboard can
only show numbers that are in a released aggregate. Anything not on these lists is refused
too: the lists say what is allowed, not what is forbidden.

A map of Belgian provinces is a geoshape mark with two channels: ``shape`` names the column
of province NIS codes (type ``geojson``: the portal draws each province from its code) and
``color`` the numeric column to colour by. The analyst never supplies shapes, URLs or lookups:
the server joins the provinces' boundaries in (``catalog.dashboards.maps``).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from catalog.dashboards import maps
from catalog.dashboards.domain import ChartKind
from catalog.errors import InvalidSpec

MAX_SPEC_CHARS = 20_000
MAX_TEXT = 200  # a label, axis title or format string
TOP_KEYS = frozenset({"$schema", "mark", "encoding", "transform", "width", "height", "description"})
MARKS = frozenset({"bar", "line", "geoshape"})
KIND_MARKS = {ChartKind.BAR: "bar", ChartKind.LINE: "line", ChartKind.MAP: "geoshape"}
MARK_KEYS = frozenset({"type", "point"})
CHANNELS = frozenset({"x", "y", "color", "xOffset"})
CHANNEL_KEYS = frozenset({"field", "type", "title", "sort", "format", "axis", "legend"})
TYPES = frozenset({"nominal", "ordinal", "quantitative", "temporal"})
TYPES_MESSAGE = "The type must be nominal, ordinal, quantitative or temporal."
# A map's channels: the settings each may hold, the one type it takes, and why.
MAP_CHANNELS = {
    "shape": (
        frozenset({"field", "type", "title"}),
        "geojson",
        "The shape channel's type must be geojson: the portal draws each province from its NIS code.",
    ),
    "color": (
        frozenset({"field", "type", "title", "format", "legend"}),
        "quantitative",
        "The color channel's type must be quantitative.",
    ),
}
AXIS_KEYS = frozenset({"title", "format", "labelAngle"})
LEGEND_KEYS = frozenset({"title"})
SORT_WORDS = frozenset({"ascending", "descending", "x", "-x", "y", "-y"})
PREDICATES = frozenset({"equal", "oneOf", "range", "lt", "lte", "gt", "gte"})
# Named so the refusal says why; anything else unknown is refused as "not allowed" too.
COMPUTING = frozenset(
    {
        "aggregate",
        "bin",
        "calculate",
        "density",
        "extent",
        "flatten",
        "fold",
        "impute",
        "joinaggregate",
        "loess",
        "lookup",
        "pivot",
        "quantile",
        "regression",
        "sample",
        "stack",
        "timeUnit",
        "window",
    }
)
EXTERNAL = frozenset({"data", "datasets", "url", "params", "signals", "selection", "usermeta", "config"})


@dataclass(frozen=True)
class SpecProblem:
    """One reason a spec is refused: where, and a message (English; the portal translates it,
    then fills in ``values``)."""

    where: str
    message: str
    values: tuple[tuple[str, str], ...] = ()

    def text(self) -> str:
        return self.message % dict(self.values) if self.values else self.message


def _problem(where: str, message: str, **values: Any) -> SpecProblem:
    return SpecProblem(where, message, tuple((k, str(v)) for k, v in values.items()))


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def has_control(text: str) -> bool:
    """Whether ``text`` holds a line break or another control character: Vega builds
    expressions from titles and labels, and one of these breaks them."""
    return any(ord(c) < 32 or c in "\u2028\u2029\x7f" for c in text)


def _text(value: Any, where: str, problems: list[SpecProblem]) -> None:
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        problems.append(_problem(where, "Write a text of at most %(n)s characters.", n=MAX_TEXT))
    elif has_control(value):
        problems.append(_problem(where, "Remove the line breaks and control characters."))


def _unknown(key: str, where: str) -> SpecProblem:
    if key in COMPUTING:
        return _problem(where, "%(key)s computes new numbers: only display settings are allowed.", key=key)
    if key in EXTERNAL:
        return _problem(
            where, "%(key)s reads data or code from elsewhere: the chart shows only the aggregates.", key=key
        )
    return _problem(where, "%(key)s is not a display setting a dashboard may use.", key=key)


def _mark(mark: Any, problems: list[SpecProblem]) -> str | None:
    kind: Any = None
    if isinstance(mark, str):
        kind = mark
    elif isinstance(mark, Mapping):
        for key in mark:
            if key not in MARK_KEYS:
                problems.append(_unknown(str(key), "mark"))
        if not isinstance(mark.get("point", False), bool):
            problems.append(_problem("mark.point", "Write true or false."))
        kind = mark.get("type")
    if kind not in MARKS:
        problems.append(_problem("mark", "The mark must be bar, line or geoshape (a map)."))
        return None
    return str(kind)


def _sort(value: Any, where: str, problems: list[SpecProblem]) -> None:
    if (isinstance(value, str) and value in SORT_WORDS) or value is None:
        return
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value) and len(value) <= 500:
        return
    problems.append(_problem(where, "Sort ascending, descending, by x or y, or by a list of values."))


def _channel(
    name: str,
    spec: Any,
    columns: Sequence[str],
    problems: list[SpecProblem],
    *,
    keys: Collection[str] = CHANNEL_KEYS,
    types: Collection[str] = TYPES,
    types_message: str = TYPES_MESSAGE,
) -> None:
    where = f"encoding.{name}"
    if not isinstance(spec, Mapping):
        problems.append(_problem(where, "Describe the channel as an object with a field and a type."))
        return
    for key, value in spec.items():
        here = f"{where}.{key}"
        if key not in keys:
            problems.append(_unknown(str(key), where))
        elif key in ("title", "format"):
            _text(value, here, problems)
        elif key == "sort":
            _sort(value, here, problems)
        elif key in ("axis", "legend"):
            allowed = AXIS_KEYS if key == "axis" else LEGEND_KEYS
            if value is None:
                continue
            if not isinstance(value, Mapping):
                problems.append(_problem(here, "Describe it as an object."))
                continue
            for inner, text in value.items():
                if inner not in allowed:
                    problems.append(_unknown(str(inner), here))
                elif inner == "labelAngle":
                    if not isinstance(text, int | float) or isinstance(text, bool):
                        problems.append(_problem(f"{here}.{inner}", "Write an angle in degrees."))
                else:
                    _text(text, f"{here}.{inner}", problems)
    field = spec.get("field")
    if field not in columns:
        problems.append(
            _problem(
                where,
                "The field must be a column of the aggregates: %(columns)s.",
                columns=", ".join(columns),
            )
        )
    if spec.get("type") not in types:
        problems.append(_problem(where, types_message))


def _map_encoding(
    encoding: Any, columns: Sequence[str], numeric: Collection[str], problems: list[SpecProblem]
) -> None:
    """A map's channels: the column of province codes as its shape, a numeric column as its colour."""
    if not isinstance(encoding, Mapping) or not set(MAP_CHANNELS) <= set(encoding):
        problems.append(
            _problem(
                "encoding",
                "A map needs the shape channel (the column of province NIS codes) "
                "and the color channel (the number to colour by).",
            )
        )
        return
    for name, spec in encoding.items():
        if name not in MAP_CHANNELS:
            problems.append(_unknown(str(name), "encoding"))
            continue
        keys, kind, message = MAP_CHANNELS[name]
        _channel(str(name), spec, columns, problems, keys=keys, types={kind}, types_message=message)
    color, shape = encoding["color"], encoding["shape"]
    field = color.get("field") if isinstance(color, Mapping) else None
    if isinstance(shape, Mapping) and field is not None and shape.get("field") == field:
        problems.append(_problem("encoding", "The shape and color channels must name different columns."))
    elif field in columns and field not in numeric:
        problems.append(
            _problem(
                "encoding.color",
                "The color field must be a numeric column: %(columns)s.",
                columns=", ".join(c for c in columns if c in numeric) or "-",
            )
        )


def _filter(item: Any, index: int, columns: Sequence[str], problems: list[SpecProblem]) -> None:
    where = f"transform[{index}].filter"
    predicate = item.get("filter")
    if isinstance(predicate, str):
        problems.append(_problem(where, "Filter by a field's values, not by an expression."))
        return
    if not isinstance(predicate, Mapping):
        problems.append(_problem(where, "Filter by a field's values, not by an expression."))
        return
    keys = set(predicate) - {"field"}
    if predicate.get("field") not in columns:
        problems.append(
            _problem(
                where,
                "The field must be a column of the aggregates: %(columns)s.",
                columns=", ".join(columns),
            )
        )
    if len(keys) != 1 or not keys <= PREDICATES:
        problems.append(_problem(where, "Use one of equal, oneOf, range, lt, lte, gt or gte."))
        return
    [kind] = keys
    value = predicate[kind]
    if kind in ("oneOf", "range"):
        ok = isinstance(value, list) and all(_is_scalar(v) for v in value) and len(value) <= 500
        ok = ok and (kind == "oneOf" or len(value) == 2)
    else:
        ok = _is_scalar(value)
    if not ok:
        problems.append(_problem(where, "Give the values to keep, not an expression."))


# Long on purpose: every part of the chart checked in one pass, so that all problems come back together.
def check_chart(chart: Any, columns: Sequence[str], numeric: Collection[str] = ()) -> dict[str, Any]:
    """``chart`` if it only displays columns ``columns``; ``InvalidSpec`` with every reason otherwise.
    A map colours by one of the ``numeric`` columns only."""
    problems: list[SpecProblem] = []
    if not isinstance(chart, Mapping):
        raise InvalidSpec([_problem("chart", "The chart must be a Vega-Lite object.")])
    for key in chart:
        if key not in TOP_KEYS:
            problems.append(_unknown(str(key), "chart"))
    mark = _mark(chart.get("mark"), problems)
    encoding = chart.get("encoding")
    if mark == "geoshape":
        _map_encoding(encoding, columns, numeric, problems)
    elif not isinstance(encoding, Mapping) or "x" not in encoding or "y" not in encoding:
        problems.append(_problem("encoding", "Give at least the x and y channels."))
    else:
        for name, spec in encoding.items():
            if name not in CHANNELS:
                problems.append(_unknown(str(name), "encoding"))
            else:
                _channel(str(name), spec, columns, problems)
    transforms = chart.get("transform", [])
    if not isinstance(transforms, list):
        problems.append(_problem("transform", "Give the transforms as a list."))
        transforms = []
    for index, item in enumerate(transforms):
        if not isinstance(item, Mapping):
            problems.append(_problem(f"transform[{index}]", "Each transform is an object."))
            continue
        for key in item:
            if key != "filter":
                problems.append(_unknown(str(key), f"transform[{index}]"))
        if "filter" in item:
            _filter(item, index, columns, problems)
    for key in ("width", "height"):
        value = chart.get(key)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or not 50 <= value <= 1200
        ):
            problems.append(_problem(key, "Write a size from 50 to 1200 pixels."))
    if "description" in chart:
        _text(chart["description"], "description", problems)
    if "$schema" in chart and not (
        isinstance(chart["$schema"], str)
        and chart["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    ):
        problems.append(_problem("$schema", "Name the Vega-Lite schema or leave it out."))
    if problems:
        raise InvalidSpec(problems)
    return json.loads(json.dumps(chart))


def parse_chart(text: str) -> Any:
    """The chart as JSON, or ``InvalidSpec`` saying it is not."""
    if len(text) > MAX_SPEC_CHARS:
        raise InvalidSpec(
            [_problem("chart", "The chart is too long: at most %(n)s characters.", n=MAX_SPEC_CHARS)]
        )
    try:
        return json.loads(text)
    except ValueError:
        raise InvalidSpec([_problem("chart", "The chart is not valid JSON.")]) from None


def keeps(record: Mapping[str, Any], predicate: Mapping[str, Any]) -> bool:
    """Whether one filter predicate of a checked spec (``PREDICATES``) keeps ``record``, as
    Vega-Lite applies it."""
    value = record.get(str(predicate["field"]))
    if "equal" in predicate:
        return bool(value == predicate["equal"])
    if "oneOf" in predicate:
        return value in predicate["oneOf"]
    if value is None:
        return False
    try:
        if "range" in predicate:
            low, high = predicate["range"]
            return bool((low is None or value >= low) and (high is None or value <= high))
        for name, test in (
            ("lt", lambda a, b: a < b),
            ("lte", lambda a, b: a <= b),
            ("gt", lambda a, b: a > b),
            ("gte", lambda a, b: a >= b),
        ):
            if name in predicate:
                return bool(test(value, predicate[name]))
    except TypeError:
        return False
    return True


def filters(chart: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    """The filter predicates of a checked chart (none for a table)."""
    return [t["filter"] for t in (chart or {}).get("transform", [])]


def default_chart(
    kind: ChartKind, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> dict[str, Any] | None:
    """A chart to start from: the first column along x, the last numeric column along y; for a
    map, the first column of province codes coloured by the last numeric column (None when no
    column holds province codes)."""
    if kind is ChartKind.TABLE or not columns:
        return None
    if kind is ChartKind.MAP:
        key = maps.province_column(columns, rows)
        colours = maps.numeric_columns(columns, rows)
        if key is None or not colours:
            return None
        return {
            "mark": "geoshape",
            "encoding": {
                "shape": {"field": key, "type": "geojson"},
                "color": {"field": colours[-1], "type": "quantitative"},
            },
        }
    numeric = [
        c
        for i, c in enumerate(columns)
        if any(isinstance(r[i], int | float) and not isinstance(r[i], bool) for r in rows)
    ]
    y = numeric[-1] if numeric else columns[-1]
    x = next((c for c in columns if c != y), columns[0])
    return {
        "mark": kind.value,
        "encoding": {
            "x": {"field": x, "type": "nominal" if kind is ChartKind.BAR else "ordinal"},
            "y": {"field": y, "type": "quantitative"},
        },
    }


def chart_with_data(
    chart: Mapping[str, Any], columns: Sequence[str], values: Sequence[Mapping[str, Any]], title: str
) -> dict[str, Any]:
    """The full Vega-Lite spec drawn: ``chart`` with the aggregates' rows as inline values and
    the title in the reader's language. Bars never stack (a stack would draw a sum)."""
    full = json.loads(json.dumps(chart))
    full["$schema"] = "https://vega.github.io/schema/vega-lite/v5.json"
    full["data"] = {"values": [dict(v) for v in values]}
    full["title"] = title
    for channel in ("x", "y"):
        spec = full["encoding"].get(channel)
        if isinstance(spec, dict) and spec.get("type") == "quantitative":
            spec["stack"] = None
    full.setdefault("width", 480)
    return full
