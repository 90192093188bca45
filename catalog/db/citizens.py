"""Citizen links and opt-out receipts (``catalog.optout.store.CitizenStore``) over
SQLAlchemy; ``SqlStore`` inherits it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.db.models import CitizenLinkRow, OptOutEventRow, OptOutReceiptRow
from catalog.db.sign_in import required_utc
from catalog.optout.domain import OptOutEvent, Receipt
from catalog.optout.vocabulary import OptOutAction, OptOutChannel, OptOutSource, Outcome


class SqlCitizenStore:
    """Links and receipts over the session of the store that inherits this."""

    session: Session

    def link_citizen(self, username: str, pid: str, at: datetime) -> None:
        self.session.add(CitizenLinkRow(username=username, pid=pid, linked_at=at))
        self.session.flush()

    def citizen_pid(self, username: str) -> str | None:
        row = self.session.get(CitizenLinkRow, username)
        return None if row is None else row.pid

    def optout_events_of(self, pid: str) -> list[OptOutEvent]:
        rows = self.session.scalars(
            select(OptOutEventRow).where(OptOutEventRow.pid == pid).order_by(OptOutEventRow.id)
        )
        return [
            OptOutEvent(
                pid=r.pid,
                action=OptOutAction(r.action),
                event_time=required_utc(r.event_time),
                channel=OptOutChannel(r.channel),
                agent=r.agent,
                source=OptOutSource(r.source),
                received_at=required_utc(r.received_at),
            )
            for r in rows
        ]

    def add_receipt(self, receipt: Receipt) -> None:
        self.session.add(
            OptOutReceiptRow(
                reference=receipt.reference,
                owner=receipt.owner,
                form_key=receipt.form_key,
                action=receipt.action.value,
                channel=receipt.channel.value,
                outcome=receipt.outcome.value,
                at=receipt.at,
            )
        )
        self.session.flush()

    @staticmethod
    def _receipt(row: OptOutReceiptRow) -> Receipt:
        return Receipt(
            reference=row.reference,
            owner=row.owner,
            form_key=row.form_key,
            action=OptOutAction(row.action),
            channel=OptOutChannel(row.channel),
            outcome=Outcome(row.outcome),
            at=required_utc(row.at),
        )

    def find_receipt(self, owner: str, reference: str) -> Receipt | None:
        row = self.session.get(OptOutReceiptRow, reference)
        return None if row is None or row.owner != owner else self._receipt(row)

    def find_receipt_by_form_key(self, owner: str, form_key: str) -> Receipt | None:
        row = self.session.scalars(
            select(OptOutReceiptRow).where(
                OptOutReceiptRow.owner == owner, OptOutReceiptRow.form_key == form_key
            )
        ).first()
        return None if row is None else self._receipt(row)
