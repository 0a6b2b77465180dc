"""Lesson 02 — reserved events, proven in Chromium against the live eventlet server."""

import json

import pytest
from playwright.sync_api import expect

from tests.utils import log_entries, panel, payloads, run_js, websocket_frames

# The names socket.io-client 4.8 keeps for itself (RESERVED_EVENTS in its socket.ts).
RESERVED = [
    "connect",
    "connect_error",
    "disconnect",
    "disconnecting",
    "newListener",
    "removeListener",
]

# JS values of every kind, and how each comes back to the browser: bytes as a list of numbers.
VALUES_JS = "['hi', {text: 'hi'}, [1, 'two'], 42, 4.5, new Uint8Array([0, 1, 255])]"
VALUES = ["hi", {"text": "hi"}, [1, "two"], 42, 4.5, {"bytes": [0, 1, 255]}]
TYPE_NAMES = ["str", "dict", "list", "int", "float", "bytes"]
# In the page: ArrayBuffer -> {bytes: [...]} so that it survives the trip back to Python.
PLAIN_JS = "const plain = (v) => v instanceof ArrayBuffer ? {bytes: [...new Uint8Array(v)]} : v;"


@pytest.mark.claim("L02.1")
def test_connect_scenario_shows_what_the_connect_handler_saw(lesson_page):
    page = lesson_page
    page.get_by_role("button", name="Connect Alice with auth and a query").click()

    alice = panel(page, "Alice")
    expect(alice.locator(".status")).to_have_text("connected")
    expect(log_entries(page, "Bob", "in", "welcome")).to_have_count(1)
    [welcome] = payloads(page, "Alice", "in", "welcome")
    assert welcome["sid"] == alice.locator(".sid").inner_text()  # request.sid is socket.id
    assert welcome["namespace"] == "/"
    assert welcome["auth"] == {"name": "Alice"}
    args = welcome["args"]
    # Alice's `query`, plus what Engine.IO adds to the first (polling) request of the connection.
    assert args.keys() == {"room", "EIO", "transport", "t"}
    assert (args["room"], args["EIO"], args["transport"]) == ("lobby", "4", "polling")
    assert payloads(page, "Bob", "in", "welcome")[0]["auth"] is None
    # The welcome was emitted inside the connect handler: it is logged before "connect".
    events = alice.locator("li.entry").evaluate_all("entries => entries.map(e => e.dataset.event)")
    assert events == ["welcome", "connect"]

    # Without auth, and with an empty one, the handler's `auth` is None.
    auths = run_js(
        page,
        """async () => Promise.all([undefined, {}].map(async (auth) => {
            const socket = await kit.until(kit.socket('/', {auth}), 'welcome');
            return kit.heard(socket, 'welcome')[0].auth;
        }))""",
    )
    assert auths == [None, None]


@pytest.mark.claim("L02.2")
def test_disconnect_reasons_on_both_sides(lesson_page, screenshot):
    page = lesson_page
    page.set_viewport_size({"width": 1280, "height": 960})  # room for the logs in the screenshot
    button = page.get_by_role("button", name="Alice leaves, then the server kicks her")
    button.click()
    expect(button).to_have_attribute("data-state", "done")

    expect(log_entries(page, "Bob", "in", "left")).to_have_count(2)
    expect(log_entries(page, "Alice", "sys", "disconnect")).to_have_count(2)
    lefts = payloads(page, "Bob", "in", "left")
    assert [(left["name"], left["reason"]) for left in lefts] == [
        ("Alice", "client disconnect"),
        ("Alice", "server disconnect"),
    ]
    welcomes = payloads(page, "Alice", "in", "welcome")
    assert [left["sid"] for left in lefts] == [welcome["sid"] for welcome in welcomes]
    assert payloads(page, "Alice", "sys", "disconnect") == [
        {"reason": "io client disconnect"},
        {"reason": "io server disconnect"},
    ]
    # After a server disconnect the client stays down: no automatic reconnection.
    expect(panel(page, "Alice").locator(".status")).to_have_text("disconnected")
    assert page.evaluate("Playground.client('Alice').socket.active") is False

    # The console's log filters keep just the reasons in view for the guide's screenshot.
    alice, bob = panel(page, "Alice"), panel(page, "Bob")
    alice.get_by_role("searchbox").fill("disconnect")
    bob.get_by_role("searchbox").fill("left")
    expect(alice.locator("li.entry:visible")).to_have_count(2)
    expect(bob.locator("li.entry:visible")).to_have_count(2)
    page.evaluate("document.activeElement.blur()")
    bob.locator("li.entry:visible").last.scroll_into_view_if_needed()
    screenshot(page, "lesson02-reserved-events")


@pytest.mark.claim("L02.3")
def test_closing_the_tab_runs_disconnect_once_in_each_namespace(lesson_page, live_server):
    page = lesson_page
    run_js(
        page,
        """async () => {
            const root = await kit.connect('/');  // the watcher: one connection, two namespaces
            window.watchers = {'/': root, '/chat': await kit.connect('/chat', {manager: root.io})};
        }""",
    )
    tab = page.context.new_page()
    tab.goto(live_server.url + "/")
    welcomes = run_js(
        tab,
        """async () => {
            const alice = await kit.until(kit.socket('/', {auth: {name: 'Alice'}}), 'welcome');
            const inChat = kit.socket('/chat', {manager: alice.io, auth: {name: 'Alice in chat'}});
            await kit.until(inChat, 'welcome');
            return [kit.heard(alice, 'welcome')[0], kit.heard(inChat, 'welcome')[0]];
        }""",
    )
    assert [(w["namespace"], w["auth"]["name"]) for w in welcomes] == [
        ("/", "Alice"),
        ("/chat", "Alice in chat"),
    ]
    assert welcomes[0]["sid"] != welcomes[1]["sid"]

    tab.close()  # no Socket.IO goodbye: the WebSocket just closes

    lefts = run_js(
        page,
        """async () => {
            const sockets = Object.entries(watchers);
            await Promise.all(sockets.map(([, socket]) => kit.until(socket, 'left')));
            const lefts = ([nsp, socket]) => [nsp, kit.heard(socket, 'left')];
            return Object.fromEntries(sockets.map(lefts));
        }""",
    )
    assert lefts == {
        "/": [{"sid": welcomes[0]["sid"], "name": "Alice", "reason": "transport close"}],
        "/chat": [
            {"sid": welcomes[1]["sid"], "name": "Alice in chat", "reason": "transport close"}
        ],
    }


@pytest.mark.claim("L02.4", "L02.5")
def test_message_json_scenario(lesson_page):
    page = lesson_page
    page.get_by_role("button", name="send(), emit('json'), echo").click()

    expect(log_entries(page, "Alice", "in", "json")).to_have_count(1)
    assert payloads(page, "Alice", "in", "received") == [
        {"handler": "message", "type": "str", "data": "hi"},
        {"handler": "message", "type": "dict", "data": {"text": "hi"}},  # send({...}): message
        {"handler": "json", "type": "dict", "data": {"text": "hi"}},
    ]
    # socket.send(x) goes out as the event "message", whatever x is.
    assert payloads(page, "Alice", "out", "message") == ["hi", {"text": "hi"}]
    assert payloads(page, "Alice", "in", "message") == [{"text": "hi"}]
    assert payloads(page, "Alice", "in", "json") == [{"text": "hi"}]


@pytest.mark.claim("L02.4", "L02.5")
def test_every_type_through_message_json_and_echo(lesson_page):
    result = run_js(
        lesson_page,
        f"""async () => {{
            {PLAIN_JS}
            const socket = await kit.connect('/');
            const received = [], echoed = [];
            for (const value of {VALUES_JS}) {{
                // In: socket.send(v) is the event "message"; only emit('json', v) is "json".
                for (const send of [v => socket.send(v), v => socket.emit('json', v)]) {{
                    const reply = new Promise(resolve => socket.once('received', resolve));
                    send(value);
                    const {{handler, type, data}} = await reply;
                    received.push({{handler, type, data: plain(data)}});
                }}
                // Out: the echo handler answers with send(v) and send(v, json=True).
                const replies = ['message', 'json'].map(event => new Promise(resolve => {{
                    socket.once(event, (data) => resolve([event, plain(data)]));
                }}));
                socket.emit('echo', value);
                echoed.push(await Promise.all(replies));
            }}
            socket.disconnect();
            return {{received, echoed}};
        }}""",
    )
    expected = []
    for value, type_name in zip(VALUES, TYPE_NAMES, strict=True):
        expected += [
            {"handler": "message", "type": type_name, "data": value},
            {"handler": "json", "type": type_name, "data": value},
        ]
    assert result["received"] == expected
    assert result["echoed"] == [[["message", value], ["json", value]] for value in VALUES]


@pytest.mark.claim("L02.6")
def test_event_takes_the_function_name_and_on_takes_any_string(lesson_page):
    result = run_js(
        lesson_page,
        """async () => {
            const socket = await kit.connect('/');
            socket.emit('kick');  // the function's name: not an event
            const echoed = new Promise(resolve => socket.once('message', resolve));
            socket.emit('echo', 'after kick');  // handled in order: answered after 'kick'
            const echo = await echoed;
            const connectedAfterKick = socket.connected;
            socket.emit('kick me');
            await kit.until(socket, 'disconnect');
            return {echo, connectedAfterKick, reasons: kit.heard(socket, 'disconnect')};
        }""",
    )
    assert result == {
        "echo": "after kick",
        "connectedAfterKick": True,
        "reasons": ["io server disconnect"],
    }


@pytest.mark.claim("L02.7")
def test_reserved_names_throw_and_send_nothing(lesson_page):
    page = lesson_page
    page.get_by_role("button", name="Alice emits reserved names").click()
    refusals = log_entries(page, "Alice", "sys", "refused").locator(".payload")
    expect(refusals).to_have_text([f'"{name}" is a reserved event name' for name in RESERVED])
    # The console's emit form refuses these names too, in the same words.
    alice = panel(page, "Alice")
    alice.get_by_label("Event").fill("connect")
    alice.get_by_role("button", name="Emit").click()
    error = log_entries(page, "Alice", "sys", "error").locator(".payload")
    expect(error).to_have_text('"connect" is a reserved event name')
    expect(log_entries(page, "Alice", "out", "connect")).to_have_count(0)

    sent = websocket_frames(page, "sent")
    errors = run_js(
        page,
        """async (names) => {
            const socket = await kit.connect('/');
            const errors = [];
            for (const name of names) {
                try { socket.emit(name, 'payload'); errors.push(null); }
                catch (err) { errors.push(`${err.name}: ${err.message}`); }
            }
            const echoed = new Promise(resolve => socket.once('message', resolve));
            socket.emit('echo', 'after');  // sent after the refused ones, if they were sent
            await echoed;
            socket.disconnect();
            return errors;
        }""",
        RESERVED,
    )
    assert errors == [f'Error: "{name}" is a reserved event name' for name in RESERVED]
    events_sent = [frame for frame in sent if frame.startswith("42")]  # Socket.IO EVENT packets
    assert events_sent == ['42["echo","after"]']


@pytest.mark.claim("L02.8")
def test_a_raw_websocket_can_send_connect_and_disconnect_events(lesson_page):
    result = run_js(
        lesson_page,
        """async () => {
            const watcher = await kit.connect('/');

            // Speak the protocol by hand, as any non-browser client could.
            const origin = location.origin.replace(/^http/, 'ws');
            const ws = new WebSocket(origin + '/socket.io/?EIO=4&transport=websocket');
            const queue = [], waiting = [];
            ws.onmessage = ({data}) => (waiting.length ? waiting.shift()(data) : queue.push(data));
            const next = () => queue.length ? Promise.resolve(queue.shift())
                                            : new Promise(resolve => waiting.push(resolve));
            const send = (event, ...args) => ws.send('42' + JSON.stringify([event, ...args]));

            await next();  // Engine.IO "open"
            ws.send('40' + JSON.stringify({name: 'Mallory'}));  // Socket.IO CONNECT with auth
            const welcome = await next(), connected = await next();
            send('connect', 'ignored', {name: 'Eve'});
            const again = await next();
            send('disconnect', 'I made this up');
            const [forged] = kit.heard(await kit.until(watcher, 'left'), 'left');
            send('echo', 'still here');
            const echoed = [await next(), await next()];
            ws.close();
            watcher.disconnect();
            return {welcome, connected, again, forged, echoed};
        }""",
    )
    assert result["welcome"].startswith('42["welcome",')
    first = json.loads(result["welcome"][2:])[1]
    assert first["auth"] == {"name": "Mallory"}
    assert result["connected"] == "40" + json.dumps({"sid": first["sid"]}, separators=(",", ":"))
    again = json.loads(result["again"][2:])[1]
    assert (again["sid"], again["auth"]) == (first["sid"], {"name": "Eve"})
    assert result["forged"] == {"sid": first["sid"], "name": "Eve", "reason": "I made this up"}
    assert result["echoed"] == ['42["message","still here"]', '42["json","still here"]']
