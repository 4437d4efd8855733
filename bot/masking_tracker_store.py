"""Rasa's SQL tracker store, with passwords and verification codes masked before events are written.

Configured in endpoints.yml as `type: bot.masking_tracker_store.MaskingSQLTrackerStore` with the usual
SQL tracker-store settings (SQLite by default, PostgreSQL in the scale-out profile).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

from bot.privacy import mask_secrets


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_secrets(value)
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value


def masked_event(event: Event) -> Event:
    """The event, or a copy of it with every secret in its text, parse data or slot value masked."""
    data = event.as_dict()
    masked = _masked(data)
    return event if masked == data else Event.from_parameters(masked)


class MaskingSQLTrackerStore(SQLTrackerStore):
    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        return (masked_event(event) for event in super()._additional_events(session, tracker))
