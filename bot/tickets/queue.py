"""The triage queue: filter, search, sort and page through tickets, fast at 100,000 tickets.

Pages are keyset pages (a cursor made of the last row's sort key and id), so page 2,000 costs what page 1
costs; an OFFSET would read every row before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.sql import Select

from bot.database import utcnow
from bot.mail.models import OutgoingMail
from bot.settings import LANGUAGES
from bot.tickets.models import ISSUE_TYPES, PRIORITIES, SCORES, STATUSES, Ticket
from bot.tickets.validation import record_id

AGES: dict[str, tuple[timedelta | None, timedelta | None]] = {
    # name: (newer than, older than)
    "1d": (timedelta(days=1), None),
    "7d": (timedelta(days=7), None),
    "30d": (timedelta(days=30), None),
    "over7d": (None, timedelta(days=7)),
    "over30d": (None, timedelta(days=30)),
}
SORTS = ("newest", "oldest", "updated", "priority")
RATINGS = (*SCORES, "none")  # the partner's last rating; "none": not rated (yet)
# Tickets with an e-mail to the partner not sent yet (SMTP down, retrying) or refused for good.
MAIL_FILTERS = {"waiting": ("waiting", "sending"), "failed": ("failed",)}
REFERENCE_PATTERN = re.compile(r"^[A-Z]{1,10}-\d{4}-\d{4,}$", re.IGNORECASE)
PRIORITY_RANK = case({p: i for i, p in enumerate(PRIORITIES)}, value=Ticket.priority, else_=0)


@dataclass(frozen=True)
class QueueFilter:
    """What the staff member asked for; unknown values are dropped by `clean`, never turned into errors."""

    status: str | None = None
    issue_type: str | None = None
    assignee: int | str | None = None  # a user id, or "none" for unassigned tickets
    language: str | None = None
    age: str | None = None
    search: str | None = None
    rating: str | None = None
    mail: str | None = None
    sort: str = "newest"

    def clean(self) -> QueueFilter:
        assignee = self.assignee
        if isinstance(assignee, str) and assignee != "none":
            assignee = record_id(assignee)
        return QueueFilter(
            status=self.status if self.status in STATUSES else None,
            issue_type=self.issue_type if self.issue_type in ISSUE_TYPES else None,
            assignee=assignee,
            language=self.language if self.language in LANGUAGES else None,
            age=self.age if self.age in AGES else None,
            search=(self.search or "").strip()[:200] or None,
            rating=self.rating if self.rating in RATINGS else None,
            mail=self.mail if self.mail in MAIL_FILTERS else None,
            sort=self.sort if self.sort in SORTS else "newest",
        )


@dataclass(frozen=True)
class Page:
    tickets: list[Ticket]
    total: int  # matching tickets, all pages (-1 when not counted)
    next_cursor: str | None  # older rows (in the chosen order)
    previous_cursor: str | None  # rows before this page; None on the first page


def _conditions(wanted: QueueFilter, now: datetime, with_status: bool = True) -> list[Any]:
    conditions: list[Any] = []
    if with_status and wanted.status:
        conditions.append(Ticket.status == wanted.status)
    if wanted.issue_type:
        conditions.append(Ticket.issue_type == wanted.issue_type)
    if wanted.assignee == "none":
        conditions.append(Ticket.assignee_id.is_(None))
    elif wanted.assignee is not None:
        conditions.append(Ticket.assignee_id == wanted.assignee)
    if wanted.language:
        conditions.append(Ticket.language == wanted.language)
    if wanted.age:
        newer, older = AGES[wanted.age]
        if newer:
            conditions.append(Ticket.created_at >= now - newer)
        if older:
            conditions.append(Ticket.created_at < now - older)
    if wanted.search:
        conditions.append(_search_condition(wanted.search))
    if wanted.rating:
        conditions.append(Ticket.rating.is_(None) if wanted.rating == "none" else Ticket.rating == wanted.rating)
    if wanted.mail:
        states = MAIL_FILTERS[wanted.mail]
        conditions.append(exists().where(OutgoingMail.ticket_id == Ticket.id, OutgoingMail.status.in_(states)))
    return conditions


def _search_condition(text: str) -> Any:
    """A reference finds its ticket; digits find a profile id; other text searches organisation and e-mail."""
    if REFERENCE_PATTERN.match(text):
        return Ticket.reference == text.upper()
    lowered = text.lower()
    found = [
        func.lower(Ticket.organization_name).contains(lowered, autoescape=True),
        func.lower(Ticket.contact_email).contains(lowered, autoescape=True),
    ]
    if text.isdigit():
        found.append(Ticket.profile_id == text)
    return or_(*found)


def _sort_columns(sort: str) -> list[tuple[Any, bool]]:
    """(column, descending) pairs; the id is always last, so the order is total and cursors are exact."""
    if sort == "oldest":
        return [(Ticket.id, False)]
    if sort == "updated":
        return [(Ticket.updated_at, True), (Ticket.id, True)]
    if sort == "priority":
        return [(PRIORITY_RANK, True), (Ticket.id, True)]
    return [(Ticket.id, True)]


def _encode_cursor(sort: str, ticket: Ticket) -> str:
    if sort == "updated":
        return f"{ticket.updated_at.isoformat()}~{ticket.id}"
    if sort == "priority":
        rank = PRIORITIES.index(ticket.priority) if ticket.priority in PRIORITIES else 0
        return f"{rank}~{ticket.id}"
    return str(ticket.id)


def _decode_cursor(sort: str, cursor: str) -> list[Any] | None:
    """The key values in the cursor, or None for a cursor that is not ours (then the first page is shown)."""
    try:
        if sort == "updated":
            moment, ident = cursor.rsplit("~", 1)
            return [datetime.fromisoformat(moment), int(ident)]
        if sort == "priority":
            rank, ident = cursor.split("~", 1)
            return [int(rank), int(ident)]
        return [int(cursor)]
    except ValueError:
        return None


def _after(columns: list[tuple[Any, bool]], values: list[Any], backwards: bool) -> Any:
    """Rows that come after `values` in the order (before them when going backwards): a keyset condition."""
    alternatives = []
    for i, (column, descending) in enumerate(columns):
        later = (column < values[i]) if descending != backwards else (column > values[i])
        equal = [columns[j][0] == values[j] for j in range(i)]
        alternatives.append(and_(*equal, later))
    return or_(*alternatives)


def _ordered(query: Select, columns: list[tuple[Any, bool]], backwards: bool) -> Select:
    return query.order_by(*[(c.desc() if d != backwards else c.asc()) for c, d in columns])


class TicketQueue:
    """Read-only views of the ticket table for the console, the CSV export and the JSON API."""

    def __init__(self, sessions: Any):
        self.sessions = sessions

    def page(
        self,
        wanted: QueueFilter,
        cursor: str | None = None,
        backwards: bool = False,
        size: int = 50,
        with_total: bool = True,
    ) -> Page:
        wanted = wanted.clean()
        now = utcnow()
        columns = _sort_columns(wanted.sort)
        conditions = _conditions(wanted, now)
        values = _decode_cursor(wanted.sort, cursor) if cursor else None
        query = select(Ticket).where(*conditions)
        if values is not None:
            query = query.where(_after(columns, values, backwards))
        else:
            backwards = False
        query = _ordered(query, columns, backwards).limit(size + 1)
        with self.sessions() as session:
            rows = list(session.scalars(query))
            total = (session.scalar(select(func.count(Ticket.id)).where(*conditions)) or 0) if with_total else -1
        more = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()
        has_next = more if not backwards else values is not None
        has_previous = (values is not None) if not backwards else more
        return Page(
            tickets=rows,
            total=total,
            next_cursor=_encode_cursor(wanted.sort, rows[-1]) if rows and has_next else None,
            previous_cursor=_encode_cursor(wanted.sort, rows[0]) if rows and has_previous else None,
        )

    def status_counts(self, wanted: QueueFilter) -> dict[str, int]:
        """Tickets per status under the other filters, so the counts say where the chosen filter leads."""
        wanted = wanted.clean()
        conditions = _conditions(wanted, utcnow(), with_status=False)
        query = select(Ticket.status, func.count(Ticket.id)).where(*conditions).group_by(Ticket.status)
        with self.sessions() as session:
            found = dict(session.execute(query).all())
        return {status: found.get(status, 0) for status in STATUSES}

    def all_matching(self, wanted: QueueFilter, batch: int = 1000) -> Iterator[Ticket]:
        """Every matching ticket in the chosen order, read in batches (for exports of any size)."""
        cursor: str | None = None
        while True:
            page = self.page(wanted, cursor=cursor, size=batch, with_total=False)
            yield from page.tickets
            if not page.next_cursor:
                return
            cursor = page.next_cursor
