"""Lesson 06 — class-based namespaces, proven with Flask-SocketIO's test client.

Every test that uses the lesson's app runs twice (see conftest.py): against app.py (decorators)
and app_ns.py (a Namespace class), with the same expected values.
"""

import pytest
import socketio as python_socketio
from flask import Flask, request
from flask_socketio import Namespace, SocketIO, emit

from lessons.lesson06_class_namespaces.precedence import Lobby, add_decorated_handlers

CLIENT_DISCONNECT = python_socketio.Server.reason.CLIENT_DISCONNECT  # "client disconnect"


def in_chat(name, *args):
    """One event as the test client records it in /chat."""
    return {"name": name, "args": list(args), "namespace": "/chat"}


def handled(event, by):
    return {"name": "handled", "args": [{"event": event, "by": by}], "namespace": "/"}


def sid_of(socketio, client, namespace="/chat"):
    return socketio.server.manager.sid_from_eio_sid(client.eio_sid, namespace)


def chat_transcript(socketio, make_client):
    """Alice and Bob chat in /chat; what each received after each step, sids made readable."""
    alice = make_client(namespace="/chat")
    steps = {"alice joins": (alice.get_received("/chat"),)}
    bob = make_client(namespace="/chat")
    steps["bob joins"] = (alice.get_received("/chat"), bob.get_received("/chat"))
    alice.emit("say", "Hi", namespace="/chat")
    steps["alice says"] = (alice.get_received("/chat"), bob.get_received("/chat"))
    bob.send("Hello", namespace="/chat")
    steps["bob sends"] = (alice.get_received("/chat"), bob.get_received("/chat"))
    bob_sid = sid_of(socketio, bob)
    bob.disconnect(namespace="/chat")
    steps["bob leaves"] = (alice.get_received("/chat"), bob.queue)
    return steps, bob_sid


@pytest.mark.claim("L06.1", "L06.2")
def test_connect_say_send_and_disconnect_give_the_same_events_in_both_variants(
    make_client, socketio
):
    steps, bob_sid = chat_transcript(socketio, make_client)

    welcome = in_chat("welcome", "Welcome to /chat")
    said = in_chat("said", "Hi")
    message = {"name": "message", "args": "Hello", "namespace": "/chat"}  # raw, not a list
    left = in_chat("left", {"sid": bob_sid, "reason": CLIENT_DISCONNECT})
    assert steps == {
        "alice joins": ([welcome],),  # on_connect / connect: the joining client only
        "bob joins": ([], [welcome]),
        "alice says": ([said], [said]),  # self.emit(): everyone in /chat, the sender too
        "bob sends": ([message], [message]),  # self.send(): the same
        "bob leaves": ([left], []),  # on_disconnect(reason): the others
    }


@pytest.mark.claim("L06.1")
def test_both_variants_side_by_side_produce_one_and_the_same_transcript(lesson):
    transcripts = {}
    for variant in lesson.variants:
        app, socketio = lesson.create_app(variant, ASYNC_MODE="threading", TESTING=True)
        clients = []

        def make_client(clients=clients, app=app, socketio=socketio, **kwargs):
            clients.append(socketio.test_client(app, **kwargs))
            return clients[-1]

        steps, bob_sid = chat_transcript(socketio, make_client)
        clients[0].disconnect(namespace="/chat")
        # Session ids are random: compare the transcripts with Bob's sid replaced by a name.
        transcripts[variant] = repr(steps).replace(bob_sid, "<bob>")

    assert set(transcripts) == {"app", "app_ns"}
    assert transcripts["app"] == transcripts["app_ns"]
    assert "'sid': '<bob>', 'reason': 'client disconnect'" in transcripts["app"]


@pytest.mark.claim("L06.1")
def test_the_class_variant_registers_a_namespace_object_the_decorator_variant_functions(
    socketio, variant
):
    server = socketio.server
    if variant == "app_ns":
        assert server.namespace_handlers["/chat"].namespace == "/chat"
        assert "/chat" not in server.handlers
    else:
        assert set(server.handlers["/chat"]) == {"connect", "disconnect", "say", "message"}
        assert "/chat" not in server.namespace_handlers


@pytest.mark.claim("L06.2")
def test_self_emit_stays_in_its_namespace(make_client):
    alice = make_client(namespace="/chat")
    alice.connect()  # the same client also joins "/"
    alice.get_received()
    alice.get_received("/chat")
    outsider = make_client()  # in "/" only

    alice.emit("say", "Hi", namespace="/chat")

    assert alice.get_received("/chat") == [in_chat("said", "Hi")]
    assert alice.get_received() == []  # nothing in "/", the server's default namespace
    assert outsider.get_received() == [handled("connect", "decorator")]  # its own, from before


@pytest.mark.claim("L06.2")
def test_self_emit_has_no_to_argument_and_room_is_the_way_to_one_client(socketio, make_client):
    class Probe(Namespace):
        def on_to(self):
            self.emit("reply", "to", to=request.sid)

        def on_room(self):
            self.emit("reply", "room", room=request.sid)

    socketio.on_namespace(Probe("/probe"))
    sender, other = make_client(namespace="/probe"), make_client(namespace="/probe")

    with pytest.raises(TypeError, match="unexpected keyword argument 'to'"):
        sender.emit("to", namespace="/probe")
    sender.emit("room", namespace="/probe")

    assert sender.get_received("/probe") == [
        {"name": "reply", "args": ["room"], "namespace": "/probe"}
    ]
    assert other.get_received("/probe") == []


# What a test client gets back when it asks an acknowledgement for "dance", which has no handler:
# None means no ACK packet at all; [] is an ACK packet with no arguments.
DANCE_ACK = {"app": None, "app_ns": []}


@pytest.mark.claim("L06.3")
def test_an_event_without_a_method_is_ignored(make_client):
    alice = make_client(namespace="/chat")
    bob = make_client(namespace="/chat")
    alice.get_received("/chat")
    bob.get_received("/chat")

    assert alice.emit("dance", "cha-cha", namespace="/chat") is None

    assert alice.get_received("/chat") == []
    assert bob.get_received("/chat") == []
    assert alice.is_connected("/chat")
    alice.emit("say", "Still here", namespace="/chat")
    assert bob.get_received("/chat") == [in_chat("said", "Still here")]


@pytest.mark.claim("L06.3")
def test_asked_for_an_ack_the_class_acknowledges_an_event_it_has_no_method_for(
    make_client, variant
):
    alice = make_client(namespace="/chat")

    ack = alice.emit("dance", "cha-cha", namespace="/chat", callback=True)

    assert ack == DANCE_ACK[variant]
    assert alice.get_received("/chat") == [in_chat("welcome", "Welcome to /chat")]


@pytest.mark.claim("L06.4")
def test_only_the_decorator_runs_for_an_event_the_class_handles_too(make_client, socketio):
    client = make_client()  # "/", where precedence.py puts a decorator and a class side by side

    client.emit("greet")
    client.emit("wave")

    assert client.get_received() == [
        handled("connect", "decorator"),  # Lobby.on_connect never ran
        handled("greet", "decorator"),  # Lobby.on_greet never ran
        handled("wave", "class"),  # no decorator for "wave": the class answers
    ]
    # Both are registered: the decorators in the handler table, the class beside it.
    assert set(socketio.server.handlers["/"]) == {"connect", "greet"}
    assert isinstance(socketio.server.namespace_handlers["/"], Lobby)


def lobby_server(*, decorators_first: bool | None):
    """A bare server for "/" with Lobby and/or the two decorators, in the order asked."""
    app = Flask(__name__)
    socketio = SocketIO(app, async_mode="threading")

    if decorators_first is None:  # the class alone
        socketio.on_namespace(Lobby())
    elif decorators_first:
        add_decorated_handlers(socketio)
        socketio.on_namespace(Lobby())
    else:
        socketio.on_namespace(Lobby())
        add_decorated_handlers(socketio)
    return app, socketio


@pytest.mark.claim("L06.4")
@pytest.mark.parametrize("decorators_first", [True, False], ids=["decorators-first", "class-first"])
def test_the_decorator_wins_whichever_is_registered_first(decorators_first):
    app, socketio = lobby_server(decorators_first=decorators_first)
    client = socketio.test_client(app)
    client.emit("greet")
    assert client.get_received() == [handled("connect", "decorator"), handled("greet", "decorator")]
    client.disconnect()


@pytest.mark.claim("L06.4")
def test_without_the_decorators_the_same_class_methods_do_run():
    app, socketio = lobby_server(decorators_first=None)
    client = socketio.test_client(app)
    client.emit("greet")
    assert client.get_received() == [handled("connect", "class"), handled("greet", "class")]
    client.disconnect()


@pytest.mark.claim("L06.4")
def test_a_catch_all_decorator_leaves_the_class_only_connect_and_disconnect():
    app, socketio = lobby_server(decorators_first=None)

    @socketio.on("*")  # every event of "/" that has no decorator of its own
    def anything(event, *args):
        emit("handled", {"event": event, "by": "catch-all"})

    client = socketio.test_client(app)
    client.emit("wave")
    assert client.get_received() == [handled("connect", "class"), handled("wave", "catch-all")]
    client.disconnect()


@pytest.mark.claim("L06.5")
def test_namespace_without_an_argument_is_the_default_namespace():
    assert Namespace().namespace == "/"
    assert Lobby().namespace == "/"
    assert Namespace("").namespace == "/"  # `namespace or '/'`: any false value
    assert Namespace("/chat").namespace == "/chat"


@pytest.mark.claim("L06.5")
def test_the_argumentless_class_serves_clients_that_name_no_namespace(make_client, socketio):
    lobby = socketio.server.namespace_handlers["/"]
    assert isinstance(lobby, Lobby)
    assert lobby.namespace == "/"

    client = make_client()  # no namespace given
    client.emit("wave")

    assert client.get_received() == [handled("connect", "decorator"), handled("wave", "class")]
