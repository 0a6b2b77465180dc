"""A lesson in a process of its own, at /lessons/NN/ of the playground's one URL, in Chromium.

The playground forwards the lesson's path to its process (playground/proxy.py): pages and
Engine.IO long-polls over HTTP, WebSocket connections relayed byte for byte. Proven in each
async mode's server, with lesson 10 (own_process in lessons.toml); then what a learner sees when
that process dies, and how it comes back.
"""

import os
import re
import signal
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from playground.lesson_process import PlaygroundProcess
from playground.own_process import STARTUP_TIMEOUT
from playground.run import ASYNC_MODES
from tests.utils import children, log_entries, panel, run_js

LESSON = "10"
PATH = f"lessons/{LESSON}/"
# How a lesson's own server closes a WebSocket after a message over its limit, in each mode:
# eventlet's websocket says 1009 (message too big); simple-websocket's, 1000.
OVERSIZED_CLOSE = {"eventlet": 1009, "threading": 1000, "gevent": 1000}


@pytest.fixture(scope="module")
def playgrounds():
    """``playgrounds(mode)``: a playground of lessons 01 and 10 in that async mode, one each."""
    started = {}

    def start(async_mode: str) -> PlaygroundProcess:
        if async_mode not in started:
            started[async_mode] = PlaygroundProcess(
                "--async-mode", async_mode, "--lessons", f"01,{LESSON}"
            ).start()
        return started[async_mode]

    yield start
    for playground in started.values():
        playground.stop()


def open_console(page, url):
    page.goto(url)
    page.locator("#console .client").first.wait_for()
    return page


@pytest.mark.parametrize("async_mode", ASYNC_MODES)
def test_the_lesson_answers_at_its_path_over_http_and_websocket(page, playgrounds, async_mode):
    playground = playgrounds(async_mode)
    index = urllib.request.urlopen(playground.url).read().decode()
    assert f'<li class="lesson-entry" data-lesson="{LESSON}" data-status="live">' in index
    assert f'<a href="{PATH}">' in index

    page = open_console(page, playground.url + PATH)
    # Its page is the lesson's, served by its own process under the playground's path.
    expect(page.locator("#console")).to_have_attribute(
        "data-socketio-path", f"/lessons/{LESSON}/socket.io"
    )
    # The console: polling first, then the WebSocket upgrade, relayed; the server view too.
    run_js(page, "() => Playground.client('Alice').connect({namespace: '/'})")
    expect(panel(page, "Alice").locator(".transport")).to_have_text("websocket")
    assert run_js(page, "() => Playground.client('Alice').emitWithAck('ping', [])") == ["pong"]
    expect(page.locator(".server-view-status")).to_have_text("live")
    sid = panel(page, "Alice").locator(".sid").inner_text()
    expect(page.locator(f'.server-view li.socket[data-sid="{sid}"]')).to_have_count(1)

    result = run_js(
        page,
        """async () => {
            // Long-polling only: every request and its long wait forwarded over HTTP.
            const polling = await kit.connect('/', {transports: ['polling']});
            const polled = await kit.send(polling, 'ping');
            // WebSocket only: a message over the limit, and the server's close code, unchanged.
            const ws = await kit.connect('/', {transports: ['websocket']});
            const closed = new Promise((resolve) => ws.once('disconnect', (reason, details) =>
                resolve({reason, code: details?.context?.code})));
            ws.io.reconnection(false);
            ws.emit('ping', 'x'.repeat(70000));
            return {polled, closed: await closed};
        }""",
    )
    closed = {"reason": "transport close", "code": OVERSIZED_CLOSE[async_mode]}
    assert result == {"polled": "pong", "closed": closed}


def lesson_process(playground) -> int:
    """The pid of the playground's child that runs lesson 10."""
    [pid] = [
        pid
        for pid, command in children(playground.pid).items()
        if re.search(rf"-m playground\.run {LESSON} .*--prefix /lessons/{LESSON}\b", command)
    ]
    return pid


def entry(page, lesson_id):
    return page.locator(f'li.lesson-entry[data-lesson="{lesson_id}"]')


def test_a_killed_lesson_is_shown_stopped_and_comes_back_on_restart(open_tab, playgrounds):
    playground = playgrounds("eventlet")
    learner = open_console(open_tab().page, playground.url + PATH)
    # Retries every few hundred ms instead of up to 5 s: the test waits for them.
    run_js(
        learner,
        """() => Playground.client('Alice').connect(
            {namespace: '/', reconnectionDelay: 100, reconnectionDelayMax: 300})""",
    )
    expect(panel(learner, "Alice").locator(".status")).to_have_text("connected")
    pid = lesson_process(playground)

    os.kill(pid, signal.SIGKILL)

    # The console: its server is gone, it retries, and says so (not "refused").
    status = panel(learner, "Alice").locator(".status")
    expect(status).to_have_text("server unreachable — retrying")
    expect(status).to_have_attribute("data-status", "unreachable")
    # The index: stopped, with how and its last output; the process reaped, no zombie.
    index = open_tab().page
    index.goto(playground.url)
    stopped = entry(index, LESSON)
    expect(stopped).to_have_attribute("data-status", "stopped")
    expect(stopped.locator(".status")).to_have_text("stopped")
    expect(stopped.locator(".why")).to_have_text(
        "Its process killed by signal 9 (SIGKILL). Its last output:"
    )
    expect(stopped.locator(".error")).to_contain_text(f"Lesson {LESSON} — ")
    assert not Path(f"/proc/{pid}").exists()
    expect(entry(index, "01")).to_have_attribute("data-status", "live")  # the others run on

    # Its URL: a page that says so, with the output and a restart button, answered 503.
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(playground.url + PATH)
    with answer.value as page:
        assert page.code == 503
        assert "killed by signal 9 (SIGKILL)" in page.read().decode()
    # Restart is a POST from the playground's own pages only.
    forged = urllib.request.Request(
        f"{playground.url}_playground/restart/{LESSON}",
        method="POST",
        headers={"Origin": "http://evil.example"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(forged)
    refused.value.close()
    assert refused.value.code == 403
    assert entry(index, LESSON).get_attribute("data-status") == "stopped"

    stopped.get_by_role("link").click()  # the lesson's URL
    index.get_by_role("button", name=f"Restart lesson {LESSON}").click()
    # Starting (the page reloads itself), then the lesson's own page again.
    index.locator("#console .client").first.wait_for(timeout=STARTUP_TIMEOUT * 1000)
    assert index.url == playground.url + PATH
    assert lesson_process(playground) != pid
    # The learner's client was retrying all along: it is back on the new process.
    expect(status).to_have_text("connected")
    expect(log_entries(learner, "Alice", "sys", "connect")).to_have_count(2)
    index.goto(playground.url)
    expect(entry(index, LESSON)).to_have_attribute("data-status", "live")
