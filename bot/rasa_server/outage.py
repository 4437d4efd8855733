"""When the action server cannot run an action, the partner's message is not half-handled: it is handed back.

Rasa 3.6 logs the failure of a custom action ("the actions events are lost") and carries on: the partner gets
no reply at all, and the turn is saved half done. In the middle of the ticket form that stores the partner's
answer in the slot without its validation (the validation action is the one that failed), so the form would
later move on with an unchecked value.

Installed in the Rasa server (by bot/rasa_server/install.py, beside the speed-ups), this makes a message whose
turn needed the action server and could not reach it (refused connection, server gone, timeout, error status)
leave no trace: the turn stops at the failed action, nothing of it is saved to the tracker store (the form
keeps its requested slot and its filled slots), the replies of that turn not yet delivered are dropped, and the
partner gets an apology in the conversation's language asking to send the message again. When the action server
is back, the same answer continues the form where it was. A validation that rejects an answer (the action
server's 400) is the form's normal way and is not a failure.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.processor import MessageProcessor

from bot.rasa_server.guard import conversation_language
from bot.text.partner_messages import limits_message

logger = logging.getLogger(__name__)

_INSTALLED = "_helpdesk_action_server_outage"
APOLOGY = "action_server_unavailable"


class ActionServerUnavailable(Exception):
    """The action server could not run `action`: the turn is abandoned."""

    def __init__(self, action: str, cause: BaseException):
        super().__init__(f"the action server could not run {action!r}: {cause!r}")
        self.action = action
        self.cause = cause


@dataclass
class _Turn:
    """One partner message being handled; the first custom action that failed in it, if any."""

    failed_action: str | None = None
    cause: BaseException | None = None


# Set by the message handler for the task that handles one message; None elsewhere (API calls, training...).
_TURN: ContextVar[_Turn | None] = ContextVar("helpdesk_action_server_turn", default=None)


def _abandon_if_failed() -> None:
    turn = _TURN.get()
    if turn is not None and turn.failed_action is not None and turn.cause is not None:
        raise ActionServerUnavailable(turn.failed_action, turn.cause)


def _wrap_remote_run(original: Any) -> Any:
    async def run(self: RemoteAction, *args: Any, **kwargs: Any) -> Any:
        try:
            return await original(self, *args, **kwargs)
        except ActionExecutionRejection:
            raise  # a form validation saying "not this answer": Rasa's normal path
        except Exception as error:
            turn = _TURN.get()
            if turn is not None and turn.failed_action is None:
                turn.failed_action, turn.cause = self.name(), error
            raise  # Rasa's callers log it; the processor's wrappers below stop the turn

    return run


def _stop_after_failure(original: Any) -> Any:
    """After an action of the turn, or after slot extraction (custom slot mappings call the action server too):
    stop the turn if the action server failed; Rasa would log it and carry on."""

    async def wrapped(self: MessageProcessor, *args: Any, **kwargs: Any) -> Any:
        result = await original(self, *args, **kwargs)
        _abandon_if_failed()
        return result

    return wrapped


def _wrap_handle_message(original: Any) -> Any:
    async def handle_message(self: MessageProcessor, message: UserMessage) -> Any:
        channel = message.output_channel
        collected = channel.messages if isinstance(channel, CollectingOutputChannel) else None
        # What the channel put there before the turn (e.g. the secret warning) stays; the turn's replies go.
        already_there = len(collected) if collected is not None else 0
        token = _TURN.set(_Turn())
        try:
            return await original(self, message)
        except ActionServerUnavailable as outage:
            # Raised before the tracker was saved: the tracker store still holds the conversation as it was.
            logger.error(
                "conversation %s: %s; the message was not handled and the partner is asked to send it again",
                message.sender_id,
                outage,
            )
            if collected is not None:
                del collected[already_there:]
            language = await conversation_language(self, message.sender_id, message.text or "", message.metadata or {})
            await channel.send_text_message(message.sender_id, limits_message(APOLOGY, language))
            return collected
        finally:
            _TURN.reset(token)

    return handle_message


def install() -> None:
    """Make the running Rasa hand back a message whose turn the action server could not run; safe to repeat."""
    if getattr(MessageProcessor, _INSTALLED, False):
        return
    RemoteAction.run = _wrap_remote_run(RemoteAction.run)  # type: ignore[method-assign]
    for name in ("_run_action", "run_action_extract_slots"):
        setattr(MessageProcessor, name, _stop_after_failure(getattr(MessageProcessor, name)))
    MessageProcessor.handle_message = _wrap_handle_message(MessageProcessor.handle_message)  # type: ignore[method-assign]
    setattr(MessageProcessor, _INSTALLED, True)
