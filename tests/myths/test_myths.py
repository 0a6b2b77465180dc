"""Myths about Flask-SocketIO, decided in-process with its test client.

Each test builds the smallest app that shows the claim (threading mode, nothing else), so the
test reads as the blog post's example plus what really happens. The verdicts are in myths.toml.
"""

import importlib
import json
import re
import sys
from importlib import metadata

import pytest
import werkzeug.serving
from flask import Flask, request
from flask_socketio import (
    ConnectionRefusedError,
    Namespace,
    SocketIO,
    emit,
    rooms,
    send,
)
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from playground import claims, manifest
from scripts import bench_report


def new_app(**options) -> tuple[Flask, SocketIO]:
    """A bare Flask app and its Flask-SocketIO server, in threading mode."""
    app = Flask(__name__)
    app.config["TESTING"] = True
    return app, SocketIO(app, async_mode="threading", **options)


def event(name, *args, namespace="/"):
    """One event as the test client records it."""
    return {"name": name, "args": list(args), "namespace": namespace}


def sid_of(socketio, client, namespace="/"):
    """The Socket.IO sid (``request.sid``) of a test client in ``namespace``."""
    return socketio.server.manager.sid_from_eio_sid(client.eio_sid, namespace)


# --- namespaces ---------------------------------------------------------------------------


@pytest.mark.claim("M01")
def test_a_handler_without_namespace_is_registered_in_the_default_namespace():
    app, socketio = new_app()

    @socketio.on("ping")
    def ping():
        return f"pong from {request.namespace}"

    @socketio.on("connect", namespace="/chat")
    def chat_connect():
        pass  # /chat exists, but has no "ping" handler

    in_default = socketio.test_client(app)
    in_chat = socketio.test_client(app, namespace="/chat")

    assert in_default.emit("ping", callback=True) == "pong from /"
    assert in_chat.emit("ping", namespace="/chat", callback=True) is None  # no handler there


@pytest.mark.claim("M02")
def test_a_namespace_class_without_a_namespace_serves_the_default_one():
    app, socketio = new_app()

    class Lobby(Namespace):
        def on_ping(self):
            return f"pong from {request.namespace}"

    lobby = Lobby()  # no namespace given
    socketio.on_namespace(lobby)
    client = socketio.test_client(app)  # io() in a browser: the default namespace

    assert lobby.namespace == "/"
    assert client.emit("ping", callback=True) == "pong from /"


@pytest.mark.claim("M19")
def test_there_is_no_connection_class_and_on_namespace_is_no_decorator():
    app, socketio = new_app()

    with pytest.raises(ImportError, match="cannot import name 'Connection'"):
        from flask_socketio import Connection  # noqa: F401
    with pytest.raises(ValueError, match="Not a namespace instance"):

        @socketio.on_namespace("/chat")
        class Chat(Namespace):
            def on_say(self, text):
                return text

    class Chat(Namespace):  # what works: a Namespace subclass, registered as an instance
        def on_say(self, text):
            return text.upper()

    socketio.on_namespace(Chat("/chat"))
    client = socketio.test_client(app, namespace="/chat")
    assert client.emit("say", "hi", namespace="/chat", callback=True) == "HI"


# --- reserved events, send and emit -------------------------------------------------------


@pytest.mark.claim("M03")
def test_message_and_json_carry_the_same_payloads_but_are_two_events():
    app, socketio = new_app()
    handled = []

    @socketio.on("message")
    def on_message(data):
        handled.append(("message", data))

    @socketio.on("json")
    def on_json(data):
        handled.append(("json", data))

    @socketio.on("reply")
    def reply(data):
        send(data)
        send(data, json=True)

    client = socketio.test_client(app)
    client.send("a string")  # the client's send(): the event "message"
    client.send({"a": "dict"})  # still "message": nothing looks at the payload's type
    client.send("a string", json=True)  # the event "json"
    client.emit("reply", [1, 2])

    assert handled == [("message", "a string"), ("message", {"a": "dict"}), ("json", "a string")]
    assert [(e["name"], e["args"]) for e in client.get_received()] == [
        ("message", [1, 2]),
        ("json", [1, 2]),
    ]


@pytest.mark.claim("M04")
def test_the_server_accepts_message_json_and_connect_as_event_names():
    app, socketio = new_app()
    connects = []

    @socketio.on("connect")
    def on_connect(auth):
        connects.append(auth)

    @socketio.on("message")
    def on_message(data):
        return f"message: {data}"

    @socketio.on("json")
    def on_json(data):
        return f"json: {data}"

    client = socketio.test_client(app, auth={"token": "first"})
    assert client.emit("message", "hi", callback=True) == "message: hi"
    assert client.emit("json", "hi", callback=True) == "json: hi"
    # A client that does not check (unlike the browser's) sends an ordinary event "connect":
    client.emit("connect", "ignored", {"token": "chosen by the client"})

    assert connects == [{"token": "first"}, {"token": "chosen by the client"}]
    assert client.is_connected()  # nothing refused it


@pytest.mark.claim("M05")
def test_send_delivers_message_or_json_and_emit_delivers_any_name():
    app, socketio = new_app()

    @socketio.on("go")
    def go():
        send("one")
        send("two", json=True)
        emit("three", "three")

    client = socketio.test_client(app)
    client.emit("go")

    assert [e["name"] for e in client.get_received()] == ["message", "json", "three"]


@pytest.mark.claim("M06")
def test_emit_works_in_a_plain_view_when_told_where_to_go():
    app, socketio = new_app()

    @app.post("/bare")
    def bare():
        emit("news", "bare")  # no sender to answer, no namespace to default to
        return ""

    @app.post("/broadcast")
    def broadcast():
        emit("news", "from emit()", namespace="/", broadcast=True)
        socketio.emit("news", "from socketio.emit()")
        return ""

    alice, bob = socketio.test_client(app), socketio.test_client(app)
    http = app.test_client()

    with pytest.raises(AttributeError, match="'Request' object has no attribute 'namespace'"):
        http.post("/bare")
    assert http.post("/broadcast").status_code == 200

    news = [event("news", "from emit()"), event("news", "from socketio.emit()")]
    assert alice.get_received() == bob.get_received() == news


@pytest.mark.claim("M07")
def test_socketio_emit_refuses_broadcast_and_reaches_one_client_with_to():
    app, socketio = new_app()
    alice, bob = socketio.test_client(app), socketio.test_client(app)

    with pytest.raises(TypeError, match="unexpected keyword argument 'broadcast'"):
        socketio.emit("news", "everyone?", broadcast=True)
    with pytest.raises(TypeError, match="unexpected keyword argument 'broadcast'"):
        socketio.send("everyone?", broadcast=True)
    socketio.emit("news", "for Alice", to=sid_of(socketio, alice))
    socketio.emit("news", "for everyone")  # no to=: every client of "/"

    assert alice.get_received() == [event("news", "for Alice"), event("news", "for everyone")]
    assert bob.get_received() == [event("news", "for everyone")]


@pytest.mark.claim("M08")
def test_a_broadcast_reaches_the_whole_namespace_and_the_sender():
    app, socketio = new_app()

    @socketio.on("shout")
    @socketio.on("shout", namespace="/other")
    def shout(text):
        emit("shouted", text, broadcast=True)

    @socketio.on("shout_to_others")
    def shout_to_others(text):
        emit("shouted", text, broadcast=True, include_self=False)

    alice, bob = socketio.test_client(app), socketio.test_client(app)
    carol = socketio.test_client(app, namespace="/other")

    alice.emit("shout", "Hi all")
    assert alice.get_received() == bob.get_received() == [event("shouted", "Hi all")]
    assert carol.get_received("/other") == []

    alice.emit("shout_to_others", "Hi others")
    assert (alice.get_received(), bob.get_received()) == ([], [event("shouted", "Hi others")])


# --- connecting ---------------------------------------------------------------------------


@pytest.mark.claim("M09")
def test_a_connect_handler_returning_false_refuses_the_connection():
    app, socketio = new_app()

    @socketio.on("connect")
    def connect(auth):
        if not auth:
            return False
        if auth.get("token") != "secret":
            raise ConnectionRefusedError("wrong token")
        return None  # anything but False accepts

    assert not socketio.test_client(app).is_connected()
    assert not socketio.test_client(app, auth={"token": "guess"}).is_connected()
    assert socketio.test_client(app, auth={"token": "secret"}).is_connected()


@pytest.mark.claim("M10")
def test_the_query_string_of_the_connection_is_in_request_args():
    app, socketio = new_app()
    seen = {}

    @socketio.on("connect")
    def connect(auth):
        seen.update(args=request.args.to_dict(), auth=auth)

    socketio.test_client(app, query_string="room=lobby&name=Alice", auth={"token": "t"})

    assert seen == {"args": {"room": "lobby", "name": "Alice"}, "auth": {"token": "t"}}


@pytest.mark.claim("M11")
def test_connect_and_disconnect_run_once_per_namespace():
    app, socketio = new_app()
    log = []

    for namespace in ("/", "/chat"):

        @socketio.on("connect", namespace=namespace)
        def connect():
            log.append(("connect", request.namespace, request.sid))

        @socketio.on("disconnect", namespace=namespace)
        def disconnect(reason):
            log.append(("disconnect", request.namespace, request.sid))

    client = socketio.test_client(app)
    client.connect(namespace="/chat")
    client.disconnect(namespace="/chat")

    default_sid, chat_sid = log[0][2], log[1][2]
    assert log == [
        ("connect", "/", default_sid),
        ("connect", "/chat", chat_sid),
        ("disconnect", "/chat", chat_sid),  # "/" is still connected
    ]
    assert default_sid != chat_sid
    assert client.is_connected("/")


# --- acknowledgements, rooms, classes, errors ---------------------------------------------


@pytest.mark.claim("M12")
def test_the_return_value_is_the_acknowledgement():
    app, socketio = new_app()

    @socketio.on("add")
    def add(a, b):
        return a + b

    @socketio.on("divmod")
    def div_mod(a, b):
        return divmod(a, b)  # a tuple: one ack argument per element

    client = socketio.test_client(app)

    assert client.emit("add", 2, 3, callback=True) == 5
    assert client.emit("divmod", 7, 2, callback=True) == [3, 1]
    assert client.emit("add", 2, 3) is None  # no callback asked for: the value is dropped


@pytest.mark.claim("M14")
def test_every_client_is_in_the_room_of_its_sid():
    app, socketio = new_app()

    @socketio.on("my_rooms")
    def my_rooms():
        return {"sid": request.sid, "rooms": rooms()}

    alice, bob = socketio.test_client(app), socketio.test_client(app)
    answer = alice.emit("my_rooms", callback=True)
    socketio.emit("private", "for Alice", to=answer["sid"])

    assert answer["rooms"] == [answer["sid"]]
    assert alice.get_received() == [event("private", "for Alice")]
    assert bob.get_received() == []


@pytest.mark.claim("M15")
def test_a_decorator_handler_wins_over_the_class_method_for_the_same_event():
    app, socketio = new_app()

    class Lobby(Namespace):
        def on_greet(self):
            return "class"

        def on_wave(self):
            return "class"

    socketio.on_namespace(Lobby("/"))

    @socketio.on("greet")
    def greet():
        return "decorator"

    client = socketio.test_client(app)

    assert client.emit("greet", callback=True) == "decorator"
    assert client.emit("wave", callback=True) == "class"  # no decorator claims "wave"


@pytest.mark.claim("M16")
def test_a_class_ignores_an_event_without_method_but_still_acknowledges_it():
    class_app, class_socketio = new_app()
    decorator_app, decorator_socketio = new_app()

    class Chat(Namespace):
        def on_say(self, text):
            return text

    class_socketio.on_namespace(Chat("/"))

    @decorator_socketio.on("say")
    def say(text):
        return text

    with_class = class_socketio.test_client(class_app)
    with_decorators = decorator_socketio.test_client(decorator_app)
    for client in (with_class, with_decorators):
        client.emit("dance", "cha-cha")  # neither has a handler for "dance"
        assert client.get_received() == []  # nothing is sent back
        assert client.is_connected()

    assert with_class.emit("dance", callback=True) == []  # acknowledged, with no arguments
    assert with_decorators.emit("dance", callback=True) is None  # never acknowledged


@pytest.mark.claim("M17")
def test_error_handlers_get_the_exception_and_request_event():
    app, socketio = new_app()
    failed_connects = []

    @socketio.on("divide")
    def divide(a, b):
        return a / b

    @socketio.on("connect", namespace="/strict")
    def strict_connect(auth):
        return auth.get("token") == "secret"  # auth "abc": AttributeError

    @socketio.on_error_default
    def report(error):
        return {"error": type(error).__name__, "event": request.event}

    @socketio.on_error("/strict")
    def refuse(error):
        failed_connects.append((type(error), request.event))
        return False  # an error in connect: refuse, else the client would be let in

    client = socketio.test_client(app)
    assert client.emit("divide", 1, 0, callback=True) == {
        "error": "ZeroDivisionError",
        "event": {"message": "divide", "args": [1, 0]},  # a tuple on the server
    }
    assert not socketio.test_client(app, namespace="/strict", auth="abc").is_connected("/strict")
    [(error_type, connect_event)] = failed_connects
    environ, auth = connect_event["args"]
    assert (error_type, connect_event["message"], auth) == (AttributeError, "connect", "abc")
    assert environ["PATH_INFO"] == "/socket.io"  # in connect, args are the WSGI environ and auth


@pytest.mark.claim("M18")
def test_flask_request_works_in_handlers():
    app, socketio = new_app()

    @socketio.on("who")
    def who(name):
        return {
            "sid": request.sid,
            "namespace": request.namespace,
            "event": request.event,
            "path": request.path,
            "args": request.args.to_dict(),
            "header": request.headers.get("X-Client"),
            "cookie": request.cookies.get("theme"),
        }

    client = socketio.test_client(
        app,
        query_string="room=lobby",
        headers={"X-Client": "tests", "Cookie": "theme=dark"},
    )
    answer = client.emit("who", "me", callback=True)

    assert answer == {
        "sid": sid_of(socketio, client),
        "namespace": "/",
        "event": {"message": "who", "args": ["me"]},
        "path": "/socket.io",  # the connection's request, not one per event
        "args": {"room": "lobby"},
        "header": "tests",
        "cookie": "dark",
    }


# --- installing and running ---------------------------------------------------------------


def install_requires(distribution: str) -> set[str]:
    """The distributions ``distribution`` needs, transitively, without any extra."""
    needed, todo = set(), [distribution]
    while todo:
        name = todo.pop()
        for line in metadata.requires(name) or []:
            requirement = Requirement(line)
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            key = re.sub(r"[-_.]+", "-", requirement.name).lower()
            if key not in needed:
                needed.add(key)
                todo.append(key)
    return needed


@pytest.mark.claim("M21")
def test_flask_socketio_needs_neither_gevent_nor_python_2():
    needed = install_requires("flask-socketio")
    requires_python = SpecifierSet(metadata.metadata("flask-socketio")["Requires-Python"])

    assert {"python-socketio", "python-engineio", "simple-websocket"} <= needed
    assert not needed & {"gevent", "gevent-websocket", "eventlet", "gevent-socketio"}
    assert "2.7" not in requires_python and "3.8" in requires_python
    assert sys.version_info >= (3, 8)

    app, socketio = new_app()  # threading mode: no greenlets at all
    assert socketio.async_mode == "threading"
    assert socketio.test_client(app).is_connected()


@pytest.mark.claim("M22")
def test_flask_ext_is_gone_and_flask_socketio_is_the_import():
    with pytest.raises(ModuleNotFoundError, match=r"flask\.ext"):
        importlib.import_module("flask.ext.socketio")

    assert importlib.import_module("flask_socketio").SocketIO is SocketIO


@pytest.mark.claim("M23")
def test_the_threading_mode_offers_the_websocket_upgrade():
    """The Engine.IO handshake, through Flask's test client; test_myths_live.py then connects
    over WebSocket to a server started with `flask run`."""
    app, _ = new_app()

    response = app.test_client().get("/socket.io/?EIO=4&transport=polling")
    handshake = json.loads(response.get_data(as_text=True).removeprefix("0"))

    assert handshake["upgrades"] == ["websocket"]
    assert "simple-websocket" in install_requires("python-engineio")


@pytest.mark.claim("M25")
@pytest.mark.parametrize(
    ("server_name", "port"), [(None, 5000), ("example.test:8123", 8123)], ids=["default", "name"]
)
def test_socketio_run_listens_on_ipv4_loopback_port_5000(monkeypatch, server_name, port):
    """socketio.run() in threading mode hands over to Werkzeug: catch where it would listen."""
    app, socketio = new_app()
    app.config["SERVER_NAME"] = server_name
    listens = []
    monkeypatch.setattr(
        werkzeug.serving, "run_simple", lambda host, port, *args, **kw: listens.append((host, port))
    )

    socketio.run(app, allow_unsafe_werkzeug=True)  # returns at once: nothing really listens

    assert listens == [("127.0.0.1", port)]


# --- performance: lesson 12's benchmark ------------------------------------------------


BENCH_RESULT = manifest.ROOT / "docs" / "assets" / "bench.json"


def eventlet_standing(rounds: dict[str, list], rows: list, ahead) -> dict[str, str]:
    """For each measure of the benchmark's table where lower or higher is better: does eventlet
    "lead" (ahead of every other Python mode in every round), "trail" (another mode is ahead of
    it in every round) or "tie" (the rounds overlap)? ``ahead(a, b, better)`` compares rounds."""
    standing = {}
    for label, path, _unit, better in rows:
        if not better:
            continue
        measured = {}
        for mode in ("threading", "eventlet", "gevent"):
            measured[mode] = []
            for one_round in rounds[mode]:
                for key in path:
                    one_round = one_round[key]
                measured[mode].append(one_round)
        eventlet = measured.pop("eventlet")
        if all(ahead(eventlet, other, better) for other in measured.values()):
            standing[label] = "lead"
        elif any(ahead(other, eventlet, better) for other in measured.values()):
            standing[label] = "trail"
        else:
            standing[label] = "tie"
    return standing


def verdict_from(standing: dict[str, str]) -> str:
    """The verdict on "eventlet gives the best performance": true if eventlet leads somewhere and
    trails nowhere, false if it leads nowhere, partly if it leads on some measures only."""
    leads, trails = "lead" in standing.values(), "trail" in standing.values()
    return "false" if not leads else "partly" if trails else "true"


@pytest.mark.claim("M26")
def test_eventlet_performance_verdict_is_the_benchmarks():
    """M26's verdict is computed from the committed result of `nox -s bench` (lesson 12): after a
    new run, a verdict the numbers no longer support fails here."""
    myth = {myth.id: myth for myth in claims.myths()}["M26"]
    rounds = json.loads(BENCH_RESULT.read_text())["rounds"]

    standing = eventlet_standing(rounds, bench_report.ROWS, bench_report.ahead)

    assert myth.verdict == verdict_from(standing), standing
    assert myth.see == ("L12.5",)


@pytest.mark.claim("M26")
@pytest.mark.parametrize(
    ("eventlet_p50", "eventlet_rss", "verdict"),
    [
        ([0.5, 0.6], [50, 55], "true"),  # ahead on both, every round
        ([0.8, 1.1], [50, 55], "true"),  # ahead on one, level on the other
        ([0.5, 0.6], [90, 95], "partly"),  # ahead on one, behind on the other
        ([0.8, 1.1], [75, 85], "false"),  # level everywhere: not "the best"
        ([1.5, 1.6], [90, 95], "false"),  # behind everywhere
    ],
)
def test_the_m26_rule_gives_each_verdict(eventlet_p50, eventlet_rss, verdict):
    """The rule above can say true, partly and false: other data would change the verdict."""
    rows = [("p50", ("p50",), "ms", "lower"), ("RSS", ("rss",), "MB", "lower")]
    others = [{"p50": 1.0, "rss": 80}, {"p50": 1.05, "rss": 82}]
    rounds = {"threading": others, "gevent": others}
    rounds["eventlet"] = [
        {"p50": p50, "rss": rss} for p50, rss in zip(eventlet_p50, eventlet_rss, strict=True)
    ]
    standing = eventlet_standing(rounds, rows, bench_report.ahead)
    assert verdict_from(standing) == verdict


def test_the_myths_page_names_the_versions_the_suite_runs_on():
    """docs/myths.md says which versions decided the verdicts: keep it true after upgrades."""
    page = (manifest.ROOT / "docs" / "myths.md").read_text()
    for name in ("Flask-SocketIO", "python-socketio", "python-engineio", "Flask"):
        major_minor = ".".join(metadata.version(name).split(".")[:2])
        assert f"{name} {major_minor}," in page or f"{name} {major_minor})" in page, name
