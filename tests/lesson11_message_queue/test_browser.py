"""Lesson 11 — a Redis message queue, proven in Chromium against live server processes.

Server A (``live_server``, the page's) and server B share a private redis-server (conftest.py).
"Received nothing" is never proven by waiting: a room message or a worker's event reaches all of
a server's clients from one pass of its queue listener, and events on one connection arrive in
order, so once a member has an event and a non-member has then made a round trip of its own,
anything sent to the non-member would have been before that round trip's answer.
"""

import dataclasses
import json
import pickle
import re
import urllib.error
import urllib.request

import pytest
import redis
import socketio as python_socketio
from playwright.sync_api import expect

from playground.claims import holds_in
from playground.lesson_process import LessonProcess
from playground.redis_server import CHANNEL, RedisServer, subscribers
from tests.utils import WAIT_MS, WAIT_S, incoming, payloads, play, run_js, wait_until

CONNECT = "(name) => Playground.client(name).connect({namespace: '/'})"
EMIT = "([name, event, args]) => Playground.client(name).emitWithAck(event, args)"


def pid_of(server) -> int:
    """The pid of a lesson server: the runner process is the server (no shell in between)."""
    return server.process.pid


def connect(page, *names):
    for name in names:
        run_js(page, CONNECT, name)


def emit(page, name, event, *args):
    """Emit from a console client and return its acknowledgement (the first ack argument)."""
    return run_js(page, EMIT, [name, event, list(args)])[0]


def round_trip(page, name):
    """A request and its answer on ``name``'s own connection (see the module docstring)."""
    emit(page, name, "rooms")


@pytest.fixture
def page_b(lesson_page, server_b):
    """A second tab, on server B's own page (another origin: another port).

    In lesson_page's browser context: the suite checks that its requests stay on loopback too.
    """
    page = lesson_page.context.new_page()
    page.goto(server_b.url + "/")
    page.locator("#console .client").first.wait_for()
    return page


def worker_events(pid, steps=3):
    progress = [{"step": step, "steps": steps, "pid": pid} for step in range(1, steps + 1)]
    return progress, [{"steps": steps, "pid": pid}]


# --- the scenario in the console --------------------------------------------------------------


@pytest.mark.claim("L11.1", "L11.2", "L11.7")
def test_the_console_hears_server_b_and_the_worker(lesson_page, live_server, server_b, screenshot):
    page = lesson_page
    play(page, "Alice and Bob join ops")
    [joined] = payloads(page, "Alice", "ack", "join")
    assert joined["rooms"][-1] == "ops"
    assert joined["pid"] == pid_of(live_server)

    # Dave is a python-socketio client of server B; he is in no room.
    with python_socketio.SimpleClient() as dave:
        dave.connect(server_b.url, transports=["websocket"])
        assert dave.call("announce", "Hello from server B", timeout=WAIT_S) == "sent"
        assert dave.call("say", ("ops", "Deploying from B"), timeout=WAIT_S) == "sent"

    from_b = pid_of(server_b)
    for name in ("Alice", "Bob", "Carol"):
        expect(incoming(page, name, "announcement")).to_have_count(1)
        assert payloads(page, name, "in", "announcement") == [
            {"text": "Hello from server B", "pid": from_b}
        ]
    for name in ("Alice", "Bob"):
        expect(incoming(page, name, "said")).to_have_count(1)
        assert payloads(page, name, "in", "said") == [
            {"room": "ops", "text": "Deploying from B", "pid": from_b}
        ]

    play(page, "Run the worker for ops")
    status = page.locator("#worker-status")
    worker = int(status.get_attribute("data-pid"))
    assert worker not in (pid_of(live_server), from_b)  # a process of its own
    expect(status).to_have_text(
        f"Worker: pid {worker} is done; Alice and Bob heard it through the queue."
    )
    progress, done = worker_events(worker)
    for name in ("Alice", "Bob"):
        assert payloads(page, name, "in", "progress") == progress
        assert payloads(page, name, "in", "done") == done

    page.set_viewport_size({"width": 1600, "height": 1100})  # three panels in a row
    screenshot(page, "lesson11-message-queue")
    round_trip(page, "Carol")  # not in ops: neither B's room message nor the worker came to her
    for event in ("said", "progress", "done"):
        expect(incoming(page, "Carol", event)).to_have_count(0)


# --- two servers, two tabs --------------------------------------------------------------------


@pytest.mark.claim("L11.1")
def test_two_tabs_on_two_servers_share_broadcasts_and_rooms(
    lesson_page, page_b, live_server, server_b
):
    page_a = lesson_page
    connect(page_a, "Alice", "Carol")
    connect(page_b, "Bob")
    assert emit(page_a, "Alice", "join", "ops")["pid"] == pid_of(live_server)
    assert emit(page_b, "Bob", "join", "ops")["pid"] == pid_of(server_b)

    # Bob, on B, speaks to ops and then to everyone: Alice and Carol are on A.
    assert emit(page_b, "Bob", "say", "ops", "Hi ops, from B") == "sent"
    assert emit(page_b, "Bob", "announce", "Hi all, from B") == "sent"
    from_b = pid_of(server_b)
    expect(incoming(page_a, "Alice", "said")).to_have_count(1)
    assert payloads(page_a, "Alice", "in", "said") == [
        {"room": "ops", "text": "Hi ops, from B", "pid": from_b}
    ]
    for name in ("Alice", "Carol"):
        expect(incoming(page_a, name, "announcement")).to_have_count(1)
        assert payloads(page_a, name, "in", "announcement") == [
            {"text": "Hi all, from B", "pid": from_b}
        ]
    round_trip(page_a, "Carol")
    expect(incoming(page_a, "Carol", "said")).to_have_count(0)

    # And back: Alice, on A, to ops; Bob hears it on B.
    assert emit(page_a, "Alice", "say", "ops", "Hi Bob, from A") == "sent"
    expect(incoming(page_b, "Bob", "said")).to_have_count(2)
    assert payloads(page_b, "Bob", "in", "said")[1] == {
        "room": "ops",
        "text": "Hi Bob, from A",
        "pid": pid_of(live_server),
    }


# --- the worker -------------------------------------------------------------------------------


@pytest.mark.claim("L11.2", "L11.7")
def test_the_worker_reaches_ops_on_both_servers_and_runs_one_at_a_time(lesson_page, page_b):
    page_a = lesson_page
    connect(page_a, "Alice", "Carol")
    connect(page_b, "Bob")
    emit(page_a, "Alice", "join", "ops")
    emit(page_b, "Bob", "join", "ops")

    answers = run_js(
        page_a,
        """async () => {
            const post = () => fetch('/worker', {
                method: 'POST',
                headers: {'Content-Type': 'application/json'},
                body: JSON.stringify({room: 'ops'}),
            }).then(async (response) => [response.status, await response.json()]);
            return [await post(), await post()];  // the second while the first runs
        }""",
    )
    [[status, started], [busy_status, busy]] = answers
    assert status == 202
    assert started == {"pid": started["pid"], "room": "ops"}
    assert (busy_status, busy) == (409, {"error": "a worker is running", "pid": started["pid"]})

    progress, done = worker_events(started["pid"])
    for page, name in ((page_a, "Alice"), (page_b, "Bob")):
        # The worker is a process of its own: its start-up alone takes about 2 s here.
        expect(incoming(page, name, "done")).to_have_count(1, timeout=2 * WAIT_MS)
        assert payloads(page, name, "in", "progress") == progress
        assert payloads(page, name, "in", "done") == done
    round_trip(page_a, "Carol")
    expect(incoming(page_a, "Carol", "progress")).to_have_count(0)
    expect(incoming(page_a, "Carol", "done")).to_have_count(0)


# --- what travels through Redis ---------------------------------------------------------------


class BuildsAFile:
    """Pickled, this is an instruction: on loading, call ``open(path, "w")``."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return open, (str(self.path), "w")


@pytest.fixture
def subscriber(redis_server):
    """A Redis client subscribed to the servers' channel, as anyone with access to Redis can."""
    client = redis.Redis.from_url(redis_server.url)
    pubsub = client.pubsub()
    pubsub.subscribe(CHANNEL)
    assert pubsub.get_message(timeout=WAIT_S)["type"] == "subscribe"  # subscribed from now on
    yield client, pubsub
    pubsub.close()
    client.close()


def next_message(pubsub) -> bytes:
    message = pubsub.get_message(timeout=WAIT_S)
    assert message is not None and message["type"] == "message", message
    return message["data"]


@pytest.mark.claim("L11.3")
def test_emits_travel_as_json_and_a_pickle_on_the_channel_is_never_loaded(
    lesson_page, live_server, server_b, subscriber, tmp_path
):
    page = lesson_page
    client, pubsub = subscriber
    connect(page, "Carol")  # on server A
    dave = python_socketio.SimpleClient()  # on server B
    dave.connect(server_b.url, transports=["websocket"])
    assert emit(page, "Carol", "announce", "Is this JSON?") == "sent"

    published = next_message(pubsub)
    assert published.startswith(b"{")  # a pickle would start with b"\x80"
    message = json.loads(published)
    assert re.fullmatch(r"[0-9a-f]{32}", message["host_id"])  # the sending server's id
    assert message == {
        "method": "emit",
        "event": "announcement",
        "data": [{"text": "Is this JSON?", "pid": pid_of(live_server)}],
        "binary": False,
        "namespace": "/",
        "room": None,
        "skip_sid": None,
        "callback": None,
        "host_id": message["host_id"],
    }

    # Anyone who can publish on the channel: first a pickle, then the same message as JSON.
    marker = tmp_path / "built-by-the-pickle"
    forged = {**message, "host_id": "an-intruder"}
    pickled = pickle.dumps(
        {**forged, "data": [{"text": "from a pickle"}], "payload": BuildsAFile(marker)}
    )
    as_json = json.dumps({**forged, "data": [{"text": "from plain JSON"}]})
    assert client.publish(CHANNEL, pickled) == 3  # servers A and B, and this subscriber
    assert client.publish(CHANNEL, as_json) == 3

    # Each server handles the queue in order: when the JSON one is here, the pickle was dropped.
    expect(incoming(page, "Carol", "announcement")).to_have_count(2)
    assert [p["text"] for p in payloads(page, "Carol", "in", "announcement")] == [
        "Is this JSON?",
        "from plain JSON",
    ]
    assert [dave.receive(timeout=WAIT_S)[1]["text"] for _ in range(2)] == [
        "Is this JSON?",
        "from plain JSON",
    ]
    dave.disconnect()
    assert not marker.exists()  # never unpickled, by server A or by server B
    loaded = pickle.loads(next_message(pubsub))  # what an older server would have done
    loaded["payload"].close()
    assert marker.exists()
    assert loaded["data"] == [{"text": "from a pickle"}]
    assert json.loads(next_message(pubsub))["data"] == [{"text": "from plain JSON"}]


# --- eventlet and gevent without monkey patching -----------------------------------------------


@pytest.fixture
def unpatched_server(lesson, server_mode):
    """The lesson without its manifest's ``--monkey-patch``, on a Redis of its own.

    Without the server view too: its page would connect to it as soon as it loads, and the
    first connection, the one this is about, would be the view's.
    """
    with RedisServer() as queue:
        server = LessonProcess(
            dataclasses.replace(lesson, run_args=()),
            async_mode=server_mode,
            args=("--message-queue", queue.url, "--no-server-view"),
        ).start()
        yield server, queue.url
        server.stop()


@pytest.mark.claim("L11.4")
def test_unpatched_green_threads_refuse_the_first_connection_then_freeze(
    tab, unpatched_server, server_mode
):
    server, queue_url = unpatched_server
    assert "--monkey-patch" not in server.command()
    page = tab.open(server.url + "/")  # the page is served: nothing has touched Redis yet
    assert subscribers(queue_url) == 0

    first = run_js(
        page,
        """async () => {
            const socket = kit.socket('/', {transports: ['polling'], reconnection: false});
            try {
                await kit.connected(socket);
                return {connected: true, sid: socket.id, rooms: await kit.send(socket, 'rooms')};
            } catch (err) {
                return {connected: false, error: [err.message, err.description]};
            }
        }""",
    )
    # The listener starts with the first connection: it subscribes, then waits on Redis.
    wait_until(lambda: subscribers(queue_url) == 1, "the unpatched server subscribed")
    page_again = run_js(
        page,
        """async () => {
            try {
                await fetch('/', {signal: AbortSignal.timeout(500)});
                return 'answered';
            } catch (err) {
                return err.name;
            }
        }""",
    )
    if holds_in("L11.4", server_mode):  # the listener's blocking read holds the only OS thread
        assert first == {"connected": False, "error": ["xhr poll error", 401]}
        assert (
            "RuntimeError: Redis requires a monkey patched socket library to work with "
            f"{server_mode}" in server.read_output()
        )
        assert page_again == "TimeoutError"  # the page served within ms before, not in 0.5 s now
    else:  # threading: the listener reads Redis in an OS thread of its own
        assert first["connected"] and first["rooms"] == [first["sid"]]
        assert "monkey patched" not in server.read_output()
        assert page_again == "answered"


# --- sticky sessions --------------------------------------------------------------------------


@pytest.mark.claim("L11.5")
def test_a_polling_session_of_server_a_is_unknown_to_server_b(lesson_page, server_b):
    page = lesson_page
    sid = run_js(
        page,
        """async () => {
            window.polling = await kit.connect('/', {transports: ['polling']});
            return polling.io.engine.id;  // the Engine.IO session id
        }""",
    )

    # What a load balancer without stickiness does: the browser's next poll, or its upgrade to
    # WebSocket (the same session id), sent to B.
    for transport in ("polling", "websocket"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(
                f"{server_b.url}/socket.io/?EIO=4&transport={transport}&sid={sid}"
            )
        with refused.value as answer:
            assert (answer.code, answer.read()) == (400, f'"Invalid session {sid}"'.encode())

    # Server A still has the session: the browser's connection works on.
    rooms = run_js(page, "() => kit.send(polling, 'rooms')")
    assert rooms == [run_js(page, "() => window.polling.id")]
