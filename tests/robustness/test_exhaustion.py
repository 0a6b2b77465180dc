"""One client against the one process everyone shares: what it may hold, and for how long.

- half-open HTTP requests: a timeout on every client socket, and at most so many connections
  from one address (more get 503), in the runner's server (every async mode) and the
  playground's (playground/run.py ``server_options``);
- events and rooms: at most MAX_EVENTS_IN_PROGRESS events of one client handled at once, at most
  MAX_ROOMS_PER_CLIENT rooms (playground/wiring.py ``ClientLimits``);
- lesson 10's jobs: at most MAX_JOBS running per client;
- HTTP bodies: MAX_CONTENT_LENGTH and Flask's form limits, answered 413 before the body is read.

Each case checks that a bystander elsewhere is still served within a second while it happens,
and that the server's memory comes back.
"""

from __future__ import annotations

import http.client
import json
import selectors
import socket
import time

import pytest

from lessons.lesson05_rooms.app import DEMO_TOKENS
from lessons.lesson10_background_tasks.app import MAX_JOBS
from playground import manifest
from playground.lesson_process import LessonProcess, PlaygroundProcess
from playground.wiring import DEFAULTS
from tests.robustness.checks import lesson_server
from tests.robustness.raw import ENGINEIO_PATH, RawSocket, dumps, unique
from tests.robustness.unharmed import Unharmed
from tests.utils import WAIT_S, wait_until

TIMEOUT_S = 2.0  # the short socket timeout these servers are started with (default: 60 s)
LIMIT = 16  # connections per address they allow (default: 256)
HALF_OPEN = 40  # half-open requests one client opens: more than LIMIT, far fewer than 1,024
SHORT_LIMITS = ("--socket-timeout", str(TIMEOUT_S), "--max-client-connections", str(LIMIT))
ELSEWHERE = "127.0.0.2"  # another client's address: every 127.x.x.x is loopback on Linux


class FromElsewhere:
    """A new Socket.IO client from another address, in another namespace than the bad input's.

    ``round_trip()`` opens a connection from ELSEWHERE and, over long-polling, makes the
    Engine.IO handshake, connects to ``namespace`` and sends one event with an ack id, until
    the answer comes; it returns the seconds that took.
    """

    def __init__(self, port: int, prefix: str, namespace: str, auth: dict, event: str, *args):
        self.port, self.path = port, prefix + ENGINEIO_PATH + "polling"
        self.namespace, self.auth, self.event, self.args = namespace, auth, event, args

    def round_trip(self) -> float:
        started = time.monotonic()
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=WAIT_S, source_address=(ELSEWHERE, 0)
        )
        try:
            sid = json.loads(self.request(connection, "GET", self.path)[1:])["sid"]
            path = f"{self.path}&sid={sid}"
            ns = "" if self.namespace == "/" else f"{self.namespace},"
            assert self.request(connection, "POST", path, f"40{ns}{dumps(self.auth)}") == "OK"
            assert self.request(connection, "GET", path).startswith(f"40{ns}")
            self.request(connection, "POST", path, f"42{ns}1{dumps([self.event, *self.args])}")
            answer = ""
            while f"43{ns}1" not in answer:
                answer += self.request(connection, "GET", path)
        finally:
            connection.close()
        return time.monotonic() - started

    @staticmethod
    def request(connection, method: str, path: str, body: str | None = None) -> str:
        connection.request(method, path, body=body)
        response = connection.getresponse()
        text = response.read().decode()
        assert response.status == 200, (response.status, text)
        return text

    def close(self) -> None:
        pass


def open_half(port: int, count: int) -> dict[socket.socket, float]:
    """``count`` requests of which only the first header lines are sent, never the end; each
    with the time it was sent at."""
    opened = {}
    for _ in range(count):
        half = socket.create_connection(("127.0.0.1", port), timeout=WAIT_S)
        half.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode())
        opened[half] = time.monotonic()
    return opened


def what_each_got(opened: dict[socket.socket, float], deadline_s: float) -> list[tuple]:
    """(seconds from its request until the server closed it, what the server sent) of each."""
    got = {s: [None, b""] for s in opened}
    with selectors.DefaultSelector() as selector:
        for s in opened:
            selector.register(s, selectors.EVENT_READ)
        deadline = time.monotonic() + deadline_s
        while selector.get_map() and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=0.05):
                try:
                    data = key.fileobj.recv(4096)
                except ConnectionResetError:
                    data = b""  # closed too, with a reset
                got[key.fileobj][1] += data
                if not data:
                    got[key.fileobj][0] = time.monotonic() - opened[key.fileobj]
                    selector.unregister(key.fileobj)
    return [tuple(answer) for answer in got.values()]


def assert_half_open_bounded(port: int, pid: int, bystander) -> None:
    watched = Unharmed(pid, bystander)
    halves = open_half(port, HALF_OPEN)
    try:
        watched.served()  # while they are held
        served_after = time.monotonic() - min(halves.values())
        got = what_each_got(halves, 4 * TIMEOUT_S)
    finally:
        for half in halves:
            half.close()

    refused = [g for g in got if g[1].startswith(b"HTTP/1.1 503 Service Unavailable")]
    held = [g for g in got if not g[1].startswith(b"HTTP/1.1 503")]
    assert len(refused) >= HALF_OPEN - LIMIT and 0 < len(held) <= LIMIT, (len(refused), len(held))
    body = refused[0][1].split(b"\r\n\r\n", 1)[1].decode()
    assert body == (
        f"503 Service Unavailable: 127.0.0.1 holds {LIMIT} connections, the most one client may "
        "(--max-client-connections, MAX_CLIENT_CONNECTIONS)\n"
    )
    # Each held request is closed by the server once the timeout has passed, not before, and
    # not much after: relative to the configured timeout, whatever the machine's speed.
    never = [g for g in held if g[0] is None]
    assert never == [], f"{len(never)} of {len(held)} never closed"
    closed_after = sorted(g[0] for g in held)
    assert served_after < closed_after[0], "the bystander was served after they were closed"
    assert closed_after[0] >= 0.95 * TIMEOUT_S and closed_after[-1] < 3 * TIMEOUT_S, closed_after
    watched.memory_back()


@pytest.mark.parametrize("async_mode", ["eventlet", "threading", "gevent"])
def test_half_open_requests_are_bounded_by_the_lesson_server(async_mode):
    lesson = manifest.find("05")
    with LessonProcess(lesson, async_mode=async_mode, args=SHORT_LIMITS) as server:
        blue = {"name": "Bea", "group": "blue", "token": DEMO_TOKENS["blue"]}
        bystander = FromElsewhere(server.port, "", "/chat", blue, "say", "still here")
        assert_half_open_bounded(server.port, server.process.pid, bystander)


def test_half_open_requests_are_bounded_by_the_playground():
    with PlaygroundProcess(*SHORT_LIMITS) as playground:
        bystander = FromElsewhere(playground.port, "/lessons/05", "/", {}, "rooms")
        assert_half_open_bounded(playground.port, playground.pid, bystander)


# --- events and rooms ----------------------------------------------------------------------------

MAX_EVENTS = DEFAULTS["MAX_EVENTS_IN_PROGRESS"]
MAX_ROOMS = DEFAULTS["MAX_ROOMS_PER_CLIENT"]
TOO_MANY_AT_ONCE = (
    f"too many events at once: at most {MAX_EVENTS} of one client's are handled at a time "
    "(MAX_EVENTS_IN_PROGRESS in playground/wiring.py)"
)
TOO_MANY_ROOMS = (
    f"at most {MAX_ROOMS} rooms per client (MAX_ROOMS_PER_CLIENT in playground/wiring.py)"
)


def flood(raw: RawSocket, frames: list[str]) -> None:
    """Send every frame without waiting for anything."""
    for frame in frames:
        raw.send(frame)


def test_two_thousand_joins_at_once(rooms_server, raw_clients, chat_unharmed):
    bad = raw_clients(rooms_server)
    sid = bad.connect()
    count = 2000

    flood(bad, [f"42{i}" + dumps(["join", f"flood-{i}"]) for i in range(1, count + 1)])
    chat_unharmed.served()  # at once, while the server works through them

    bad.wait_until(lambda: len(bad.received.acks) == count, what="an answer to every join")
    answers = [bad.received.acks[("/", i)][0] for i in range(1, count + 1)]
    joined = [a for a in answers if isinstance(a, list)]
    errors = {a["error"] for a in answers if isinstance(a, dict)}
    assert 0 < len(joined) <= MAX_ROOMS
    assert errors <= {TOO_MANY_AT_ONCE, TOO_MANY_ROOMS}
    # The rooms it holds are bounded, and the longest answer too.
    assert len(bad.call("rooms")[0]) <= MAX_ROOMS + 1  # its sid room too
    assert max(len(a) for a in joined) <= MAX_ROOMS + 1
    assert sid in bad.call("rooms")[0]
    chat_unharmed.check()


def test_the_hundred_and_first_room_is_refused_with_the_setting(
    rooms_server, raw_clients, chat_unharmed
):
    bad = raw_clients(rooms_server)
    bad.connect()
    for i in range(MAX_ROOMS):
        assert len(bad.call("join", f"many-{i}")[0]) == i + 2  # each answered in turn: no limit
    assert bad.call("join", "one-more") == [{"error": TOO_MANY_ROOMS}]
    assert len(bad.call("join", "many-0")[0]) == MAX_ROOMS + 1  # a room it is in: fine
    assert bad.call("leave", "many-0")[0] and len(bad.call("join", "one-more")[0]) == MAX_ROOMS + 1
    chat_unharmed.check()


def test_a_flood_without_acks_is_told_once(rooms_server, raw_clients, chat_unharmed):
    bad = raw_clients(rooms_server)
    bad.connect()
    room = unique("flood")
    bad.call("join", room)

    flood(bad, ["42" + dumps(["say", room, f"#{i}"]) for i in range(2000)])
    chat_unharmed.served()

    def served_rooms():  # its events are served again once the flood is handled
        [answer] = bad.call("rooms")  # until then, refused at once
        return answer if isinstance(answer, list) else None

    assert room in wait_until(served_rooms, "the sender served again")
    notices = [args for _, event, args in bad.events() if event == "rate_limited"]
    setting = "MAX_EVENTS_IN_PROGRESS in playground/wiring.py"
    assert notices
    assert all(n == [{"event": "say", "limit": MAX_EVENTS, "setting": setting}] for n in notices)
    said = [args for _, event, args in bad.events() if event == "said"]
    assert MAX_EVENTS <= len(said) < 2000
    assert len(notices) <= len(said)  # one notice per run of refusals, not one per frame
    chat_unharmed.check()


# --- lesson 10: jobs ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def jobs_server():
    yield from lesson_server("10")


def test_ten_thousand_jobs_asked_at_once(jobs_server, raw_clients, unharmed):
    watched = unharmed(jobs_server.process.pid, jobs_server.url, "/", "ping")
    bad = raw_clients(jobs_server)
    bad.connect()
    count = 10_000
    longest = {"steps": 20, "delay": 1.0}  # 20 s each: none ends while the others are asked

    flood(bad, [f"42{i}" + dumps(["start_job", longest]) for i in range(1, count + 1)])
    watched.served()

    bad.wait_until(
        lambda: len(bad.received.acks) == count,
        timeout=6 * WAIT_S,
        what="an answer to every start_job",
    )
    answers = [bad.received.acks.pop(("/", i))[0] for i in range(1, count + 1)]
    started = [a for a in answers if isinstance(a, str)]
    errors = {a["error"] for a in answers if isinstance(a, dict)}
    assert len(started) == MAX_JOBS
    assert errors == {TOO_MANY_AT_ONCE, f"{MAX_JOBS} of your jobs are running: cancel one or wait"}
    assert [bad.call("cancel_job", job) for job in started] == [[True]] * MAX_JOBS
    bad.wait_until(
        lambda: sum(event == "cancelled" for _, event, _ in bad.events()) == MAX_JOBS,
        what="its jobs cancelled",
    )
    assert isinstance(bad.call("start_job", {"steps": 1})[0], str)  # it may start one again
    watched.check()


# --- HTTP bodies -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def announce_server():
    yield from lesson_server("04")


@pytest.fixture(scope="module")
def login_server():
    yield from lesson_server("09")


BOUNDARY = "b0undary"
HUGE = 300 * 1024 * 1024  # bytes announced; a small part of them is ever sent


def multipart(parts: int, size: int) -> bytes:
    return (
        b"".join(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="f{i}"\r\n\r\n'.encode()
            + b"x" * size
            + b"\r\n"
            for i in range(parts)
        )
        + f"--{BOUNDARY}--\r\n".encode()
    )


MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
BODIES = {
    "announce-300-MB-multipart": ("04", "/announce", MULTIPART, HUGE),
    "login-300-MB-form": ("09", "/login", "application/x-www-form-urlencoded", HUGE),
    "announce-100-form-parts": ("04", "/announce", MULTIPART, None),
}


def login_token(server) -> str:
    """A lesson 09 token, as the page's login gets one."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=WAIT_S)
    try:
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        connection.request("POST", "/login", body="user=Bea", headers=form)
        return json.loads(connection.getresponse().read())["token"]
    finally:
        connection.close()


@pytest.mark.parametrize("lesson, path, kind, announced", BODIES.values(), ids=BODIES.keys())
def test_a_body_over_the_limit_is_answered_413_before_it_is_read(
    lesson, path, kind, announced, announce_server, login_server, unharmed
):
    server = login_server if lesson == "09" else announce_server
    if lesson == "09":  # another client, signed in with a token
        auth = {"token": login_token(server)}
        watched = unharmed(server.process.pid, server.url, "/", "whoami", auth=auth)
    else:  # a client of /other, another namespace
        watched = unharmed(server.process.pid, server.url, "/other", "shout", "hi")
    body = multipart(100, 10) if announced is None else b"text=" + b"x" * 64 * 1024
    length = len(body) if announced is None else announced
    sock = socket.create_connection((server.host, server.port), timeout=WAIT_S)
    try:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {server.host}:{server.port}\r\n"
            f"Content-Type: {kind}\r\nContent-Length: {length}\r\n\r\n".encode()
            + body
        )
        response = http.client.HTTPResponse(sock)
        response.begin()  # fails after WAIT_S if the server waited for the rest
        assert response.status == 413, response.status
    finally:
        sock.close()
    watched.check()
