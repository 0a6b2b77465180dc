"""A reverse proxy to a server on another port: HTTP forwarded, WebSocket upgrades relayed.

The playground puts its own-process lessons behind its one URL with it (playground/own_process.py).
An HTTP request, an Engine.IO long-poll included, is sent on with http.client and its answer
streamed back; a WebSocket upgrade takes over the browser's connection (each server gives it to
the app in its own way) and splices its bytes to and from a connection to the backend, so the
handshake, every frame and the close code pass through unchanged. The launcher is not monkey
patched, so each async mode's own sockets and threads are used: eventlet's and gevent's green
ones wait without holding up the other clients of the process; threading's are the plain ones.

The Host header is passed on as the browser sent it, as a proxy that preserves the host does:
the backend's same-origin checks then compare the browser's Origin with the URL it really used.
"""

from __future__ import annotations

import http.client
import socket
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from urllib.parse import quote

from werkzeug.wsgi import get_input_stream

# Headers of one hop, not passed on (RFC 9110, 7.6.1).
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "trailers",
    "transfer-encoding",
    "upgrade",
}
CONNECT_TIMEOUT = 5.0  # seconds; the backend is on loopback
# Seconds a backend may take to answer, or a WebSocket stay silent one way: Engine.IO's
# long-polls are answered and its pings sent every 25 s, so this is only ever reached by a
# connection that is gone.
IDLE_TIMEOUT = 60.0
CHUNK = 64 * 1024
PATH_SAFE = "/:@!$&'()*+,;=-._~"  # what a path keeps unescaped (RFC 3986)


class Unreachable(ConnectionError):
    """The backend does not accept connections (it stopped, or is not up yet)."""


@dataclass(frozen=True)
class Mode:
    """What the relay needs of an async mode: its sockets, its threads, how a taken-over
    connection is handed back to its server."""

    create_connection: Callable
    spawn: Callable  # spawn(fn, *args) -> a callable that waits until fn has returned
    handed_back: Callable  # what the app returns (or raises) once it is done with the socket


def _spawn_thread(fn, *args):
    import threading

    thread = threading.Thread(target=fn, args=args, daemon=True)
    thread.start()
    return thread.join


def _werkzeug_handed_back():
    # Werkzeug has no API for a connection an app took over; a dropped connection is what it
    # expects then, and it closes it quietly (flask-sock does the same).
    raise ConnectionAbortedError("the WebSocket relay has ended")


def _eventlet_handed_back():
    import eventlet.wsgi

    eventlet.wsgi.WSGI_LOCAL.already_handled = True  # it writes no response, and closes
    return []


@cache
def mode(async_mode: str) -> Mode:
    """The sockets and threads of ``async_mode``: eventlet, gevent or threading."""
    if async_mode == "eventlet":
        import eventlet
        import eventlet.green.socket

        return Mode(
            eventlet.green.socket.create_connection,
            lambda fn, *args: eventlet.spawn(fn, *args).wait,
            _eventlet_handed_back,
        )
    if async_mode == "gevent":
        import gevent
        import gevent.socket

        return Mode(
            gevent.socket.create_connection,
            lambda fn, *args: gevent.spawn(fn, *args).join,
            lambda: [],  # no status set: gevent's server writes nothing, and reads on
        )
    return Mode(socket.create_connection, _spawn_thread, _werkzeug_handed_back)


def forward(environ, start_response, address: tuple[str, int], path: str, async_mode: str):
    """Answer this request with the backend's answer to it, sent there as ``path``.

    Raises Unreachable, before answering anything, if the backend cannot be reached.
    """
    tools = mode(async_mode)
    target = quote(path.encode("latin-1"), safe=PATH_SAFE)
    if environ.get("QUERY_STRING"):
        target += "?" + environ["QUERY_STRING"]
    if "websocket" in environ.get("HTTP_UPGRADE", "").lower():
        return _relay(environ, tools, address, target)
    return _forward_http(environ, start_response, tools, address, target)


def request_headers(environ) -> list[tuple[str, str]]:
    """The request's headers, as the WSGI server read them (a repeated one joined into one)."""
    headers = [
        (key[5:].replace("_", "-").title(), value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    ]
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers.append((key.replace("_", "-").title(), environ[key]))
    return headers


class _Connection(http.client.HTTPConnection):
    """http.client's connection, on the async mode's sockets."""

    def __init__(self, address, create_connection):
        super().__init__(*address, timeout=IDLE_TIMEOUT)
        self._connect = create_connection

    def connect(self):
        try:
            self.sock = self._connect((self.host, self.port), CONNECT_TIMEOUT)
        except OSError as error:
            raise Unreachable(f"{self.host}:{self.port}: {error}") from error
        self.sock.settimeout(self.timeout)


def _forward_http(environ, start_response, tools, address, target):
    connection = _Connection(address, tools.create_connection)
    connection.putrequest(
        environ["REQUEST_METHOD"], target, skip_host=True, skip_accept_encoding=True
    )
    for name, value in request_headers(environ):
        if name.lower() not in HOP_BY_HOP:
            connection.putheader(name, value)
    # The body as it comes (a stream, never held whole): the backend applies its own limits.
    body = get_input_stream(environ) if environ.get("CONTENT_LENGTH") else None
    try:
        connection.endheaders(body)
        response = connection.getresponse()
    except Unreachable:
        connection.close()
        raise
    except OSError:
        connection.close()
        start_response("502 Bad Gateway", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"The lesson's server did not answer."]
    headers = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
    start_response(f"{response.status} {response.reason}", headers)
    return _stream(response, connection)


def _stream(response, connection):
    try:
        while chunk := response.read1(CHUNK):
            yield chunk
    finally:
        connection.close()


def client_socket(environ):
    """The browser's connection, as the server of each async mode hands it to the app."""
    if "werkzeug.socket" in environ:  # threading: Werkzeug's server
        return environ["werkzeug.socket"]
    if "eventlet.input" in environ:
        return environ["eventlet.input"].get_socket()
    # gevent's pywsgi gives an upgrade request's reader itself as wsgi.input.
    raw = getattr(environ["wsgi.input"], "raw", None)
    if raw is not None and hasattr(raw, "_sock"):
        return raw._sock
    raise RuntimeError("this WSGI server does not hand over its connection")


def _upgrade_request(environ, target: str) -> bytes:
    """The upgrade request again, every header included: the handshake is the backend's."""
    lines = [f"{environ['REQUEST_METHOD']} {target} HTTP/1.1"]
    lines += [f"{name}: {value}" for name, value in request_headers(environ)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _relay(environ, tools, address, target):
    try:
        backend = tools.create_connection(address, CONNECT_TIMEOUT)
    except OSError as error:
        raise Unreachable(f"{address[0]}:{address[1]}: {error}") from error
    browser = client_socket(environ)
    try:
        for sock in (backend, browser):
            sock.settimeout(IDLE_TIMEOUT)
        backend.sendall(_upgrade_request(environ, target))
        wait_other = tools.spawn(_pump, backend, browser, (backend, browser))
        _pump(browser, backend, (backend, browser))
        wait_other()
    finally:
        backend.close()
    return tools.handed_back()


def _pump(source, sink, both) -> None:
    """Copy ``source`` to ``sink`` until either side is done; then end the other direction too.

    WebSocket has its own closing handshake, relayed like any frame: once a side closes its
    TCP connection nothing more is owed, and shutting both down wakes the other pump.
    """
    try:
        while data := source.recv(CHUNK):
            sink.sendall(data)
    except OSError:  # reset, timed out, or shut down by the other pump
        pass
    finally:
        for sock in both:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
