"""Composing, publishing and reading dashboards, over the released-aggregate registry only.

A policy analyst composes a dashboard from released aggregates whose permit allows
publication (``registry.publication``); it is a draft, seen by its author alone, until they
publish it to their organisation (signed-in users of the same organisation) or to the
public. Every check names its reason (``SpecProblem``); every change is audited with ids
only, never titles or notes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from catalog.audit import trail
from catalog.dashboards import indicators, maps, registry, specs
from catalog.dashboards.domain import (
    Audience,
    ChartKind,
    Dashboard,
    DashboardSpec,
    DashboardState,
    ReleasedAggregate,
    Texts,
)
from catalog.dashboards.lifecycle import COMPOSED_EVENT, EDITED_EVENT, transition
from catalog.dashboards.specs import SpecProblem
from catalog.dashboards.store import DashboardStore
from catalog.errors import InvalidSpec, NotAuthorised, NotFound, passes
from catalog.people.domain import User
from catalog.people.roles import Operation, check_can
from catalog.people.store import UserStore
from catalog.permits.domain import Application
from catalog.references import new_reference

LANGUAGES = ("fr", "nl", "de", "en")
MAX_TITLE = 120
MAX_NOTES = 2000
RELEASE_FIELD = "release"  # the column naming each row's aggregate when a chart draws several
LINE_BREAKS = str.maketrans("", "", "\n\r\t")  # what notes may hold and titles may not
NO_MAP = "A map needs a column of province NIS codes and a numeric column: choose another kind of chart."


class Store(indicators.Store, DashboardStore, UserStore, Protocol):
    """Everything dashboards read and write."""


@dataclass(frozen=True)
class DashboardView:
    """A dashboard as a reader sees it: its spec and, per aggregate, the aggregate and its
    permit; for an aggregate shown as a standing indicator's latest release, its status."""

    dashboard: Dashboard
    aggregates: tuple[tuple[ReleasedAggregate, Application], ...]
    indicators: Mapping[str, indicators.Status] = field(default_factory=dict)  # by aggregate id
    # The reviewers' display names by username ("" when they have none): a page shows
    # these, never a username, which is an email address.
    reviewers: Mapping[str, str] = field(default_factory=dict)


def resolve(store: Store, reference: str) -> tuple[ReleasedAggregate | None, indicators.Status | None]:
    """The released aggregate a dashboard's reference names: the aggregate itself, or for a
    standing indicator (``ind-...``) its latest released version, with the indicator's status."""
    if not indicators.is_reference(reference):
        return store.find_released_aggregate(reference), None
    if store.find_indicator(reference) is None:
        return None, None
    status = indicators.status(store, reference)
    return status.latest, status


def _texts(
    values: Mapping[str, str],
    where: str,
    limit: int,
    required: bool,
    problems: list[SpecProblem],
    multiline: bool,
) -> Texts:
    """The text in each language, checked; only notes may hold line breaks (titles go into
    the chart, whose expressions a line break would break)."""
    cleaned = {}
    for lang in LANGUAGES:
        text = str(values.get(lang, "")).strip()
        if required and not text:
            problems.append(SpecProblem(f"{where}_{lang}", "Write this text in every language."))
        elif len(text) > limit:
            problems.append(
                SpecProblem(f"{where}_{lang}", "Write at most %(n)s characters.", (("n", str(limit)),))
            )
        elif specs.has_control(text.translate(LINE_BREAKS) if multiline else text):
            problems.append(SpecProblem(f"{where}_{lang}", "Remove the line breaks and control characters."))
        cleaned[lang] = text
    return Texts(**cleaned)


def chart_columns(aggregates: Sequence[ReleasedAggregate]) -> tuple[str, ...]:
    """The columns a chart over ``aggregates`` may name (the release's id too when several)."""
    if not aggregates:
        return ()
    columns = aggregates[0].columns
    return (*columns, RELEASE_FIELD) if len(aggregates) > 1 else columns


# Long on purpose: every field of the form checked in one pass, so that all problems come back together.
def check_spec(store: Store, actor: User, form: Mapping[str, Any]) -> DashboardSpec:
    """The dashboard ``form`` describes, checked against the registry; ``InvalidSpec`` otherwise.

    ``form`` holds ``aggregates`` (ids), ``kind``, ``chart`` (Vega-Lite JSON text, empty for
    the default chart), ``title_<lang>``, ``notes_<lang>`` and ``audience``.
    """
    problems: list[SpecProblem] = []
    ids = tuple(dict.fromkeys(str(a).strip() for a in form.get("aggregates", ()) if str(a).strip()))
    found: list[ReleasedAggregate] = []
    if not ids:
        problems.append(SpecProblem("aggregates", "Choose at least one released aggregate."))
    for aggregate_id in ids:
        aggregate, _status = resolve(store, aggregate_id)
        if aggregate is None:
            problems.append(
                SpecProblem("aggregates", "%(id)s is not a released aggregate.", (("id", aggregate_id[:64]),))
            )
        elif not registry.publication(store.get_application(aggregate.permit_id)).allowed:
            problems.append(
                SpecProblem(
                    "aggregates",
                    "%(id)s may not be published: its permit does not allow it.",
                    (("id", aggregate_id),),
                )
            )
        else:
            found.append(aggregate)
    if len({a.columns for a in found}) > 1:
        problems.append(SpecProblem("aggregates", "The aggregates of one chart must have the same columns."))
    try:
        kind = ChartKind(str(form.get("kind", "")))
    except ValueError:
        problems.append(SpecProblem("kind", "Choose a bar chart, a line chart, a map or a table."))
        kind = ChartKind.TABLE
    try:
        audience = Audience(str(form.get("audience", "")))
    except ValueError:
        problems.append(SpecProblem("audience", "Choose who may see the dashboard once published."))
        audience = Audience.ORGANISATION
    if audience is Audience.ORGANISATION and not actor.organisation:
        problems.append(
            SpecProblem(
                "audience",
                "Your account belongs to no organisation: publish to the public, or ask an operator.",
            )
        )
    title = _texts(_prefixed(form, "title"), "title", MAX_TITLE, True, problems, multiline=False)
    notes = _texts(_prefixed(form, "notes"), "notes", MAX_NOTES, False, problems, multiline=True)
    chart: dict[str, Any] | None = None
    if kind is not ChartKind.TABLE and found and len({a.columns for a in found}) == 1:
        text = str(form.get("chart", "")).strip()
        rows = [r for a in found for r in a.rows]
        try:
            raw = specs.parse_chart(text) if text else specs.default_chart(kind, found[0].columns, rows)
            if raw is None and kind is ChartKind.MAP:
                raise InvalidSpec([SpecProblem("kind", NO_MAP)])
            chart = specs.check_chart(raw, chart_columns(found), maps.numeric_columns(found[0].columns, rows))
        except InvalidSpec as refused:
            problems.extend(refused.problems)
        else:
            mark = chart["mark"] if isinstance(chart["mark"], str) else chart["mark"]["type"]
            if mark != specs.KIND_MARKS[kind]:
                problems.append(
                    SpecProblem(
                        "chart",
                        "The chart's mark must be the kind chosen: %(kind)s.",
                        (("kind", specs.KIND_MARKS[kind]),),
                    )
                )
            elif kind is ChartKind.MAP:
                problems.extend(_map_problems(chart, found))
    if problems:
        raise InvalidSpec(problems)
    return DashboardSpec(ids, kind, chart, title, notes, audience)


def chart_records(
    aggregates: Sequence[ReleasedAggregate],
) -> list[tuple[ReleasedAggregate, int, dict[str, Any]]]:
    """Each row of ``aggregates`` as a chart's filters see it: its cells by column and, under
    ``RELEASE_FIELD``, its release's id; with its aggregate and index."""
    out = []
    for aggregate in aggregates:
        for index, row in enumerate(aggregate.rows):
            record = dict(zip(aggregate.columns, row, strict=True))
            record[RELEASE_FIELD] = aggregate.aggregate_id
            out.append((aggregate, index, record))
    return out


def _map_problems(chart: Mapping[str, Any], found: Sequence[ReleasedAggregate]) -> list[SpecProblem]:
    """A checked map's column of codes names provinces, each at most once after the filters."""
    key = str(chart["encoding"]["shape"]["field"])
    records = [record for _a, _i, record in chart_records(found)]
    if not any(maps.province_code(r.get(key)) for r in records):
        return [
            SpecProblem(
                "chart",
                "The column %(column)s holds no province NIS code (such as 10000 for Antwerp).",
                (("column", key),),
            )
        ]
    kept = [r for r in records if all(specs.keeps(r, f) for f in specs.filters(chart))]
    twice = maps.repeated(kept, key)
    if twice:
        return [
            SpecProblem(
                "chart",
                "A map shows one number per province, and %(codes)s appear in several rows: "
                "filter the rows (by year, for example) so that each province appears once.",
                (("codes", ", ".join(twice)),),
            )
        ]
    return []


def _prefixed(form: Mapping[str, Any], prefix: str) -> dict[str, str]:
    return {lang: str(form.get(f"{prefix}_{lang}", "")) for lang in LANGUAGES}


def compose(store: Store, actor: User, form: Mapping[str, Any], now: datetime | None = None) -> Dashboard:
    """A new draft dashboard of ``actor`` (policy analysts)."""
    check_can(actor, Operation.COMPOSE_DASHBOARD)
    spec = check_spec(store, actor, form)
    at = (now or datetime.now(UTC)).astimezone(UTC)
    dashboard = Dashboard(
        dashboard_id=new_reference("dash", at),
        owner=actor.username,
        organisation=actor.organisation,
        spec=spec,
        state=DashboardState.DRAFT,
        created_at=at,
        updated_at=at,
    )
    store.add_dashboard(dashboard)
    _audit(store, actor, COMPOSED_EVENT, dashboard, at)
    return dashboard


def _audit(
    store: Store, actor: User, action: str, dashboard: Dashboard, at: datetime, **details: Any
) -> None:
    trail.append(
        store,
        actor=actor.username,
        action=action,
        object_type="dashboard",
        object_id=dashboard.dashboard_id,
        at=at,
        details={
            "aggregates": list(dashboard.spec.aggregates),
            "audience": dashboard.spec.audience.value,
            "kind": dashboard.spec.kind.value,
            **details,
        },
    )


def check_can_edit(actor: User, dashboard: Dashboard) -> None:
    check_can(actor, Operation.COMPOSE_DASHBOARD)
    if dashboard.owner != actor.username:
        raise NotAuthorised(
            f"user {actor.username!r} may not change {dashboard.dashboard_id}: not its author"
        )


def can_edit(actor: User | None, dashboard: Dashboard) -> bool:
    return actor is not None and passes(lambda: check_can_edit(actor, dashboard))


def _get(store: Store, dashboard_id: str) -> Dashboard:
    found = store.find_dashboard(dashboard_id)
    if found is None:
        raise NotFound(f"no dashboard {dashboard_id!r}")
    return found


def edit(
    store: Store, actor: User, dashboard_id: str, form: Mapping[str, Any], now: datetime | None = None
) -> Dashboard:
    """Change a dashboard of ``actor``'s; a published one stays published, as changed."""
    dashboard = _get(store, dashboard_id)
    check_can_edit(actor, dashboard)
    spec = check_spec(store, actor, form)
    at = (now or datetime.now(UTC)).astimezone(UTC)
    changed = replace(dashboard, spec=spec, updated_at=at, organisation=actor.organisation)
    store.update_dashboard(changed)
    _audit(store, actor, EDITED_EVENT, changed, at)
    return changed


def move(
    store: Store, actor: User, dashboard_id: str, target: DashboardState, now: datetime | None = None
) -> Dashboard:
    """Publish a draft to its audience, or withdraw a published dashboard to draft."""
    dashboard = _get(store, dashboard_id)
    check_can_edit(actor, dashboard)
    step = transition(dashboard.state, target)
    at = (now or datetime.now(UTC)).astimezone(UTC)
    if target is DashboardState.PUBLISHED:
        # The aggregates are checked again: a permit revoked since composing blocks publishing.
        check_spec(store, actor, form_of(dashboard))
    moved = replace(
        dashboard,
        state=target,
        updated_at=at,
        published_at=at if target is DashboardState.PUBLISHED else None,
    )
    store.update_dashboard(moved)
    _audit(store, actor, step.event, moved, at)
    return moved


def form_of(dashboard: Dashboard) -> dict[str, Any]:
    """The form that composes ``dashboard`` again (the edit page starts from it)."""
    import json

    spec = dashboard.spec
    form: dict[str, Any] = {
        "aggregates": list(spec.aggregates),
        "kind": spec.kind.value,
        "chart": "" if spec.chart is None else json.dumps(spec.chart, indent=2, ensure_ascii=False),
        "audience": spec.audience.value,
    }
    for lang in LANGUAGES:
        form[f"title_{lang}"] = spec.title.get(lang)
        form[f"notes_{lang}"] = spec.notes.get(lang)
    return form


def check_can_view(viewer: User | None, dashboard: Dashboard) -> None:
    """Its author always; once published, everyone (public) or its organisation's users."""
    if viewer is not None and dashboard.owner == viewer.username:
        return
    if dashboard.state is DashboardState.PUBLISHED:
        if dashboard.spec.audience is Audience.PUBLIC:
            return
        if viewer is not None and viewer.organisation and viewer.organisation == dashboard.organisation:
            return
    raise NotAuthorised("this dashboard is not shown to this visitor")


def can_view(viewer: User | None, dashboard: Dashboard) -> bool:
    return passes(lambda: check_can_view(viewer, dashboard))


def view(store: Store, viewer: User | None, dashboard_id: str) -> DashboardView:
    """A dashboard with its aggregates; ``NotFound`` for a visitor who may not see it (no
    telling that it exists). Aggregates whose permit no longer allows publication are left
    out of a published dashboard for everyone but its author."""
    dashboard = _get(store, dashboard_id)
    if not can_view(viewer, dashboard):
        raise NotFound(f"no dashboard {dashboard_id!r}")
    shown = []
    standing = {}
    for reference in dashboard.spec.aggregates:
        aggregate, status = resolve(store, reference)
        if aggregate is None:  # an indicator retired before it was ever released
            continue
        permit = store.get_application(aggregate.permit_id)
        if registry.publication(permit).allowed:
            shown.append((aggregate, permit))
            if status is not None:
                standing[aggregate.aggregate_id] = status
    reviewers = {}
    for aggregate, _permit in shown:
        for username in aggregate.reviewers:
            user = store.find_user(username)
            reviewers[username] = user.display_name if user is not None else ""
    return DashboardView(dashboard, tuple(shown), standing, reviewers)


def visible(store: Store, viewer: User | None) -> list[Dashboard]:
    """Published dashboards ``viewer`` may see (signed out: the public ones), newest first."""
    return sorted(
        (d for d in store.list_dashboards() if d.state is DashboardState.PUBLISHED and can_view(viewer, d)),
        key=lambda d: d.published_at or d.updated_at,
        reverse=True,
    )


def own(store: Store, actor: User) -> list[Dashboard]:
    """``actor``'s dashboards, drafts included, newest change first."""
    check_can(actor, Operation.COMPOSE_DASHBOARD)
    mine = [d for d in store.list_dashboards() if d.owner == actor.username]
    return sorted(mine, key=lambda d: d.updated_at, reverse=True)


def choices(store: Store, actor: User) -> list[tuple[ReleasedAggregate, Application]]:
    """The aggregates ``actor`` may compose from: every one whose permit allows publication."""
    check_can(actor, Operation.COMPOSE_DASHBOARD)
    return registry.publishable(store)


def indicator_choices(store: Store, actor: User) -> list[tuple[indicators.Status, Application]]:
    """The standing indicators ``actor`` may chart (always their latest release): every one
    released at least once whose permit allows publication."""
    check_can(actor, Operation.COMPOSE_DASHBOARD)
    out = []
    for indicator in store.list_indicators():
        status = indicators.status(store, indicator.indicator_id)
        permit = store.get_application(indicator.permit_id)
        if status.latest is not None and registry.publication(permit).allowed:
            out.append((status, permit))
    return out
