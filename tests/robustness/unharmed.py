"""What every bad input must leave intact: a bystander's service and the server's memory."""

from __future__ import annotations

import time

from scripts.measure import rss_mb
from tests.robustness.raw import RawSocket
from tests.utils import WAIT_S, wait_until

BYSTANDER_WITHIN_S = 1.0  # a bystander's round trip, whatever another client is doing
RSS_TOLERANCE_MB = 20.0  # how far above its value before the bad input the server's memory may stay


class Bystander:
    """A client of another lesson or namespace, connected before the bad input arrives.

    ``round_trip()`` emits ``event(*args)`` and waits for ``answer``: the event it triggers, or
    with ``answer=None`` the acknowledgement; it returns how long that took, in seconds.
    """

    def __init__(self, url: str, namespace: str, event: str, *args, answer=None, auth=None):
        self.raw = RawSocket(url)
        self.raw.connect(namespace, auth)
        self.namespace, self.event, self.args, self.answer = namespace, event, args, answer

    def round_trip(self) -> float:
        started = time.monotonic()
        if self.answer is None:
            self.raw.call(self.event, *self.args, namespace=self.namespace)
        else:
            self.raw.received.events.clear()
            self.raw.emit(self.event, *self.args, namespace=self.namespace)
            self.raw.wait_until(
                lambda: any(name == self.answer for _, name, _ in self.raw.received.events),
                what=f"the bystander's {self.answer!r}",
            )
        return time.monotonic() - started

    def close(self) -> None:
        self.raw.close()


class Unharmed:
    """What a bad-input case asserts of the server it hit, from when it was made.

    ``served()``: the bystander's round trip takes under BYSTANDER_WITHIN_S, right now (call it
    while the bad input is in effect). ``memory_back()``: the server's RSS returns to within
    RSS_TOLERANCE_MB of what it was when this was made. ``check()``: both.
    """

    def __init__(self, pid: int, bystander: Bystander):
        self.pid, self.bystander = pid, bystander
        self.baseline = rss_mb(pid)

    def served(self) -> float:
        waited = self.bystander.round_trip()
        assert waited < BYSTANDER_WITHIN_S, f"the bystander waited {waited:.2f} s"
        return waited

    def memory_back(self, timeout: float = 2 * WAIT_S) -> None:
        wait_until(
            lambda: rss_mb(self.pid) <= self.baseline + RSS_TOLERANCE_MB,
            f"the server's memory back within {RSS_TOLERANCE_MB} MB of {self.baseline:.1f} MB "
            f"(now {rss_mb(self.pid):.1f} MB)",
            timeout=timeout,
        )

    def check(self) -> None:
        self.served()
        self.memory_back()
