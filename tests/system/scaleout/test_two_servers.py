"""The scale-out profile for real: two Rasa servers sharing PostgreSQL stores and a Redis lock store.

Both servers load the same trained model and get their configuration from the environment only (through
`helpdesk endpoints`, as deploy/Procfile.scaleout does). The turns of each conversation go to the two servers
in turn, several conversations at once, as a load balancer without stickiness would send them.
"""

from __future__ import annotations

import json
import subprocess
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from bot.conversations.transcripts import transcript
from bot.database import Database, make_engine
from bot.migrations import upgrade
from bot.rasa_server.endpoints import lock_store_config
from bot.tickets.store import TicketStore
from bot.training.model import MODEL_PATH
from tests.support.servers import free_port, make_workspace, stop, wait_until
from tests.support.services import REDIS_URL, postgres_database, redis_key_prefix
from tests.support.settings import settings_with
from tests.system.conversation.chat import texts
from tests.system.scaleout.cluster import Cluster, running_cluster
from tests.system.scaleout.nginx import CONFIG, main_config, nginx_binary, ports_in, remapped

pytestmark = [pytest.mark.model, pytest.mark.postgres, pytest.mark.redis]


# --- the conversations ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dialogue:
    """What a partner types, what each reply must contain ("" for anything), and the ticket it must leave."""

    turns: list[tuple[str, str]]
    ticket: dict[str, str]
    sender: str = field(default_factory=lambda: f"scaleout-{uuid.uuid4().hex[:12]}")


def french_ticket(organization: str, profile_id: int, email: str) -> Dialogue:
    """tests/system/conversation/test_ticket_form.py's French request, with a wrong link and a wrong e-mail first."""
    link = f"https://www.unpartnerportal.org/profile/{profile_id}/overview"
    description = "Nous avons créé deux profils par erreur, merci de supprimer le second."
    return Dialogue(
        turns=[
            ("J'ai besoin d'aide de l'équipe support, pouvez-vous ouvrir une demande ?", "nom de votre organisation"),
            (organization, "lien"),
            ("je ne sais pas", "barre d'adresse"),
            (link, "type de problème"),
            ('/choose_issue_type{"issue_type": "duplicate_profile"}', "Décrivez"),
            (description, "e-mail"),
            (email.replace("@", " chez ").replace(".", " point "), "pas une adresse e-mail valide"),
            (email, organization),
            ("/affirm", "HD-"),
            ("/affirm", "HD-"),  # confirmed twice, on the other server: still one ticket
        ],
        ticket={
            "organization_name": organization,
            "profile_link": link,
            "profile_id": str(profile_id),
            "issue_type": "duplicate_profile",
            "description": description,
            "contact_email": email,
            "language": "fr",
        },
    )


def english_ticket(organization: str, profile_id: int, first_email: str, email: str) -> Dialogue:
    """tests/system/conversation/test_ticket_form.py's English request, with the e-mail corrected at the summary."""
    link = f"unpartnerportal.org/profile/{profile_id}/undata"
    description = "Our only administrator left and nobody can add users any more."
    return Dialogue(
        turns=[
            ("I need help from the support team", "organisation's name"),
            (organization, "link to your organisation's UNPP profile"),
            (link, "What kind of problem"),
            ('/choose_issue_type{"issue_type": "account_access"}', "describe the problem"),
            (description, "e-mail"),
            (first_email, "Account access"),
            ('/correct_field{"field": "contact_email"}', "e-mail"),
            (email, email),
            ("/affirm", "HD-"),
        ],
        ticket={
            "organization_name": organization,
            "profile_link": link,
            "profile_id": str(profile_id),
            "issue_type": "account_access",
            "description": description,
            "contact_email": email,
            "language": "en",
        },
    )


def dialogues() -> list[Dialogue]:
    return [
        french_ticket("Association des Femmes de Kindu", 4821, "awa.diallo@afk.org"),
        english_ticket("Bamako Youth Network", 777, "it@byn.org", "admin@byn.org"),
        french_ticket("ONG Espoir", 5310, "contact@espoir.org"),
        english_ticket("Goma Health Alliance", 9102, "office@gha.org", "director@gha.org"),
        french_ticket("Université de Lomé", 6204, "partenariats@univ-lome.tg"),
        english_ticket("Kisumu Water Trust", 3307, "info@kwt.org", "grants@kwt.org"),
    ]


def send(url: str, sender: str, message: str) -> list[dict]:
    response = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=120)
    response.raise_for_status()
    return response.json()


def converse(dialogue: Dialogue, urls: list[str], first: int) -> list[str]:
    """Each turn to the next server in turn, starting at `urls[first]`; the replies' texts."""
    return [
        texts(send(urls[(first + i) % len(urls)], dialogue.sender, message))
        for i, (message, _) in enumerate(dialogue.turns)
    ]


def reference_in(reply: str) -> str:
    return next(word.strip(" :.") for word in reply.split() if word.startswith("HD-"))


# --- the servers ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for the tickets and Rasa's conversations, dropped afterwards."""
    yield from postgres_database("helpdesk_scaleout")


@pytest.fixture(scope="module")
def lock_prefix() -> Iterator[str]:
    """A lock-store key prefix of this run's own on the local Redis (letters and digits, as Rasa wants)."""
    yield from redis_key_prefix(f"helpdeskscaleout{uuid.uuid4().hex[:12]}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, postgres_url: str, lock_prefix: str) -> Iterator[Cluster]:
    if not MODEL_PATH.exists():
        pytest.fail(f"no trained model at {MODEL_PATH}: run `make model` first")
    workspace = make_workspace(tmp_path_factory.mktemp("scaleout"))
    upgrade(postgres_url)  # migrations run once, before any server starts
    env = {
        **workspace.env,  # this run's knowledge-base copy and folders
        "DATABASE_URL": postgres_url,
        "TRACKER_STORE_URL": postgres_url,
        "LOCK_STORE_URL": REDIS_URL,
        "LOCK_STORE_KEY_PREFIX": lock_prefix,
    }
    env.pop("RASA_ENDPOINTS", None)
    with running_cluster(env, workspace.workdir, rasa_servers=2) as started:
        yield started


@pytest.fixture(scope="module")
def store(postgres_url: str) -> Iterator[TicketStore]:
    engine = make_engine(postgres_url)
    yield TicketStore(Database(engine))
    engine.dispose()


# --- the tests --------------------------------------------------------------------------------------------------


def test_every_ticket_form_completes_once_across_two_servers(cluster: Cluster, store: TicketStore) -> None:
    conversations = dialogues()
    with ThreadPoolExecutor(max_workers=len(conversations)) as pool:
        replies = list(
            pool.map(converse, conversations, [cluster.rasa_urls] * len(conversations), range(len(conversations)))
        )

    for dialogue, said in zip(conversations, replies, strict=True):
        for turn, ((message, expected), reply) in enumerate(zip(dialogue.turns, said, strict=True)):
            assert expected in reply, f"{dialogue.sender}, turn {turn} ({message!r}): {reply!r}"
        reference = reference_in(said[-1])
        tickets = [t for t in store.newest(1000) if t.conversation_id == dialogue.sender]
        assert len(tickets) == 1, f"{dialogue.sender}: {len(tickets)} tickets"
        [ticket] = tickets
        assert ticket.reference == reference
        assert {name: getattr(ticket, name) for name in dialogue.ticket} == dialogue.ticket

        # Both servers wrote the conversation to the one PostgreSQL tracker store, in order, and the console
        # reads it from there through the same environment.
        lines = transcript(dialogue.sender, settings_with(RASA_ENDPOINTS=str(cluster.endpoints)))
        assert [line.text for line in lines if line.speaker == "partner"] == [message for message, _ in dialogue.turns]
        assert reference in [line.text for line in lines if line.speaker == "bot"][-1]
    assert store.count() == len(conversations)


def test_a_server_waits_while_another_holds_the_conversation(
    cluster: Cluster, postgres_url: str, lock_prefix: str
) -> None:
    """The lock is Redis's, not the process's: a turn waits for the server that is busy with the conversation."""
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import EndpointConfig

    locks = LockStore.create(EndpointConfig.from_dict(lock_store_config(REDIS_URL, lock_prefix)))
    sender = f"scaleout-{uuid.uuid4().hex[:12]}"
    held = locks.issue_ticket(sender)  # what the other server does while it handles a turn
    replies: list[str] = []
    waiting = threading.Thread(
        target=lambda: replies.append(texts(send(cluster.rasa_urls[1], sender, "/request_support")))
    )
    waiting.start()
    waiting.join(timeout=5)
    try:
        assert waiting.is_alive() and not replies, "the server answered while the conversation was locked"
        engine = create_engine(postgres_url, future=True)
        with engine.connect() as connection:
            events = connection.execute(text("SELECT data FROM events WHERE sender_id = :s"), {"s": sender}).scalars()
            assert not any(json.loads(data).get("text") == "/request_support" for data in events)
        engine.dispose()
    finally:
        locks.cleanup(sender, held)
        waiting.join(timeout=120)
    assert replies and "organisation" in replies[0], replies


def test_through_nginx_rest_spreads_and_socketio_sticks(cluster: Cluster, store: TicketStore, tmp_path: Path) -> None:
    """deploy/nginx.conf in front of the two servers: a REST conversation uses both, the widget's one server."""
    nginx = nginx_binary()
    config = CONFIG.read_text()
    public = free_port()
    rasa_ports = [int(url.rsplit(":", 1)[1]) for url in cluster.rasa_urls]
    ports = {port: free_port() for port in ports_in(config)}  # nothing else of deploy's listens here
    ports.update(
        {80: public, 5100: rasa_ports[0], 5101: rasa_ports[1], 5200: cluster.action_port, 5201: cluster.action_port}
    )
    site = tmp_path / "partner-helpdesk.conf"
    site.write_text(remapped(config, ports))
    log = tmp_path / "nginx.log"
    proxy = subprocess.Popen(
        [nginx, "-c", str(main_config(tmp_path, site)), "-e", str(tmp_path / "error.log")],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{public}"
    try:
        wait_until(
            lambda: requests.get(f"{url}/socket.io/?EIO=4&transport=polling", timeout=2).ok, 30, "nginx", proxy, log
        )
        (tmp_path / "access.log").write_text("")  # only what follows

        dialogue = english_ticket("Lubumbashi Farmers Cooperative", 8841, "hello@lfc.org", "desk@lfc.org")
        said = converse(dialogue, [url], 0)
        assert "HD-" in said[-1], said
        assert store.by_reference(reference_in(said[-1])).contact_email == "desk@lfc.org"

        widget = socketio_conversation(url, ["Hello", "/request_support"], awaited="organisation")
        assert widget["transport"] == "websocket", "the socket.io client could not upgrade through the proxy"

        upstreams: dict[str, set[str]] = {"/webhooks/": set(), "/socket.io/": set()}
        for line in (tmp_path / "access.log").read_text().splitlines():
            path, _, upstream = line.partition(" ")
            for prefix, used in upstreams.items():
                if path.startswith(prefix):
                    used.add(upstream)
        assert upstreams["/webhooks/"] == {f"127.0.0.1:{port}" for port in rasa_ports}
        assert len(upstreams["/socket.io/"]) == 1, upstreams["/socket.io/"]
    finally:
        stop(proxy)


def socketio_conversation(url: str, messages: list[str], awaited: str) -> dict:
    """The widget's way: socket.io with long polling first, then the websocket upgrade; every reply's text."""
    import asyncio

    import socketio

    async def run() -> dict:
        client = socketio.AsyncClient()
        replies: list[str] = []
        arrived = asyncio.Event()
        confirmed = asyncio.Event()

        def on_reply(data: dict) -> None:
            replies.append(data.get("text") or "")
            arrived.set()

        client.on("session_confirm", lambda data: confirmed.set())
        client.on("bot_uttered", on_reply)
        await client.connect(url, transports=["polling", "websocket"])
        session = uuid.uuid4().hex
        await client.emit("session_request", {"session_id": session})
        await asyncio.wait_for(confirmed.wait(), 30)
        for message in messages:
            arrived.clear()
            metadata = {"language": "en"}
            await client.emit("user_uttered", {"message": message, "session_id": session, "metadata": metadata})
            await asyncio.wait_for(arrived.wait(), 60)
        while not any(awaited in reply for reply in replies):
            arrived.clear()
            await asyncio.wait_for(arrived.wait(), 60)
        transport = client.transport()
        await client.disconnect()
        return {"transport": transport, "replies": replies}

    return asyncio.run(run())
