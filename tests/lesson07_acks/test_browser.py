"""Lesson 07 — acknowledgements, proven in Chromium against the live eventlet server."""

import pytest
from playwright.sync_api import expect

from tests.utils import log_entries, panel, payloads, play, run_js

RETURN_VALUE_EVENTS = ["ack_none", "ack_one", "ack_tuple", "ack_list"]


def ack_entries(page, client, event):
    return log_entries(page, client, "ack", event).locator(".payload")


@pytest.mark.claim("L07.1")
def test_the_ack_callback_gets_exactly_the_returned_arguments(lesson_page):
    acks = run_js(
        lesson_page,
        """async (events) => {
            const socket = await kit.connect('/');
            const acks = {};
            for (const event of events) {
                acks[event] = await new Promise(resolve =>
                    socket.emit(event, 'Alice', (...args) => resolve(args)));
            }
            socket.disconnect();
            return acks;
        }""",
        RETURN_VALUE_EVENTS,
    )
    assert acks == {
        "ack_none": [],
        "ack_one": ["Hello Alice"],
        "ack_tuple": ["Alice", 5, True],
        "ack_list": [["Alice", 5]],
    }


@pytest.mark.claim("L07.1", "L07.3")
def test_console_shows_acks_both_ways(lesson_page, screenshot):
    page = lesson_page
    play(page, "Return values as acks")

    expect(ack_entries(page, "Alice", "ack_none")).to_have_text([""])  # an ack, no arguments
    assert payloads(page, "Alice", "ack", "ack_one") == ["Hello Alice"]
    assert payloads(page, "Alice", "ack", "ack_tuple") == [["Alice", 5, True]]
    assert payloads(page, "Alice", "ack", "ack_list") == [["Alice", 5]]
    # The log shows several arguments as an array, like one list: the scenario counts them.
    counts = [log_entries(page, "Alice", "sys", event) for event in RETURN_VALUE_EVENTS]
    for entries, text in zip(
        counts, ["0 arguments", "1 argument", "3 arguments", "1 argument"], strict=True
    ):
        expect(entries.locator(".payload")).to_have_text([text])

    play(page, "Server asks, Bob answers")

    question = log_entries(page, "Bob", "in", "question")
    expect(question.locator(".payload")).to_have_text(['"What is your name?"'])
    expect(question.locator(".ack")).to_have_text(["ack requested"])
    expect(log_entries(page, "Bob", "sys", "question").locator(".payload")).to_have_text(
        ['Bob acks with ["Bob",42]']
    )
    assert payloads(page, "Bob", "in", "answered") == [["Bob", 42]]  # what fn was called with
    page.set_viewport_size({"width": 1280, "height": 1200})  # the page and both logs
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "lesson07-acks")


@pytest.mark.claim("L07.2")
def test_emit_with_ack_keeps_the_first_argument_only(lesson_page):
    results = run_js(
        lesson_page,
        """async (events) => {
            const socket = await kit.connect('/');
            const describe = (value) => ({type: typeof value, value: value ?? null});
            const plain = {}, timed = {};
            for (const event of events) {
                plain[event] = describe(await socket.emitWithAck(event, 'Alice'));
                timed[event] = describe(await socket.timeout(2000).emitWithAck(event, 'Alice'));
            }
            socket.disconnect();
            return {plain, timed};
        }""",
        RETURN_VALUE_EVENTS,
    )
    expected = {
        "ack_none": {"type": "undefined", "value": None},
        "ack_one": {"type": "string", "value": "Hello Alice"},
        "ack_tuple": {"type": "string", "value": "Alice"},  # 5 and true are gone
        "ack_list": {"type": "object", "value": ["Alice", 5]},  # one argument: kept whole
    }
    assert results == {"plain": expected, "timed": expected}


@pytest.mark.claim("L07.3")
def test_callback_runs_with_the_browsers_arguments(lesson_page):
    answered = run_js(
        lesson_page,
        """async (answers) => {
            const socket = await kit.connect('/');
            const results = [];
            for (const answer of answers) {
                const asked = new Promise(resolve => socket.once('question', (...args) => {
                    const ack = args.pop();
                    resolve({args, ackIsFunction: typeof ack === 'function'});
                    ack(...answer);
                }));
                const reply = new Promise(resolve => socket.once('answered', resolve));
                socket.emit('ask_me', 'What is your name?');
                results.push({...(await asked), answered: await reply});
            }
            socket.disconnect();
            return results;
        }""",
        [[], ["Bob"], ["Bob", {"age": 42}]],
    )
    asked = {"args": ["What is your name?"], "ackIsFunction": True}
    assert answered == [
        {**asked, "answered": []},
        {**asked, "answered": ["Bob"]},
        {**asked, "answered": ["Bob", {"age": 42}]},
    ]


@pytest.mark.claim("L07.4")
def test_call_returns_the_browsers_answer(lesson_page):
    page = lesson_page
    play(page, "socketio.call(): Bob answers")

    question = log_entries(page, "Bob", "in", "question")
    expect(question.locator(".payload")).to_have_text(['"Who are you?"'])
    expect(question.locator(".ack")).to_have_text(["ack requested"])
    assert payloads(page, "Bob", "in", "call_returned") == [{"type": "str", "answer": "Bob"}]

    returned = run_js(
        page,
        """async (answers) => {
            const socket = await kit.connect('/');
            let answer;  // what the browser answers the next question with
            socket.on('question', (question, ack) => ack(...answer));
            const results = [];
            for (answer of answers) {
                const reply = new Promise(resolve => socket.once('call_returned', resolve));
                socket.emit('call_me', 5);
                results.push(await reply);
            }
            socket.disconnect();
            return results;
        }""",
        [[], ["Bob", 42]],
    )
    assert returned == [
        {"type": "NoneType", "answer": None},
        {"type": "tuple", "answer": ["Bob", 42]},  # a tuple, sent back as a JSON array
    ]


@pytest.mark.claim("L07.5")
def test_call_without_an_answer_raises_socketio_timeout_error(lesson_page):
    page = lesson_page
    play(page, "socketio.call(): no answer")  # call_me(0.5): timeout=0.5 s, Bob is silent

    question = log_entries(page, "Bob", "in", "question")
    expect(question.locator(".ack")).to_have_text(["ack requested"])
    [timed_out] = payloads(page, "Bob", "in", "call_timed_out")
    assert 0.5 <= timed_out.pop("waited_s") < 1.0  # measured by the server around call()
    assert timed_out == {
        "error": "socketio.exceptions.TimeoutError",
        "is_builtin_timeout_error": False,
    }
    expect(log_entries(page, "Bob", "in", "call_returned")).to_have_count(0)


@pytest.mark.claim("L07.6")
def test_event_without_handler_times_out_in_the_browser(lesson_page):
    results = run_js(
        lesson_page,
        """async () => {
            const socket = await kit.connect('/');
            const timed = (event, ms) => new Promise(resolve => {
                const started = performance.now();
                socket.timeout(ms).emit(event, 'Alice', (err, ...args) => resolve({
                    error: err ? err.message : null, args,
                    waitedAtLeast: performance.now() - started >= ms,
                }));
            });
            const results = {
                nobody: await timed('nobody', 300), ack_none: await timed('ack_none', 300),
            };
            socket.disconnect();
            return results;
        }""",
    )
    assert results == {
        "nobody": {"error": "operation has timed out", "args": [], "waitedAtLeast": True},
        "ack_none": {"error": None, "args": [], "waitedAtLeast": False},  # acked at once
    }


@pytest.mark.claim("L07.6")
def test_console_ack_toggle_shows_the_timeout(lesson_page):
    page = lesson_page
    alice = panel(page, "Alice")
    alice.get_by_role("button", name="Connect", exact=True).click()
    expect(alice.locator(".status")).to_have_text("connected")

    alice.locator("input[name=ack]").check()
    alice.locator("input[name=ack-timeout]").fill("300")
    for event in ("nobody", "ack_none"):
        alice.get_by_label("Event", exact=True).fill(event)
        alice.get_by_role("button", name="Emit", exact=True).click()
        expect(log_entries(page, "Alice", "ack", event)).to_have_count(1)

    nobody = log_entries(page, "Alice", "ack", "nobody")
    expect(nobody).to_have_class("entry timeout")
    expect(nobody.locator(".payload")).to_have_text("timeout: no ack within 300 ms")
    expect(log_entries(page, "Alice", "ack", "ack_none")).not_to_have_class("entry timeout")
    sent = log_entries(page, "Alice", "out", "nobody")
    expect(sent.locator(".ack")).to_have_text("ack requested")
    sent.get_by_role("button", name="Code for nobody").click()
    expect(sent.locator(".code-js")).to_have_text(
        'const reply = await socket.timeout(300).emitWithAck("nobody", "hello");'
        " // the first ack argument"
    )
    expect(sent.locator(".code-py")).to_have_text(
        'reply = client.emit("nobody", "hello", callback=True)'
    )

    # The scenario button does the same with a 500 ms timeout.
    play(page, "Event with no handler")
    expect(ack_entries(page, "Alice", "nobody")).to_have_text(
        ["timeout: no ack within 300 ms", "timeout: no ack within 500 ms"]
    )
