"""Helpers every test module may import: waiting, the console's panels and logs, page scripts.

Fixtures live in conftest.py files; what is not a fixture lives here (FastAPI's tests/utils.py
habit), so no test module imports from a conftest.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from playwright.sync_api import expect

# Everything a lesson shows happens within milliseconds on loopback: fail fast, not after 30 s.
WAIT_S = 5.0
WAIT_MS = int(WAIT_S * 1000)
KIT_JS = Path(__file__).with_name("browser_kit.js")  # window.kit in every page of the suite


# --8<-- [start:wait-until]
def wait_until(condition, what: str, timeout: float = WAIT_S, between=None):
    """Ask ``condition()`` until it returns something truthy, and return that.

    Fails naming ``what`` after ``timeout`` seconds. ``between(deadline)`` is what to do before
    asking again: by default a 20 ms pause; a client that must read to learn more passes its
    read (which may raise TimeoutError at the deadline).
    """
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() >= deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        try:
            (between or _pause)(deadline)
        except TimeoutError:
            raise AssertionError(f"not within {timeout} s: {what}") from None
    return result


def _pause(deadline: float) -> None:
    threading.Event().wait(min(0.02, max(0.0, deadline - time.monotonic())))


# --8<-- [end:wait-until]


def running(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False


def children(pid: int) -> dict[int, str]:
    """The processes whose parent is ``pid``: their pid and command line, from /proc."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after "pid (name)"
            if int(fields[1]) == pid:
                command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ")
                found[int(stat.parent.name)] = command.decode().strip()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue  # gone meanwhile
    return found


# --- the console on a lesson page --------------------------------------------------------


def panel(page, client: str):
    """The console panel of the client named ``client``."""
    return page.locator(f'.client[data-client="{client}"]')


def log_entries(page, client: str, direction: str, event: str):
    """The console log entries of one client: direction "in", "out", "sys" or "ack"."""
    return panel(page, client).locator(
        f'li.entry[data-direction="{direction}"][data-event="{event}"]'
    )


def incoming(page, client: str, event: str):
    """The payload elements of a client's incoming ``event`` entries."""
    return log_entries(page, client, "in", event).locator(".payload")


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


# --- scripts in the page -----------------------------------------------------------------


# --8<-- [start:run-js]
def run_js(page, function: str, arg=None, timeout_ms: int = WAIT_MS):
    """Await the async JS ``function(arg)`` in the page, failing after ``timeout_ms``.

    ``page.evaluate`` alone would wait forever for an event that never comes. The page has
    ``kit``, the suite's in-page test client (tests/browser_kit.js).
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
    """On a new connection: emit ``event(*args)``, and return what arrives up to ``until``.

    Returns ``[[event, ...args], ...]`` in arrival order, ``until`` included.
    """
    return run_js(
        page,
        """async ([namespace, emitted, until]) => {
            const socket = await kit.connect(namespace);
            try {
                socket.emit(...emitted);
                await kit.until(socket, until);
                return [...socket.heard];  // a copy: the disconnect below adds to socket.heard
            } finally {
                socket.disconnect();
            }
        }""",
        [namespace, [event, *args], until],
    )
