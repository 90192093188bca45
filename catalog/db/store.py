"""Storage of the control plane: small Protocols the domain talks to, and their SQLAlchemy adapter.

The service layer (``catalog.permits.service``) sees only the Protocols; ``SqlStore`` implements
them all over one SQLAlchemy session, so that a transition, its history row and its audit
entry are written in one transaction.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.audit.domain import AuditEntry
from catalog.datasets.domain import DatasetRecord, DatasetRevision, QualityLabel
from catalog.db.citizens import SqlCitizenStore
from catalog.db.drafts import SqlDraftStore
from catalog.db.models import (
    ApplicationRow,
    AuditRow,
    DatasetRevisionRow,
    DatasetRow,
    DatasetVersionRow,
    OptOutEventRow,
    PermitBuildRow,
    QualityLabelRow,
    TransitionRow,
    UserRow,
)
from catalog.db.sign_in import SqlSignInStore
from catalog.db.sign_in import as_utc as _utc
from catalog.db.sign_in import required_utc as _required_utc
from catalog.errors import NotFound
from catalog.optout.domain import OptOutEvent
from catalog.optout.vocabulary import OptOutAction, OptOutChannel, OptOutSource
from catalog.people.domain import Role, User
from catalog.permits.domain import Application, PermitBuild, RequestedDataset, TransitionRecord
from catalog.permits.terms import Anonymisation, CohortRules, Disclosure
from catalog.permits.vocabulary import DataForm, OrganisationType, PermitState


class SqlStore(SqlSignInStore, SqlDraftStore, SqlCitizenStore):
    """Every store Protocol over one SQLAlchemy session; the caller owns the transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # users -----------------------------------------------------------------------------
    def add_user(self, user: User, password_hash: str | None) -> None:
        self.session.add(
            UserRow(
                username=user.username,
                display_name=user.display_name,
                roles=sorted(r.value for r in user.roles),
                password_hash=password_hash,
                created_at=datetime.now(UTC),
                organisation=user.organisation,
            )
        )
        self.session.flush()

    def find_user(self, username: str) -> User | None:
        row = self.session.get(UserRow, username)
        if row is None:
            return None
        return User(
            username=row.username,
            roles=frozenset(Role(r) for r in row.roles),
            display_name=row.display_name,
            disabled=row.disabled_at is not None,
            organisation=row.organisation,
        )

    def get_user(self, username: str) -> User:
        user = self.find_user(username)
        if user is None:
            raise NotFound(f"no user {username!r}")
        return user

    def password_hash(self, username: str) -> str | None:
        row = self.session.get(UserRow, username)
        return None if row is None else row.password_hash

    def set_password_hash(self, username: str, password_hash: str) -> None:
        row = self.session.get(UserRow, username)
        if row is None:
            raise NotFound(f"no user {username!r}")
        row.password_hash = password_hash

    def set_user_disabled(self, username: str, at: datetime | None) -> None:
        row = self.session.get(UserRow, username)
        if row is None:
            raise NotFound(f"no user {username!r}")
        row.disabled_at = at
        self.session.flush()

    def list_users(self) -> list[User]:
        rows = self.session.scalars(select(UserRow.username).order_by(UserRow.username))
        return [self.get_user(name) for name in rows]

    def user_language(self, username: str) -> str | None:
        row = self.session.get(UserRow, username)
        return None if row is None else row.language

    def set_user_language(self, username: str, language: str | None) -> None:
        row = self.session.get(UserRow, username)
        if row is None:
            raise NotFound(f"no user {username!r}")
        row.language = language
        self.session.flush()

    # datasets --------------------------------------------------------------------------
    def put_dataset(self, dataset: DatasetRecord) -> None:
        row = self.session.get(DatasetRow, dataset.dataset_id)
        now = datetime.now(UTC)
        if row is None:
            self.session.add(
                DatasetRow(
                    dataset_id=dataset.dataset_id,
                    source=dataset.source,
                    meta=dataset.metadata,
                    updated_at=now,
                )
            )
        else:
            row.source, row.meta, row.updated_at = dataset.source, dataset.metadata, now
        self.session.flush()

    def _dataset(self, row: DatasetRow) -> DatasetRecord:
        versions = self.session.scalars(
            select(DatasetVersionRow)
            .where(DatasetVersionRow.dataset_id == row.dataset_id)
            .order_by(DatasetVersionRow.version)
        )
        quality = self.latest_quality_label(row.source)
        return DatasetRecord(
            dataset_id=row.dataset_id,
            source=row.source,
            metadata=dict(row.meta),
            versions=tuple((v.version, _required_utc(v.published_at), v.rows) for v in versions),
            quality=quality,
        )

    def add_dataset_revision(self, revision: DatasetRevision) -> None:
        self.session.add(
            DatasetRevisionRow(
                dataset_id=revision.dataset_id,
                revision=revision.revision,
                actor=revision.actor,
                at=revision.at,
                changes=revision.changes,
                corrected=revision.corrected,
            )
        )
        self.session.flush()

    def dataset_revisions(self, dataset_id: str) -> list[DatasetRevision]:
        rows = self.session.scalars(
            select(DatasetRevisionRow)
            .where(DatasetRevisionRow.dataset_id == dataset_id)
            .order_by(DatasetRevisionRow.revision)
        )
        return [
            DatasetRevision(
                r.dataset_id, r.revision, r.actor, _required_utc(r.at), dict(r.changes), dict(r.corrected)
            )
            for r in rows
        ]

    def add_quality_label(self, source: str, label: QualityLabel) -> None:
        """Record (or replace) the label of one silver version of ``source``."""
        self.session.merge(
            QualityLabelRow(
                source=source,
                silver_version=label.silver_version,
                run_id=label.run_id,
                measured_at=label.measured_at,
                label=label.label,
            )
        )
        self.session.flush()

    def latest_quality_label(self, source: str) -> QualityLabel | None:
        labelled = self.session.scalars(
            select(QualityLabelRow)
            .where(QualityLabelRow.source == source)
            .order_by(QualityLabelRow.measured_at.desc(), QualityLabelRow.silver_version.desc())
        ).first()
        if labelled is None:
            return None
        return QualityLabel(
            labelled.silver_version,
            labelled.run_id,
            _required_utc(labelled.measured_at),
            dict(labelled.label),
        )

    def quality_labels(self, source: str) -> list[QualityLabel]:
        """Every silver version's label of ``source``, newest version first."""
        rows = self.session.scalars(
            select(QualityLabelRow)
            .where(QualityLabelRow.source == source)
            .order_by(QualityLabelRow.silver_version.desc())
        )
        return [
            QualityLabel(r.silver_version, r.run_id, _required_utc(r.measured_at), dict(r.label))
            for r in rows
        ]

    def get_dataset(self, dataset_id: str) -> DatasetRecord:
        row = self.session.get(DatasetRow, dataset_id)
        if row is None:
            raise NotFound(f"no dataset {dataset_id!r}")
        return self._dataset(row)

    def list_datasets(self) -> list[DatasetRecord]:
        rows = self.session.scalars(select(DatasetRow).order_by(DatasetRow.dataset_id))
        return [self._dataset(row) for row in rows]

    def add_dataset_version(self, dataset_id: str, version: int, at: datetime, rows: int | None) -> None:
        existing = self.session.get(DatasetVersionRow, (dataset_id, version))
        if existing is None:
            self.session.add(
                DatasetVersionRow(dataset_id=dataset_id, version=version, published_at=at, rows=rows)
            )
        else:
            existing.rows = rows
        self.session.flush()

    # applications ----------------------------------------------------------------------
    @staticmethod
    def _fields(application: Application) -> dict[str, object]:
        values = asdict(application)
        values["datasets"] = [
            {"dataset": d.dataset, "variables": list(d.variables)} for d in application.datasets
        ]
        values["data_users"] = list(application.data_users)
        values["organisation_type"] = application.organisation_type.value
        values["data_form"] = application.data_form.value
        values["state"] = application.state.value
        values["cohort_rules"] = (
            None
            if application.cohort_rules is None
            else application.cohort_rules.model_dump(mode="json", exclude_none=True)
        )
        values["anonymisation"] = (
            None
            if application.anonymisation is None
            else application.anonymisation.model_dump(mode="json", exclude_none=True)
        )
        values["disclosure"] = (
            None
            if application.disclosure is None
            else application.disclosure.model_dump(mode="json", exclude_none=True)
        )
        return values

    def add_application(self, application: Application) -> None:
        filed = self.session.scalar(select(func.max(ApplicationRow.filed))) or 0
        self.session.add(ApplicationRow(**self._fields(application), filed=filed + 1))
        self.session.flush()

    def update_application(self, application: Application) -> None:
        row = self.session.get(ApplicationRow, application.application_id)
        if row is None:
            raise NotFound(f"no application {application.application_id!r}")
        for name, value in self._fields(application).items():
            setattr(row, name, value)
        self.session.flush()

    @staticmethod
    def _application(row: ApplicationRow) -> Application:
        return Application(
            application_id=row.application_id,
            title=row.title,
            applicant=row.applicant,
            organisation=row.organisation,
            organisation_type=OrganisationType(row.organisation_type),
            purpose=row.purpose,
            lay_summary=row.lay_summary,
            commercial=row.commercial,
            datasets=tuple(RequestedDataset(d["dataset"], tuple(d["variables"])) for d in row.datasets),
            cohort_criteria=row.cohort_criteria,
            period_start=row.period_start,
            period_end=row.period_end,
            data_form=DataForm(row.data_form),
            pseudonymisation_justification=row.pseudonymisation_justification,
            data_users=tuple(row.data_users),
            duration_months=row.duration_months,
            state=PermitState(row.state),
            created_at=_utc(row.created_at),
            submitted_at=_utc(row.submitted_at),
            decided_at=_utc(row.decided_at),
            decided_by=row.decided_by,
            decision_reason=row.decision_reason,
            granted_at=_utc(row.granted_at),
            expires_at=_utc(row.expires_at),
            cohort_rules=None if row.cohort_rules is None else CohortRules.model_validate(row.cohort_rules),
            anonymisation=(
                None if row.anonymisation is None else Anonymisation.model_validate(row.anonymisation)
            ),
            disclosure=None if row.disclosure is None else Disclosure.model_validate(row.disclosure),
        )

    def get_application(self, application_id: str) -> Application:
        row = self.session.get(ApplicationRow, application_id)
        if row is None:
            raise NotFound(f"no application or permit with id {application_id!r}")
        return self._application(row)

    def list_applications(self, states: frozenset[PermitState] | None = None) -> list[Application]:
        query = select(ApplicationRow).order_by(ApplicationRow.created_at, ApplicationRow.filed)
        if states is not None:
            query = query.where(ApplicationRow.state.in_([s.value for s in states]))
        return [self._application(row) for row in self.session.scalars(query)]

    def count_applications(self) -> int:
        return len(list(self.session.scalars(select(ApplicationRow.application_id))))

    def add_transition(self, record: TransitionRecord) -> None:
        self.session.add(
            TransitionRow(
                application_id=record.application_id,
                from_state=record.from_state.value,
                to_state=record.to_state.value,
                actor=record.actor,
                at=record.at,
                reason=record.reason,
            )
        )
        self.session.flush()

    def transitions(self, application_id: str) -> list[TransitionRecord]:
        query = select(TransitionRow).where(TransitionRow.application_id == application_id)
        rows = self.session.scalars(query.order_by(TransitionRow.id))
        return [
            TransitionRecord(
                r.application_id,
                PermitState(r.from_state),
                PermitState(r.to_state),
                r.actor,
                _required_utc(r.at),
                r.reason,
            )
            for r in rows
        ]

    # permit builds ---------------------------------------------------------------------
    def add_permit_build(self, build: PermitBuild) -> None:
        self.session.add(
            PermitBuildRow(
                permit_id=build.permit_id,
                outcome=build.outcome,
                at=build.at.astimezone(UTC),
                dataset=build.dataset,
                source_versions=dict(build.source_versions),
                output_version=build.output_version,
                rows=build.rows,
                patient_entered=build.patient_entered,
                report=dict(build.report),
            )
        )
        self.session.flush()

    def permit_builds(self, permit_id: str) -> list[PermitBuild]:
        """Every recorded build outcome of ``permit_id``, oldest first."""
        query = select(PermitBuildRow).where(PermitBuildRow.permit_id == permit_id)
        return [
            PermitBuild(
                permit_id=r.permit_id,
                outcome=r.outcome,
                at=_required_utc(r.at),
                dataset=r.dataset,
                source_versions=dict(r.source_versions),
                output_version=r.output_version,
                rows=r.rows,
                patient_entered=r.patient_entered,
                report=dict(r.report),
            )
            for r in self.session.scalars(query.order_by(PermitBuildRow.id))
        ]

    # audit -----------------------------------------------------------------------------
    @staticmethod
    def _entry(row: AuditRow) -> AuditEntry:
        return AuditEntry(
            seq=row.seq,
            at=row.at,
            actor=row.actor,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            details=dict(row.details),
            prev_hash=row.prev_hash,
            entry_hash=row.entry_hash,
        )

    def last_audit_entry(self) -> AuditEntry | None:
        row = self.session.scalars(select(AuditRow).order_by(AuditRow.seq.desc()).limit(1)).first()
        return None if row is None else self._entry(row)

    def append_audit(self, entry: AuditEntry) -> None:
        self.session.add(
            AuditRow(
                seq=entry.seq,
                at=entry.at,
                actor=entry.actor,
                action=entry.action,
                object_type=entry.object_type,
                object_id=entry.object_id,
                details=entry.details,
                prev_hash=entry.prev_hash,
                entry_hash=entry.entry_hash,
            )
        )
        self.session.flush()

    def audit_entries(self) -> list[AuditEntry]:
        return [self._entry(row) for row in self.session.scalars(select(AuditRow).order_by(AuditRow.seq))]

    def audit_entries_of(
        self, *, actor: str, actions: Collection[str], object_type: str, object_id: str, limit: int
    ) -> list[AuditEntry]:
        """One actor's newest entries of these actions on one object, newest first."""
        query = (
            select(AuditRow)
            .where(
                AuditRow.actor == actor,
                AuditRow.action.in_(list(actions)),
                AuditRow.object_type == object_type,
                AuditRow.object_id == object_id,
            )
            .order_by(AuditRow.seq.desc())
            .limit(limit)
        )
        return [self._entry(row) for row in self.session.scalars(query)]

    # opt-out registry -------------------------------------------------------------------
    def add_optout_event(self, event: OptOutEvent, event_key: str) -> int | None:
        """Append ``event`` and return its id, or None when an identical event is there already."""
        if (
            self.session.scalars(
                select(OptOutEventRow.id).where(OptOutEventRow.event_key == event_key)
            ).first()
            is not None
        ):
            return None
        row = OptOutEventRow(
            event_key=event_key,
            pid=event.pid,
            action=event.action.value,
            event_time=event.event_time.astimezone(UTC),
            channel=event.channel.value,
            agent=event.agent,
            source=event.source.value,
            received_at=event.received_at.astimezone(UTC),
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def optout_events(self) -> list[OptOutEvent]:
        rows = self.session.scalars(select(OptOutEventRow).order_by(OptOutEventRow.id))
        return [
            OptOutEvent(
                pid=r.pid,
                action=OptOutAction(r.action),
                event_time=_required_utc(r.event_time),
                channel=OptOutChannel(r.channel),
                agent=r.agent,
                source=OptOutSource(r.source),
                received_at=_required_utc(r.received_at),
            )
            for r in rows
        ]
