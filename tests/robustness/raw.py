"""Raw Engine.IO/Socket.IO clients: they send whatever frame a test writes, as a hostile client can.

Every frame the server sends is decoded with python-socketio's and python-engineio's own packet
classes and recorded: events, acknowledgements, connection refusals. Nothing here sleeps; every
read has a deadline (the suite's ``WAIT_S``), and a read that times out fails the test.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import time
import uuid
from dataclasses import dataclass, field

import engineio.packet as eio
import simple_websocket
import socketio
import socketio.packet as sio
from simple_websocket import ConnectionClosed

from tests import utils
from tests.utils import WAIT_S

ENGINEIO_PATH = "/socket.io/?EIO=4&transport="


def dumps(value) -> str:
    return json.dumps(value, separators=(",", ":"))


def prefix(namespace: str) -> str:
    """The namespace part of a Socket.IO packet: nothing for "/", else "/name,"."""
    return "" if namespace == "/" else f"{namespace},"


def unique(name: str) -> str:
    """A room or user name no other test uses (the servers are shared by a module's tests)."""
    return f"{name}-{uuid.uuid4().hex[:8]}"


class Refused(Exception):
    """The server answered a namespace connection with CONNECT_ERROR; ``data`` is its payload."""

    def __init__(self, namespace: str, data):
        super().__init__(f"{namespace} refused: {data!r}")
        self.namespace = namespace
        self.data = data


@dataclass
class Received:
    events: list = field(default_factory=list)  # (namespace, event, [args]) for every EVENT
    acks: dict = field(default_factory=dict)  # (namespace, id) -> [args]
    refusals: dict = field(default_factory=dict)  # namespace -> CONNECT_ERROR data
    disconnects: list = field(default_factory=list)  # namespaces the server disconnected


class RawSocket:
    """An Engine.IO v4 connection over a WebSocket, written frame by frame.

    ``connect()``, ``call()`` and ``emit()`` speak the protocol correctly; ``send()`` sends any
    frame at all.
    """

    def __init__(self, base_url: str, *, headers: dict | None = None):
        url = base_url.replace("http://", "ws://", 1) + ENGINEIO_PATH + "websocket"
        self.ws = simple_websocket.Client.connect(url, headers=headers)
        self.received = Received()
        self.sids: dict[str, str] = {}
        self.handshake: dict | None = None
        self._next_id = 0

    # --- reading -----------------------------------------------------------------------------

    def _read(self, deadline: float):
        """One frame, decoded and recorded; raises TimeoutError or ConnectionClosed."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        # simple_websocket.Client.receive returns None on timeout, raises once closed.
        frame = self.ws.receive(timeout=remaining)
        if frame is None:
            raise TimeoutError
        packet = eio.Packet(encoded_packet=frame)
        if packet.packet_type == eio.OPEN:
            self.handshake = packet.data
        elif packet.packet_type == eio.PING:
            self.ws.send(str(eio.PONG))
        elif packet.packet_type == eio.MESSAGE and isinstance(packet.data, str):
            self._record(sio.Packet(encoded_packet=packet.data))

    def _record(self, packet: sio.Packet) -> None:
        namespace = packet.namespace or "/"
        if packet.packet_type == sio.EVENT:
            self.received.events.append((namespace, packet.data[0], packet.data[1:]))
        elif packet.packet_type == sio.ACK:
            self.received.acks[(namespace, packet.id)] = packet.data
        elif packet.packet_type == sio.CONNECT:
            self.sids[namespace] = packet.data["sid"]
        elif packet.packet_type == sio.CONNECT_ERROR:
            self.received.refusals[namespace] = packet.data
        elif packet.packet_type == sio.DISCONNECT:
            self.received.disconnects.append(namespace)

    def wait_until(self, condition, what: str, timeout: float = WAIT_S):
        """Read frames until ``condition()`` holds; fail after ``timeout`` seconds."""
        return utils.wait_until(condition, what, timeout, between=self._read)

    def wait_closed(self, timeout: float = WAIT_S) -> ConnectionClosed:
        """Read until the server closes the connection; return how it closed it."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                self._read(deadline)
        except ConnectionClosed as closed:
            return closed
        except TimeoutError:
            raise AssertionError(f"the server kept the connection open for {timeout} s") from None

    # --- writing -----------------------------------------------------------------------------

    def send(self, frame: str | bytes) -> None:
        """Any Engine.IO frame: "4" + a Socket.IO packet is a message."""
        self.ws.send(frame)

    def connect(self, namespace: str = "/", auth=None) -> str:
        """Connect to a namespace; return its sid, or raise Refused."""
        self.send(f"40{prefix(namespace)}{dumps(auth) if auth is not None else ''}")
        self.wait_until(
            lambda: namespace in self.sids or namespace in self.received.refusals,
            what=f"an answer to connecting {namespace}",
        )
        if namespace in self.received.refusals:
            raise Refused(namespace, self.received.refusals.pop(namespace))
        return self.sids[namespace]

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def call(self, event: str, *args, namespace: str = "/", id: int | None = None):
        """Emit with an ack id and return the acknowledgement's arguments (a list)."""
        id = self.new_id() if id is None else id
        self.send(f"42{prefix(namespace)}{id}{dumps([event, *args])}")
        key = (namespace, id)
        self.wait_until(lambda: key in self.received.acks, what=f"the ack of {event!r}")
        return self.received.acks.pop(key)

    def emit(self, event: str, *args, namespace: str = "/") -> None:
        self.send(f"42{prefix(namespace)}{dumps([event, *args])}")

    def events(self, namespace: str | None = None) -> list:
        return [e for e in self.received.events if namespace in (None, e[0])]

    def close(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            self.ws.close()


class PollingSession:
    """An Engine.IO v4 session over HTTP long-polling, one request per method call."""

    def __init__(self, base_url: str, *, headers: dict | None = None):
        self.host, port = base_url.removeprefix("http://").split(":")
        self.port = int(port)
        status, body = self.request("GET", ENGINEIO_PATH + "polling", headers=headers)
        assert status == 200, (status, body)
        self.handshake = json.loads(body[1:])
        self.sid = self.handshake["sid"]
        self.path = f"{ENGINEIO_PATH}polling&sid={self.sid}"
        self.connections: list[socket.socket] = []  # from send_request, closed by close()

    def request(self, method, path, body=None, headers=None, timeout=WAIT_S):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read().decode()
        finally:
            connection.close()

    def post(self, *packets: str):
        """POST one payload of ``packets`` (Engine.IO frames, joined by the record separator)."""
        return self.request("POST", self.path, "\x1e".join(packets))

    def get(self) -> tuple[int, list[str]]:
        """One long-poll: the status and the Engine.IO packets it returned.

        Only call it when the server has something to send: a long-poll with nothing to return
        waits out the ping interval.
        """
        status, body = self.request("GET", self.path)
        return status, body.split("\x1e") if status == 200 else [body]

    def send_request(self, method: str, head: str = "", body: bytes = b"") -> socket.socket:
        """Send a request line, ``head`` (more header lines) and ``body`` on a new connection to
        the session, without waiting for the answer; return the connection."""
        sock = socket.create_connection((self.host, self.port), timeout=WAIT_S)
        self.connections.append(sock)
        request = f"{method} {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{head}\r\n"
        sock.sendall(request.encode() + body)
        return sock

    @staticmethod
    def read_response(sock: socket.socket) -> tuple[int, str]:
        """The answer to a request sent with ``send_request`` (fails after WAIT_S)."""
        response = http.client.HTTPResponse(sock)
        try:
            response.begin()
            return response.status, response.read().decode()
        finally:
            response.close()
            sock.close()

    def close(self) -> None:
        for sock in self.connections:
            sock.close()


def second_client_in_a_room(base_url: str) -> None:
    """A new, well-behaved client (python-socketio's) is served by lesson 05 as usual.

    It connects, joins a room of its own, says something and hears exactly that, once.
    """
    room = unique("second")
    with socketio.SimpleClient() as client:
        client.connect(base_url, transports=["websocket"], wait_timeout=WAIT_S)
        assert sorted(client.call("join", room, timeout=WAIT_S)) == sorted([client.sid, room])
        assert client.call("say", (room, "still here"), timeout=WAIT_S) == "sent"
        said = {"room": room, "from": client.sid, "text": "still here"}
        assert client.receive(timeout=WAIT_S) == ["said", said]
