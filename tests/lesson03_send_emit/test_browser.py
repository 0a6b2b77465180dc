"""Lesson 03 — send vs emit, proven in Chromium against the live eventlet server."""

import pytest
from playwright.sync_api import expect

from tests.utils import exchange, incoming, log_entries, payloads, play, run_js


def http_log(page):
    return log_entries(page, "Alice", "sys", "http").locator(".payload")


@pytest.mark.claim("L03.1")
def test_send_and_emit_in_a_handler_reply_to_the_sender_only(lesson_page):
    page = lesson_page
    play(page, "send, send json, emit")

    # Alice asked first, then Bob: anything sent to both would be in Bob's log before his own.
    for name in ("Alice", "Bob"):
        text = f"from {name}"
        assert payloads(page, name, "in", "message") == [text, {"text": text}]
        assert payloads(page, name, "in", "json") == [{"text": text}]
        assert payloads(page, name, "in", "answer") == [text]

    # A plain socket.io-client socket, every event in order: the names are the events' names.
    received = exchange(page, "ask", "hi", until="answer")
    assert received == [
        ["message", "hi"],
        ["message", {"text": "hi"}],
        ["json", {"text": "hi"}],
        ["answer", "hi"],
    ]


@pytest.mark.claim("L03.2")
def test_a_tuple_arrives_as_separate_arguments(lesson_page):
    page = lesson_page
    received = exchange(page, "pair", until="args_error")
    assert received == [
        ["tuple", "Alice", 42],  # two arguments
        ["list", ["Alice", 42]],  # one argument, an array
        # and no "args" event: emit("args", "Alice", 42) raised before sending anything
        ["args_error", "Server.emit() got multiple values for argument 'to'"],
    ]

    # The console shows several arguments as an array too; the scenario counts them.
    play(page, "Multiple arguments")

    expect(log_entries(page, "Alice", "sys", "tuple").locator(".payload")).to_have_text(
        "2 arguments"
    )
    expect(log_entries(page, "Alice", "sys", "list").locator(".payload")).to_have_text("1 argument")
    expect(incoming(page, "Alice", "args_error")).to_have_text(
        "\"Server.emit() got multiple values for argument 'to'\""
    )
    expect(log_entries(page, "Alice", "in", "args")).to_have_count(0)


@pytest.mark.claim("L03.3")
def test_emit_from_a_view_needs_namespace_and_a_target(lesson_page, screenshot):
    page = lesson_page
    play(page, "emit from a view")

    alice_sid = run_js(page, "async () => Playground.client('Alice').socket.id")
    expect(http_log(page)).to_have_text(
        [
            "POST /view/emit → 500 AttributeError: 'Request' object has no attribute 'namespace'",
            f"POST /view/emit-to/{alice_sid} → 204",
            "POST /view/emit-broadcast → 204",
        ]
    )
    # The broadcast came last, so Bob's log is complete: only the broadcast reached him.
    assert payloads(page, "Alice", "in", "from_view") == ["to one client", "to everyone"]
    assert payloads(page, "Bob", "in", "from_view") == ["to everyone"]
    page.set_viewport_size({"width": 1280, "height": 960})  # room for the whole log
    screenshot(page, "lesson03-send-emit")


@pytest.mark.claim("L03.4", "L03.6")
def test_server_object_works_in_a_handler_a_view_and_a_task(lesson_page):
    page = lesson_page
    play(page, "socketio.emit: handler, view, task")

    assert payloads(page, "Alice", "in", "reply") == ["emit: hi", "socketio.emit: hi"]
    assert payloads(page, "Bob", "in", "reply") == ["socketio.emit: hi"]
    for name in ("Alice", "Bob"):
        assert payloads(page, name, "in", "from_view") == ["socketio.emit from a view"]
        assert payloads(page, name, "in", "from_thread") == [
            "flask_socketio.emit in app_context",
            "socketio.emit",
        ]
        assert payloads(page, name, "in", "message") == ["socketio.send"]
    [error] = payloads(page, "Alice", "in", "thread_error")
    assert error.startswith("Working outside of application context.\n")
    expect(log_entries(page, "Bob", "in", "thread_error")).to_have_count(0)  # sent with to=sid


@pytest.mark.claim("L03.5")
def test_server_object_rejects_broadcast(lesson_page):
    page = lesson_page
    play(page, "socketio.emit(broadcast=True)")

    expect(http_log(page)).to_have_text(
        [
            "POST /view/socketio-emit-broadcast → 500 "
            "TypeError: Server.emit() got an unexpected keyword argument 'broadcast'"
        ]
    )
    # A later emit that does reach both proves the rejected one sent nothing before it.
    run_js(page, "async () => { await fetch('/view/socketio-emit', {method: 'POST'}); }")
    for name in ("Alice", "Bob"):
        entries = incoming(page, name, "from_view")
        expect(entries).to_have_text(['"socketio.emit from a view"'])
