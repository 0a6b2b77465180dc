"""Fixtures that prove lessons: test clients, a live lesson server, and Chromium.

- ``app``/``socketio``/``make_client``: a fresh lesson app per test and Flask-SocketIO test
  clients (any number, any namespace, ``auth=``). In-process, in threading mode: the test client
  needs no async framework, and eventlet must not be imported into the pytest process.
- ``live_server``: the lesson started as ``nox -s lesson`` starts it on a free loopback port, once
  per test module, in the async mode ``server_mode``: pytest's ``--async-mode`` (eventlet, the
  lessons' default, unless told; with ``all``, once per mode: a test that uses a lesson server then
  runs once per mode, ``test_x[threading]``). At the end of the run, ``pytest_sessionfinish``
  checks the claims of the live tests: each must have passed in every mode the run asked for
  that its lesson's live tests run in (``claims.mode_problems``).
- ``playground``: ``python -m playground`` as ``nox -s playground`` starts it (every lesson
  mounted, the server view on), one for the whole run: its tests use lessons of their own or
  leave what they connect as they found it.
- ``page``/``lesson_page``/``open_lesson_page``: pages in Chromium, each in a browser context
  of its own (``Tab``), reset and reused by the next test of the module; a test that makes a
  request anywhere but loopback fails.

The lesson is the one named by the test's folder (``tests/lesson01_namespaces/``).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from playground import claims, manifest
from playground.forkserver import ForkServer
from playground.lesson_process import LessonProcess, PlaygroundProcess
from playground.run import ASYNC_MODES, DEFAULT_ASYNC_MODE
from playground.server_process import ServerProcess
from tests import chromium
from tests.utils import KIT_JS, WAIT_MS

# Every process the suite starts writes into a pipe as on a stock machine: block-buffered, unless
# it flushes. A PYTHONUNBUFFERED in the environment (a developer's or CI's) would hide a missing
# flush, as it hid the exercise watcher's.
os.environ.pop("PYTHONUNBUFFERED", None)

SCREENSHOTS_DIR = manifest.ROOT / "docs" / "assets" / "screenshots"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
VIEWPORT = {"width": 1280, "height": 800}
expect.set_options(timeout=WAIT_MS)


def pytest_addoption(parser):
    parser.addoption(
        "--screenshots",
        action="store_true",
        help=f"save the guide's screenshots to {SCREENSHOTS_DIR.relative_to(manifest.ROOT)}",
    )
    parser.addoption(
        "--async-mode",
        choices=[*ASYNC_MODES, "all"],
        default=DEFAULT_ASYNC_MODE,
        help=f"the async mode of the lessons' live servers (default: {DEFAULT_ASYNC_MODE}, the "
        "lessons' default); all: each test that uses one runs once per mode",
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


# --8<-- [start:warm-parent]
# What every lesson server imports: paid for once in the warm parent, not at every start.
WARM_IMPORTS = [
    "eventlet",
    "gevent",
    "flask_socketio",
    "redis",
    "playground.wiring",
    *(
        f"lessons.{lesson.package}.{variant}"
        for lesson in manifest.lessons()
        for variant in lesson.variants
    ),
]


WARM = pytest.StashKey[ForkServer]()


def pytest_configure(config):
    # The exercises' judge runs this suite with a warm parent of its own to use.
    warm = ForkServer.attached() or ForkServer(preload=WARM_IMPORTS, cwd=manifest.ROOT)
    config.stash[WARM] = warm


def pytest_collection_finish(session):
    """Warm up beside the first tests when any test may start a server (not for test_client
    files alone: the exercises' judge runs those, and needs no server)."""
    if any(item.path.name != "test_client.py" for item in session.items):
        session.config.stash[WARM].launch()


@pytest.fixture(scope="session", autouse=True)
def warm_parent(pytestconfig):
    """Lesson servers forked from a warm parent: listening in ~0.1 s instead of ~1.5 s.

    The child runs ``python -m playground.run …`` exactly as a plain start would; a server that
    must monkey-patch before its imports starts the plain way (playground/forkserver.py).
    """
    warm = pytestconfig.stash[WARM]
    ServerProcess.warm_parent = warm  # it starts with the first server asked of it, if not before
    yield warm
    ServerProcess.warm_parent = None
    warm.stop()


# --8<-- [end:warm-parent]


# --8<-- [start:async-modes]
def run_modes(config) -> tuple[str, ...]:
    """The async modes the run asked for: ``--async-mode``, ``all`` meaning every one."""
    chosen = config.getoption("--async-mode")
    return ASYNC_MODES if chosen == "all" else (chosen,)


def pytest_generate_tests(metafunc):
    """A test that uses ``server_mode`` (a live server does) runs once per mode of the run.

    Only in the modes its lesson's live tests run in (claims.toml's ``live_modes``: lesson 13
    runs gunicorn's gevent worker, whatever is asked), and not if it names its modes itself
    (``@pytest.mark.parametrize("server_mode", ...)``: lesson 12's tests are about every mode).
    Package-scoped: a folder's servers serve all its modules, one mode at a time.
    """
    if "server_mode" not in metafunc.fixturenames or names_its_modes(metafunc):
        return
    folder = metafunc.definition.path.parent.name
    lesson = manifest.by_package(folder) if folder.startswith("lesson") else None
    live = claims.live_modes(lesson) if lesson else ASYNC_MODES
    modes = [mode for mode in run_modes(metafunc.config) if mode in live] or list(live)
    metafunc.parametrize("server_mode", modes, indirect=True, scope="package")


def names_its_modes(metafunc) -> bool:
    for marker in metafunc.definition.iter_markers("parametrize"):
        names = marker.args[0]
        if isinstance(names, str):
            names = [name.strip() for name in names.split(",")]
        if "server_mode" in names:
            return True
    return False


# --8<-- [end:async-modes]


# --8<-- [start:live-server]
@pytest.fixture(scope="package")
def server_mode(request) -> str:
    """The async mode of the lesson servers the test starts (see pytest_generate_tests)."""
    return request.param


@pytest.fixture(scope="module")
def live_server(lesson, server_mode):
    """The lesson's server, running as a real process; ``.url`` is where it listens."""
    server = LessonProcess(lesson, async_mode=server_mode).start()
    yield server
    server.stop()


# --8<-- [end:live-server]


@pytest.fixture(scope="session")
def judge_warm():
    """The warm parent the exercises' watcher judges with (pytest and the lessons' stack imported
    once), shared by the exercise tests: it keeps no state between judgements."""
    from playground.exercises import judge

    warm = judge.warm_parent().start()
    yield warm
    warm.stop()


@pytest.fixture(scope="session")
def playground():
    """``python -m playground --port 0``: ``.url`` (with its trailing /) and ``.port``. Shared by
    the console's, the server view's and the rebinding tests: it mounts 13 lessons and starts two
    in processes of their own, seconds each time."""
    with PlaygroundProcess() as process:
        yield process


# --- which claims the run proved, in which mode ----------------------------------------------

LIVE_RUNS = pytest.StashKey[dict]()  # nodeid -> claims.LiveRun so far
MODE_CHECK = pytest.StashKey[tuple]()  # what claims.mode_problems() found at the end
WORST_FIRST = ("failed", "skipped", "passed")


def record_live_run(item, report) -> None:
    """Keep the outcome of a live-layer test of lesson claims, with the mode it ran in."""
    ids = tuple(claim for marker in item.iter_markers("claim") for claim in marker.args)
    if item.path.stem.removeprefix("test_") not in claims.LIVE_LAYERS or not ids:
        return
    runs = item.config.stash.setdefault(LIVE_RUNS, {})
    callspec = getattr(item, "callspec", None)
    earlier = runs.get(item.nodeid)
    outcome = (
        report.outcome
        if earlier is None
        else min(earlier.outcome, report.outcome, key=WORST_FIRST.index)
    )
    test = item.nodeid.split("::", 1)[1].split("[")[0]
    runs[item.nodeid] = claims.LiveRun(
        node_id=f"{item.path.relative_to(manifest.ROOT).as_posix()}::{test}",
        claims=ids,
        mode=callspec.params.get("server_mode") if callspec else None,
        outcome=outcome,
    )


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session):
    """Fail the run if a claim's live tests did not pass in a mode they must (claims.py)."""
    runs = session.config.stash.get(LIVE_RUNS, {})
    if not runs:
        return
    asked = run_modes(session.config)
    checked, problems = claims.mode_problems(manifest.lessons(), list(runs.values()), asked)
    session.config.stash[MODE_CHECK] = (asked, checked, problems)
    if problems and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, config):
    if MODE_CHECK not in config.stash:
        return
    asked, checked, problems = config.stash[MODE_CHECK]
    per_mode = {mode: sum(mode in modes for modes in checked.values()) for mode in ASYNC_MODES}
    counts = ", ".join(f"{mode} {n}" for mode, n in per_mode.items() if n)
    write = terminalreporter.write_line
    terminalreporter.section("claims, per async mode")
    write(f"claims checked, per async mode (every live test of the claim ran): {counts or 'none'}")
    left_out = [mode for mode in ASYNC_MODES if mode not in asked]
    if left_out:
        write(f"not asked for: {', '.join(left_out)} (--async-mode all runs every mode)")
    for problem in problems:
        write(f"CLAIM NOT PROVEN {problem}", red=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Show the output of every server a failed test used next to its failure."""
    report = yield
    record_live_run(item, report)
    if report.failed and hasattr(item, "funcargs"):
        for name, value in item.funcargs.items():
            if isinstance(value, ServerProcess):
                report.sections.append((f"{name} output", value.read_output()[-4000:]))
    return report


# --- Chromium through Playwright ----------------------------------------------------------


# --8<-- [start:chromium]
def chromium_executable(playwright) -> str | None:
    """Playwright's own Chromium if installed (None), else Debian's; fail clearly if neither."""
    if Path(playwright.chromium.executable_path).exists():
        return None
    if chromium.SYSTEM_CHROMIUM.exists():
        return str(chromium.SYSTEM_CHROMIUM)
    pytest.fail(f"No Chromium for the browser tests: {chromium.INSTALL_HINT}.", pytrace=False)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, playwright):
    args = {**browser_type_launch_args, "args": chromium.LAUNCH_ARGS}
    executable = chromium_executable(playwright)
    return {**args, "executable_path": executable} if executable else args


# --8<-- [end:chromium]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": VIEWPORT}


# --8<-- [start:tab]
class Tab:
    """One person's browser: a context of its own with one page, reusable from test to test.

    Opening a page costs about 0.4 s; resetting one, a few ms. Between tests, ``reset()`` makes
    the page as good as new without reloading it: the suite's in-page client (``kit``) closes
    every connection the test opened and forgets the globals it set, the console rebuilds itself
    (``Playground.reset()``), cookies and storage are cleared, pages the test opened are closed,
    listeners it added are removed and the viewport is put back.
    """

    def __init__(self, browser, context_args: dict):
        self.context = browser.new_context(**context_args)
        self.context.set_default_timeout(WAIT_MS)
        self.context.add_init_script(script=f"{KIT_JS.read_text()}\nkit.waitMs = {WAIT_MS};")
        self.requested: list[str] = []  # every URL any page of this context asked for
        self.context.on("request", lambda request: self.requested.append(request.url))
        self.page = self.context.new_page()
        self._listeners: list[tuple] = []  # (event, handler) a test added to the page
        for name in ("on", "once"):  # record them, so that reset() can remove them
            add = getattr(self.page, name)
            setattr(self.page, name, self._recorded(add))

    def _recorded(self, add):
        def add_listener(event, handler):
            self._listeners.append((event, handler))
            return add(event, handler)

        return add_listener

    def open(self, url: str):
        """The page at ``url`` with its console built; loaded only if it is not there yet."""
        if self.page.url != url:
            self.page.goto(url)
        self.page.locator("#console .client").first.wait_for()
        return self.page

    def reset(self) -> bool:
        """Ready the tab for another test; False if it cannot be (the test closed it)."""
        if self.page.is_closed():
            return False
        for other in self.context.pages:
            if other != self.page:
                other.close()
        for event, handler in self._listeners:
            self.page.remove_listener(event, handler)
        self._listeners.clear()
        self.context.clear_cookies()
        if self.page.viewport_size != VIEWPORT:
            self.page.set_viewport_size(VIEWPORT)
        rebuilt = self.page.evaluate(
            """async () => {
                if (!window.kit) return true;  // not a page of ours: nothing to forget
                kit.reset();
                try { localStorage.clear(); sessionStorage.clear(); } catch {}  // about:blank
                if (!document.getElementById('console')) return true;
                if (typeof window.Playground?.reset !== 'function') return false;
                await Playground.reset();
                return true;
            }"""
        )
        if not rebuilt:
            self.page.goto("about:blank")  # the next open() loads the page again
        return True

    def close(self) -> None:
        self.context.close()


class Tabs:
    """The tabs of the run: a test takes as many as it needs; they are reset after it."""

    def __init__(self, browser, context_args: dict):
        self.browser, self.context_args = browser, context_args
        self.free: list[Tab] = []

    def take(self) -> Tab:
        return self.free.pop() if self.free else Tab(self.browser, self.context_args)

    def give_back(self, tab: Tab) -> None:
        if tab.reset():
            self.free.append(tab)
        else:
            tab.close()

    def close(self) -> None:
        for tab in self.free:
            tab.close()


# --8<-- [end:tab]


@pytest.fixture(scope="session")
def tabs(browser, browser_context_args):
    """One pool for the whole run: a tab another module used is as good as new once reset."""
    pool = Tabs(browser, browser_context_args)
    yield pool
    pool.close()


# --8<-- [start:loopback-only]
def assert_loopback_only(requested: list[str]) -> None:
    foreign = [url for url in requested if urlsplit(url).hostname not in LOOPBACK_HOSTS]
    assert not foreign, f"a page requested non-loopback URLs: {foreign}"


@pytest.fixture
def open_tab(tabs):
    """``open_tab()``: a browser of its own for this test, failing it if it leaves loopback."""
    taken = []

    def take() -> Tab:
        tab = tabs.take()
        taken.append((tab, len(tab.requested)))
        return tab

    yield take
    requested = [url for tab, first in taken for url in tab.requested[first:]]
    for tab, _ in taken:
        tabs.give_back(tab)
    assert_loopback_only(requested)


# --8<-- [end:loopback-only]


@pytest.fixture
def tab(open_tab) -> Tab:
    return open_tab()


@pytest.fixture
def page(tab):
    """A page in Chromium (no CDN, no fonts: any request beyond loopback fails the test)."""
    return tab.page


@pytest.fixture
def lesson_page(page, tab, live_server):
    """The lesson's playground page, loaded from the live server.

    Through ``page``: what a test module adds to its ``page`` fixture (an init script) is there.
    """
    return tab.open(live_server.url + "/")


@pytest.fixture
def open_lesson_page(open_tab, live_server):
    """``open_lesson_page()``: the lesson's page in a browser of its own (another user)."""
    return lambda: open_tab().open(live_server.url + "/")


# The height a lesson page needs for its console to show whole, beside the lesson: the
# console is sticky and as tall as the window at most, scrolling inside past that.
CONSOLE_HEIGHT = """() => {
    const console = document.getElementById('console');
    if (!console || getComputedStyle(console).position !== 'sticky') return 0;
    // Where it starts in the page, not where it sticks once scrolled: the top of its grid.
    const main = console.parentElement;
    const top = main.getBoundingClientRect().top + window.scrollY
        + parseFloat(getComputedStyle(main).paddingTop);
    return Math.ceil(top + console.scrollHeight + top / 2);
}"""


@pytest.fixture
def screenshot(request):
    """``screenshot(page, name)``: saved for the guide when pytest runs with --screenshots.

    A lesson page is shown with its server view live (asserted, screenshots or not) unless the
    page says why it has none (a deployment of several servers), and with its whole console when
    it is beside the lesson: the window grows to fit it for the shot.
    """

    def take(page, name: str) -> None:
        view = page.locator("section.server-view")
        if view.count() and not page.locator("#console[data-server-view-off]").count():
            expect(view.locator(".server-view-status")).to_have_text("live")
        if not request.config.getoption("--screenshots"):
            return
        SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
        size = page.viewport_size
        needed = page.evaluate(CONSOLE_HEIGHT)
        if needed > size["height"]:
            page.set_viewport_size({**size, "height": needed})
        try:
            page.screenshot(path=SCREENSHOTS_DIR / f"{name}.png")
        finally:
            page.set_viewport_size(size)

    return take
