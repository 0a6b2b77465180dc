"""Myths about Flask-SocketIO decided in Chromium, against tests/myths/live_app.py.

The app is served by ``socketio.run`` in eventlet mode, with pings every second (conftest.py).
``page`` (tests/conftest.py) watches; another tab of the same browser is the one that closes.
"""

import time

import pytest

from tests.utils import run_js

# The watcher: a page that records the server's "gone" events (sid and disconnect reason).
WATCH = """() => new Promise(resolve => {
    window.gone = [];
    const socket = io({transports: ['websocket']});
    socket.on('gone', gone => window.gone.push(gone));
    socket.on('connect', resolve);
})"""
# The tab that closes: its sid once connected, and once upgraded unless polling was asked for.
JOIN = """(options) => new Promise(resolve => {
    const socket = io(options);
    socket.on('connect', () => {
        const engine = socket.io.engine;
        const done = () => resolve({sid: socket.id, transport: engine.transport.name});
        if (engine.transport.name === 'websocket' || options.transports) done();
        else engine.once('upgrade', done);
    });
})"""


def close_and_time(page, url, options):
    """Open a tab, connect it with ``options``, close it; (its sid, transport, the server's
    "gone" report for it, seconds from closing to that report reaching the watcher)."""
    page.goto(url + "/")
    run_js(page, WATCH)
    tab = page.context.new_page()
    tab.goto(url + "/")
    joined = run_js(tab, JOIN, options)

    closed = time.monotonic()
    tab.close()
    page.wait_for_function("window.gone.length >= 1", timeout=10_000)
    seconds = time.monotonic() - closed

    [gone] = page.evaluate("window.gone")
    assert gone["sid"] == joined["sid"]
    return joined["transport"], gone["reason"], seconds


@pytest.mark.claim("M24")
def test_closing_a_tab_is_noticed_within_milliseconds(page, short_ping_server):
    transport, reason, seconds = close_and_time(page, short_ping_server.url, {})

    assert (transport, reason) == ("websocket", "transport close")
    assert seconds < 1, seconds  # about 0.05 s on loopback; never "a few seconds"


@pytest.mark.claim("M24")
def test_a_polling_only_tab_is_noticed_only_by_the_ping_timeout(page, short_ping_server):
    transport, reason, seconds = close_and_time(
        page, short_ping_server.url, {"transports": ["polling"]}
    )

    assert (transport, reason) == ("polling", "ping timeout")
    # within ping_interval + ping_timeout (2 s here; 45 s with the defaults), not at once
    assert 0.5 < seconds < 4, seconds
