"""Bad input over HTTP long-polling, the transport every Socket.IO connection starts with."""

import os

import pytest
import socketio.packet as sio

from tests.robustness.checks import assert_nothing_reached
from tests.robustness.raw import PollingSession, dumps, second_client_in_a_room, unique
from tests.utils import wait_until

LIMIT = 64 * 1024  # MAX_HTTP_BUFFER_SIZE in playground/wiring.py
TCP_STATES = {"01": "ESTABLISHED", "06": "TIME_WAIT", "08": "CLOSE_WAIT", "09": "LAST_ACK"}


@pytest.fixture
def polling_member(rooms_server):
    """A lesson 05 client over long-polling, connected to "/" and in a room of its own."""
    session = PollingSession(rooms_server.url)
    assert session.post("40") == (200, "OK")
    status, packets = session.get()
    connected = sio.Packet(encoded_packet=packets[0][1:])
    assert (status, connected.packet_type) == (200, sio.CONNECT), packets
    session.socket_sid = connected.data["sid"]
    session.room = unique("polling")
    assert session.post("421" + dumps(["join", session.room])) == (200, "OK")
    status, packets = session.get()
    joined = sio.Packet(encoded_packet=packets[0][1:])
    assert (status, joined.packet_type, joined.id) == (200, sio.ACK, 1), packets
    assert sorted(joined.data[0]) == sorted([session.socket_sid, session.room])
    yield session
    session.close()


def said_packets(session, count: int) -> list[str]:
    """Poll until ``count`` acks have come; return every packet received meanwhile."""
    packets = []
    while sum(p.startswith("43") for p in packets) < count:
        status, more = session.get()
        assert status == 200, more
        packets += more
    return packets


def test_polling_payload_with_too_many_packets(rooms_server, polling_member, bystander):
    session = polling_member
    say = ["42" + dumps(["say", session.room, f"#{i}"]) for i in range(17)]

    # python-engineio decodes at most 16 packets per payload: 17 are refused as a whole (the
    # server logs a ValueError and still answers "OK"), and the session goes on.
    assert session.post(*say) == (200, "OK")
    ack_asked = ["42" + f"{100 + i}" + dumps(["say", session.room, f"#{i}"]) for i in range(16)]
    assert session.post(*ack_asked) == (200, "OK")

    packets = said_packets(session, 16)
    texts = [p for p in packets if p.startswith("42")]
    assert len(texts) == 16 and all(f'"text":"#{i}"' in texts[i] for i in range(16)), texts
    second_client_in_a_room(rooms_server.url)
    assert_nothing_reached(bystander)


def test_oversized_polling_post_while_a_poll_waits(
    rooms_server, polling_member, bystander, rooms_of
):
    """The browser's case: a long-poll is always waiting when the client posts."""
    session = polling_member
    # Sent in full before the POST is: the server takes it first, and it waits for packets.
    poll = session.send_request("GET")

    body = ("4" + dumps(["say", session.room, "x" * LIMIT])).encode()
    post = session.send_request("POST", f"Content-Length: {len(body)}\r\n", body)

    assert session.read_response(post) == (400, '"Bad Request"')
    assert session.read_response(poll) == (200, "1")  # Engine.IO CLOSE: the sender is disconnected
    assert rooms_of(session.socket_sid) == []
    second_client_in_a_room(rooms_server.url)
    assert_nothing_reached(bystander)


def server_side_of(server, client_port: int) -> str | None:
    """The TCP state of the server's end of the connection from ``client_port``, while a file
    descriptor of the server process still holds it (None otherwise)."""
    fds = f"/proc/{server.process.pid}/fd"
    held = {os.readlink(f"{fds}/{fd}") for fd in os.listdir(fds)}
    with open("/proc/net/tcp") as table:
        for line in list(table)[1:]:
            local, remote, state, inode = (line.split()[i] for i in (1, 2, 3, 9))
            if (int(local.split(":")[1], 16), int(remote.split(":")[1], 16)) == (
                server.port,
                client_port,
            ) and f"socket:[{inode}]" in held:
                return TCP_STATES.get(state, state)
    return None


def test_oversized_polling_post_from_a_client_that_hangs_up(
    rooms_server, polling_member, bystander, rooms_of
):
    """python-engineio 4.15 alone disconnects the session of a POST announcing more than
    max_http_buffer_size, then holds the request until a long-poll takes the CLOSE packet: a
    client that sent only the headers and hung up never polls, so its socket was held for good
    (measured: 20 such requests, 20 sockets still held 70 s later, in every async mode). The
    lessons' wiring (RefuseOversizedPosts) answers at once: nothing is held."""
    session = polling_member

    post = session.send_request("POST", f"Content-Length: {LIMIT + 1}\r\n")
    client_port = post.getsockname()[1]
    post.close()  # hang up without the body and without ever polling

    # The server has taken the POST: the session is disconnected (its rooms are forgotten)...
    wait_until(lambda: rooms_of(session.socket_sid) == [], what="the session disconnected")
    # ...and the server's end of the hung-up connection is closed, not held.
    wait_until(
        lambda: server_side_of(rooms_server, client_port) is None,
        what="the server's end of the hung-up POST closed",
    )
    second_client_in_a_room(rooms_server.url)
    assert_nothing_reached(bystander)
