"""The playground's server view, joined the way the console joins it, by anyone who can load a
lesson page: it must show what a learner needs and nothing that authenticates.

The suite's one playground (the ``playground`` fixture), as `nox -s playground` starts it: every
lesson mounted in one process, each with its own admin feed (python-socketio's instrumentation,
playground/wiring.py ServerView). Each test uses lessons of its own, so that what one test connects
is not in another's view.
"""

from __future__ import annotations

import html
import json
import re
import threading
import urllib.request

import pytest
import socketio

from tests.utils import WAIT_S, wait_until

SERVER_VIEW = re.compile(r"data-server-view='([^']*)'")
COOKIE = "session=cookie-SECRET-9f2c"  # as a learner's browser sends lesson 09's session cookie
QUERY = {"token": "query-SECRET-41aa"}  # the token lesson 09 shows must not go in a query string
STATS_EVERY_S = 2  # python-socketio's server_stats_interval, as the wiring leaves it


@pytest.fixture
def base(playground) -> str:
    """The playground's URL without its trailing slash."""
    return playground.url.rstrip("/")


class Viewer:
    """The console's server view of one lesson: the page's ``data-server-view`` (namespace and
    token), then ``io(namespace, {path, auth})``, polling first and then WebSocket, as
    console.js does. ``heard`` is every event received, in order."""

    def __init__(self, base: str, lesson: str):
        page = urllib.request.urlopen(f"{base}/lessons/{lesson}/").read().decode()
        config = json.loads(html.unescape(SERVER_VIEW.search(page)[1]))
        self.namespace = config["namespace"]
        self.heard: list[tuple[str, tuple]] = []
        self.lock = threading.Lock()
        self.client = socketio.Client()
        self.client.on("*", self.record, namespace=self.namespace)
        self.client.connect(
            base,
            namespaces=[self.namespace],
            auth=config["auth"],
            socketio_path=f"lessons/{lesson}/socket.io",
            wait_timeout=WAIT_S,
        )

    def record(self, event, *args):
        with self.lock:
            self.heard.append((event, args))

    def events(self, name: str) -> list[tuple]:
        with self.lock:
            return [args for event, args in self.heard if event == name]

    def sockets(self) -> set[tuple[str, str]]:
        """(namespace, sid) of every socket the view shows now, as console.js keeps them."""
        shown: set[tuple[str, str]] = set()
        with self.lock:
            heard = list(self.heard)
        for event, args in heard:
            if event == "all_sockets":
                shown = {(s["nsp"], s["id"]) for s in args[0]}
            elif event == "socket_connected":
                shown.add((args[0]["nsp"], args[0]["id"]))
            elif event == "socket_disconnected":
                shown.discard((args[0], args[1]))
        return {(nsp, sid) for nsp, sid in shown if nsp != self.namespace}

    def close(self) -> None:
        self.client.disconnect()


@pytest.fixture
def viewers(base):
    """``viewers(lesson)``: a new server view of that lesson (a tab of its page), closed after."""
    opened = []

    def view(lesson: str) -> Viewer:
        opened.append(Viewer(base, lesson))
        return opened[-1]

    yield view
    for viewer in opened:
        viewer.close()


@pytest.fixture
def learners(base):
    """``learners(lesson, namespace="/")``: a python-socketio client of that lesson over
    long-polling (whose engine.io sid is its credential), sending a session cookie and a query
    token as a browser may; closed after."""
    connected = []

    def connect(lesson: str, namespace: str = "/") -> socketio.Client:
        client = socketio.Client()
        client.connect(
            f"{base}/?token={QUERY['token']}",
            headers={"Cookie": COOKIE},
            transports=["polling"],
            namespaces=[namespace],
            socketio_path=f"lessons/{lesson}/socket.io",
            wait_timeout=WAIT_S,
        )
        connected.append(client)
        return client

    yield connect
    for client in connected:
        client.disconnect()


def sid_of(client: socketio.Client, namespace: str = "/") -> tuple[str, str]:
    return namespace, client.get_sid(namespace)


def test_the_server_view_shows_no_credential(viewers, learners, playground_unharmed):
    alice, bob = learners("05"), learners("05")
    viewer = viewers("05")
    wait_until(lambda: viewer.sockets() >= {sid_of(alice), sid_of(bob)}, "Alice and Bob shown")
    alice.call("join", "lobby", timeout=WAIT_S)  # room_joined, event_received, event_sent
    carol = learners("05")  # socket_connected, while the viewer watches
    wait_until(lambda: sid_of(carol) in viewer.sockets(), "Carol shown")
    wait_until(lambda: len(viewer.events("server_stats")) >= 1, "a server_stats", STATS_EVERY_S * 3)

    seen = json.dumps(viewer.heard)
    credentials = [COOKIE, "cookie-SECRET", QUERY["token"]]
    credentials += [client.eio.sid for client in (alice, bob, carol)]  # their engine.io sids
    assert [found for found in credentials if found in seen] == []
    for name in ("all_sockets", "socket_connected"):
        for socket in [args[0] for args in viewer.events(name)]:
            for shown in socket if name == "all_sockets" else [socket]:
                assert set(shown) == {"id", "nsp", "transport", "rooms"}, shown
    assert {event for event, _ in viewer.heard} >= {"config", "all_sockets", "server_stats"}
    playground_unharmed.check()


def test_a_viewer_that_comes_later_sees_exactly_its_lessons_sockets(
    viewers, learners, playground_unharmed
):
    first_tab = viewers("03")  # the console's own view, there before anyone connects
    alice, bob = learners("03"), learners("03")
    dave = learners("04")  # another lesson, mounted in the same process
    wait_until(lambda: first_tab.sockets() == {sid_of(alice), sid_of(bob)}, "the first tab's view")

    second_tab, other_lesson = viewers("03"), viewers("04")

    wait_until(lambda: second_tab.events("all_sockets"), "the second tab's socket list")
    assert second_tab.sockets() == {sid_of(alice), sid_of(bob)}
    wait_until(lambda: other_lesson.events("all_sockets"), "lesson 04's socket list")
    assert other_lesson.sockets() == {sid_of(dave)}
    # Later changes reach every view of the lesson, and no view of another.
    carol = learners("03")
    bob.disconnect()
    for tab in (first_tab, second_tab):
        wait_until(lambda tab=tab: tab.sockets() == {sid_of(alice), sid_of(carol)}, "the change")
    erin = learners("04")
    wait_until(lambda: other_lesson.sockets() == {sid_of(dave), sid_of(erin)}, "lesson 04's change")
    assert second_tab.sockets() == {sid_of(alice), sid_of(carol)}
    playground_unharmed.check()


def bytes_in(viewer: Viewer) -> int:
    """The bytes received that the lesson's server_stats reported so far, summed."""
    return sum(
        item["count"]
        for (stats,) in viewer.events("server_stats")
        for item in stats["aggregatedEvents"]
        if item["type"] == "bytesIn"
    )


def test_each_lessons_traffic_counts_are_its_own(viewers, learners, playground_unharmed):
    busy_view, quiet_view = viewers("07"), viewers("08")
    busy = learners("07")
    sent = 10 * 4000

    for _ in range(10):  # polling POSTs to lesson 07 (at most 16 packets each: engine.io's limit)
        busy.emit("nobody_handles_this", "x" * 4000)

    wait_until(lambda: bytes_in(busy_view) >= sent, "lesson 07's view counting them", 6)
    ticks = len(quiet_view.events("server_stats"))
    wait_until(
        lambda: len(quiet_view.events("server_stats")) >= ticks + 2,
        "two more server_stats of lesson 08 (the interval of the traffic included)",
        STATS_EVERY_S * 4,
    )
    assert bytes_in(quiet_view) < sent
    playground_unharmed.check()
