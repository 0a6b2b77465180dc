"""Small helpers for browser tests, shared by every lesson."""

from __future__ import annotations

DEFAULT_TIMEOUT_MS = 5000


def log_entries(page, client: str, direction: str, event: str):
    """The console log entries of one client: direction "in", "out" or "sys"."""
    return page.locator(
        f'.client[data-client="{client}"] li.entry'
        f'[data-direction="{direction}"][data-event="{event}"]'
    )


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
