"""Rasa's socket.io channel, with custom payloads ({"kb_article": ...}) emitted as event data.

Rasa 3.6's SocketIOOutput passes a custom payload as keyword arguments to `emit()`, which only works for
payloads shaped like emit's own parameters; ours would raise and lose the rest of the reply.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput


class WidgetSocketIOOutput(SocketIOOutput):
    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        await self.sio.emit(self.bot_message_evt, dict(json_message), room=recipient_id)


class WidgetSocketIOInput(SocketIOInput):
    """Configured in credentials.yml as `bot.channels.WidgetSocketIOInput`, with the socketio settings."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> SocketBlueprint:
        async def with_widget_output(message: UserMessage) -> None:
            message.output_channel = WidgetSocketIOOutput(self.sio, self.bot_message_evt)
            await on_new_message(message)

        return super().blueprint(with_widget_output)
