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
import orjson
from jsonschema import Draft202012Validator, ValidationError
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.constants import PREVIOUS_ACTION
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.slots import Slot
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

_INSTALLED = "_helpdesk_speedups"
DASK_RUN = DaskGraphRunner.run  # Rasa's own, for comparison
RESOLVE_BY_TYPE = Event.resolve_by_type  # Rasa's own, for what the cache does not know
POSSIBLE_KEYS = RulePolicy._get_possible_keys  # Rasa's own, for comparison
DOMAIN_IS_EMPTY = Domain.is_empty  # Rasa's own
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


def _plain(value: Any) -> Any:
    """What orjson cannot write itself, as the standard library's `json` writes it (NumPy numbers among them)."""
    if isinstance(value, float):  # a float subclass such as numpy.float64
        return float(value)
    if isinstance(value, int):
        return int(value)
    item = getattr(value, "item", None)  # other NumPy scalars
    if callable(item):
        return item()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def conversation_json(value: Any) -> str:
    """The JSON of an action call (the whole conversation, every message's parse): what `json.dumps` gives, read
    back, in a fifth of its time; written as UTF-8 rather than with escapes. A share of the Rasa server's time
    under load went into writing it with the standard library."""
    return orjson.dumps(value, default=_plain, option=orjson.OPT_NON_STR_KEYS).decode()


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
                json_serialize=conversation_json,
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


@lru_cache(maxsize=4096)
def _rule_turns(rule_key: str) -> int:
    """How many turns a rule of the RulePolicy's lookup spans (its key is the JSON list of its states)."""
    return len(RulePolicy._rule_key_to_state(rule_key))


def _may_fit_last_turn(rule_key: str, previous_action: dict[str, Any]) -> bool:
    """Whether the rule's last turn can fit a turn that followed `previous_action`: Rasa's own checks of the
    previous action (`_is_rule_applicable`'s first ones, and `_does_rule_match_state` on that part alone).

    A rule that fails this fails Rasa's full check of the turn; one that passes still gets the full check.
    """
    rule_previous = RulePolicy._rule_key_to_state(rule_key)[-1].get(PREVIOUS_ACTION)
    if not rule_previous or not previous_action:
        return not rule_previous and not previous_action
    return RulePolicy._does_rule_match_state({PREVIOUS_ACTION: rule_previous}, {PREVIOUS_ACTION: previous_action})


def _candidates(self: RulePolicy, lookup: dict[str, str], previous_action: dict[str, Any]) -> set[str]:
    """The rules of `lookup` whose last turn may fit a turn after `previous_action`; worked out once per action."""
    tables = self.__dict__.setdefault("_helpdesk_candidates", {})
    held, by_action = tables.get(id(lookup), (None, {}))
    if held is not lookup:  # a new table (the id of one gone may be reused)
        by_action = {}
        tables[id(lookup)] = (lookup, by_action)
    action_key = tuple(sorted(previous_action.items()))
    if action_key not in by_action:
        by_action[action_key] = frozenset(key for key in lookup if _may_fit_last_turn(key, previous_action))
    return set(by_action[action_key])


def _possible_keys(self: RulePolicy, lookup: dict[str, str], states: list[dict[str, Any]]) -> set[str]:
    """`RulePolicy._get_possible_keys`: the rules that fit the conversation's states, looked for with fewer checks.

    Rasa checks all of the policy's rules against the conversation's last turn, twice per prediction, although
    the turn's previous action alone rules most of them out: only the rules that action lets through are
    checked in full. Further back, a rule fits any turn older than its own first one (Rasa's check says so), so
    only the rules reaching that far back are checked there, and once none does, the search stops. Same rules.
    """
    possible = set(lookup)
    for turn, state in enumerate(reversed(states)):
        if turn == 0:
            possible = _candidates(self, lookup, state.get(PREVIOUS_ACTION) or {})
        reaching = {key for key in possible if _rule_turns(key) > turn}
        if not reaching:
            break
        possible -= {key for key in reaching if not self._is_rule_applicable(key, turn, state)}
    return possible


def _domain_is_empty(self: Domain) -> bool:
    """`Domain.is_empty`, answered once per domain: Rasa builds an empty domain to compare with for every parse.

    A loaded domain does not change; a new model brings a new Domain object.
    """
    known = self.__dict__.get("_helpdesk_is_empty")
    if known is None:
        known = self.__dict__["_helpdesk_is_empty"] = DOMAIN_IS_EMPTY(self)
    return known


def _copy_slot(self: Slot) -> Slot:
    """`copy.copy` of a slot, without the generic path through `__reduce_ex__` and copyreg.

    Rasa copies every slot of the domain each time it builds a tracker, and it builds one for every past turn
    at every prediction. The same shallow copy: a new object of the slot's class holding the same attributes.
    """
    copied = object.__new__(type(self))
    copied.__dict__.update(self.__dict__)
    return copied


def install() -> None:
    """Replace the repeated work in the running Rasa; safe to call more than once."""
    if getattr(RemoteAction, _INSTALLED, False):
        return
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    EndpointConfig.session = _kept_session  # type: ignore[assignment]
    DaskGraphRunner.run = _run_in_order  # type: ignore[method-assign]
    Event.resolve_by_type = staticmethod(_resolve_by_type)  # type: ignore[method-assign, assignment]
    RulePolicy._get_possible_keys = _possible_keys  # type: ignore[method-assign]
    Domain.is_empty = _domain_is_empty  # type: ignore[method-assign]
    Slot.__copy__ = _copy_slot  # type: ignore[attr-defined]
    setattr(RemoteAction, _INSTALLED, True)
