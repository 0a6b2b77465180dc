"""Lesson 12 — async modes, proven in Chromium against live servers in all three modes.

These tests are about the modes themselves, so they name theirs (``server_mode``) whatever
``--async-mode`` asks: ``mode_servers`` serves the lesson in each mode. Counting a threading
server's OS threads needs one nobody has used yet (see ``unused_server``).
"""

import re

import pytest
from playwright.sync_api import expect

from playground.lesson_process import LessonProcess
from playground.run import ASYNC_MODES as MODES
from tests.utils import incoming, log_entries, payloads, play, run_js


@pytest.fixture(scope="module")
def mode_servers(lesson):
    """The lesson served in each async mode."""
    # One after the other, from this thread: a server dies with the thread that started it.
    started = {mode: LessonProcess(lesson, async_mode=mode).start() for mode in MODES}
    yield started
    for server in started.values():
        server.stop()


# --- L12.1: WebSocket in every mode -------------------------------------------------------


# --8<-- [start:named-modes]
@pytest.mark.claim("L12.1")
@pytest.mark.parametrize("server_mode", MODES)  # every mode, whatever --async-mode asks
def test_every_mode_serves_a_websocket_only_client(tab, mode_servers, server_mode):
    websockets = []
    tab.page.on("websocket", lambda ws: websockets.append(ws.url))
    page = tab.open(mode_servers[server_mode].url + "/")

    seen = run_js(
        page,
        """async () => {
            const socket = await kit.connect('/');
            try {
                return {
                    transport: socket.io.engine.transport.name,
                    echo: await kit.send(socket, 'echo', {text: 'hello', n: 1}),
                    info: await kit.send(socket, 'server_info'),
                };
            } finally {
                socket.disconnect();
            }
        }""",
    )

    assert seen["transport"] == "websocket"
    assert seen["echo"] == {"text": "hello", "n": 1}
    assert seen["info"]["async_mode"] == server_mode
    # Opened as a WebSocket, never long-polling: no sid in its URL, unlike the page's server
    # view, whose connection starts with long-polling and upgrades (its URL carries its sid).
    opened_as_websocket = [url for url in websockets if "sid=" not in url]
    assert len(opened_as_websocket) == 1
    assert "transport=websocket" in opened_as_websocket[0]


# --8<-- [end:named-modes]


@pytest.mark.claim("L12.1", "L12.4")
@pytest.mark.parametrize("server_mode", ["gevent"])
def test_console_says_which_mode_serves_the_page_and_counts(tab, mode_servers, server_mode):
    page = tab.open(mode_servers[server_mode].url + "/")
    play(page, "Which mode serves this page?")
    expect(log_entries(page, "Alice", "sys", "mode").locator(".payload")).to_have_text(
        ["gevent, over websocket"]
    )

    play(page, "Count in a background task")
    expect(incoming(page, "Alice", "tick")).to_have_text(["1", "2", "3"])
    [ack] = payloads(page, "Alice", "ack", "count")
    assert ack == {"task": "Thread", "os_thread": False}  # a gevent Greenlet


# --- L12.3: OS threads per connection -----------------------------------------------------


@pytest.fixture
def unused_server(server_mode, lesson, mode_servers):
    """A server in the test's mode whose OS threads can be counted.

    In threading mode a new one: a connection that ended there leaves its ping task's thread
    asleep for up to 25 s, which could end in the middle of the count. Eventlet and gevent run
    everything in green threads: their shared servers will do.
    """
    if server_mode != "threading":
        yield mode_servers[server_mode]
        return
    server = LessonProcess(lesson, async_mode="threading").start()
    yield server
    server.stop()


@pytest.mark.claim("L12.3")
@pytest.mark.parametrize(
    ("server_mode", "threads_added"), [("threading", 40), ("gevent", 0), ("eventlet", 0)]
)
def test_ten_connections_cost_forty_os_threads_only_in_threading_mode(
    tab, unused_server, threads_added, screenshot
):
    page = tab.open(unused_server.url + "/")
    play(page, "Open 10 more connections")  # Alice connects first, then ten raw connections

    [text] = log_entries(page, "Alice", "sys", "threads").locator(".payload").all_inner_texts()
    found = re.fullmatch(r"1 → 11 clients: (\d+) → (\d+) OS threads \((\w+)\)", text)
    assert found, text
    before, after, mode = int(found[1]), int(found[2]), found[3]
    assert mode == unused_server.async_mode
    if threads_added:
        assert after - before == threads_added
    else:  # none added; gevent's resolver may even retire its one pool thread meanwhile
        assert after <= before <= 2
    if mode == "threading":
        play(page, "Time 200 echoes")
        expect(log_entries(page, "Alice", "sys", "echo").locator(".payload")).to_have_text(
            [re.compile(r"200 round trips: p50 \d+\.\d\d ms, p99 \d+\.\d\d ms")]
        )
        page.set_viewport_size({"width": 1280, "height": 1100})  # the page and Alice's log
        page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
        screenshot(page, "lesson12-async-modes")


# --- L12.4: the same background task in every mode ----------------------------------------


@pytest.mark.claim("L12.4")
@pytest.mark.parametrize(
    ("server_mode", "task", "os_thread"),
    [
        ("threading", "DaemonThread", True),
        ("gevent", "Thread", False),
        ("eventlet", "EventletThread", False),
    ],
)
def test_the_same_background_task_ticks_in_every_mode(
    tab, mode_servers, server_mode, task, os_thread
):
    page = tab.open(mode_servers[server_mode].url + "/")
    seen = run_js(
        page,
        """async () => {
            const socket = await kit.connect('/');
            const ticks = [];
            const started = performance.now();
            const done = new Promise((resolve) => socket.on('tick', (i) => {
                ticks.push([i, performance.now() - started]);
                if (i === 3) resolve();
            }));
            const ack = await kit.send(socket, 'count', 3);
            await done;
            socket.disconnect();
            return {ack, ticks};
        }""",
    )
    assert seen["ack"] == {"task": task, "os_thread": os_thread}
    assert [i for i, _ in seen["ticks"]] == [1, 2, 3]
    times = [at for _, at in seen["ticks"]]
    assert times[2] - times[0] >= 75  # 50 ms apart on the server: they streamed, one by one
