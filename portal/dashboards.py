"""Dashboards for the portal: what a page shows of a dashboard, read from the registry of
released aggregates only (``catalog.dashboards``), and its chart rendered on the server.

This module and ``portal.routes.dashboards`` never reach the SPE, DuckDB, the lake's layout
or the jobs (an import-linter contract in ``pyproject.toml``): every number they show is a
cell of a released aggregate as the registry holds it. The table under each chart shows the
same rows (the chart's filters applied), a suppressed cell as "suppressed", never as zero or
blank; the CSV holds the same rows, suppressed cells empty as in the released file. A map's
provinces come from ``portal.provinces`` and join the rows in the drawn spec only.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from catalog.dashboards import maps, service, specs
from catalog.dashboards.domain import ChartKind, Dashboard, DashboardSpec, ReleasedAggregate
from catalog.dashboards.service import RELEASE_FIELD, DashboardView
from catalog.dashboards.specs import SpecProblem
from catalog.permits.domain import Application
from portal import provinces
from portal.applications import vocabulary as words
from portal.i18n import N_

Gettext = Callable[[str], str]

# The catalogue's reasons for refusing a spec (``catalog.dashboards``), marked for translation.
SPEC_MESSAGES = (
    N_("Write a text of at most %(n)s characters."),
    N_("%(key)s computes new numbers: only display settings are allowed."),
    N_("%(key)s reads data or code from elsewhere: the chart shows only the aggregates."),
    N_("%(key)s is not a display setting a dashboard may use."),
    N_("Write true or false."),
    N_("The mark must be bar, line or geoshape (a map)."),
    N_("Sort ascending, descending, by x or y, or by a list of values."),
    N_("Describe the channel as an object with a field and a type."),
    N_("Describe it as an object."),
    N_("Write an angle in degrees."),
    N_("The field must be a column of the aggregates: %(columns)s."),
    N_("The type must be nominal, ordinal, quantitative or temporal."),
    N_("Filter by a field's values, not by an expression."),
    N_("Use one of equal, oneOf, range, lt, lte, gt or gte."),
    N_("Give the values to keep, not an expression."),
    N_("The chart must be a Vega-Lite object."),
    N_("Give at least the x and y channels."),
    N_("Give the transforms as a list."),
    N_("Each transform is an object."),
    N_("Write a size from 50 to 1200 pixels."),
    N_("Name the Vega-Lite schema or leave it out."),
    N_("The chart is too long: at most %(n)s characters."),
    N_("The chart is not valid JSON."),
    N_("Write this text in every language."),
    N_("Write at most %(n)s characters."),
    N_("Remove the line breaks and control characters."),
    N_("Choose at least one released aggregate."),
    N_("%(id)s is not a released aggregate."),
    N_("%(id)s may not be published: its permit does not allow it."),
    N_("The aggregates of one chart must have the same columns."),
    N_("Choose a bar chart, a line chart, a map or a table."),
    N_("Choose who may see the dashboard once published."),
    N_("Your account belongs to no organisation: publish to the public, or ask an operator."),
    N_("The chart's mark must be the kind chosen: %(kind)s."),
    N_(
        "A map needs the shape channel (the column of province NIS codes) "
        "and the color channel (the number to colour by)."
    ),
    N_("The shape channel's type must be geojson: the portal draws each province from its NIS code."),
    N_("The color channel's type must be quantitative."),
    N_("The color field must be a numeric column: %(columns)s."),
    N_("The shape and color channels must name different columns."),
    N_("A map needs a column of province NIS codes and a numeric column: choose another kind of chart."),
    N_("The column %(column)s holds no province NIS code (such as 10000 for Antwerp)."),
    N_(
        "A map shows one number per province, and %(codes)s appear in several rows: "
        "filter the rows (by year, for example) so that each province appears once."
    ),
)
THRESHOLDS = {
    "min_persons": N_("Fewest persons behind a cell"),
    "zeros_disclosive": N_("Zero cells treated as disclosive"),
    "p_percent": N_("p % rule on sums"),
    "nk_n": N_("nk dominance: n largest contributors"),
    "nk_k_percent": N_("nk dominance: at most k % of a sum"),
    "rounding_base": N_("Counts rounded to a multiple of (0: not rounded)"),
}
KINDS = {
    "bar": N_("Bar chart"),
    "line": N_("Line chart"),
    "map": N_("Map of Belgian provinces"),
    "table": N_("Table only"),
}
# A map's words for a province without a number to colour it by.
MAP_SUPPRESSED = N_("suppressed")
MAP_NONE = N_("no number in the results")
AUDIENCES = {"organisation": N_("My organisation (signed-in users)"), "public": N_("The public")}
STATES = {"draft": N_("Draft"), "published": N_("Published")}
FORM_FIELDS = (
    "kind",
    "chart",
    "audience",
    *(f"{p}_{lang}" for p in ("title", "notes") for lang in service.LANGUAGES),
)


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


def problems_as_errors(problems: Sequence[SpecProblem], _: Gettext) -> list[FieldError]:
    """The refusal's reasons in the reader's language, each tied to its form field."""
    fields = {"aggregates", "kind", "audience", *FORM_FIELDS}
    out = []
    for problem in problems:
        field = problem.where if problem.where in fields else "chart"
        message = _(problem.message) % dict(problem.values) if problem.values else _(problem.message)
        prefix = "" if field != "chart" or problem.where == "chart" else f"{problem.where}: "
        out.append(FieldError(field, prefix + message))
    return out


@dataclass(frozen=True)
class Cell:
    text: str
    suppressed: bool = False
    numeric: bool = False


@dataclass(frozen=True)
class Provenance:
    release_id: str
    released_at: datetime
    permit_id: str
    permit_title: str
    organisation: str
    purpose: str
    lay_summary: str
    reviewers: tuple[str, ...]
    period_start: date
    period_end: date
    versions: tuple[tuple[str, int], ...]
    quality: tuple[tuple[str, str, int, str | None], ...]  # table, source, silver version, label
    unlabelled: tuple[str, ...]  # tables whose build is not on record: no label claimed
    thresholds: tuple[tuple[str, str], ...]
    sha256: str


@dataclass(frozen=True)
class Panel:
    """One aggregate on a dashboard: its table (the chart's filters applied) and provenance."""

    aggregate_id: str
    description: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    suppressed: int  # suppressed cells in the rows shown
    provenance: Provenance
    # Shown as a standing indicator's latest release: its id, and whether a newer run was
    # held for review (the page then says it shows the release of its date).
    indicator_id: str | None = None
    held: bool = False


@dataclass(frozen=True)
class DashboardPage:
    dashboard_id: str
    title: str
    notes: str
    kind: str
    state: str
    audience: str
    owner: str
    editable: bool
    chart: bool
    panels: tuple[Panel, ...]
    missing: int  # aggregates left out: their permit no longer allows publication
    published_at: datetime | None
    map: bool = False  # the chart is a map of provinces
    off_map: int = 0  # a map's rows it cannot draw (no province code, or a province twice)
    shapes_missing: bool = False  # a map whose provinces' boundaries are not installed
    setup: str = provinces.SETUP


def shown_rows(aggregate: ReleasedAggregate, chart: Mapping[str, Any] | None) -> list[int]:
    """The indexes of the aggregate's rows the chart's filters keep (all of them for a table)."""
    filters = specs.filters(chart)
    return [
        index
        for _aggregate, index, record in service.chart_records([aggregate])
        if all(specs.keeps(record, f) for f in filters)
    ]


def placed(view: DashboardView) -> maps.Placed | None:
    """A map's rows (the chart's filters applied) by province, and how many it cannot draw;
    None when the dashboard is not a map."""
    spec = view.dashboard.spec
    shape = _shape_column(spec)
    if shape is None or spec.chart is None:
        return None
    colour = str(spec.chart["encoding"]["color"]["field"])
    filters = specs.filters(spec.chart)
    rows = [
        maps.MapRow(record, aggregate.is_suppressed(index, colour))
        for aggregate, index, record in service.chart_records([a for a, _ in view.aggregates])
        if all(specs.keeps(record, f) for f in filters)
    ]
    return maps.place(rows, shape)


def _cell(
    aggregate: ReleasedAggregate, row: int, column: str, value: Any, number: Callable[[Any], str]
) -> Cell:
    if aggregate.is_suppressed(row, column):
        return Cell("", suppressed=True)
    if isinstance(value, bool) or value is None:
        return Cell("" if value is None else str(value))
    if isinstance(value, int | float):
        return Cell(number(value), numeric=True)
    return Cell(str(value))


def _row(
    aggregate: ReleasedAggregate, row: int, number: Callable[[Any], str], shape: str | None, language: str
) -> tuple[Cell, ...]:
    """Row ``row``'s cells as the table shows them; a map's province codes named in ``language``."""
    cells = []
    for column, value in zip(aggregate.columns, aggregate.rows[row], strict=True):
        cell = _cell(aggregate, row, column, value, number)
        cells.append(_province(cell, value, language) if column == shape else cell)
    return tuple(cells)


def _shape_column(spec: DashboardSpec) -> str | None:
    """The column of province codes a map draws (None for other charts)."""
    if spec.kind is not ChartKind.MAP or spec.chart is None:
        return None
    return str(spec.chart["encoding"]["shape"]["field"])


def _province(cell: Cell, value: Any, language: str) -> Cell:
    """A map's province code as the province's name in ``language``, the code after it (what
    the data say); any other value as it was."""
    code = maps.province_code(value)
    names = None if code is None else provinces.PROVINCES.get(code)
    if cell.suppressed or names is None:
        return cell
    return Cell(f"{names[language]} ({code})")


def _provenance(
    aggregate: ReleasedAggregate, permit: Application, names: Mapping[str, str], _: Gettext
) -> Provenance:
    def shown(value: Any) -> str:
        return (_("Yes") if value else _("No")) if isinstance(value, bool) else str(value)

    thresholds = tuple(
        (_(THRESHOLDS[name]), shown(value))
        for name, value in aggregate.disclosure.items()
        if name in THRESHOLDS
    )
    return Provenance(
        release_id=aggregate.aggregate_id,
        released_at=aggregate.released_at,
        permit_id=permit.application_id,
        permit_title=permit.title,
        organisation=permit.organisation,
        purpose=_(words.PURPOSES.get(permit.purpose, permit.purpose)),
        lay_summary=permit.lay_summary,
        # Reviewers by name, or by role when they have none: their usernames are emails.
        reviewers=tuple(names.get(r) or _("Data steward") for r in aggregate.reviewers),
        period_start=aggregate.period_start,
        period_end=aggregate.period_end,
        versions=tuple(sorted(aggregate.versions.items())),
        quality=tuple(
            (table, s.source, s.silver_version, s.label)
            for table, found in sorted(aggregate.sources.items())
            for s in found
        ),
        unlabelled=tuple(sorted(t for t, found in aggregate.sources.items() if not found)),
        thresholds=thresholds,
        sha256=aggregate.sha256,
    )


def page(
    view: DashboardView, viewer: Any, language: str, _: Gettext, number: Callable[[Any], str]
) -> DashboardPage:
    """What the dashboard's page shows, in ``language``."""
    dashboard = view.dashboard
    spec = dashboard.spec
    shape = _shape_column(spec)
    panels = []
    for aggregate, permit in view.aggregates:
        kept = shown_rows(aggregate, spec.chart)
        rows = tuple(_row(aggregate, i, number, shape, language) for i in kept)
        standing = view.indicators.get(aggregate.aggregate_id)
        panels.append(
            Panel(
                aggregate_id=aggregate.aggregate_id,
                description=aggregate.description
                if standing is None
                else standing.indicator.description.get(language),
                columns=aggregate.columns,
                rows=rows,
                suppressed=sum(c.suppressed for r in rows for c in r),
                provenance=_provenance(aggregate, permit, view.reviewers, _),
                indicator_id=None if standing is None else standing.indicator.indicator_id,
                held=standing is not None and standing.held,
            )
        )
    on_map = placed(view)
    shapes_missing = on_map is not None and provinces.shapes() is None
    return DashboardPage(
        dashboard_id=dashboard.dashboard_id,
        title=spec.title.get(language),
        notes=spec.notes.get(language),
        kind=spec.kind.value,
        state=dashboard.state.value,
        audience=spec.audience.value,
        owner=dashboard.owner,
        editable=service.can_edit(viewer, dashboard),
        chart=spec.kind is not ChartKind.TABLE
        and spec.chart is not None
        and bool(view.aggregates)
        and not shapes_missing,
        panels=tuple(panels),
        missing=len(spec.aggregates) - len(view.aggregates),
        published_at=dashboard.published_at,
        map=on_map is not None,
        off_map=0 if on_map is None else on_map.off_map,
        shapes_missing=shapes_missing,
    )


def chart_values(view: DashboardView) -> list[dict[str, Any]]:
    """The rows the chart draws: every cell of the aggregates, suppressed ones as null."""
    several = len(view.aggregates) > 1
    values = []
    for aggregate, _permit in view.aggregates:
        for index, row in enumerate(aggregate.rows):
            record = {
                column: None if aggregate.is_suppressed(index, column) else value
                for column, value in zip(aggregate.columns, row, strict=True)
            }
            if several:
                record[RELEASE_FIELD] = aggregate.aggregate_id
            values.append(record)
    return values


def vega_lite(
    view: DashboardView, language: str, _: Gettext, number: Callable[[Any], str]
) -> dict[str, Any] | None:
    """The full Vega-Lite spec of the dashboard's chart in ``language``; None for a table, or
    for a map whose provinces' boundaries are not installed."""
    spec = view.dashboard.spec
    if spec.chart is None or not view.aggregates:
        return None
    on_map = placed(view)
    if on_map is not None:
        shapes = provinces.shapes()
        if shapes is None:
            return None
        names = {code: names[language] for code, names in provinces.PROVINCES.items()}
        texts = maps.MapTexts(names, _(MAP_SUPPRESSED), _(MAP_NONE), number)
        return maps.map_spec(spec.chart, on_map, shapes, texts, spec.title.get(language))
    columns = service.chart_columns([a for a, _ in view.aggregates])
    return specs.chart_with_data(spec.chart, columns, chart_values(view), spec.title.get(language))


def render(full: Mapping[str, Any], fmt: str) -> bytes:
    """The chart rendered on the server by vl-convert: ``svg`` or ``png``."""
    import vl_convert

    if fmt == "svg":
        return str(vl_convert.vegalite_to_svg(dict(full))).encode("utf-8")
    return bytes(vl_convert.vegalite_to_png(dict(full), scale=2))


def as_csv(view: DashboardView) -> str:
    """The rows the page's tables show, as one CSV (suppressed cells empty, as in the released
    file; a ``release`` column first when the dashboard draws several aggregates)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    several = len(view.aggregates) > 1
    if not view.aggregates:
        return ""
    columns = view.aggregates[0][0].columns
    writer.writerow(((RELEASE_FIELD,) if several else ()) + tuple(columns))
    for aggregate, _permit in view.aggregates:
        for index in shown_rows(aggregate, view.dashboard.spec.chart):
            row = tuple(
                None if aggregate.is_suppressed(index, c) else v
                for c, v in zip(aggregate.columns, aggregate.rows[index], strict=True)
            )
            writer.writerow(((aggregate.aggregate_id,) if several else ()) + row)
    return buffer.getvalue()


def blank_form() -> dict[str, Any]:
    return {"aggregates": [], "kind": "bar", "chart": "", "audience": "public"} | {
        f"{p}_{lang}": "" for p in ("title", "notes") for lang in service.LANGUAGES
    }


def form_of(dashboard: Dashboard) -> dict[str, Any]:
    return service.form_of(dashboard)


def read_form(form: Any) -> dict[str, Any]:
    """The dashboard form as the service takes it."""
    out: dict[str, Any] = {name: str(form.get(name) or "") for name in FORM_FIELDS}
    out["aggregates"] = [str(a) for a in form.getlist("aggregates")]
    return out


def spec_json(full: Mapping[str, Any]) -> str:
    return json.dumps(full, ensure_ascii=False)
