"""The released-aggregate registry and dashboards (``catalog.dashboards.store``) over SQLAlchemy."""

from __future__ import annotations

from sqlalchemy import select

from catalog.dashboards.domain import (
    Audience,
    ChartKind,
    Dashboard,
    DashboardSpec,
    DashboardState,
    ReleasedAggregate,
    SourceQuality,
    Texts,
)
from catalog.db.models import DashboardRow, ReleasedAggregateRow
from catalog.db.outputs import SqlOutputStore
from catalog.db.sign_in import as_utc, required_utc
from catalog.errors import NotFound


class SqlDashboardStore(SqlOutputStore):
    """Every store Protocol, the registry's and dashboards' included, over one session."""

    def add_released_aggregate(self, aggregate: ReleasedAggregate) -> None:
        self.session.add(
            ReleasedAggregateRow(
                aggregate_id=aggregate.aggregate_id,
                permit_id=aggregate.permit_id,
                released_at=aggregate.released_at,
                description=aggregate.description,
                columns=list(aggregate.columns),
                rows=[list(row) for row in aggregate.rows],
                suppressed=[dict(s) for s in aggregate.suppressed],
                csv=aggregate.csv,
                sha256=aggregate.sha256,
                reviewers=list(aggregate.reviewers),
                disclosure=dict(aggregate.disclosure),
                versions=dict(aggregate.versions),
                sources={
                    table: [
                        {"source": s.source, "silver_version": s.silver_version, "label": s.label}
                        for s in found
                    ]
                    for table, found in aggregate.sources.items()
                },
                period_start=aggregate.period_start,
                period_end=aggregate.period_end,
            )
        )
        self.session.flush()

    @staticmethod
    def _aggregate(row: ReleasedAggregateRow) -> ReleasedAggregate:
        return ReleasedAggregate(
            aggregate_id=row.aggregate_id,
            permit_id=row.permit_id,
            released_at=required_utc(row.released_at),
            description=row.description,
            columns=tuple(row.columns),
            rows=tuple(tuple(r) for r in row.rows),
            suppressed=tuple(dict(s) for s in row.suppressed),
            csv=row.csv,
            sha256=row.sha256,
            reviewers=tuple(row.reviewers),
            disclosure=dict(row.disclosure),
            versions={str(k): int(v) for k, v in row.versions.items()},
            sources={
                table: tuple(SourceQuality(s["source"], int(s["silver_version"]), s["label"]) for s in found)
                for table, found in row.sources.items()
            },
            period_start=row.period_start,
            period_end=row.period_end,
        )

    def find_released_aggregate(self, aggregate_id: str) -> ReleasedAggregate | None:
        row = self.session.get(ReleasedAggregateRow, aggregate_id)
        return None if row is None else self._aggregate(row)

    def list_released_aggregates(self) -> list[ReleasedAggregate]:
        query = select(ReleasedAggregateRow).order_by(
            ReleasedAggregateRow.released_at, ReleasedAggregateRow.aggregate_id
        )
        return [self._aggregate(row) for row in self.session.scalars(query)]

    @staticmethod
    def _dashboard_values(dashboard: Dashboard) -> dict[str, object]:
        spec = dashboard.spec
        return {
            "owner": dashboard.owner,
            "organisation": dashboard.organisation,
            "aggregates": list(spec.aggregates),
            "kind": spec.kind.value,
            "chart": spec.chart,
            "title": spec.title.as_dict(),
            "notes": spec.notes.as_dict(),
            "audience": spec.audience.value,
            "state": dashboard.state.value,
            "created_at": dashboard.created_at,
            "updated_at": dashboard.updated_at,
            "published_at": dashboard.published_at,
        }

    def add_dashboard(self, dashboard: Dashboard) -> None:
        self.session.add(
            DashboardRow(dashboard_id=dashboard.dashboard_id, **self._dashboard_values(dashboard))
        )
        self.session.flush()

    @staticmethod
    def _dashboard(row: DashboardRow) -> Dashboard:
        return Dashboard(
            dashboard_id=row.dashboard_id,
            owner=row.owner,
            organisation=row.organisation,
            spec=DashboardSpec(
                aggregates=tuple(row.aggregates),
                kind=ChartKind(row.kind),
                chart=row.chart,
                title=Texts(**row.title),
                notes=Texts(**row.notes),
                audience=Audience(row.audience),
            ),
            state=DashboardState(row.state),
            created_at=required_utc(row.created_at),
            updated_at=required_utc(row.updated_at),
            published_at=as_utc(row.published_at),
        )

    def find_dashboard(self, dashboard_id: str) -> Dashboard | None:
        row = self.session.get(DashboardRow, dashboard_id)
        return None if row is None else self._dashboard(row)

    def update_dashboard(self, dashboard: Dashboard) -> None:
        row = self.session.get(DashboardRow, dashboard.dashboard_id)
        if row is None:
            raise NotFound(f"no dashboard {dashboard.dashboard_id!r}")
        for name, value in self._dashboard_values(dashboard).items():
            setattr(row, name, value)
        self.session.flush()

    def list_dashboards(self) -> list[Dashboard]:
        query = select(DashboardRow).order_by(DashboardRow.created_at, DashboardRow.dashboard_id)
        return [self._dashboard(row) for row in self.session.scalars(query)]
