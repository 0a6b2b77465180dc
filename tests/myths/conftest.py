"""Servers for the myths that need a real one: tests/myths/live_app.py in a process of its own.

Package-scoped, so the live and the browser tests share them; each starts only if a test asks.
"""

import pytest

from tests.myths.live_app import LiveApp


@pytest.fixture(scope="package")
def eventlet_server():
    """The app served by ``socketio.run`` in eventlet mode, as ``nox -s lesson`` serves lessons."""
    with LiveApp("socketio.run", async_mode="eventlet") as server:
        yield server


@pytest.fixture(scope="package")
def short_ping_server():
    """The same, with pings every second and a 1 s timeout (defaults: 25 s and 20 s)."""
    with LiveApp("socketio.run", async_mode="eventlet", ping_interval=1, ping_timeout=1) as server:
        yield server


@pytest.fixture(scope="package")
def flask_run_server():
    """The app served by ``flask run``: Flask's development server, no ``socketio.run``."""
    with LiveApp("flask run", async_mode="threading") as server:
        yield server
