"""Work Rasa 3.6 repeats on every message although its result never changes, done once instead.

Installed by `bot.rasa_server.install.install()`, which every class Rasa loads from this project calls, so
the Rasa server runs with it whatever its configuration; `make bench` reports the effect. Each replacement keeps
Rasa's behaviour: same checks, same errors, same results. What each one saved is in the README ("Speed").
"""

from __future__ import annotations

import asyncio
from functools import lru_cache
from types import TracebackType
from typing import Any

import aiohttp
from jsonschema import Draft202012Validator, ValidationError
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

_INSTALLED = "_helpdesk_speedups"
DASK_RUN = DaskGraphRunner.run  # Rasa's own, for comparison
RESOLVE_BY_TYPE = Event.resolve_by_type  # Rasa's own, for what the cache does not know
KEEP_ALIVE_SECONDS = 2.0


@lru_cache(maxsize=1)
def action_result_validator() -> Draft202012Validator:
    """Rasa's schema for action-server replies, checked once and compiled once.

    `jsonschema.validate()` checks the schema itself against its meta-schema and builds a new validator on
    every call, which cost the Rasa server many times the validation proper for each custom action it runs.
    The draft is the one `validate()` picks for a schema without `$schema`.
    """
    schema = RemoteAction.action_response_format_spec()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@lru_cache(maxsize=1)
def _discriminated_validators() -> tuple[Draft202012Validator, Draft202012Validator, dict[str, Any]] | None:
    """The same schema split where its `oneOf` is a choice by event name: the reply, one event, each kind.

    The schema checks every event against all 23 kinds of event to find that exactly one fits, and each kind
    but one fails on its `event` constant: most of the validation's time goes there. None when the schema is
    not of that shape (another Rasa version): then only the full check runs.
    """
    schema = RemoteAction.action_response_format_spec()
    try:
        items = schema["properties"]["events"]["items"]
        kinds = {kind["properties"]["event"]["const"]: kind for kind in items["oneOf"]}
    except (KeyError, TypeError):
        return None
    if len(kinds) != len(items["oneOf"]) or "$ref" in repr(schema):
        return None
    reply = {**schema, "properties": {**schema["properties"], "events": {"type": "array"}}}
    event = {key: value for key, value in items.items() if key != "oneOf"}
    return (
        Draft202012Validator(reply),
        Draft202012Validator(event),
        {name: Draft202012Validator(kind) for name, kind in kinds.items()},
    )


def valid_by_event_kind(result: Any) -> bool:
    """True only when Rasa's schema accepts `result`; False sends it to the full check for Rasa's error.

    An event whose `event` names kind k fails every other kind's constant, so the `oneOf` holds exactly when the
    event fits kind k and the properties common to all events.
    """
    validators = _discriminated_validators()
    if validators is None:
        return False
    reply, event, kinds = validators
    if not reply.is_valid(result):
        return False
    for item in result.get("events") or []:
        name = item.get("event") if isinstance(item, dict) else None
        kind = kinds.get(name) if isinstance(name, str) else None
        if kind is None or not event.is_valid(item) or not kind.is_valid(item):
            return False
    return True


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    if valid_by_event_kind(result):
        return True
    error: ValidationError | None = best_match(action_result_validator().iter_errors(result))
    if error is None:
        return True
    # Rasa's own message, word for word (rasa/core/actions/action.py, RemoteAction._validate_action_result).
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the Action "
        f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


class _KeptSession:
    """Stands where Rasa writes `async with endpoint.session() as session`: the session outlives the block.

    Rasa opens a new HTTP client session, so a new TCP connection, for every call to the action server, and
    closes it after: connecting took a visible share of the server's time. Sessions are kept per event loop (each
    Sanic worker has its own) and per authentication, with Rasa's headers and timeout.
    """

    _sessions: dict[tuple[int, tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]], aiohttp.ClientSession] = {}

    def __init__(self, endpoint: EndpointConfig) -> None:
        self.endpoint = endpoint

    async def __aenter__(self) -> aiohttp.ClientSession:
        endpoint = self.endpoint
        key = (
            id(asyncio.get_running_loop()),
            tuple(sorted((endpoint.headers or {}).items())),
            tuple(sorted((endpoint.basic_auth or {}).items())),
        )
        session = self._sessions.get(key)
        if session is None or session.closed:
            auth = aiohttp.BasicAuth(**endpoint.basic_auth) if endpoint.basic_auth else None
            session = aiohttp.ClientSession(
                headers=endpoint.headers,
                auth=auth,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                # Idle connections are dropped before the action server's own 5-second keep-alive ends, so a
                # request never goes out on a connection the server is closing.
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEP_ALIVE_SECONDS),
            )
            self._sessions[key] = session
        return session

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        return None


def _kept_session(self: EndpointConfig) -> _KeptSession:
    return _KeptSession(self)


_EVENT_CLASSES: dict[str, type[Event]] = {}


def _resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """`Event.resolve_by_type`, remembering each class it found.

    Rasa walks the whole tree of event classes (and checks each for abstract methods) for every event it reads
    back from the tracker store or the action server, a visible share of its time under load. A name not seen
    before takes Rasa's walk, so classes imported later, `topic` and unknown names behave as in Rasa.
    """
    known = _EVENT_CLASSES.get(type_name)
    if known is not None:
        return known
    for cls in all_subclasses(Event):
        if cls.type_name == type_name:
            _EVENT_CLASSES[type_name] = cls
            return cls
    return RESOLVE_BY_TYPE(type_name, default)


def _execution_order(runner: DaskGraphRunner, targets: tuple[str, ...]) -> list[tuple[str, tuple[str, ...]]]:
    """The nodes the targets need, each after the nodes it needs, with its inputs in Rasa's order; kept per runner.

    Their names are also the keys of the dask graph Rasa would have built: the order's first elements.
    """
    orders = runner.__dict__.setdefault("_helpdesk_orders", {})
    if targets not in orders:
        nodes = runner._graph_schema.minimal_graph_schema(list(targets)).nodes
        order: list[tuple[str, tuple[str, ...]]] = []
        placed: set[str] = set()

        def place(name: str) -> None:
            if name in placed or name not in nodes:
                return
            placed.add(name)
            needs = tuple(nodes[name].needs.values())
            for need in needs:
                place(need)
            order.append((name, needs))

        for target in targets:
            place(target)
        orders[targets] = order
    return orders[targets]


def _run_in_order(
    self: DaskGraphRunner, inputs: dict[str, Any] | None = None, targets: list[str] | None = None
) -> dict[str, Any]:
    """`DaskGraphRunner.run`, each node called in turn in this thread.

    Rasa hands each parse and each prediction to dask's scheduler, whose bookkeeping (ordering the graph,
    queues and thread pools for a dozen nodes that run one after the other anyway) cost more than the model.
    Same nodes, same inputs, same results and errors.
    """
    run_targets = tuple(targets if targets else self._graph_schema.target_names)
    order = _execution_order(self, run_targets)
    results: dict[str, tuple[str, Any]] = {}
    for name, value in (inputs or {}).items():
        # Rasa's own check (DaskGraphRunner._add_inputs_to_graph): dask would take such a value for a node.
        if isinstance(value, str) and (value in results or any(value == node for node, _ in order)):
            raise GraphRunError(
                f"Input value '{value}' clashes with a node name. Make sure that none of the input names passed to "
                f"the `run` method are the same as node names in the graph schema."
            )
        results[name] = (name, value)
    try:
        for name, needs in order:
            results[name] = self._instantiated_nodes[name](*(results[need] for need in needs))
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error
    return dict(results[target] for target in run_targets)


def install() -> None:
    """Replace the repeated work in the running Rasa; safe to call more than once."""
    if getattr(RemoteAction, _INSTALLED, False):
        return
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    EndpointConfig.session = _kept_session  # type: ignore[assignment]
    DaskGraphRunner.run = _run_in_order  # type: ignore[method-assign]
    Event.resolve_by_type = staticmethod(_resolve_by_type)  # type: ignore[method-assign, assignment]
    setattr(RemoteAction, _INSTALLED, True)
