"""Secure defaults, each checked: the secret key, allowed origins, the message size limit, where
the development-server flag may appear, the dependency floors, the Host check, cross-site
requests and the session cookie, request bodies, and lesson 11's private Redis.

What a browser or an attacker meets is checked against live eventlet servers (raw HTTP and a raw
WebSocket), started as `nox -s lesson` starts them.
"""

from __future__ import annotations

import ast
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
import redis
from packaging.requirements import Requirement
from packaging.version import Version

from lessons.lesson09_auth.app import token_serializer
from playground import manifest
from playground.lesson_process import LessonProcess
from playground.redis_server import RedisServer
from playground.run import parse_args
from playground.wiring import DEFAULTS
from tests.robustness.raw import ENGINEIO_PATH, RawSocket, unique
from tests.utils import WAIT_S, wait_until

ROOT = manifest.ROOT
LIMIT = 64 * 1024
EVIL = "http://evil.example"
TRUSTED = "http://trusted.example"

# Past every published advisory (see /work/shared/README.md and docs/reference/settings.md).
FLOORS = {
    "python-socketio": "5.16.2",  # CVE-2025-61765 (fixed in 5.14.0), CVE-2026-48804
    "python-engineio": "4.13.2",  # CVE-2026-48802, CVE-2026-48809
    "eventlet": "0.40.3",  # CVE-2025-58068, CVE-2023-29483
}


def every_lesson_app():
    return [
        pytest.param(lesson, variant, id=f"{lesson.id}-{variant}")
        for lesson in manifest.lessons()
        for variant in lesson.variants
    ]


def python_files() -> list[Path]:
    """The project's Python files: tracked ones and new ones not ignored (as git sees them)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [ROOT / name for name in listed if (ROOT / name).is_file()]


# --- SECRET_KEY ------------------------------------------------------------------------------


@pytest.mark.parametrize("lesson, variant", every_lesson_app())
def test_secret_key_comes_from_the_environment(lesson, variant, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "set-by-the-deployment")
    app, _ = lesson.create_app(variant, ASYNC_MODE="threading")
    assert app.config["SECRET_KEY"] == "set-by-the-deployment"


PRINT_KEY = (
    "from playground import manifest; "
    "print(manifest.find('01').create_app(ASYNC_MODE='threading')[0].config['SECRET_KEY'])"
)


def test_without_secret_key_in_the_environment_each_process_draws_its_own(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    lesson = manifest.find("01")
    first = lesson.create_app(ASYNC_MODE="threading")[0].config["SECRET_KEY"]
    second = lesson.create_app(ASYNC_MODE="threading")[0].config["SECRET_KEY"]
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    other_process = subprocess.run(
        [sys.executable, "-c", PRINT_KEY],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout.strip()

    keys = {first, second, other_process}
    assert len(keys) == 3
    assert all(len(key) == 64 and set(key) <= set("0123456789abcdef") for key in keys)


SECRET_NAMES = {"SECRET_KEY", "secret_key"}


def literal_secret_keys(source: str) -> list[int]:
    """Lines where a secret key gets a value with a string literal in it (other than the name
    of the environment variable it is read from)."""

    def has_literal(value: ast.AST) -> bool:
        return any(
            isinstance(node, ast.Constant)
            and isinstance(node.value, str | bytes)
            and node.value not in SECRET_NAMES
            for node in ast.walk(value)
        )

    def names_secret(target: ast.AST) -> bool:
        return (
            (isinstance(target, ast.Name) and target.id in SECRET_NAMES)
            or (isinstance(target, ast.Attribute) and target.attr in SECRET_NAMES)
            or (
                isinstance(target, ast.Subscript)
                and isinstance(target.slice, ast.Constant)
                and target.slice.value in SECRET_NAMES
            )
        )

    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(names_secret(t) for t in targets) and has_literal(node.value):
                lines.append(node.lineno)
        elif isinstance(node, ast.Call):
            if any(k.arg in SECRET_NAMES and has_literal(k.value) for k in node.keywords):
                lines.append(node.lineno)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                named = isinstance(key, ast.Constant) and key.value in SECRET_NAMES
                if named and has_literal(value):
                    lines.append(node.lineno)
    return lines


@pytest.mark.parametrize(
    "source",
    [
        'app.config["SECRET_KEY"] = "dev"',
        "app.secret_key = b'dev'",
        'SECRET_KEY = "changeme"',
        'app.config.update(SECRET_KEY="dev")',
        'app.config.from_mapping({"SECRET_KEY": "dev"})',
        'app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY", "dev")',
        'app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or "dev"',
        'create_app(SECRET_KEY=f"key-{n}")',
    ],
)
def test_the_literal_secret_key_check_finds_a_literal(source):
    assert literal_secret_keys(source) == [1]


@pytest.mark.parametrize(
    "source",
    [
        'app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or secrets.token_hex(32)',
        'app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]',
        "tokens = token_serializer(app.secret_key)",
    ],
)
def test_the_literal_secret_key_check_lets_a_key_from_elsewhere_through(source):
    assert literal_secret_keys(source) == []


def test_no_lesson_or_playground_code_assigns_a_literal_secret_key():
    checked = [
        path
        for path in python_files()
        if path.relative_to(ROOT).parts[0] in ("lessons", "playground", "scripts")
    ]
    assert ROOT / "playground/wiring.py" in checked  # where the key is set
    found = {
        str(path.relative_to(ROOT)): lines
        for path in checked
        if (lines := literal_secret_keys(path.read_text()))
    }
    assert found == {}


# --- cors_allowed_origins --------------------------------------------------------------------


class ConfiguredLesson(LessonProcess):
    """A lesson served by ``socketio.run`` in eventlet mode like the runner serves it, with
    ``create_app(**config)`` (tests/configured_lesson.py)."""

    def __init__(self, lesson, **config):
        super().__init__(lesson)
        self.config = config

    def command(self) -> list[str]:
        where = [self.host, str(self.port)]
        module = [sys.executable, "-m", "tests.configured_lesson"]
        return [*module, self.lesson.id, json.dumps(self.config), *where]


@pytest.fixture(scope="module")
def default_server():
    """Lesson 05 with every default (its rooms serve the size-limit test below)."""
    with LessonProcess(manifest.find("05")) as server:
        yield server


@pytest.fixture(scope="module")
def configured_server():
    with ConfiguredLesson(manifest.find("01"), CORS_ALLOWED_ORIGINS=[TRUSTED]) as server:
        yield server


def handshake(server, origin: str | None) -> tuple[int, str, str | None]:
    """A polling handshake carrying ``origin``: (status, body, Access-Control-Allow-Origin)."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=WAIT_S)
    try:
        headers = {"Origin": origin} if origin else {}
        connection.request("GET", ENGINEIO_PATH + "polling", headers=headers)
        response = connection.getresponse()
        body = response.read().decode()
        return response.status, body, response.getheader("Access-Control-Allow-Origin")
    finally:
        connection.close()


@pytest.mark.parametrize("lesson, variant", every_lesson_app())
def test_every_lesson_is_same_origin_by_default(lesson, variant):
    _, socketio = lesson.create_app(variant, ASYNC_MODE="threading")
    assert socketio.server.eio.cors_allowed_origins is None


def test_a_handshake_from_a_foreign_origin_is_refused(default_server):
    status, body, allowed = handshake(default_server, EVIL)
    assert (status, body, allowed) == (400, '"Not an accepted origin."', None)
    # Same host, another name: another origin.
    localhost = default_server.url.replace("127.0.0.1", "localhost")
    assert handshake(default_server, localhost)[0] == 400


def test_a_handshake_from_the_same_origin_is_accepted(default_server):
    status, body, allowed = handshake(default_server, default_server.url)
    assert status == 200 and body.startswith('0{"sid":')
    assert allowed == default_server.url


def test_a_handshake_without_origin_is_accepted(default_server):
    # Not a browser (a Python client, curl): there is no page whose origin could be checked.
    status, body, allowed = handshake(default_server, None)
    assert status == 200 and body.startswith('0{"sid":')
    assert allowed is None


def test_a_configured_origin_is_accepted(configured_server):
    status, body, allowed = handshake(configured_server, TRUSTED)
    assert status == 200 and body.startswith('0{"sid":')
    assert allowed == TRUSTED
    assert handshake(configured_server, EVIL)[0] == 400


def test_a_configured_list_replaces_the_same_origin(configured_server):
    # The list is the whole list: the server's own pages are refused unless it names them too.
    assert handshake(configured_server, configured_server.url)[0] == 400


# --- max_http_buffer_size --------------------------------------------------------------------


def test_the_message_size_limit_is_64_kib():
    assert DEFAULTS["MAX_HTTP_BUFFER_SIZE"] == LIMIT
    assert "64 KiB" in (ROOT / "docs/reliability.md").read_text()  # the guide states it


@pytest.mark.parametrize("lesson, variant", every_lesson_app())
def test_every_lesson_applies_the_limit(lesson, variant):
    _, socketio = lesson.create_app(variant, ASYNC_MODE="threading")
    assert socketio.server.eio.max_http_buffer_size == LIMIT


def member(server) -> RawSocket:
    raw = RawSocket(server.url)
    raw.sid = raw.connect()
    raw.room = unique("room")
    raw.call("join", raw.room)
    return raw


def test_an_oversized_message_is_refused_and_its_sender_disconnected(default_server):
    sender, other, auditor = (member(default_server) for _ in range(3))
    try:
        assert sender.handshake["maxPayload"] == LIMIT  # the server tells every client its limit
        at_limit = "42" + json.dumps(["say", sender.room, ""], separators=(",", ":"))
        at_limit = at_limit[:-2] + "x" * (LIMIT - len(at_limit)) + '"]'
        assert len(at_limit) == LIMIT
        sender.send(at_limit)  # up to the limit: served
        sender.wait_until(lambda: sender.received.events, what="the message at the limit")

        sender.send(at_limit[:-2] + 'x"]')  # one byte over

        closed = sender.wait_closed()
        assert closed.reason == 1009  # WebSocket "message too big", from the server
        wait_until(lambda: auditor.call("rooms", sender.sid) == [[]], what="sender forgotten")
        # Everyone else is served: a client already there, and a new one.
        assert other.call("say", other.room, "fine") == ["sent"]
        assert other.received.events == [
            ("/", "said", [{"room": other.room, "from": other.sid, "text": "fine"}])
        ]
        newcomer = member(default_server)
        newcomer.close()
    finally:
        for raw in (sender, other, auditor):
            raw.close()


# --- the development server's flag -----------------------------------------------------------

FLAG = "allow_unsafe_" + "werkzeug"  # spelled apart so that this file does not match itself


def test_the_unsafe_werkzeug_flag_is_only_in_the_runner_with_the_reason():
    """Outside tests/ (whose harnesses may serve a test app on loopback the same way), only the
    runner may pass it, and only with a comment saying why."""
    using = [
        path.relative_to(ROOT).as_posix()
        for path in python_files()
        if path.relative_to(ROOT).parts[0] != "tests" and FLAG in path.read_text()
    ]
    assert using == ["playground/run.py"]
    lines = (ROOT / "playground/run.py").read_text().splitlines()
    [call] = [i for i, line in enumerate(lines) if f"{FLAG}=True" in line]
    comments = [line.strip() for line in lines[max(0, call - 8) : call] if "#" in line]
    assert any(FLAG in comment for comment in comments), comments
    assert parse_args(["01"]).host == "127.0.0.1"  # the reason given: loopback by default


# --- dependency floors -----------------------------------------------------------------------


@pytest.mark.parametrize("package, floor", FLOORS.items())
def test_installed_versions_are_past_every_advisory(package, floor):
    assert Version(version(package)) >= Version(floor)


def pyproject_requirements() -> list[tuple[str, Requirement]]:
    with open(ROOT / "pyproject.toml", "rb") as f:
        pyproject = tomllib.load(f)
    found = [("project.dependencies", Requirement(r)) for r in pyproject["project"]["dependencies"]]
    for group, requirements in pyproject.get("dependency-groups", {}).items():
        found += [
            (f"dependency-groups.{group}", Requirement(r))
            for r in requirements
            if isinstance(r, str)
        ]
    return found


@pytest.mark.parametrize("package, floor", FLOORS.items())
def test_pyproject_declares_the_floors(package, floor):
    requirements = pyproject_requirements()
    declared = [r for where, r in requirements if where == "project.dependencies"]
    [requirement] = [r for r in declared if r.name == package]
    assert [(s.operator, s.version) for s in requirement.specifier] == [(">=", floor)]
    # A dependency group that names the package again cannot lower its floor.
    for where, requirement in requirements:
        if requirement.name == package:
            lowest = [Version(s.version) for s in requirement.specifier if s.operator == ">="]
            assert lowest and max(lowest) >= Version(floor), where


# --- Host: DNS rebinding ---------------------------------------------------------------------


@pytest.mark.parametrize("lesson, variant", every_lesson_app())
def test_every_lesson_answers_only_requests_that_name_it(lesson, variant):
    """The live servers, the playground and every transport: tests/robustness/test_rebinding.py."""
    app, _ = lesson.create_app(variant, ASYNC_MODE="threading")
    client = app.test_client()  # Host: localhost, on port 80
    assert client.get("/").status_code == 200
    refused = client.get("/", headers={"Host": "rebound.example"})
    assert refused.status_code == 421
    assert refused.text.startswith("421 Misdirected Request: 'rebound.example' is not this server")
    assert client.get("/", headers={"Host": "localhost:8080"}).status_code == 421
    allowed, _ = lesson.create_app(variant, ASYNC_MODE="threading", ALLOWED_HOSTS=["lessons.test"])
    assert allowed.test_client().get("/", headers={"Host": "lessons.test"}).status_code == 200


# --- cross-site requests ---------------------------------------------------------------------

CROSS_SITE = {
    "foreign-origin": {"Origin": EVIL},
    "sandboxed-origin": {"Origin": "null"},
    "same-host-other-port": {"Origin": "http://localhost:8080"},
    "fetch-metadata-cross-site": {"Sec-Fetch-Site": "cross-site"},
    "fetch-metadata-same-site": {"Sec-Fetch-Site": "same-site"},  # another port of localhost
}


def state_changing_routes(app) -> list[str]:
    """Every URL of the app that takes a non-GET method (a sid in the path filled in)."""
    return sorted(
        rule.rule.replace("<sid>", "some-sid")
        for rule in app.url_map.iter_rules()
        if rule.methods - {"GET", "HEAD", "OPTIONS"}
    )


def test_the_lessons_that_change_state_over_http_are_these():
    found = {
        lesson.id: state_changing_routes(lesson.create_app(ASYNC_MODE="threading")[0])
        for lesson in manifest.lessons()
    }
    assert {lesson: routes for lesson, routes in found.items() if routes} == {
        "03": [
            "/view/emit",
            "/view/emit-broadcast",
            "/view/emit-to/some-sid",
            "/view/socketio-emit",
            "/view/socketio-emit-broadcast",
        ],
        "04": ["/announce"],
        "09": ["/login", "/logout"],
        "11": ["/worker"],
    }


@pytest.mark.parametrize("lesson_id", ["03", "04", "09", "11"])
@pytest.mark.parametrize("headers", CROSS_SITE.values(), ids=CROSS_SITE.keys())
def test_every_state_changing_request_from_another_site_is_refused(lesson_id, headers):
    app, socketio = manifest.find(lesson_id).create_app(ASYNC_MODE="threading")
    token = token_serializer(app.secret_key).dumps("Watcher")  # lesson 09 wants credentials
    watcher = socketio.test_client(app, auth={"token": token})
    assert watcher.is_connected()
    client = app.test_client()
    for route in state_changing_routes(app):
        answer = client.post(route, data={"text": "hi", "user": "Mallory"}, headers=headers)
        assert answer.status_code == 403, route
        why = f"Origin {headers['Origin']}" if "Origin" in headers else "Sec-Fetch-Site: "
        assert answer.json["error"].startswith(f"cross-site POST refused: {why}"), answer.json
        assert "Set-Cookie" not in answer.headers
    assert watcher.get_received() == []  # nothing was emitted by any of them


@pytest.mark.parametrize("lesson_id", ["03", "04", "09"])
def test_the_same_origin_and_clients_that_are_not_browsers_are_served(lesson_id):
    app, _ = manifest.find(lesson_id).create_app(ASYNC_MODE="threading")
    client = app.test_client()
    same_origin = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
    for headers in (same_origin, {}):  # {}: curl or Python, with neither header
        for route in state_changing_routes(app):
            answer = client.post(route, data={"text": "hi", "user": "Ann"}, headers=headers)
            assert answer.status_code != 403, (route, answer.text)


def test_the_session_cookie_is_httponly_and_samesite_lax_not_secure():
    app, _ = manifest.find("09").create_app(ASYNC_MODE="threading")
    cookie = app.test_client().post("/login", data={"user": "Ann"}).headers["Set-Cookie"]
    attributes = {part.strip().split("=")[0] for part in cookie.split(";")}
    assert {"HttpOnly", "SameSite"} <= attributes and "Secure" not in attributes
    assert "SameSite=Lax" in cookie
    assert DEFAULTS["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.fixture(scope="module")
def broadcast_server():
    with LessonProcess(manifest.find("04")) as server:
        yield server


def post(server, path: str, fields: str, origin: str | None):
    """(status, JSON answer, Set-Cookie) of a form POST, as a page at ``origin`` sends it."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=WAIT_S)
    try:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        headers |= {"Origin": origin} if origin else {}
        connection.request("POST", path, body=fields, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read()), response.getheader("Set-Cookie")
    finally:
        connection.close()


def test_a_cross_site_announcement_is_refused_and_nothing_is_broadcast(broadcast_server):
    listener = RawSocket(broadcast_server.url)
    try:
        listener.connect()
        status, answer, _ = post(broadcast_server, "/announce", "text=from+evil", EVIL)
        assert (status, answer) == (
            403,
            {"error": f"cross-site POST refused: Origin {EVIL} is not {broadcast_server.url}"},
        )
        assert post(broadcast_server, "/announce", "text=ours", broadcast_server.url)[:2] == (
            200,
            {"sent": "ours"},
        )
        listener.wait_until(lambda: listener.received.events, what="the announcement")
        assert listener.received.events == [("/", "announcement", ["ours"])]  # the first is ours
    finally:
        listener.close()


@pytest.fixture(scope="module")
def auth_server():
    with LessonProcess(manifest.find("09")) as server:
        yield server


def test_a_cross_site_login_or_logout_is_refused_and_sets_no_session(auth_server):
    for path in ("/login", "/logout"):
        status, answer, cookie = post(auth_server, path, "user=Mallory", EVIL)
        assert status == 403 and cookie is None
        assert answer["error"].startswith("cross-site POST refused: Origin http://evil.example")
    status, answer, cookie = post(auth_server, "/login", "user=Ann", auth_server.url)
    assert (status, answer["user"]) == (200, "Ann")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- request bodies ----------------------------------------------------------------------------


@pytest.mark.parametrize("lesson, variant", every_lesson_app())
def test_every_lesson_bounds_http_request_bodies(lesson, variant):
    """Over the limit, live and before the body is read: tests/robustness/test_exhaustion.py."""
    app, _ = lesson.create_app(variant, ASYNC_MODE="threading")
    assert app.config["MAX_CONTENT_LENGTH"] == LIMIT
    assert app.config["MAX_FORM_MEMORY_SIZE"] == LIMIT
    assert app.config["MAX_FORM_PARTS"] == DEFAULTS["MAX_FORM_PARTS"] < 1000  # Flask's 1,000


# --- the private Redis of lesson 11 ------------------------------------------------------------


@pytest.fixture
def redis_server():
    with RedisServer() as server:
        yield server


def redis_says(server, command: bytes) -> bytes:
    """What the server answers to an inline command (as ``redis-cli`` or ``nc`` sends one)."""
    with socket.create_connection((server.host, server.port), timeout=WAIT_S) as c:
        c.sendall(command)
        return c.recv(4096)


def test_the_private_redis_refuses_a_client_without_its_password(redis_server):
    assert re.fullmatch(r"redis://:[0-9a-f]{32}@127\.0\.0\.1:\d+", redis_server.url)
    assert redis_says(redis_server, b"PING\r\n").startswith(b"-NOAUTH")
    assert redis_says(redis_server, b"CONFIG GET dir\r\n").startswith(b"-NOAUTH")
    with redis.Redis.from_url(redis_server.url) as client:  # the URL carries it
        assert client.ping()
    cmdline = Path(f"/proc/{redis_server.process.pid}/cmdline").read_bytes()
    assert redis_server.password.encode() not in cmdline  # not in anyone's process list


def test_the_private_redis_works_in_a_temporary_directory_of_its_own(redis_server):
    checkout_before = git_status()
    with redis.Redis.from_url(redis_server.url) as client:
        directory = Path(client.config_get("dir")["dir"])
        assert directory == redis_server.directory
        assert directory.parent == Path(tempfile.gettempdir()) and ROOT not in directory.parents
        assert client.save()  # what any local process could do before: now it needs the password
    assert (directory / "dump.rdb").is_file()
    assert not (ROOT / "dump.rdb").exists() and git_status() == checkout_before

    redis_server.stop()

    assert not directory.exists()


def git_status() -> str:
    return subprocess.run(
        ["git", "status", "--porcelain", "--ignored"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
