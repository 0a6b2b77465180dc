"""Myths about Flask-SocketIO decided in Chromium, against tests/myths/live_app.py.

The app is served by ``socketio.run`` in eventlet mode, with pings every second (conftest.py).
``page`` (tests/conftest.py) watches; another tab of the same browser is the one that closes.
"""

import time

import pytest

from tests.utils import run_js

# The watcher: a socket whose .heard records the server's "gone" events (sid and reason).
WATCH = "async () => { window.watcher = await kit.connect(null); }"
# The tab that closes: its sid once connected, and once upgraded if WebSocket is among its
# transports (socket.io-client's default: long-polling first, then the upgrade).
JOIN = """async (transports) => {
    const socket = await kit.connect(null, {transports});
    const engine = socket.io.engine;
    if (engine.transport.name !== 'websocket' && transports.includes('websocket')) {
        await new Promise((resolve) => engine.once('upgrade', resolve));
    }
    return {sid: socket.id, transport: engine.transport.name};
}"""
DEFAULT_TRANSPORTS = ["polling", "websocket"]


def close_and_time(page, url, transports):
    """Open a tab, connect it with ``transports``, close it; (its transport, the server's
    "gone" reason for it, seconds from closing to that report reaching the watcher)."""
    page.goto(url + "/")
    run_js(page, WATCH)
    tab = page.context.new_page()
    tab.goto(url + "/")
    joined = run_js(tab, JOIN, transports)

    closed = time.monotonic()
    tab.close()
    [gone] = run_js(page, "async () => kit.heard(await kit.until(watcher, 'gone'), 'gone')")
    seconds = time.monotonic() - closed

    assert gone["sid"] == joined["sid"]
    return joined["transport"], gone["reason"], seconds


@pytest.mark.claim("M24")
def test_closing_a_tab_is_noticed_within_milliseconds(page, short_ping_server):
    transport, reason, seconds = close_and_time(page, short_ping_server.url, DEFAULT_TRANSPORTS)

    assert (transport, reason) == ("websocket", "transport close")
    assert seconds < 1, seconds  # about 0.05 s on loopback; never "a few seconds"


@pytest.mark.claim("M24")
def test_a_polling_only_tab_is_noticed_only_by_the_ping_timeout(page, short_ping_server):
    transport, reason, seconds = close_and_time(page, short_ping_server.url, ["polling"])

    assert (transport, reason) == ("polling", "ping timeout")
    # within ping_interval + ping_timeout (2 s here; 45 s with the defaults), not at once
    assert 0.5 < seconds < 4, seconds
