"""Fixtures that prove lessons: test clients, a live lesson server, and Chromium.

- ``app``/``socketio``/``make_client``: a fresh lesson app per test and Flask-SocketIO test
  clients (any number, any namespace, ``auth=``). In-process, in threading mode: the test client
  needs no async framework, and eventlet must not be imported into the pytest process.
- ``live_server``: the lesson started as ``nox -s lesson`` starts it (eventlet) on a free
  loopback port, once per test module.
- ``page``/``lesson_page``: pytest-playwright's page in Chromium, failing a test that makes a
  request anywhere but loopback.

The lesson is the one named by the test's folder (``tests/lesson01_namespaces/``).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from playground import manifest
from playground.lesson_process import LessonProcess

SCREENSHOTS_DIR = manifest.ROOT / "docs" / "assets" / "screenshots"
SYSTEM_CHROMIUM = Path("/usr/bin/chromium")
# Headless as root, with no traffic to outside hosts (the machine may have no network).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
# Everything a lesson shows happens within milliseconds on loopback: fail fast, not after 30 s.
WAIT_MS = 5_000
expect.set_options(timeout=WAIT_MS)


def pytest_addoption(parser):
    parser.addoption(
        "--screenshots",
        action="store_true",
        help=f"save the guide's screenshots to {SCREENSHOTS_DIR.relative_to(manifest.ROOT)}",
    )


# --- the lesson under test ---------------------------------------------------------------


# --8<-- [start:app-fixtures]
@pytest.fixture(scope="module")
def lesson(request) -> manifest.Lesson:
    return manifest.by_package(request.path.parent.name)


@pytest.fixture
def app_socketio(lesson):
    return lesson.create_app(ASYNC_MODE="threading", TESTING=True)


@pytest.fixture
def app(app_socketio):
    return app_socketio[0]


@pytest.fixture
def socketio(app_socketio):
    return app_socketio[1]


# --8<-- [end:app-fixtures]


# --8<-- [start:make-client]
@pytest.fixture
def make_client(app, socketio):
    """``make_client(namespace=None, auth=None, query_string=None, ...)``: a new test client."""
    clients = []

    def make(**kwargs):
        client = socketio.test_client(app, **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        for namespace, connected in list(client.connected.items()):
            if connected:
                client.disconnect(namespace)


# --8<-- [end:make-client]


# --8<-- [start:started-tasks]
@pytest.fixture
def started_tasks(socketio, monkeypatch):
    """The background tasks the app starts, so a test can ``join()`` them."""
    tasks = []
    start = socketio.start_background_task

    def start_and_keep(*args, **kwargs):
        task = start(*args, **kwargs)
        tasks.append(task)
        return task

    monkeypatch.setattr(socketio, "start_background_task", start_and_keep)
    return tasks


# --8<-- [end:started-tasks]


# --- a live server ----------------------------------------------------------------------


# --8<-- [start:live-server]
@pytest.fixture(scope="module")
def live_server(lesson):
    """The lesson's server, running as a real process; ``.url`` is where it listens."""
    server = LessonProcess(lesson).start()
    yield server
    server.stop()


# --8<-- [end:live-server]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Show a live server's output next to a test that failed with it."""
    report = yield
    server = item.funcargs.get("live_server") if hasattr(item, "funcargs") else None
    if report.failed and server is not None:
        report.sections.append(("live server output", server.read_output()[-4000:]))
    return report


# --- Chromium through Playwright ----------------------------------------------------------


# --8<-- [start:chromium]
def chromium_executable(playwright) -> str | None:
    """Playwright's own Chromium if installed (None), else Debian's; fail clearly if neither."""
    if Path(playwright.chromium.executable_path).exists():
        return None
    if SYSTEM_CHROMIUM.exists():
        return str(SYSTEM_CHROMIUM)
    pytest.fail(
        "No Chromium for the browser tests: install Debian's package "
        "(sudo apt-get install chromium) or run `python -m playwright install chromium`.",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, playwright):
    args = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    executable = chromium_executable(playwright)
    return {**args, "executable_path": executable} if executable else args


# --8<-- [end:chromium]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}}


# --8<-- [start:loopback-only]
def assert_loopback_only(requested: list[str]) -> None:
    foreign = [url for url in requested if urlsplit(url).hostname not in LOOPBACK_HOSTS]
    assert not foreign, f"a page requested non-loopback URLs: {foreign}"


@pytest.fixture
def page(page):
    """A page that fails its test when it requests anything but loopback (no CDN, no fonts)."""
    page.set_default_timeout(WAIT_MS)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    yield page
    assert_loopback_only(requested)


# --8<-- [end:loopback-only]


def open_console(page, url: str):
    page.goto(url)
    page.locator("#console .client").first.wait_for()
    return page


@pytest.fixture
def lesson_page(page, live_server):
    """The lesson's playground page, loaded from the live server."""
    return open_console(page, live_server.url + "/")


@pytest.fixture
def open_lesson_page(browser, browser_context_args, live_server):
    """``open_lesson_page()``: the lesson's page in a browser context of its own (another user)."""
    contexts, requested = [], []

    def open_page():
        context = browser.new_context(**browser_context_args)
        context.set_default_timeout(WAIT_MS)
        context.on("request", lambda request: requested.append(request.url))
        contexts.append(context)
        return open_console(context.new_page(), live_server.url + "/")

    yield open_page
    for context in contexts:
        context.close()
    assert_loopback_only(requested)


@pytest.fixture
def screenshot(request):
    """``screenshot(page, name)``: saved for the guide when pytest runs with --screenshots."""

    def take(page, name: str) -> None:
        if request.config.getoption("--screenshots"):
            SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SCREENSHOTS_DIR / f"{name}.png")

    return take
