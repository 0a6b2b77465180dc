"""Lessons 04 and 05 behind the deployment: nginx, three gunicorn servers, one Redis queue.

Their apps are served unchanged by the same stack as lesson 13 (``Stack(lesson 04 or 05)``), and
their multi-client scenarios run again with a python-socketio client on each server (Alice on
server 1, Bob on 2, Carol on 3: their sticky keys are found by asking nginx), long-polling
through nginx. Most claims hold; two do not, and the tests say how.

"Received nothing" is never proven by waiting: a marker is emitted after the event under test,
from the same server, so it travels the same path (that server, then Redis, in order); a client
whose next event is the marker never got the other.
"""

from __future__ import annotations

import urllib.parse
import urllib.request

import pytest
import requests
import socketio as python_socketio

from lessons.lesson05_rooms.app import DEMO_TOKENS
from playground import manifest
from tests.lesson13_deploying.conftest import start_stack
from tests.utils import wait_until

TIMEOUT = 5  # seconds, for any one answer


@pytest.fixture(scope="module")
def stack04(worker):
    deployed = start_stack(manifest.find("04"), worker=worker)
    yield deployed
    deployed.stop()


@pytest.fixture(scope="module")
def stack05(worker):
    deployed = start_stack(manifest.find("05"), worker=worker)
    yield deployed
    deployed.stop()


@pytest.fixture
def connect():
    """``connect(stack, server_index, namespace="/", auth=None)``: a client pinned to a server."""
    clients = []

    def make(stack, index, namespace="/", auth=None):
        # A browser of its own, with its own cookie: in a cookie jar, because python-engineio's
        # client sends connect(headers=...) with its first request only.
        http = requests.Session()
        http.cookies.set("lb", stack.sticky_keys()[index])
        client = python_socketio.SimpleClient(http_session=http)
        client.connect(
            stack.url,
            namespace=namespace,
            auth=auth,
            # Long-polling only: every request must find the same server (sticky sessions), and a
            # polling client disconnects at once (a WebSocket one takes ~3 s under gevent).
            transports=["polling"],
            wait_timeout=TIMEOUT,
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.disconnect()


def call(client, event, *args):
    return client.call(event, args if len(args) != 1 else args[0], timeout=TIMEOUT)


def next_event(client):
    return client.receive(timeout=TIMEOUT)


@pytest.fixture
def people04(stack04, connect):
    return [connect(stack04, n) for n in range(3)]


# --- lesson 04: broadcast -------------------------------------------------------------------------


@pytest.mark.claim("L13.9", "L04.1")
def test_broadcast_reaches_every_server_and_stays_in_its_namespace(stack04, connect, people04):
    alice = people04[0]
    other = connect(stack04, 1, namespace="/other")  # on Bob's server, in /other
    assert call(alice, "shout", "hello, all servers") == "sent"
    for client in people04:
        assert next_event(client) == ["shouted", "hello, all servers"]
    other_alice = connect(stack04, 0, namespace="/other")  # the marker, from Alice's server
    assert call(other_alice, "shout", "marker") == "sent"
    assert next_event(other) == ["shouted", "marker"]


@pytest.mark.claim("L13.9", "L04.2", "L04.3")
def test_include_self_false_and_skip_sid_leave_out_exactly_one_client_of_any_server(people04):
    alice, bob, carol = people04
    assert call(alice, "shout_to_others", "not to Alice") == "sent"
    assert next_event(bob) == next_event(carol) == ["shouted", "not to Alice"]
    assert call(alice, "shout_skipping", "not to Bob", bob.sid) == "sent"
    assert next_event(alice) == next_event(carol) == ["shouted", "not to Bob"]
    assert call(alice, "shout", "marker") == "sent"
    assert next_event(alice) == ["shouted", "marker"]  # her own "not to Alice" never came
    assert next_event(bob) == ["shouted", "marker"]  # nor "not to Bob" to Bob, on server 2


@pytest.mark.claim("L13.9", "L04.4")
def test_the_http_view_announces_to_clients_of_every_server(stack04, people04):
    body = urllib.parse.urlencode({"text": "from the view"}).encode()
    with urllib.request.urlopen(f"{stack04.url}/announce", data=body, timeout=TIMEOUT) as answer:
        assert answer.status == 200
    for client in people04:
        assert next_event(client) == ["announcement", "from the view"]


@pytest.mark.claim("L13.9")
def test_a_broadcast_with_a_callback_fails_with_a_message_queue(stack04, people04):
    """L04.5 does not hold here: python-socketio's queue refuses a callback without a room."""
    alice, bob, _ = people04
    with pytest.raises(python_socketio.exceptions.TimeoutError):
        alice.call("poll", "which server?", timeout=2)  # the handler raised: no answer
    logged = "".join(server.read_output() for server in stack04.servers)
    assert "ValueError: Cannot use callback without a room set." in logged
    assert call(alice, "shout", "marker") == "sent"  # nobody was asked the question
    assert next_event(bob) == ["shouted", "marker"]


# --- lesson 05: rooms -----------------------------------------------------------------------------


@pytest.fixture
def people05(stack05, connect):
    return [connect(stack05, n) for n in range(3)]


def said(room, sender, text):
    return ["said", {"room": room, "from": sender.sid, "text": text}]


@pytest.mark.claim("L13.9", "L05.1", "L05.2")
def test_a_room_spans_the_servers_and_reaches_its_members_only(people05):
    alice, bob, carol = people05
    assert sorted(call(alice, "join", "red")) == sorted([alice.sid, "red"])
    call(bob, "join", "red")
    assert call(alice, "say", "red", "to red") == "sent"
    assert next_event(alice) == next_event(bob) == said("red", alice, "to red")
    assert call(alice, "say_to_others", "red", "to the others") == "sent"
    assert next_event(bob) == said("red", alice, "to the others")
    call(bob, "leave", "red")
    assert call(alice, "say", "red", "after Bob left") == "sent"
    assert next_event(alice) == said("red", alice, "after Bob left")
    call(alice, "whisper", bob.sid, "marker")
    call(alice, "whisper", carol.sid, "marker")
    for client in (bob, carol):  # nothing before the marker, which left Alice's server last
        assert next_event(client) == ["whispered", {"from": alice.sid, "text": "marker"}]


@pytest.mark.claim("L13.9", "L05.3")
def test_a_whisper_reaches_one_client_on_another_server(people05):
    alice, bob, carol = people05
    assert call(alice, "whisper", carol.sid, "psst") == "sent"
    assert next_event(carol) == ["whispered", {"from": alice.sid, "text": "psst"}]
    call(alice, "whisper", bob.sid, "marker")
    assert next_event(bob) == ["whispered", {"from": alice.sid, "text": "marker"}]


@pytest.mark.claim("L13.9")
def test_a_sid_room_is_guarded_on_its_own_server_only(stack05, connect, people05):
    """L05.3's guard does not hold here: a server knows only its own clients' sid rooms."""
    alice, bob, carol = people05
    assert sorted(call(bob, "join", carol.sid)) == sorted([bob.sid, carol.sid])  # no ValueError
    assert call(alice, "whisper", carol.sid, "for Carol only") == "sent"
    overheard = ["whispered", {"from": alice.sid, "text": "for Carol only"}]
    assert next_event(carol) == next_event(bob) == overheard  # Bob, on server 2, hears it
    neighbour = connect(stack05, 2)  # on Carol's own server the guard holds
    with pytest.raises(python_socketio.exceptions.TimeoutError):
        neighbour.call("join", carol.sid, timeout=2)  # the handler raised: no answer
    logged = stack05.servers[2].read_output()
    assert "ValueError: cannot enter a sid room" in logged


@pytest.mark.claim("L13.9", "L05.4")
def test_close_room_empties_the_room_on_every_server_and_rooms_sees_one_server(people05):
    alice, bob, carol = people05
    call(alice, "join", "red")
    call(bob, "join", "red")
    assert call(carol, "rooms", bob.sid) == []  # Bob is on server 2: unknown to server 3
    assert sorted(call(bob, "rooms", bob.sid)) == sorted([bob.sid, "red"])
    call(carol, "close", "red")  # travels through Redis to servers 1 and 2
    for client in (alice, bob):
        wait_until(lambda c=client: call(c, "rooms") == [c.sid], "red closed everywhere")
    assert call(alice, "say", "red", "to nobody") == "sent"
    for client in (alice, bob):  # the markers leave Alice's server after her message
        call(alice, "whisper", client.sid, "marker")
        assert next_event(client) == ["whispered", {"from": alice.sid, "text": "marker"}]


@pytest.mark.claim("L13.9", "L05.7", "L05.8")
def test_the_group_chat_spans_the_servers(stack05, connect):
    def member(index, name, group):
        auth = {"name": name, "group": group, "token": DEMO_TOKENS[group]}
        return connect(stack05, index, namespace="/chat", auth=auth)

    alice = member(0, "Alice", "red")
    bob = member(1, "Bob", "red")
    assert next_event(alice) == ["joined", {"name": "Bob", "group": "red"}]
    carol = member(2, "Carol", "blue")
    assert call(alice, "say", "red team, hi") == "sent"
    message = ["said", {"name": "Alice", "group": "red", "text": "red team, hi"}]
    assert next_event(alice) == next_event(bob) == message
    bob.disconnect()
    assert next_event(alice) == ["left", {"name": "Bob", "group": "red"}]
    dave = member(0, "Dave", "blue")  # on Alice's server: his message follows hers to Carol
    assert next_event(carol) == ["joined", {"name": "Dave", "group": "blue"}]
    call(dave, "say", "marker")
    assert next_event(carol) == ["said", {"name": "Dave", "group": "blue", "text": "marker"}]
