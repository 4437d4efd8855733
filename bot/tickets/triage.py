"""Changes staff make to tickets (assign, status, priority, notes, duplicates), each one in the audit trail.

A change and its audit row are written in one transaction: the trail never misses a change, and a change
that changes nothing (same status again) writes no row.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import aliased

from bot.accounts.models import StaffUser
from bot.database import utcnow
from bot.tickets.models import PRIORITIES, STATUSES, Ticket, TicketEvent

MAX_NOTE_LENGTH = 5000


class TriageError(ValueError):
    """A change that cannot be made; the message is shown to the staff member as it is."""


def locked_ticket(session: Any, reference: str) -> Ticket:
    """The ticket, its row locked until the session ends (PostgreSQL; SQLite has one writer); TriageError if none."""
    ticket = session.scalars(
        select(Ticket).where(Ticket.reference == reference.strip().upper()).with_for_update(of=Ticket)
    ).first()
    if ticket is None:
        raise TriageError(f"no ticket {reference}")
    return ticket


class Triage:
    def __init__(self, sessions: Any):
        self.sessions = sessions

    def _change(self, reference: str, actor: str, field: str, value: Any, shown: str | None) -> Ticket:
        with self.sessions() as session:
            ticket = locked_ticket(session, reference)
            old = getattr(ticket, field)
            if old == value:
                return ticket
            old_shown = _shown(session, field, old)
            setattr(ticket, field, value)
            ticket.updated_at = utcnow()
            if field == "status" and value == "resolved":
                ticket.resolved_at = ticket.updated_at  # resolved without a reply: no e-mail, but the time counts
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
        """Link a ticket to the one it repeats and close it; the original stays as it is.

        Links stay one step deep: the original must not be a duplicate itself, and a ticket that others repeat
        cannot become a duplicate (that would make chains). The link is written by one UPDATE whose conditions
        say exactly that, so the database checks them when it writes: two staff linking A to B and B to A at
        once cannot make a loop (PostgreSQL also locks both rows first; SQLite runs one writer at a time).
        """
        wanted = {reference.strip().upper(), (original_reference or "").strip().upper()}
        with self.sessions() as session:
            rows = session.scalars(
                select(Ticket).where(Ticket.reference.in_(wanted)).order_by(Ticket.id).with_for_update(of=Ticket)
            ).all()
            found = {row.reference: row for row in rows}
            ticket = found.get(reference.strip().upper())
            original = found.get((original_reference or "").strip().upper())
            if original is None:
                raise TriageError(f"no ticket {original_reference}")
            if ticket is None:
                raise TriageError(f"no ticket {reference}")
            if original.id == ticket.id:
                raise TriageError("a ticket cannot be a duplicate of itself")
            before = ticket.duplicate_of_id
            if before != original.id:
                repeat, linked = aliased(Ticket), aliased(Ticket)
                written = session.execute(
                    update(Ticket)
                    .where(
                        Ticket.id == ticket.id,
                        ~exists().where(repeat.duplicate_of_id == ticket.id),
                        select(linked.duplicate_of_id).where(linked.id == original.id).scalar_subquery().is_(None),
                    )
                    .values(duplicate_of_id=original.id, updated_at=utcnow())
                    .execution_options(synchronize_session=False)
                )
                if written.rowcount != 1:
                    session.rollback()
                    raise self._why_not_a_duplicate(ticket.id, original.id)
                session.add(
                    TicketEvent(
                        ticket_id=ticket.id,
                        actor=actor,
                        action="changed",
                        field="duplicate_of",
                        old_value=_shown(session, "duplicate_of_id", before),
                        new_value=original.reference,
                    )
                )
            session.commit()
        return self.set_status(reference, "closed", actor)

    def _why_not_a_duplicate(self, ticket_id: int, original_id: int) -> TriageError:
        with self.sessions() as session:
            ticket, original = session.get(Ticket, ticket_id), session.get(Ticket, original_id)
            if original.duplicate_of_id is not None:
                return TriageError(f"{original.reference} is itself a duplicate: link to the ticket it repeats")
            repeats = session.scalar(
                select(func.count()).select_from(Ticket).where(Ticket.duplicate_of_id == ticket_id)
            )
            return TriageError(
                f"{ticket.reference} is the original of {repeats} other ticket(s): it cannot become a duplicate"
            )

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
