"""Small helpers for browser tests, shared by every lesson."""

from __future__ import annotations

import json

from playwright.sync_api import expect

DEFAULT_TIMEOUT_MS = 5000


def log_entries(page, client: str, direction: str, event: str):
    """The console log entries of one client: direction "in", "out" or "sys"."""
    return page.locator(
        f'.client[data-client="{client}"] li.entry'
        f'[data-direction="{direction}"][data-event="{event}"]'
    )


def payloads(page, client: str, direction: str, event: str) -> list:
    """The payloads a client's log shows for ``event``, in order, parsed from JSON."""
    entries = log_entries(page, client, direction, event).locator(".payload")
    return [json.loads(text) for text in entries.all_inner_texts()]


def play(page, button: str) -> None:
    """Click a scenario button and wait until its scenario has finished (and not failed)."""
    locator = page.get_by_role("button", name=button, exact=True)
    locator.click()
    expect(locator).to_have_attribute("data-state", "done")


def websocket_frames(page, direction: str = "received") -> list[str]:
    """Every WebSocket frame the page sends or receives ("sent" | "received") from now on."""
    frames = []
    page.on("websocket", lambda ws: ws.on(f"frame{direction}", lambda frame: frames.append(frame)))
    return frames


# --8<-- [start:run-js]
def run_js(page, function: str, arg=None, timeout_ms: int = DEFAULT_TIMEOUT_MS):
    """Await the async JS ``function(arg)`` in the page, failing after ``timeout_ms``.

    ``page.evaluate`` alone would wait forever for an event that never comes.
    """
    return page.evaluate(
        """async ([source, arg, ms]) => {
            const fn = (0, eval)('(' + source + ')');
            let timer;
            const timeout = new Promise((_, reject) => {
                timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
            });
            try { return await Promise.race([fn(arg), timeout]); }
            finally { clearTimeout(timer); }
        }""",
        [function, arg, timeout_ms],
    )


# --8<-- [end:run-js]


def exchange(page, event: str, *args, until: str, namespace: str = "/") -> list:
    """On a new websocket connection: emit ``event(*args)``, record what arrives up to ``until``.

    Returns ``[[event, [args...]], ...]`` in arrival order, ``until`` included.
    """
    return run_js(
        page,
        """async ([namespace, emitted, until]) => {
            const socket = io(namespace, {forceNew: true, transports: ['websocket']});
            const events = [];
            try {
                await new Promise(resolve => {
                    socket.onAny((event, ...args) => {
                        events.push([event, args]);
                        if (event === until) resolve();
                    });
                    socket.on('connect', () => socket.emit(...emitted));
                });
                return events;
            } finally {
                socket.disconnect();
            }
        }""",
        [namespace, [event, *args], until],
    )
