"""Lesson 01 — namespaces, proven in Chromium against the live eventlet server."""

import pytest
from playwright.sync_api import expect

from tests.utils import incoming, log_entries, panel, run_js, websocket_frames


# --8<-- [start:browser-same-event]
@pytest.mark.claim("L01.1")
def test_same_event_is_handled_by_its_namespace_only(lesson_page, screenshot):
    page = lesson_page
    page.get_by_role("button", name="Same event in / and /chat").click()

    alice = log_entries(page, "Alice", "in", "greeting")
    bob = log_entries(page, "Bob", "in", "greeting")
    expect(alice).to_have_count(1)
    expect(alice.locator(".payload")).to_have_text('"Hello Alice, from /"')
    expect(bob).to_have_count(1)
    expect(bob.locator(".payload")).to_have_text('"Hello Bob, from /chat"')
    screenshot(page, "lesson01-namespaces")


# --8<-- [end:browser-same-event]


@pytest.mark.claim("L01.2")
def test_namespaces_share_one_websocket_with_a_sid_each(lesson_page):
    page = lesson_page
    websockets = []
    page.on("websocket", lambda websocket: websockets.append(websocket.url))

    result = run_js(
        page,
        """async () => {
            // One Manager is one connection; each socket() on it is one namespace.
            const root = kit.socket('/');
            const sockets = [root, kit.socket('/chat', {manager: root.io})];
            const answers = await Promise.all(sockets.map(socket => new Promise(resolve => {
                socket.once('you_are', resolve);
                socket.on('connect', () => socket.emit('whoami'));
            })));
            const engineIds = sockets.map(socket => socket.io.engine.id);
            return {answers, engineIds, clientIds: sockets.map(socket => socket.id)};
        }""",
    )

    root, chat = result["answers"]
    assert (root["namespace"], chat["namespace"]) == ("/", "/chat")
    assert root["sid"] != chat["sid"]
    assert [root["sid"], chat["sid"]] == result["clientIds"]  # request.sid is socket.id
    assert result["engineIds"][0] == result["engineIds"][1]
    assert len(websockets) == 1  # both namespaces travel over a single WebSocket


@pytest.mark.claim("L01.3")
def test_namespace_without_handlers_is_refused_visibly(lesson_page):
    page = lesson_page
    page.get_by_role("button", name="Connect to /nowhere").click()

    carol = panel(page, "Carol")
    expect(carol.locator(".status")).to_have_text("refused")
    refusal = log_entries(page, "Carol", "sys", "connect_error")
    expect(refusal).to_have_count(1)
    expect(refusal.locator(".payload")).to_contain_text("Unable to connect")


# --8<-- [start:browser-frames]
@pytest.mark.claim("L01.3")
def test_refusal_leaves_the_connections_other_namespace_working(lesson_page):
    frames = websocket_frames(lesson_page)
    result = run_js(
        lesson_page,
        """async () => {
            const root = kit.socket('/');
            const nowhere = kit.socket('/nowhere', {manager: root.io});  // the same connection
            const error = await new Promise(resolve => nowhere.on('connect_error', resolve));
            root.emit('greet', 'Alice');
            const greeting = await new Promise(resolve => root.once('greeting', resolve));
            return {message: error.message, data: error.data ?? null,
                    rootConnected: root.connected, greeting};
        }""",
    )
    assert result["rootConnected"]
    assert result["greeting"] == "Hello Alice, from /"
    # The server says why, as a bare string: Engine.IO message "4", Socket.IO CONNECT_ERROR "4"...
    assert '44/nowhere,"Unable to connect"' in frames
    # ...which socket.io-client 4.8 reads as an object: err.message comes out empty.
    assert (result["message"], result["data"]) == ("", None)


# --8<-- [end:browser-frames]


@pytest.mark.claim("L01.4")
def test_three_ways_of_registering_a_handler_are_equivalent(lesson_page):
    page = lesson_page
    page.get_by_role("button", name="shout, whisper, backwards in /chat").click()

    echoes = incoming(page, "Bob", "echo")
    expect(echoes).to_have_text(['"HELLO CHAT"', '"hello chat"', '"tahC olleH"'])
