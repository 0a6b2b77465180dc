"""The runner (`nox -s lesson`) and the launcher (`nox -s playground`) as a user meets them."""

import dataclasses
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from playground import manifest
from playground.launcher import index_app, load, own_names, playground_app
from playground.lesson_process import LessonProcess, PlaygroundProcess
from playground.run import EXIT_PORT_IN_USE, EXIT_USAGE, parse_args
from playground.server_process import free_port
from tests.utils import WAIT_S, running, wait_until

RUN = [sys.executable, "-m", "playground.run"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*RUN, *args], capture_output=True, text=True, timeout=30)


def test_unknown_lesson_prints_the_valid_ids_in_one_line_and_exits_2():
    result = run("99")
    assert result.returncode == EXIT_USAGE == 2
    assert result.stderr.strip().splitlines() == [
        "error: unknown lesson '99'; valid lessons: "
        + ", ".join(f"{lesson.id} ({lesson.slug})" for lesson in manifest.lessons())
    ]


def test_no_lesson_lists_each_id_slug_and_title_and_how_to_run_one():
    result = run()
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "nox -s lesson -- 05" in lines[0]
    listed = [line.split(maxsplit=2) for line in lines[1 : 1 + len(manifest.lessons())]]
    assert listed == [[lesson.id, lesson.slug, lesson.title] for lesson in manifest.lessons()]
    assert "--port" in result.stdout and "--async-mode" in result.stdout  # the options too


def test_options_go_before_or_after_the_lesson():
    before, after = parse_args(["--port", "5001", "05"]), parse_args(["05", "--port", "5001"])
    assert before == after and (before.lesson, before.port) == ("05", 5001)


def test_port_in_use_is_a_clear_message_not_a_traceback():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("--port", str(port), "01")  # options first works as well
    assert result.returncode == EXIT_PORT_IN_USE
    assert result.stderr.strip() == (
        f"error: port {port} on 127.0.0.1 is already in use; choose another with --port"
    )


@pytest.mark.parametrize("async_mode", ["threading", "gevent"])
def test_lesson_runs_in_other_async_modes(async_mode):
    """eventlet, the default, is what every live_server fixture runs."""
    lesson = manifest.lessons()[0]
    server = LessonProcess(lesson, async_mode=async_mode)
    with server, urllib.request.urlopen(server.url + "/socket.io/?EIO=4&transport=polling") as r:
        assert r.read().startswith(b'0{"sid":')  # an Engine.IO open packet
    assert f"({async_mode})" in server.read_output()


def test_playground_prints_one_url_serves_every_lesson_and_stops_on_sigterm():
    with PlaygroundProcess() as playground:
        launcher, url, printed = playground.process, playground.url, playground.printed
        assert len(re.findall(r"http://", "".join(printed))) == 1, printed
        index = urllib.request.urlopen(url).read().decode()

        for lesson in manifest.lessons():  # mounted, or in a process of its own behind it
            assert f'data-lesson="{lesson.id}" data-status="live"' in index
            assert f'<a href="lessons/{lesson.id}/">' in index
            page = urllib.request.urlopen(f"{url}lessons/{lesson.id}/").read().decode()
            assert f'data-socketio-path="/lessons/{lesson.id}/socket.io"' in page
            handshake = f"{url}lessons/{lesson.id}/socket.io/?EIO=4&transport=polling"
            assert urllib.request.urlopen(handshake).read().startswith(b'0{"sid":')

        started = time.monotonic()
        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(timeout=WAIT_S) == 0
        assert time.monotonic() - started < 2
        with pytest.raises(OSError):
            urllib.request.urlopen(url, timeout=2)


def test_a_lesson_that_fails_to_load_is_shown_failed_and_the_others_live():
    broken = manifest.Lesson("99", "broken", "Broken", "Cannot be imported.", ("app",))
    entries, apps = load([manifest.lessons()[0], broken], "threading")

    assert [entry.live for entry in entries] == [True, False]
    assert list(apps) == [entries[0].path]
    index = index_app(entries).test_client().get("/").text
    assert 'data-lesson="99" data-status="failed"' in index
    assert "No module named &#39;lessons.lesson99_broken&#39;" in index


def test_a_lesson_marked_own_process_runs_in_its_own_process_at_its_path():
    first = manifest.lessons()[0]
    alone = dataclasses.replace(first, own_process="it blocks its server on purpose")
    port = free_port()  # known first: its own-process lesson must accept the playground's Host
    entries, apps = load([alone], "threading", own_names("127.0.0.1", port, []))
    [entry] = entries
    server = make_server("127.0.0.1", port, playground_app(entries, apps), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/"
    try:
        assert apps == {} and entry.own.wait_started() == "live"
        assert entry.own.server.process.pid != os.getpid()  # a process of its own
        index = urllib.request.urlopen(url).read().decode()
        assert f'<a href="lessons/{first.id}/">{first.title}</a>' in index
        page = urllib.request.urlopen(f"{url}lessons/{first.id}/").read().decode()
        assert first.title in page
        assert f'data-socketio-path="/lessons/{first.id}/socket.io"' in page
    finally:
        server.shutdown()
        server.server_close()
        entry.own.stop()
    assert entry.own.server is None and entry.own.status == "live"  # stopped, not crashed


def test_the_runner_serves_under_a_prefix_with_the_server_view_on_unless_told():
    lesson = manifest.lessons()[0]
    with LessonProcess(lesson, args=("--prefix", "/lessons/01")) as server:
        page = urllib.request.urlopen(f"{server.url}/lessons/01/").read().decode()
        assert 'data-socketio-path="/lessons/01/socket.io"' in page
        assert "data-server-view=" in page  # on by default
        handshake = f"{server.url}/lessons/01/socket.io/?EIO=4&transport=polling"
        assert urllib.request.urlopen(handshake).read().startswith(b'0{"sid":')
        with pytest.raises(urllib.error.HTTPError) as outside:
            urllib.request.urlopen(f"{server.url}/")
        outside.value.close()
        assert outside.value.code == 404
        assert f"{server.url}/lessons/01/" in server.read_output()  # the URL it prints
    with LessonProcess(lesson, args=("--no-server-view",)) as server:
        page = urllib.request.urlopen(f"{server.url}/").read().decode()
        assert "data-server-view=" not in page


def test_a_prefix_that_is_not_a_path_is_a_usage_error():
    result = run("01", "--prefix", "lessons/01/")
    assert result.returncode == EXIT_USAGE
    assert result.stderr.strip() == "error: --prefix 'lessons/01/': a path such as /lessons/01"


def test_a_killed_parent_leaves_no_lesson_server_behind():
    """Even a SIGKILLed test run or playground takes its lesson servers with it."""
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import signal; from playground import manifest;"
            "from playground.lesson_process import LessonProcess;"
            "server = LessonProcess(manifest.find('01')).start();"
            "print(server.process.pid, flush=True); signal.pause()",
        ],
        cwd=manifest.ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    server_pid = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    parent.stdout.close()

    wait_until(lambda: not running(server_pid), f"lesson server {server_pid} gone with its parent")


def test_a_lesson_page_links_around_the_playground_only_when_it_is_in_it():
    lesson = manifest.find("05")
    app, _ = lesson.create_app(ASYNC_MODE="threading", TESTING=True)
    alone = app.test_client().get("/").text  # as nox -s lesson serves it
    assert 'rel="next"' not in alone and "/guide/" not in alone
    assert "Every lesson, and the guide beside them:" in alone
    mounted = app.test_client().get("/", environ_overrides={"SCRIPT_NAME": "/lessons/05"}).text
    assert '<a rel="prev" href="/lessons/04/">' in mounted
    assert '<a rel="next" href="/lessons/06/">' in mounted
    assert '<a class="guide-link" href="/guide/lessons/05-rooms/">' in mounted


def test_the_playground_serves_the_built_guide_or_says_how_to_build_it(tmp_path):
    http = index_app([], guide_site=tmp_path / "site").test_client()

    def get(path: str) -> tuple[int, str]:
        with http.get(path) as response:  # closes the file it streams
            moved = response.location and urlsplit(response.location).path
            return response.status_code, moved or response.get_data(as_text=True)

    status, text = get("/guide/")
    assert status == 404 and "nox -s docs" in text

    (tmp_path / "site/lessons/05-rooms").mkdir(parents=True)
    (tmp_path / "site/index.html").write_text("<h1>Home</h1>")
    (tmp_path / "site/lessons/05-rooms/index.html").write_text("<h1>Rooms</h1>")
    (tmp_path / "secret.txt").write_text("outside the site")
    assert get("/guide/") == (200, "<h1>Home</h1>")
    assert get("/guide/lessons/05-rooms/") == (200, "<h1>Rooms</h1>")
    # Its relative links need the slash.
    assert get("/guide/lessons/05-rooms") == (308, "/guide/lessons/05-rooms/")
    assert get("/guide") == (308, "/guide/")
    assert get("/guide/../secret.txt")[0] == 404
    assert get("/guide/%2e%2e/secret.txt")[0] == 404
