"""A typed password never reaches the stored conversation."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.masking_tracker_store import MaskingSQLTrackerStore


def test_password_is_masked_in_the_stored_conversation(tmp_path: Path) -> None:
    domain = Domain.load("domain.yml")
    store = MaskingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    tracker = DialogueStateTracker.from_events(
        "partner",
        [
            ActionExecuted("action_listen"),
            UserUttered(
                "mon mot de passe est Soleil2024! et ça ne marche pas",
                {"text": "mon mot de passe est Soleil2024! et ça ne marche pas"},
            ),
            SlotSet("description", "password: Soleil2024! refused"),
            UserUttered("j'ai oublié mon mot de passe"),
        ],
    )
    asyncio.run(store.save(tracker))

    with store.session_scope() as session:
        rows = [json.loads(row.data) for row in session.query(store.SQLEvent).order_by(store.SQLEvent.id)]
    stored = json.dumps(rows, ensure_ascii=False)
    assert "Soleil2024" not in stored
    assert "j'ai oublié mon mot de passe" in stored
    retrieved = asyncio.run(store.retrieve("partner"))
    assert retrieved.get_slot("description") == "password: ••••• refused"
