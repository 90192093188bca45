"""Notifications' storage (``catalog.notifications.store.NotificationStore``) over SQLAlchemy,
and the one hook that derives them: every audit entry the unit of work appends goes through
``catalog.notifications.service.notify`` in the same transaction, and the mails it returns
wait in ``outbox`` until the transaction has committed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from catalog.audit.domain import AuditEntry
from catalog.db.indicators import SqlIndicatorStore
from catalog.db.models import NotificationRow
from catalog.db.sign_in import as_utc, required_utc
from catalog.notifications import service
from catalog.notifications.domain import Audience, Mail, Notification


class SqlNotificationStore(SqlIndicatorStore):
    """Every store Protocol over one session; audit entries notify the people concerned."""

    def __init__(self, session: Session, portal_url: str = "") -> None:
        super().__init__(session)
        self.portal_url = portal_url
        self.outbox: list[Mail] = []

    def append_audit(self, entry: AuditEntry) -> None:
        super().append_audit(entry)
        self.outbox.extend(service.notify(self, entry, self.portal_url))

    @staticmethod
    def _notification(row: NotificationRow) -> Notification:
        return Notification(
            notification_id=row.notification_id,
            recipient=row.recipient,
            action=row.action,
            audience=Audience(row.audience),
            object_type=row.object_type,
            object_id=row.object_id,
            audit_seq=row.audit_seq,
            created_at=required_utc(row.created_at),
            read_at=as_utc(row.read_at),
            mailed_at=as_utc(row.mailed_at),
        )

    def add_notification(self, notification: Notification) -> None:
        self.session.add(
            NotificationRow(
                notification_id=notification.notification_id,
                recipient=notification.recipient,
                action=notification.action,
                audience=notification.audience.value,
                object_type=notification.object_type,
                object_id=notification.object_id,
                audit_seq=notification.audit_seq,
                created_at=notification.created_at,
                read_at=notification.read_at,
                mailed_at=notification.mailed_at,
            )
        )
        self.session.flush()

    def find_notification(self, notification_id: str) -> Notification | None:
        row = self.session.get(NotificationRow, notification_id)
        return None if row is None else self._notification(row)

    def notifications_of(self, username: str) -> list[Notification]:
        query = (
            select(NotificationRow)
            .where(NotificationRow.recipient == username)
            .order_by(NotificationRow.audit_seq.desc(), NotificationRow.notification_id)
        )
        return [self._notification(row) for row in self.session.scalars(query)]

    def notifications_about(self, object_type: str, object_id: str) -> list[Notification]:
        query = select(NotificationRow).where(
            NotificationRow.object_type == object_type, NotificationRow.object_id == object_id
        )
        return [
            self._notification(row) for row in self.session.scalars(query.order_by(NotificationRow.audit_seq))
        ]

    def count_unread_notifications(self, username: str) -> int:
        query = select(func.count()).where(
            NotificationRow.recipient == username, NotificationRow.read_at.is_(None)
        )
        return int(self.session.scalar(query) or 0)

    def mark_notifications_read(self, username: str, ids: list[str] | None, at: datetime) -> int:
        """Mark unread ones read (all the user's when ``ids`` is None); returns how many changed."""
        statement = update(NotificationRow).where(
            NotificationRow.recipient == username, NotificationRow.read_at.is_(None)
        )
        if ids is not None:
            statement = statement.where(NotificationRow.notification_id.in_(ids))
        result = self.session.execute(statement.values(read_at=at))
        self.session.flush()
        return int(getattr(result, "rowcount", 0) or 0)

    def mark_notifications_mailed(self, ids: list[str], at: datetime) -> None:
        if ids:
            self.session.execute(
                update(NotificationRow).where(NotificationRow.notification_id.in_(ids)).values(mailed_at=at)
            )
            self.session.flush()
