"""Lesson 06 — class-based namespaces, proven in Chromium against the live eventlet server.

Every test runs twice (see conftest.py): against a server started with app.py (decorators) and
one started with app_ns.py (a Namespace class), with the same expected values.

"Received nothing" is proven by order, not by waiting: events and acknowledgements sent to one
client travel its connection in the order the server sent them, so once the answer to a later
request has arrived, anything sent before it has arrived too.
"""

import pytest
from playwright.sync_api import expect

from tests.utils import incoming, log_entries, panel, payloads, play, run_js

WELCOME = ["welcome", "Welcome to /chat"]
# What the ack callback of `emit("dance", ..., callback)` got before a later round trip ended:
# None: no ACK packet at all; []: an ACK packet with no arguments.
DANCE_ACK = {"app": None, "app_ns": []}


def handled(event, by):
    return {"event": event, "by": by}


@pytest.mark.claim("L06.1", "L06.4")
def test_the_console_shows_the_chat_and_who_handles_each_event(
    lesson_page, live_server, screenshot
):
    page = lesson_page
    play(page, "Chat in /chat")
    play(page, "Decorator or class?")

    for name in ("Alice", "Bob"):
        expect(incoming(page, name, "welcome")).to_have_text(['"Welcome to /chat"'])
        expect(incoming(page, name, "said")).to_have_text(['"Hi from Alice"'])
        expect(incoming(page, name, "message")).to_have_text(['"Hello from Bob"'])
    [bob_connected] = payloads(page, "Bob", "sys", "connect")
    assert payloads(page, "Alice", "in", "left") == [
        {"sid": bob_connected["sid"], "reason": "client disconnect"}
    ]
    expect(panel(page, "Bob").locator(".status")).to_have_text("disconnected")
    assert payloads(page, "Carol", "in", "handled") == [
        handled("connect", "decorator"),
        handled("greet", "decorator"),
        handled("wave", "class"),
    ]
    if live_server.variant == "app_ns":  # the guide's picture: the class variant
        page.set_viewport_size({"width": 1600, "height": 1180})  # three panels in a row
        screenshot(page, "lesson06-class-namespaces")


@pytest.mark.claim("L06.1", "L06.2")
def test_two_browsers_chatting_get_the_same_events_from_either_variant(lesson_page):
    result = run_js(
        lesson_page,
        """async () => {
            const alice = await kit.connect('/chat');
            await kit.until(alice, 'welcome');
            const bob = await kit.connect('/chat');
            await kit.until(bob, 'welcome');
            alice.emit('say', 'Hi');
            await Promise.all([kit.until(alice, 'said'), kit.until(bob, 'said')]);
            bob.send('Hello');
            await Promise.all([kit.until(alice, 'message'), kit.until(bob, 'message')]);
            const bobId = bob.id;
            bob.disconnect();
            await kit.until(alice, 'left');
            return {alice: alice.heard, bob: bob.heard, bobId};
        }""",
    )
    # Each welcome went to its own client only: Alice's list has exactly one.
    assert result["alice"] == [
        WELCOME,
        ["said", "Hi"],
        ["message", "Hello"],
        ["left", {"sid": result["bobId"], "reason": "client disconnect"}],
    ]
    assert result["bob"] == [
        WELCOME,
        ["said", "Hi"],
        ["message", "Hello"],
        ["disconnect", "io client disconnect"],  # its own, last
    ]


@pytest.mark.claim("L06.2")
def test_what_the_chat_emits_stays_in_chat_even_on_a_shared_connection(lesson_page):
    result = run_js(
        lesson_page,
        """async () => {
            // Alice: one connection, joined to "/" and "/chat". Bob: "/chat" only.
            const aliceRoot = await kit.connect('/');
            const aliceChat = await kit.connect('/chat', {manager: aliceRoot.io});
            const bob = await kit.connect('/chat');
            aliceChat.emit('say', 'Hi');
            await Promise.all([kit.until(aliceChat, 'said'), kit.until(bob, 'said')]);
            // A round trip in "/" on the same connection, after the say was handled.
            aliceRoot.emit('wave');
            await kit.until(aliceRoot, 'handled', 2);
            return {root: aliceRoot.heard, chat: aliceChat.heard, bob: bob.heard};
        }""",
    )
    assert result["chat"] == [WELCOME, ["said", "Hi"]]
    assert result["bob"] == [WELCOME, ["said", "Hi"]]
    assert result["root"] == [  # nothing of /chat reached "/"
        ["handled", handled("connect", "decorator")],
        ["handled", handled("wave", "class")],
    ]


@pytest.mark.claim("L06.3")
def test_an_event_without_a_method_is_ignored_but_the_class_acknowledges_it(
    lesson_page, live_server
):
    result = run_js(
        lesson_page,
        """async () => {
            const alice = await kit.connect('/chat');
            const bob = await kit.connect('/chat');
            await Promise.all([kit.until(alice, 'welcome'), kit.until(bob, 'welcome')]);
            let ack = null;
            alice.emit('dance', 'cha-cha');
            alice.emit('dance', 'cha-cha', (...args) => { ack = args; });
            alice.emit('say', 'Still here');  // handled after both dances
            await Promise.all([kit.until(alice, 'said'), kit.until(bob, 'said')]);
            return {ack, connected: alice.connected, alice: alice.heard, bob: bob.heard};
        }""",
    )
    assert result["ack"] == DANCE_ACK[live_server.variant]
    assert result["connected"] is True
    assert result["alice"] == result["bob"] == [WELCOME, ["said", "Still here"]]


@pytest.mark.claim("L06.3")
def test_the_console_shows_whether_an_unhandled_event_is_acknowledged(lesson_page, live_server):
    page = lesson_page
    play(page, "Event with no handler")

    expect(log_entries(page, "Alice", "out", "dance")).to_have_count(2)
    expect(incoming(page, "Alice", "said")).to_have_text(['"Still connected"'])
    ack = log_entries(page, "Alice", "ack", "dance")
    if live_server.variant == "app_ns":
        expect(ack.locator(".payload")).to_have_text("")  # an acknowledgement, with nothing in it
        expect(log_entries(page, "Alice", "sys", "dance").locator(".payload")).to_have_text(
            "acknowledged with 0 arguments"
        )
    else:
        expect(ack.locator(".payload")).to_have_text("timeout: no ack within 500 ms")
    expect(panel(page, "Alice").locator(".status")).to_have_text("connected")


@pytest.mark.claim("L06.4", "L06.5")
def test_a_client_that_names_no_namespace_meets_the_decorators_first_then_the_class(
    lesson_page,
):
    result = run_js(
        lesson_page,
        """async () => {
            const carol = await kit.connect(null);  // io(): no namespace named, so "/"
            for (const [event, count] of [['greet', 2], ['wave', 3], ['greet', 4]]) {
                carol.emit(event);
                await kit.until(carol, 'handled', count);
            }
            return {nsp: carol.nsp, heard: carol.heard};
        }""",
    )
    assert result["nsp"] == "/"
    # Lobby() was created with no argument, and it is the class that answers "wave" in "/".
    assert result["heard"] == [
        ["handled", handled("connect", "decorator")],
        ["handled", handled("greet", "decorator")],
        ["handled", handled("wave", "class")],
        ["handled", handled("greet", "decorator")],  # every time, not just the first
    ]
