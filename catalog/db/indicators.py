"""Standing indicators and their runs (``catalog.dashboards.indicators``) over SQLAlchemy."""

from __future__ import annotations

from sqlalchemy import func, select

from catalog.dashboards.domain import Texts
from catalog.dashboards.indicators import Indicator, IndicatorState, Outcome, Run, Terms
from catalog.db.dashboards import SqlDashboardStore
from catalog.db.models import IndicatorRow, IndicatorRunRow
from catalog.db.sign_in import as_utc, required_utc
from catalog.errors import NotFound


class SqlIndicatorStore(SqlDashboardStore):
    """Every store Protocol, indicators' included, over one session."""

    @staticmethod
    def _indicator_values(indicator: Indicator) -> dict[str, object]:
        return {
            "permit_id": indicator.permit_id,
            "sql": indicator.sql,
            "sql_sha256": indicator.sql_sha256,
            "description": indicator.description.as_dict(),
            "min_persons": indicator.terms.min_persons,
            "rounding_base": indicator.terms.rounding_base,
            "state": indicator.state.value,
            "proposed_by": indicator.proposed_by,
            "proposed_at": indicator.proposed_at,
            "approvals": list(indicator.approvals),
            "approved_at": indicator.approved_at,
            "retired_at": indicator.retired_at,
        }

    def add_indicator(self, indicator: Indicator) -> None:
        self.session.add(
            IndicatorRow(indicator_id=indicator.indicator_id, **self._indicator_values(indicator))
        )
        self.session.flush()

    @staticmethod
    def _indicator(row: IndicatorRow) -> Indicator:
        return Indicator(
            indicator_id=row.indicator_id,
            permit_id=row.permit_id,
            sql=row.sql,
            sql_sha256=row.sql_sha256,
            description=Texts(**row.description),
            terms=Terms(min_persons=row.min_persons, rounding_base=row.rounding_base),
            state=IndicatorState(row.state),
            proposed_by=row.proposed_by,
            proposed_at=required_utc(row.proposed_at),
            approvals=tuple(row.approvals),
            approved_at=as_utc(row.approved_at),
            retired_at=as_utc(row.retired_at),
        )

    def find_indicator(self, indicator_id: str) -> Indicator | None:
        row = self.session.get(IndicatorRow, indicator_id)
        return None if row is None else self._indicator(row)

    def update_indicator(self, indicator: Indicator) -> None:
        row = self.session.get(IndicatorRow, indicator.indicator_id)
        if row is None:
            raise NotFound(f"no indicator {indicator.indicator_id!r}")
        for name, value in self._indicator_values(indicator).items():
            setattr(row, name, value)
        self.session.flush()

    def list_indicators(self) -> list[Indicator]:
        query = select(IndicatorRow).order_by(IndicatorRow.proposed_at, IndicatorRow.indicator_id)
        return [self._indicator(row) for row in self.session.scalars(query)]

    def add_indicator_run(self, run: Run) -> None:
        filed = self.session.scalar(select(func.max(IndicatorRunRow.filed))) or 0
        self.session.add(
            IndicatorRunRow(
                run_id=run.run_id,
                filed=filed + 1,
                indicator_id=run.indicator_id,
                at=run.at,
                versions=dict(run.versions),
                silver={table: dict(found) for table, found in run.silver.items()},
                outcome=run.outcome.value,
                request_id=run.request_id,
                rule=run.rule,
                rules=list(run.rules),
                suppressed=run.suppressed,
            )
        )
        self.session.flush()

    @staticmethod
    def _run(row: IndicatorRunRow) -> Run:
        return Run(
            run_id=row.run_id,
            indicator_id=row.indicator_id,
            at=required_utc(row.at),
            versions={str(k): int(v) for k, v in row.versions.items()},
            silver={t: {str(s): int(v) for s, v in found.items()} for t, found in row.silver.items()},
            outcome=Outcome(row.outcome),
            request_id=row.request_id,
            rule=row.rule,
            suppressed=row.suppressed,
            rules=tuple(row.rules),
        )

    def indicator_runs(self, indicator_id: str) -> list[Run]:
        """The runs of one indicator, oldest first."""
        query = (
            select(IndicatorRunRow)
            .where(IndicatorRunRow.indicator_id == indicator_id)
            .order_by(IndicatorRunRow.filed)
        )
        return [self._run(row) for row in self.session.scalars(query)]

    def find_indicator_run_by_request(self, request_id: str) -> Run | None:
        row = self.session.scalar(select(IndicatorRunRow).where(IndicatorRunRow.request_id == request_id))
        return None if row is None else self._run(row)
