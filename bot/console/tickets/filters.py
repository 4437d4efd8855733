"""The queue filter read from a query string, the same for the console's pages and the JSON API."""

from __future__ import annotations

from collections.abc import Mapping

from bot.tickets.queue import QueueFilter


def wanted_from(args: Mapping[str, str], me: int) -> QueueFilter:
    """The queue filter in a query string (console or API); `assignee=me` is the account `me`."""
    assignee = args.get("assignee") or None
    if assignee == "me":
        assignee = str(me)
    return QueueFilter(
        status=args.get("status") or None,
        issue_type=args.get("issue_type") or None,
        assignee=assignee,
        language=args.get("language") or None,
        age=args.get("age") or None,
        search=args.get("q") or None,
        rating=args.get("rating") or None,
        mail=args.get("mail") or None,
        sort=args.get("sort") or "newest",
    ).clean()
