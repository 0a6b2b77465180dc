"""Lesson 13 — a deployment, proven in Chromium: nginx, three gunicorn servers, one Redis.

Every page and connection goes through the stack's one URL (nginx), which a test puts in the
variant it proves (``front``). "Stays on polling" is never proven by waiting: the browser's
Engine.IO client says when its upgrade probe has failed (``upgradeError``) or succeeded
(``upgrade``). The servers log with ``logger`` and ``engineio_logger`` on (conftest.py); what they
print for each failure is asserted here, and saved for the guide by ``nox -s screenshots``.
"""

from __future__ import annotations

import os
import re
import signal
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.lesson13_deploying.conftest import start_stack
from tests.utils import payloads, play, run_js, wait_until

# Connects with the given transports and sticky key; resolves once the transport has settled:
# upgraded, or the upgrade probe refused. Answers what happened and what the server says.
SETTLE = """async ([key, transports]) => {
    const socket = kit.socket('/', {transports, query: {lb: key}});
    // Listening from the engine's 'open', which comes before it probes for an upgrade.
    const settled = new Promise((resolve) => socket.io.once('open', () => {
        const engine = socket.io.engine;
        if (engine.transport.name === 'websocket') resolve('websocket from the start');
        else if (!transports.includes('websocket')) resolve('no upgrade asked for');
        engine.once('upgrade', () => resolve('upgrade'));
        engine.once('upgradeError', (err) => resolve(`upgradeError: ${err.message}`));
    }));
    await kit.connected(socket);
    const outcome = await settled;
    const engine = socket.io.engine;
    const where = await kit.send(socket, 'where');
    return {outcome, transport: engine.transport.name, where, sid: engine.id};
}"""

# A polling client that keeps reconnecting: the Engine.IO session ids it was given and the
# errors it got, once it has failed ``count`` times.
FAILING = """async ([count, options]) => {
    const socket = kit.socket('/', {reconnectionDelay: 20, reconnectionDelayMax: 20, ...options});
    const sids = [], errors = [];
    socket.io.on('open', () => sids.push(socket.io.engine.id));
    await new Promise((resolve) => {
        const failed = (message, status) => {
            errors.push([message, status ?? null]);
            if (errors.length === count) resolve();
        };
        // Refused while connecting, or (when its first requests happened to reach one server)
        // cut off later by a request that reached another: each a 400 from a server. A session
        // refused while connecting is told 'disconnect' too: counted once, as connect_error.
        // A session that connected sends until then: idle, it would hold one long-poll till
        // its ping interval (25 s), on the one worker that knows it.
        let connected = false;
        const send = () => {
            if (!connected) return;
            socket.emit('where');
            setTimeout(send, 20);
        };
        socket.on('connect', () => { connected = true; send(); });
        socket.on('connect_error', (err) => failed(err.message, err.description));
        socket.on('disconnect', (reason, details) => {
            if (connected) failed(reason, details?.description);
            connected = false;
        });
    });
    socket.off('disconnect');
    socket.disconnect();
    return {sids, errors};
}"""


# Connects one socket per options object, asks each where it is, and has one announce: what
# each answered and heard.
WHERE_AND_ANNOUNCE = """async ([connections, text, sender]) => {
    const sockets = [];
    for (const options of connections) sockets.push(await kit.connect('/', options));
    const where = [];
    for (const socket of sockets) where.push(await kit.send(socket, 'where'));
    const heard = sockets.map((socket) => kit.until(socket, 'announcement'));
    await kit.send(sockets[sender], 'announce', text);
    await Promise.all(heard);
    return {where, heard: sockets.map((socket) => kit.heard(socket, 'announcement'))};
}"""


def output_of(stack) -> str:
    """What every server of the stack has printed so far."""
    return "".join(server.read_output() for server in stack.servers)


def lines_with(text: str, *needles: str) -> str:
    return "\n".join(line for line in text.splitlines() if any(n in line for n in needles))


# --- the WebSocket upgrade through nginx ------------------------------------------------------


@pytest.mark.claim("L13.1", "L13.7")
def test_without_upgrade_headers_the_browser_stays_on_polling(lesson_page, stack, front, capture):
    page = lesson_page
    front(upgrade=False)
    stuck = run_js(page, SETTLE, ["k0", ["polling", "websocket"]])
    assert stuck["outcome"] == "upgradeError: probe error: Error: websocket error"
    assert stuck["transport"] == stuck["where"]["transport"] == "polling"  # and it works on
    refused = run_js(page, "() => kit.refusal('/', {transports: ['websocket']})")
    assert refused == {"message": "websocket error", "data": None}
    logged = output_of(stack)
    assert f"Invalid transport for session {stuck['sid']}" in logged  # the upgrade, refused
    assert "Invalid websocket upgrade" in logged  # the WebSocket-only client, refused
    capture(
        "no-upgrade-headers",
        lines_with(logged, f"Invalid transport for session {stuck['sid']}", "websocket upgrade"),
    )

    front(upgrade=True)
    upgraded = run_js(page, SETTLE, ["k0", ["polling", "websocket"]])
    assert upgraded["outcome"] == "upgrade"
    assert upgraded["transport"] == upgraded["where"]["transport"] == "websocket"
    assert run_js(page, "() => kit.refusal('/', {transports: ['websocket']})") == "connected"


# --- sticky sessions ---------------------------------------------------------------------------


@pytest.mark.claim("L13.2", "L13.7")
def test_round_robin_gives_polling_clients_invalid_session_and_a_reconnect_loop(
    lesson_page, stack, front, capture
):
    page = lesson_page
    front(sticky=False)
    failed = run_js(page, FAILING, [3, {"transports": ["polling"]}])
    assert len(failed["sids"]) >= 3  # three handshakes, three sessions: a loop
    assert {message for message, _ in failed["errors"]} <= {"xhr poll error", "xhr post error"}
    assert {status for _, status in failed["errors"]} == {400}
    logged, proxied = output_of(stack), stack.nginx.read_output()
    sid = failed["sids"][0]
    [opened_by] = [s for s in stack.servers if f"{sid}: Sending packet OPEN" in s.read_output()]
    refused_by = [s for s in stack.servers if f"Invalid session {sid}" in s.read_output()]
    assert refused_by and opened_by not in refused_by
    # nginx's access log says the same: that session's next requests, answered 400 elsewhere.
    refused = re.findall(rf"(?:GET|POST) \S+sid={sid}\S* HTTP/1.1 400 from (\S+)", proxied)
    assert f"127.0.0.1:{opened_by.port}" not in refused and refused
    capture(
        "round-robin",
        lines_with(logged, f"Invalid session {sid}", f"{sid}: Sending packet OPEN")
        + "\n\nnginx's access log:\n"
        + lines_with(proxied, f"sid={sid}"),
    )

    front(sticky=True)
    kept = run_js(
        page,
        """async () => {
            const socket = await kit.connect('/', {transports: ['polling'], query: {lb: 'k0'}});
            return [await kit.send(socket, 'where'), await kit.send(socket, 'where')];
        }""",
    )
    assert kept[0]["pid"] == kept[1]["pid"]
    assert kept[0]["transport"] == kept[1]["transport"] == "polling"


@pytest.mark.claim("L13.3")
def test_websocket_only_clients_need_no_stickiness(page, stack, front):
    front(sticky=False)
    page.goto(stack.url + "/")
    websocket_only = [{}, {}, {}]  # kit's default transports: ['websocket']
    answers = run_js(page, WHERE_AND_ANNOUNCE, [websocket_only, "one request per connection", 2])
    pids = [where["pid"] for where in answers["where"]]
    workers = {pid for server in stack.servers for pid in server.worker_pids}
    assert set(pids) == workers  # round-robin: one connection on each server
    assert {where["transport"] for where in answers["where"]} == {"websocket"}
    expected = [{"text": "one request per connection", "pid": pids[2]}]
    assert answers["heard"] == [expected] * 3


@pytest.mark.claim("L13.4")
def test_with_sticky_sessions_and_the_queue_a_broadcast_reaches_every_server(page, stack):
    page.goto(stack.url + "/")
    polling = [{"transports": ["polling"], "query": {"lb": key}} for key in stack.sticky_keys()]
    answers = run_js(page, WHERE_AND_ANNOUNCE, [polling, "from server 1", 0])
    pids = [where["pid"] for where in answers["where"]]
    assert pids == [server.worker_pids[0] for server in stack.servers]
    assert {where["transport"] for where in answers["where"]} == {"polling"}  # sticky, not upgraded
    assert answers["heard"] == [[{"text": "from server 1", "pid": pids[0]}]] * 3


@pytest.mark.claim("L13.4")
def test_the_console_connects_through_nginx_and_hears_every_server(lesson_page, stack, screenshot):
    page = lesson_page
    play(page, "Carol announces to every server")
    rows = page.locator("#where tbody tr")
    expect(rows).to_have_count(3)
    workers = {pid for server in stack.servers for pid in server.worker_pids}
    pids = {}
    for name in ("Alice", "Bob", "Carol"):
        row = page.locator(f'#where tr[data-client="{name}"]')
        assert row.get_attribute("data-transport") == "websocket"
        pids[name] = int(row.get_attribute("data-pid"))
    assert set(pids.values()) == workers  # the page picked keys that land on each server
    carol = pids["Carol"]
    for name in ("Alice", "Bob", "Carol"):
        assert payloads(page, name, "in", "announcement") == [
            {"text": "Hello, every server", "pid": carol}
        ]
    expect(page.locator("#stack")).to_contain_text("sticky sessions")
    # One server's view would hide the others' clients: the page says so instead of showing one.
    expect(page.locator(".server-view-hint")).to_contain_text("off behind nginx")
    page.set_viewport_size({"width": 1600, "height": 1100})
    screenshot(page, "lesson13-deploying")


# --- several workers in one gunicorn -------------------------------------------------------------


@pytest.fixture(scope="module")
def four_workers(worker):
    """One gunicorn with ``--workers 4`` behind nginx: its balancer knows no sessions."""
    deployed = start_stack(servers=1, workers=4, worker=worker, debug_logs=True)
    yield deployed
    deployed.stop()


@pytest.mark.claim("L13.5", "L13.7")
def test_gunicorn_with_four_workers_fails_like_round_robin(page, four_workers, capture):
    page.goto(four_workers.url + "/")
    failed = run_js(page, FAILING, [3, {"transports": ["polling"]}])
    assert {status for _, status in failed["errors"]} == {400}
    logged = output_of(four_workers)
    refused = [sid for sid in failed["sids"] if f"Invalid session {sid}" in logged]
    assert refused, logged[-3000:]
    capture("four-workers", lines_with(logged, f"Invalid session {refused[0]}"))

    # WebSocket-only clients need one request each: they work, and the queue joins the workers.
    answers = run_js(page, WHERE_AND_ANNOUNCE, [[{}, {}, {}, {}], "to every worker", 0])
    heard = sum(len(got) for got in answers["heard"])
    assert heard == 4


# --- cross-origin ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def accepting_stack(frontend_port, worker):
    """One server that accepts the other site's origin: ``cors_allowed_origins=[that origin]``."""
    origins = [f"http://127.0.0.1:{frontend_port}"]
    deployed = start_stack(servers=1, worker=worker, cors_allowed_origins=origins)
    yield deployed
    deployed.stop()


CROSS = "([url, transports]) => kit.refusal(url, {transports})"


@pytest.mark.claim("L13.6", "L13.7")
def test_another_origin_is_refused_unless_listed(page, stack, frontend, accepting_stack, capture):
    page.goto(frontend.url + "/")
    backend = stack.url + "/"
    assert run_js(page, CROSS, [backend, ["polling"]]) == {
        "message": "xhr poll error",
        "data": None,
    }
    assert run_js(page, CROSS, [backend, ["websocket"]]) == {
        "message": "websocket error",
        "data": None,
    }
    line = f"{frontend.url} is not an accepted origin."
    wait_until(lambda: line in output_of(stack), "the refusal logged")
    capture("cross-origin", lines_with(output_of(stack), line))

    listed = accepting_stack.url + "/"
    assert run_js(page, CROSS, [listed, ["polling"]]) == "connected"
    assert run_js(page, CROSS, [listed, ["websocket"]]) == "connected"


# --- the debugging recipe ------------------------------------------------------------------------


@pytest.mark.claim("L13.7")
def test_logger_shows_every_event_and_without_engineio_logger_a_400_is_logged_once(
    page, stack, accepting_stack, capture
):
    page.goto(stack.url + "/")
    sid, engine_sid = run_js(
        page,
        """async () => {
            const socket = await kit.connect('/', {query: {lb: 'k0'}});
            await kit.send(socket, 'announce', 'logged');
            return [socket.id, socket.io.engine.id];
        }""",
    )
    [logged] = [s.read_output() for s in stack.servers if engine_sid in s.read_output()]
    received = f'received event "announce" from {sid} [/]'
    assert received in logged
    lines = logged.splitlines()
    at = lines.index(received)
    assert lines[at + 1] == 'emitting event "announcement" to all [/]'
    # The packets of that exchange, as engineio_logger shows them, then logger's two lines.
    packets = [line for line in lines[:at] if line.startswith(f"{engine_sid}: ")]
    capture("logger", "\n".join([*packets[-2:], *lines[at : at + 2]]))

    # accepting_stack's server runs without the loggers: python-engineio's default level.
    for bogus in ("first-bogus-sid", "second-bogus-sid"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(
                f"{accepting_stack.url}/socket.io/?EIO=4&transport=polling&sid={bogus}"
            )
        refused.value.close()
        assert refused.value.code == 400
    # Each answer left after its log line was written: the second line would be there by now.
    quiet = output_of(accepting_stack)
    assert (
        "Invalid session first-bogus-sid (further occurrences of this error will be logged with"
        " level INFO)" in quiet
    )
    assert "Invalid session second-bogus-sid" not in quiet
    capture("without-engineio-logger", lines_with(quiet, "Invalid session"))


# --- a server that dies ---------------------------------------------------------------------------


@pytest.mark.claim("L13.8")
def test_a_client_of_a_dead_server_reconnects_elsewhere_without_its_rooms(page, stack):
    page.goto(stack.url + "/")
    keys = stack.sticky_keys()
    victim, survivor = stack.servers[0], stack.servers[1]
    before = run_js(
        page,
        """async ([doomed, other]) => {
            const fast = {reconnectionDelay: 50, reconnectionDelayMax: 100};
            window.alice = await kit.connect('/', {query: {lb: doomed}, ...fast});
            window.bob = await kit.connect('/', {query: {lb: other}, ...fast});
            await kit.send(alice, 'join', 'ops');
            await kit.send(bob, 'join', 'ops');
            window.reconnected = new Promise((resolve) => alice.once('disconnect', (reason) => {
                alice.once('connect', () => resolve(reason));
            }));
            return [await kit.send(alice, 'where'), await kit.send(bob, 'where')];
        }""",
        keys[:2],
    )
    assert [where["pid"] for where in before] == [victim.worker_pids[0], survivor.worker_pids[0]]
    assert all("ops" in where["rooms"] for where in before)

    os.killpg(victim.process.pid, signal.SIGKILL)  # the server and its worker, no goodbye
    victim.process.wait(timeout=5)
    after = run_js(
        page,
        """async () => {
            const reason = await reconnected;
            return [reason, await kit.send(alice, 'where'), await kit.send(bob, 'where'), alice.id];
        }""",
    )
    reason, alice, bob, alice_sid = after
    assert reason == "transport close"
    assert alice["pid"] in {pid for server in stack.servers[1:] for pid in server.worker_pids}
    assert alice["rooms"] == [alice_sid]  # a new session on another server: no ops
    assert bob == before[1]  # the other servers serve on: Bob kept his server and his rooms
    stack.restart(victim)
