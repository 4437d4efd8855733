"""French texts of the console, one module per area so that each area keeps its own texts."""

from __future__ import annotations

from bot.console.translations import common, knowledge, tickets

FRENCH: dict[str, str] = {**common.FR, **tickets.FR, **knowledge.FR}
