"""Lesson 08 — errors, proven in Chromium against the live eventlet server."""

import pytest
from playwright.sync_api import expect

from lessons.lesson08_errors.app import TOKEN
from tests.utils import log_entries, panel, payloads, play, run_js, websocket_frames

ZERO = "ZeroDivisionError: division by zero"
RED = "rgb(180, 35, 24)"  # the console's error colour (--pg-err)


def report(handler, *args, error=ZERO):
    """What the lesson's error handlers return for a failed ``divide(*args)``."""
    return {"handler": handler, "event": "divide", "args": list(args), "error": error}


@pytest.mark.claim("L08.1", "L08.2", "L08.4")
def test_divide_by_zero_scenario_in_the_console(lesson_page, live_server, screenshot):
    page = lesson_page
    tracebacks = live_server.read_output().count("Traceback")
    play(page, "Divide by zero in /, /strict and /bare")

    assert payloads(page, "Alice", "ack", "divide") == [report("on_error_default", 1, 0)]
    assert payloads(page, "Bob", "ack", "divide") == [report("on_error('/strict')", 1, 0)]
    carol = log_entries(page, "Carol", "ack", "divide")
    expect(carol.locator(".payload")).to_have_text(["timeout: no ack within 1000 ms", "2"])
    expect(carol.first).to_have_class("entry timeout")  # shown in red
    expect(carol.first).to_have_css("border-left-color", RED)
    expect(panel(page, "Carol").locator(".status")).to_have_text("connected")
    expect(log_entries(page, "Carol", "sys", "disconnect")).to_have_count(0)
    # Only Carol's error, which no handler took, printed a traceback on the server.
    assert live_server.read_output().count("Traceback") == tracebacks + 1
    # For the guide: three panels in a row, each log filtered down to its divide entries.
    page.set_viewport_size({"width": 1600, "height": 1240})
    for name in ("Alice", "Bob", "Carol"):
        panel(page, name).get_by_role("searchbox").fill("divide")
    expect(panel(page, "Carol").locator("li.entry:visible")).to_have_count(4)
    page.evaluate("document.activeElement.blur()")
    screenshot(page, "lesson08-errors")


@pytest.mark.claim("L08.1")
def test_the_namespace_handler_runs_else_the_default_one(lesson_page):
    page = lesson_page
    result = run_js(
        page,
        """async (token) => {
            const root = await kit.connect('/');
            const strict = await kit.connect('/strict', {auth: {token}});
            return [
                await kit.send(root, 'divide', 1, 0),
                await kit.send(root, 'divide', '1', 2),
                await kit.send(strict, 'divide', 1, 0),
                await kit.send(strict, 'divide', [1], {}),
            ];
        }""",
        TOKEN,
    )
    type_error = "TypeError: unsupported operand type(s) for /: '{}' and '{}'"
    assert result == [
        report("on_error_default", 1, 0),
        report("on_error_default", "1", 2, error=type_error.format("str", "int")),
        report("on_error('/strict')", 1, 0),
        report("on_error('/strict')", [1], {}, error=type_error.format("list", "dict")),
    ]


@pytest.mark.claim("L08.2")
def test_the_return_value_is_the_ack_and_no_ack_means_no_word(lesson_page):
    page = lesson_page
    frames = websocket_frames(page)
    result = run_js(
        page,
        """async () => {
            const me = await kit.connect('/'), other = await kit.connect('/');
            me.emit('divide', 1, 0);  // no ack asked for
            const next = await kit.send(me, 'divide', 6, 3);  // answered after the failed one
            const failed = await kit.send(me, 'divide', 1, 0);
            return {next, failed, heard: me.heard, connected: me.connected,
                    other: await kit.send(other, 'divide', 1, 4)};
        }""",
    )
    assert result == {
        "next": 2,
        "failed": report("on_error_default", 1, 0),
        "heard": [],  # no event, no disconnect
        "connected": True,
        "other": 0.25,
    }
    # On the wire, Socket.IO ACK packets ("43" + id): one per emit that asked, none for the other.
    acks = [frame for frame in frames if frame.startswith("43")]
    assert [ack.split("[")[0] for ack in acks] == ["430", "431", "430"]
    assert acks[1] == '431[{"handler":"on_error_default","event":"divide","args":[1,0],' + (
        '"error":"ZeroDivisionError: division by zero"}]'
    )


@pytest.mark.claim("L08.3")
def test_an_error_reaches_only_its_own_namespaces_handler(lesson_page):
    page = lesson_page
    result = run_js(
        page,
        """async (token) => {
            // One Manager is one connection; each socket() on it is one namespace.
            const root = await kit.connect('/');
            const strict = await kit.connect('/strict', {manager: root.io, auth: {token}});
            const strictError = await kit.send(strict, 'divide', 1, 0);
            const rootError = await kit.send(root, 'divide', 1, 0);
            const after = [];
            for (const socket of [root, strict]) after.push(await kit.send(socket, 'divide', 6, 3));
            return {strictError, rootError, after, heard: {root: root.heard, strict: strict.heard},
                    sameConnection: root.io.engine.id === strict.io.engine.id};
        }""",
        TOKEN,
    )
    assert result == {
        "strictError": report("on_error('/strict')", 1, 0),
        "rootError": report("on_error_default", 1, 0),
        "heard": {"root": [], "strict": []},
        "sameConnection": True,
        "after": [2, 2],
    }


@pytest.mark.claim("L08.4")
def test_an_error_no_handler_takes_reaches_the_client_as_nothing(lesson_page, live_server):
    page = lesson_page
    before = live_server.read_output()
    result = run_js(
        page,
        """async () => {
            const bare = await kit.connect('/bare'), other = await kit.connect('/');
            const handled = await kit.send(other, 'divide', 1, 0);  // for contrast: handled in "/"
            let settled = false;
            const failed = bare.timeout(500).emitWithAck('divide', 1, 0).then(
                (ack) => ({ack}), (err) => ({error: err.message})
            ).finally(() => { settled = true; });
            // Answered after the failed event was handled: had it sent an ack, it came first.
            const next = await kit.send(bare, 'divide', 6, 3);
            const settledBeforeNext = settled;
            const others = await kit.send(other, 'divide', 6, 3);
            return {handled, next, settledBeforeNext, others, failed: await failed,
                    heard: bare.heard, connected: bare.connected};
        }""",
    )
    assert result == {
        "handled": report("on_error_default", 1, 0),
        "next": 2,
        "settledBeforeNext": False,  # no ack came for the failed event...
        "others": 2,
        "failed": {"error": "operation has timed out"},  # ...so the client's wait timed out
        "heard": [],  # no event, no disconnect
        "connected": True,
    }
    printed = live_server.read_output().removeprefix(before)
    # One traceback: /bare's error. The handled one in "/" printed nothing.
    assert printed.count("Traceback (most recent call last):") == 1
    assert f"\n{ZERO}\n" in printed  # its last line (gevent adds one of its own after it)
    # It went through on_error_default, which re-raised it.
    assert "return err_handler(value)" in printed


@pytest.mark.claim("L08.5")
def test_refusals_in_the_console(lesson_page):
    page = lesson_page
    play(page, "Refuse Dave and Erin in /strict")

    for name in ("Dave", "Erin"):
        expect(panel(page, name).locator(".status")).to_have_text("refused")
        entry = log_entries(page, name, "sys", "connect_error")
        expect(entry).to_have_count(1)
        expect(entry.locator(".event")).to_have_css("color", RED)
    assert payloads(page, "Dave", "sys", "connect_error") == [
        {"message": "Connection rejected by server"}
    ]
    assert payloads(page, "Erin", "sys", "connect_error") == [
        {"message": "unauthorized", "data": {"field": "token"}}
    ]


@pytest.mark.claim("L08.5")
def test_connect_error_carries_message_and_data(lesson_page):
    page = lesson_page
    frames = websocket_frames(page)
    result = run_js(
        page,
        """async (auths) => Promise.all(auths.map(auth => new Promise(resolve => {
            // kit.socket, not kit.connect: that closes a refused socket before .active is read.
            const socket = kit.socket('/strict', {auth});
            socket.on('connect', () => { socket.disconnect(); resolve('connected'); });
            socket.on('connect_error', (err) => resolve({
                message: err.message, data: err.data ?? null,
                retrying: socket.active,  // false: socket.io-client will not try again
            }));
        })))""",
        [None, {"token": "wrong"}, {"token": TOKEN}],
    )
    assert result == [
        {"message": "Connection rejected by server", "data": None, "retrying": False},
        {"message": "unauthorized", "data": {"field": "token"}, "retrying": False},
        "connected",
    ]
    # Both refusals are CONNECT_ERROR packets ("44") carrying an object, unlike the bare string
    # of an unknown namespace (lesson 01): so socket.io-client can read err.message.
    refusals = sorted(frame for frame in frames if frame.startswith("44"))
    assert refusals == [
        '44/strict,{"message":"Connection rejected by server"}',
        '44/strict,{"message":"unauthorized","data":{"field":"token"}}',
    ]


@pytest.mark.claim("L08.6")
def test_a_failing_connect_handler_is_refused_by_the_error_handler(lesson_page):
    page = lesson_page
    sent = websocket_frames(page, "sent")
    frames = websocket_frames(page)
    result = run_js(
        page,
        """async () => Promise.all(['abc', ['x']].map(auth => kit.refusal('/strict', {auth})))""",
    )
    assert result == [{"message": "Connection rejected by server", "data": None}] * 2
    # The auth went out as given (not dropped, which would be refused the same way)...
    assert sorted(frame for frame in sent if frame.startswith("40")) == [
        '40/strict,"abc"',
        '40/strict,["x"]',
    ]
    # ...made the connect handler raise, and the error handler's False refused it.
    refusals = [frame for frame in frames if frame.startswith("44")]
    assert refusals == ['44/strict,{"message":"Connection rejected by server"}'] * 2
