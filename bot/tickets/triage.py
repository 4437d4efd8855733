"""Changes staff make to tickets (assign, status, priority, notes, duplicates), each one in the audit trail.

A change and its audit row are written in one transaction: the trail never misses a change, and a change
that changes nothing (same status again) writes no row.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from bot.accounts.models import StaffUser
from bot.database import utcnow
from bot.tickets.models import PRIORITIES, STATUSES, Ticket, TicketEvent

MAX_NOTE_LENGTH = 5000


class TriageError(ValueError):
    """A change that cannot be made; the message is shown to the staff member as it is."""


class Triage:
    def __init__(self, sessions: Any):
        self.sessions = sessions

    def _change(self, reference: str, actor: str, field: str, value: Any, shown: str | None) -> Ticket:
        with self.sessions() as session:
            ticket = session.scalars(
                select(Ticket).where(Ticket.reference == reference.strip().upper()).with_for_update(of=Ticket)
            ).first()
            if ticket is None:
                raise TriageError(f"no ticket {reference}")
            old = getattr(ticket, field)
            if old == value:
                return ticket
            old_shown = _shown(session, field, old)
            setattr(ticket, field, value)
            ticket.updated_at = utcnow()
            session.add(
                TicketEvent(
                    ticket_id=ticket.id,
                    actor=actor,
                    action="changed",
                    field=field.removesuffix("_id"),
                    old_value=old_shown,
                    new_value=shown,
                )
            )
            session.commit()
            return ticket

    def set_status(self, reference: str, status: str, actor: str) -> Ticket:
        if status not in STATUSES:
            raise TriageError(f"unknown status {status!r}: one of {', '.join(STATUSES)}")
        return self._change(reference, actor, "status", status, status)

    def set_priority(self, reference: str, priority: str, actor: str) -> Ticket:
        if priority not in PRIORITIES:
            raise TriageError(f"unknown priority {priority!r}: one of {', '.join(PRIORITIES)}")
        return self._change(reference, actor, "priority", priority, priority)

    def assign(self, reference: str, assignee_id: int | None, actor: str) -> Ticket:
        """Assign to an active staff member, or unassign with None."""
        email = None
        if assignee_id is not None:
            with self.sessions() as session:
                user = session.get(StaffUser, assignee_id)
            if user is None or not user.active:
                raise TriageError("no active staff member with that id")
            email = user.email
        return self._change(reference, actor, "assignee_id", assignee_id, email)

    def add_note(self, reference: str, text: str, actor: str) -> TicketEvent:
        """An internal note: staff only, never shown to the partner."""
        note = (text or "").strip()
        if not note:
            raise TriageError("the note is empty")
        if len(note) > MAX_NOTE_LENGTH:
            raise TriageError(f"the note is longer than {MAX_NOTE_LENGTH} characters")
        with self.sessions() as session:
            ticket = session.scalars(select(Ticket).where(Ticket.reference == reference.strip().upper())).first()
            if ticket is None:
                raise TriageError(f"no ticket {reference}")
            ticket.updated_at = utcnow()
            event = TicketEvent(ticket_id=ticket.id, actor=actor, action="note", new_value=note)
            session.add(event)
            session.commit()
            return event

    def mark_duplicate(self, reference: str, original_reference: str, actor: str) -> Ticket:
        """Link a ticket to the one it repeats and close it; the original stays as it is."""
        with self.sessions() as session:
            original = session.scalars(
                select(Ticket).where(Ticket.reference == (original_reference or "").strip().upper())
            ).first()
        if original is None:
            raise TriageError(f"no ticket {original_reference}")
        if original.reference == reference.strip().upper():
            raise TriageError("a ticket cannot be a duplicate of itself")
        if original.duplicate_of_id is not None:
            raise TriageError(f"{original.reference} is itself a duplicate: link to the ticket it repeats")
        ticket = self._change(reference, actor, "duplicate_of_id", original.id, original.reference)
        return self.set_status(ticket.reference, "closed", actor)

    def related(self, ticket: Ticket, limit: int = 20) -> list[Ticket]:
        """Other tickets from the same UNPP profile or the same contact e-mail, newest first."""
        same = [Ticket.contact_email == ticket.contact_email]
        if ticket.profile_id:
            same.append(Ticket.profile_id == ticket.profile_id)
        query = select(Ticket).where(Ticket.id != ticket.id, or_(*same)).order_by(Ticket.id.desc()).limit(limit)
        with self.sessions() as session:
            return list(session.scalars(query))

    def staff(self) -> list[StaffUser]:
        """Active staff members, for the "assign to" choice."""
        with self.sessions() as session:
            query = select(StaffUser).where(StaffUser.active.is_(True)).order_by(StaffUser.email)
            return list(session.scalars(query))


def _shown(session: Any, field: str, value: Any) -> str | None:
    """How an old value reads in the trail: an e-mail for an assignee, a reference for a duplicate link."""
    if value is None:
        return None
    if field == "assignee_id":
        user = session.get(StaffUser, value)
        return user.email if user else str(value)
    if field == "duplicate_of_id":
        other = session.get(Ticket, value)
        return other.reference if other else str(value)
    return str(value)
