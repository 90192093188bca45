"""Application drafts and review notes (``catalog.permits.store.DraftStore``) over SQLAlchemy;
``SqlStore`` inherits it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.db.models import DraftRow, NoteRow
from catalog.db.sign_in import required_utc
from catalog.errors import NotFound
from catalog.permits.domain import Draft, Note


def _draft(row: DraftRow) -> Draft:
    return Draft(
        draft_id=row.draft_id,
        owner=row.owner,
        answers=dict(row.answers),
        created_at=required_utc(row.created_at),
        updated_at=required_utc(row.updated_at),
        amends=row.amends,
        submitted_as=row.submitted_as,
    )


class SqlDraftStore:
    """Drafts and notes over the session of the store that inherits this."""

    session: Session

    def add_draft(self, draft: Draft) -> None:
        self.session.add(
            DraftRow(
                draft_id=draft.draft_id,
                owner=draft.owner,
                answers=draft.answers,
                created_at=draft.created_at,
                updated_at=draft.updated_at,
                amends=draft.amends,
                submitted_as=draft.submitted_as,
            )
        )
        self.session.flush()

    def find_draft(self, draft_id: str) -> Draft | None:
        # FOR UPDATE: two submissions of one draft take turns (PostgreSQL; SQLite has one writer).
        row = self.session.scalars(
            select(DraftRow).where(DraftRow.draft_id == draft_id).with_for_update()
        ).first()
        return None if row is None else _draft(row)

    def update_draft(self, draft: Draft) -> None:
        row = self.session.get(DraftRow, draft.draft_id)
        if row is None:
            raise NotFound("no such draft")
        row.answers, row.updated_at = draft.answers, draft.updated_at
        row.amends, row.submitted_as = draft.amends, draft.submitted_as
        self.session.flush()

    def drafts_of(self, owner: str) -> list[Draft]:
        rows = self.session.scalars(
            select(DraftRow).where(DraftRow.owner == owner).order_by(DraftRow.created_at)
        )
        return [_draft(row) for row in rows]

    def add_note(self, note: Note) -> bool:
        """Add ``note``; False (nothing added) when its form key and section are there already."""
        if note.form_key is not None:
            seen = select(NoteRow.id).where(
                NoteRow.form_key == note.form_key, NoteRow.section == note.section
            )
            if self.session.scalars(seen).first() is not None:
                return False
        self.session.add(
            NoteRow(
                application_id=note.application_id,
                section=note.section,
                author=note.author,
                at=note.at,
                text=note.text,
                kind=note.kind,
                form_key=note.form_key,
            )
        )
        self.session.flush()
        return True

    def notes(self, application_id: str) -> list[Note]:
        rows = self.session.scalars(
            select(NoteRow).where(NoteRow.application_id == application_id).order_by(NoteRow.id)
        )
        return [
            Note(r.application_id, r.section, r.author, required_utc(r.at), r.text, r.kind, r.form_key)
            for r in rows
        ]
