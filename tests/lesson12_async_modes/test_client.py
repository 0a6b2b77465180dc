"""Lesson 12 — async modes, proven with Flask-SocketIO's test client.

The suite's own fixtures run the app in threading mode, in the pytest process. The other modes,
and the mode Flask-SocketIO picks by itself, are probed in Python processes of their own
(``probe.py`` beside this file): eventlet must never be imported into the pytest process, and
which modules import is decided once per process. The ``probes`` fixture (conftest.py) has what
each printed: they start at once, beside the run's first tests, and run in parallel.
"""

import pytest

from tests.utils import WAIT_S

# --- L12.1: the same handlers in every mode ----------------------------------------------


@pytest.mark.claim("L12.1")
def test_the_handlers_answer_in_threading_mode(make_client):
    alice, bob = make_client(), make_client()

    assert alice.emit("echo", {"text": "hello"}, callback=True) == {"text": "hello"}
    info = alice.emit("server_info", callback=True)
    assert (info["async_mode"], info["clients"]) == ("threading", 2)
    assert info["threads"] >= 1  # this pytest process's OS threads: whatever it runs
    assert alice.emit("broadcast", {"seq": 1}, callback=True) == 2  # told how many it reached
    for client in (alice, bob):
        assert client.get_received() == [{"name": "news", "args": [{"seq": 1}], "namespace": "/"}]


@pytest.mark.claim("L12.1")
@pytest.mark.parametrize("mode", ["threading", "eventlet", "gevent"])
def test_the_same_handlers_run_unchanged_in_every_mode(probes, mode):
    report = probes[mode]
    assert report["async_mode"] == mode
    assert report["echo"] == {"text": "hello", "n": 1}
    assert report["server_info"]["async_mode"] == mode
    assert report["server_info"]["clients"] == 1


# --- L12.2: what Flask-SocketIO picks without async_mode --------------------------------


@pytest.mark.claim("L12.2")
def test_without_async_mode_flask_socketio_picks_eventlet_which_warns(probes):
    report = probes["no async_mode"]
    assert report["async_mode"] == "eventlet"
    assert report["eventlet_imported"] is True
    # A Warning of its own, not a DeprecationWarning: Python shows it by default.
    assert report["warnings"] == {"EventletDeprecationWarning": ["Warning", "Exception"]}


@pytest.mark.claim("L12.2")
@pytest.mark.parametrize(
    ("probe", "mode"),
    [
        ("no async_mode, no eventlet", "gevent"),
        ("no async_mode, no eventlet or gevent", "threading"),
        ("no async_mode, under flask run", "threading"),
    ],
)
def test_then_gevent_then_threading_and_threading_under_flask_run(probes, probe, mode):
    report = probes[probe]
    assert report["async_mode"] == mode
    assert report["eventlet_imported"] is False
    assert report["warnings"] == {}


@pytest.mark.claim("L12.2")
@pytest.mark.parametrize("mode", ["threading", "gevent"])
def test_an_explicit_mode_never_imports_eventlet(probes, mode):
    assert probes[mode]["eventlet_imported"] is False
    assert probes[mode]["warnings"] == {}


# --- L12.4: background tasks --------------------------------------------------------------


@pytest.fixture
def tasks(socketio, monkeypatch) -> list:
    """The tasks the app starts, kept so a test can wait for their end instead of sleeping."""
    started = []
    start = socketio.start_background_task
    monkeypatch.setattr(
        socketio, "start_background_task", lambda *a: started.append(start(*a)) or started[-1]
    )
    return started


def ticks(client) -> list:
    return [event["args"][0] for event in client.get_received() if event["name"] == "tick"]


@pytest.mark.claim("L12.4")
def test_a_background_task_is_an_os_thread_in_threading_mode(make_client, tasks):
    client = make_client()

    assert client.emit("count", 3, callback=True) == {"task": "DaemonThread", "os_thread": True}
    tasks[0].join(timeout=WAIT_S)
    assert not tasks[0].is_alive()
    assert client.get_received() == [
        {"name": "tick", "args": [i], "namespace": "/"} for i in (1, 2, 3)
    ]


@pytest.mark.claim("L12.4")
@pytest.mark.parametrize(
    ("mode", "task", "os_thread"),
    [
        ("threading", "DaemonThread", True),  # engineio's threading.Thread, daemon=True
        ("eventlet", "EventletThread", False),  # wraps eventlet.spawn()
        ("gevent", "Thread", False),  # a gevent.Greenlet
    ],
)
def test_the_same_task_runs_in_every_mode(probes, mode, task, os_thread):
    report = probes[mode]
    assert report["count"] == {"task": task, "os_thread": os_thread}
    assert report["ticks"] == [1, 2, 3]


@pytest.mark.parametrize(("mode", "waited"), [("threading", True), ("eventlet", False)])
def test_eventlet_task_join_returns_at_once_until_the_task_has_run(probes, mode, waited):
    """Why the probe yields once before it joins a task: the pitfall on the lesson page."""
    report = probes[mode]
    assert report["ticks_after_first_join"] == ([1, 2, 3] if waited else [])
    assert report["ticks"] == [1, 2, 3]


def test_count_is_bounded(make_client, tasks):
    """A client cannot start a task that runs for ever: between 1 and 10 ticks."""
    client = make_client()
    for n in (1_000_000, -5):
        client.emit("count", n, callback=True)
        tasks[-1].join(timeout=WAIT_S)
        assert ticks(client) == (list(range(1, 11)) if n > 0 else [1])
