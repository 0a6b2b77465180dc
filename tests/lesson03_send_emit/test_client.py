"""Lesson 03 — send vs emit, proven with Flask-SocketIO's test client."""

import flask_socketio
import pytest

from tests.utils import WAIT_S


def sid_of(socketio, client, namespace="/"):
    """The Socket.IO sid (``request.sid`` in a handler) of a test client in ``namespace``."""
    return socketio.server.manager.sid_from_eio_sid(client.eio_sid, namespace)


def event(name, args):
    return {"name": name, "args": args, "namespace": "/"}


@pytest.fixture
def http(app):
    return app.test_client()


@pytest.mark.claim("L03.1")
def test_send_and_emit_in_a_handler_reply_to_the_sender_only(make_client):
    alice, bob = make_client(), make_client()

    alice.emit("ask", "hi")

    # The test client gives a message/json event's payload as is, a named event's as a list.
    assert alice.get_received() == [
        event("message", "hi"),
        event("message", {"text": "hi"}),  # a dict without json=True: still "message"
        event("json", {"text": "hi"}),
        event("answer", ["hi"]),
    ]
    assert bob.get_received() == []


@pytest.mark.claim("L03.2")
def test_a_tuple_is_several_arguments_and_extra_positionals_are_an_error(make_client):
    alice = make_client()

    alice.emit("pair")

    assert alice.get_received() == [
        event("tuple", ["Alice", 42]),
        event("list", [["Alice", 42]]),
        # No "args" event was sent: the extra positional argument landed on `to`.
        event("args_error", ["Server.emit() got multiple values for argument 'to'"]),
    ]


@pytest.mark.claim("L03.2")
def test_the_server_object_takes_several_arguments_the_same_way(make_client, socketio):
    alice = make_client()
    socketio.emit("tuple", ("Alice", 42))
    with pytest.raises(TypeError, match="got multiple values for argument 'to'"):
        socketio.emit("args", "Alice", 42)
    assert alice.get_received() == [event("tuple", ["Alice", 42])]


@pytest.mark.claim("L03.3")
def test_emit_in_a_view_without_namespace_is_an_attribute_error(make_client, http):
    alice, bob = make_client(), make_client()

    response = http.post("/view/emit")

    assert response.status_code == 500
    assert response.text == "AttributeError: 'Request' object has no attribute 'namespace'"
    assert alice.get_received() == bob.get_received() == []


@pytest.mark.claim("L03.3")
def test_emit_in_a_view_with_namespace_and_to_reaches_that_client(make_client, socketio, http):
    alice, bob = make_client(), make_client()

    response = http.post(f"/view/emit-to/{sid_of(socketio, alice)}")

    assert response.status_code == 204
    assert alice.get_received() == [event("from_view", ["to one client"])]
    assert bob.get_received() == []


@pytest.mark.claim("L03.3")
def test_emit_in_a_view_with_namespace_and_broadcast_reaches_everyone(make_client, http):
    alice, bob = make_client(), make_client()

    assert http.post("/view/emit-broadcast").status_code == 204

    assert alice.get_received() == bob.get_received() == [event("from_view", ["to everyone"])]


@pytest.mark.claim("L03.3")
@pytest.mark.parametrize("function", [flask_socketio.emit, flask_socketio.send])
@pytest.mark.parametrize(
    ("kwargs", "missing"),
    [
        ({}, "namespace"),
        ({"to": "some-sid"}, "namespace"),
        ({"broadcast": True}, "namespace"),
        ({"namespace": "/"}, "sid"),  # a namespace alone: "reply to the sender" needs a sender
    ],
)
def test_outside_a_handler_namespace_and_a_target_are_both_needed(
    app, make_client, function, kwargs, missing
):
    alice = make_client()
    args = ("ev", 1) if function is flask_socketio.emit else (1,)
    missing_attribute = f"^'Request' object has no attribute '{missing}'$"
    # A test request context is what an HTTP view runs in.
    with app.test_request_context("/view"), pytest.raises(AttributeError, match=missing_attribute):
        function(*args, **kwargs)
    assert alice.get_received() == []


@pytest.mark.claim("L03.4")
def test_server_object_in_a_handler_reaches_every_client(make_client):
    alice, bob = make_client(), make_client()

    alice.emit("compare", "hi")

    assert alice.get_received() == [
        event("reply", ["emit: hi"]),
        event("reply", ["socketio.emit: hi"]),
    ]
    assert bob.get_received() == [event("reply", ["socketio.emit: hi"])]


@pytest.mark.claim("L03.4")
def test_server_object_in_a_view_reaches_every_client(make_client, http):
    alice, bob = make_client(), make_client()

    assert http.post("/view/socketio-emit").status_code == 204

    expected = [event("from_view", ["socketio.emit from a view"])]
    assert alice.get_received() == bob.get_received() == expected


@pytest.mark.claim("L03.4")
def test_server_object_needs_no_context_at_all(make_client, socketio):
    alice, bob = make_client(), make_client()

    # Not in a view, not in a handler, no app context: plain code of the test.
    socketio.send("to everyone")
    socketio.emit("news", "to Bob", to=sid_of(socketio, bob))

    assert alice.get_received() == [event("message", "to everyone")]
    assert bob.get_received() == [event("message", "to everyone"), event("news", ["to Bob"])]


# --8<-- [start:background-task]
@pytest.mark.claim("L03.4", "L03.6")
def test_in_a_background_task_only_the_server_object_works_without_app_context(
    make_client, started_tasks
):
    alice, bob = make_client(), make_client()

    alice.emit("start_task")
    [task] = started_tasks
    task.join(timeout=WAIT_S)
    assert not task.is_alive()

    from_task = [
        event("from_thread", ["flask_socketio.emit in app_context"]),
        event("from_thread", ["socketio.emit"]),
        event("message", "socketio.send"),
    ]
    [error, *rest] = alice.get_received()
    assert error["name"] == "thread_error"
    assert error["args"][0].startswith("Working outside of application context.\n")
    assert rest == from_task
    assert bob.get_received() == from_task  # the error went to Alice only (to=sid)


# --8<-- [end:background-task]


@pytest.mark.claim("L03.6")
def test_flask_socketio_emit_in_a_thread_fails_outside_app_context_and_works_inside(
    app, make_client, socketio
):
    alice = make_client()
    errors = []

    def task():
        try:
            flask_socketio.emit("ev", "outside", namespace="/", broadcast=True)
        except RuntimeError as error:
            errors.append(str(error))
        with app.app_context():
            flask_socketio.emit("ev", "inside", namespace="/", broadcast=True)

    socketio.start_background_task(task).join(timeout=WAIT_S)

    assert [e.splitlines()[0] for e in errors] == ["Working outside of application context."]
    assert alice.get_received() == [event("ev", ["inside"])]


@pytest.mark.claim("L03.5")
def test_server_object_rejects_broadcast_in_a_view(make_client, http):
    alice, bob = make_client(), make_client()

    response = http.post("/view/socketio-emit-broadcast")

    assert response.status_code == 500
    assert response.text == (
        "TypeError: Server.emit() got an unexpected keyword argument 'broadcast'"
    )
    assert alice.get_received() == bob.get_received() == []


@pytest.mark.claim("L03.5")
@pytest.mark.parametrize("method", ["emit", "send"])
def test_server_object_rejects_broadcast_anywhere(make_client, socketio, method):
    alice = make_client()
    args = ("ev", 1) if method == "emit" else (1,)
    # send() goes through emit(), so both name Server.emit().
    with pytest.raises(
        TypeError, match=r"^Server\.emit\(\) got an unexpected keyword .*'broadcast'"
    ):
        getattr(socketio, method)(*args, broadcast=True)
    assert alice.get_received() == []
