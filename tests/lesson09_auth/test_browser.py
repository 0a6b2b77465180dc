"""Lesson 09 — authenticating a connection, proven in Chromium against live servers.

Three servers: the module's ``live_server`` (access log on, a random SECRET_KEY whatever the
environment says), ``keyed_server`` (a SECRET_KEY this test run generated, so the tests can make
tokens like a second process of the same deployment) and, for the access-log test, a server of
its own that is stopped before its output is read: eventlet and gevent log a WebSocket request
when it ends (Werkzeug, in threading mode, not at all).
"""

import json
import re
import secrets
import time
import urllib.request

import pytest
from itsdangerous import TimestampSigner
from playwright.sync_api import expect

from lessons.lesson09_auth.app import TOKEN_MAX_AGE, token_serializer
from playground.claims import holds_in
from playground.lesson_process import LessonProcess
from tests.utils import WAIT_S, log_entries, panel, payloads, play, run_js, websocket_frames

KEY = secrets.token_hex(32)  # this run's SECRET_KEY for keyed_server: never a constant


@pytest.fixture(scope="module")
def live_server(lesson, server_mode):
    """The lesson with its access log on and a random SECRET_KEY, as a learner starts it."""
    server = LessonProcess(
        lesson, async_mode=server_mode, args=("--access-log",), env={"SECRET_KEY": ""}
    ).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def keyed_server(lesson, server_mode):
    """The lesson with SECRET_KEY set: the tests hold the key, like a second server process."""
    server = LessonProcess(lesson, async_mode=server_mode, env={"SECRET_KEY": KEY}).start()
    yield server
    server.stop()


def mint(user: str, age: int = 0) -> str:
    """A token for ``user`` signed with KEY, as keyed_server would have issued it ``age`` s ago."""
    signer_clock = TimestampSigner.get_timestamp
    TimestampSigner.get_timestamp = lambda self: int(time.time()) - age
    try:
        return token_serializer(KEY).dumps(user)
    finally:
        TimestampSigner.get_timestamp = signer_clock


def login_over_http(server, user: str) -> str:
    """``POST /login`` from outside any browser; returns the token."""
    request = urllib.request.Request(
        server.url + "/login", data=f"user={user}".encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=WAIT_S) as response:
        return json.load(response)["token"]


# --- the scenarios in the console ----------------------------------------------------------------


@pytest.mark.claim("L09.3")
def test_wrong_token_scenario_in_the_console(lesson_page):
    page = lesson_page
    play(page, "Wrong token")

    for name in ("Dave", "Erin"):
        expect(panel(page, name).locator(".status")).to_have_text("refused")
    assert payloads(page, "Dave", "sys", "connect_error") == [
        {"message": "Connection rejected by server"}
    ]
    assert payloads(page, "Erin", "sys", "connect_error") == [
        {"message": "invalid token", "data": {"via": "auth"}}
    ]
    # Alice's broadcast came back to her before her ack; Dave and Erin heard nothing.
    assert payloads(page, "Alice", "ack", "say") == ["sent"]
    assert payloads(page, "Alice", "in", "said") == [{"user": "alice", "text": "Hello, everyone"}]
    for name in ("Dave", "Erin"):
        expect(panel(page, name).locator('li.entry[data-direction="in"]')).to_have_count(0)


@pytest.mark.claim("L09.1", "L09.2", "L09.5", "L09.6")
def test_the_three_ways_in_scenarios_in_the_console(lesson_page, live_server, screenshot):
    page = lesson_page
    play(page, "Connect with auth token")
    play(page, "Connect with token in the query string")
    alice, bob = run_js(
        page,
        """async () => [Playground.client('Alice').socket.auth.token,
                        Playground.client('Bob').socket.io.opts.query.token]""",
    )
    # The handshake request of Bob's connection, as the server's access log printed it.
    printed = live_server.read_output()
    handshake = rf'"GET /socket\.io/\?token={re.escape(bob)}&EIO=4&transport=polling&t=[\w-]+ HTTP'
    assert re.search(handshake, printed)
    assert alice not in printed
    play(page, "Log in, then connect")

    carol = {"user": "carol", "via": "cookie"}
    mallory = {"user": "mallory", "via": "cookie"}
    # The first connection: the cookie's user, then its own copy renamed; the second: the cookie.
    assert payloads(page, "Carol", "ack", "whoami") == [carol, mallory, carol]
    assert payloads(page, "Carol", "ack", "rename") == [mallory]
    assert payloads(page, "Carol", "sys", "GET /whoami") == [{"user": "carol"}]
    expect(page.locator("#login-result")).to_have_text('GET /whoami → 200 {"user":"carol"}')
    expect(log_entries(page, "Carol", "sys", "connect")).to_have_count(2)
    assert payloads(page, "Alice", "ack", "whoami") == [{"user": "alice", "via": "auth"}]
    assert payloads(page, "Bob", "ack", "whoami") == [{"user": "bob", "via": "query"}]
    # For the guide: three panels in a row, each log in full, showing what came back.
    page.set_viewport_size({"width": 1600, "height": 1760})
    page.add_style_tag(
        content="#console .log { max-height: none; } "
        '#console li.entry[data-direction="out"] { display: none; }'
    )
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "lesson09-auth")


@pytest.mark.claim("L09.5")
def test_the_login_form_then_a_console_client(lesson_page):
    page = lesson_page
    url = page.url
    page.locator("#login-user").fill("zoe")
    page.get_by_role("button", name="Log in", exact=True).click()
    # The page shows the start of the token only.
    shown = r'^POST /login → 200 \{"max_age":300,"token":"[\w.-]{12}…","user":"zoe"\}$'
    expect(page.locator("#login-result")).to_have_text(re.compile(shown))
    assert page.url == url  # fetch: no navigation, the console stays

    carol = panel(page, "Carol")
    carol.get_by_role("button", name="Connect", exact=True).click()
    expect(carol.locator(".status")).to_have_text("connected")
    whoami = run_js(page, "() => Playground.client('Carol').emitWithAck('whoami', [])")
    assert whoami == [{"user": "zoe", "via": "cookie"}]  # the ack's arguments
    # The session cookie is HttpOnly: it goes with every request, but no script can read it.
    assert page.evaluate("document.cookie") == ""
    assert [c["name"] for c in page.context.cookies() if c["httpOnly"]] == ["session"]


# --- L09.1 / L09.2 with raw clients ------------------------------------------------------------


@pytest.mark.claim("L09.1")
def test_a_token_in_auth_or_in_the_query_string_reaches_connect(lesson_page):
    page = lesson_page
    result = run_js(
        page,
        """async () => {
            const {token} = (await kit.http('POST', '/login', {user: 'alice'})).body;
            await kit.http('POST', '/logout');  // the tokens alone now
            const inAuth = await kit.connect('/', {auth: {token}});
            const inQuery = await kit.connect('/', {query: {token}});
            const both = await kit.connect('/', {auth: {token}, query: {token: 'ignored'}});
            return Promise.all([inAuth, inQuery, both].map(s => kit.send(s, 'whoami')));
        }""",
    )
    assert result == [
        {"user": "alice", "via": "auth"},
        {"user": "alice", "via": "query"},
        {"user": "alice", "via": "auth"},  # auth is looked at first
    ]


@pytest.mark.claim("L09.2")
def test_a_query_token_is_in_every_request_url_and_the_access_log(tab, lesson, server_mode):
    page = tab.page
    requests, websockets = [], []
    page.on("request", lambda r: requests.append((r.method, r.url, r.post_data or "")))
    page.on("websocket", lambda ws: websockets.append(ws.url))
    server = LessonProcess(lesson, async_mode=server_mode, args=("--access-log",)).start()
    try:
        tab.open(server.url + "/")
        history = page.evaluate("history.length")
        tokens = run_js(
            page,
            """async () => {
                const login = async (user) => (await kit.http('POST', '/login', {user})).body;
                const bob = (await login('bob')).token, alice = (await login('alice')).token;
                // socket.io-client's default: long-polling first, then the upgrade to WebSocket.
                const transports = ['polling', 'websocket'];
                const upgraded = (socket) => socket.io.engine.transport.name === 'websocket'
                    ? null : new Promise(resolve => socket.io.engine.once('upgrade', resolve));
                for (const options of [{query: {token: bob}}, {auth: {token: alice}}]) {
                    const socket = await kit.connect('/', {transports, ...options});
                    await upgraded(socket);
                    await kit.send(socket, 'whoami');
                    socket.disconnect();
                }
                return {bob, alice};
            }""",
        )
        assert page.evaluate("[location.href, history.length]") == [server.url + "/", history]
        # The page's scripts can list the request URLs (Resource Timing): Bob's token is there.
        timings = page.evaluate(
            "performance.getEntriesByType('resource').map(entry => entry.name)"
            ".filter(name => name.includes('/socket.io/?token='))"
        )
    finally:
        server.stop()  # a WebSocket's request is logged when it ends: stop, then read
    printed = server.read_output()
    bob, alice = tokens["bob"], tokens["alice"]

    logged = re.findall(r'"(GET|POST) /socket\.io/\?(\S+) HTTP/1\.1" 200', printed)
    with_bob = [(method, query) for method, query in logged if query.startswith(f"token={bob}&")]
    transports = {(m, re.search(r"transport=(\w+)", q)[1], "sid=" in q) for m, q in with_bob}
    polling = {
        ("GET", "polling", False),  # the handshake
        ("GET", "polling", True),  # a long-poll
        ("POST", "polling", True),  # a message sent by long-polling (the CONNECT packet)
    }
    upgrade = {("GET", "websocket", True)}
    # Werkzeug (threading mode) logs no line for a WebSocket: simple-websocket answers it.
    assert transports == (polling | upgrade if holds_in("L09.2", server_mode) else polling)
    assert alice not in printed  # Alice's token was in no URL...
    socketio_urls = [url for _, url, _ in requests if "/socket.io/" in url] + websockets
    assert [url for url in socketio_urls if alice in url] == []
    assert all(bob in url for url in socketio_urls if "token=" in url)
    assert any(bob in url for url in websockets)
    assert timings and all(bob in url for url in timings)
    # ...but in the body of the POST that carried the CONNECT packet ("40" + auth) to "/" (the
    # page's server view connects to its own namespace: "40/admin,…").
    to_root = re.compile(r"40(\{.*)?")
    posted = [body for method, _, body in requests if method == "POST"]
    connects = [body for body in posted if to_root.fullmatch(body)]
    assert connects == ["40", f'40{{"token":"{alice}"}}']


# --- L09.3 refused clients -----------------------------------------------------------------------


@pytest.mark.claim("L09.3")
def test_refusals_show_their_message_and_data(lesson_page):
    page = lesson_page
    result = run_js(
        page,
        """async () => {
            const {token} = (await kit.http('POST', '/login', {user: 'erin'})).body;
            await kit.http('POST', '/logout');
            const [payload, timestamp, signature] = token.split('.');
            const alice = btoa('"alice"').replace(/=+$/, '');  // the payload is only base64
            return {
                payload: atob(payload),
                refusals: await Promise.all([
                    {}, {auth: {token: 'alice'}},
                    {auth: {token: `${alice}.${timestamp}.${signature}`}},
                    {query: {token: token.slice(0, -1)}},
                ].map(options => kit.refusal('/', options))),
            };
        }""",
    )
    assert result == {
        "payload": '"erin"',  # signed, not encrypted: anyone can read a token
        "refusals": [
            {"message": "Connection rejected by server", "data": None},  # return False
            {"message": "invalid token", "data": {"via": "auth"}},
            {"message": "invalid token", "data": {"via": "auth"}},  # edited to say "alice"
            {"message": "invalid token", "data": {"via": "query"}},
        ],
    }


@pytest.mark.claim("L09.3")
def test_a_refused_client_hears_nothing_and_its_emits_wait_in_its_buffer(lesson_page):
    page = lesson_page
    sent = websocket_frames(page, "sent")
    result = run_js(
        page,
        """async () => {
            const {token} = (await kit.http('POST', '/login', {user: 'alice'})).body;
            const alice = await kit.connect('/', {auth: {token}});
            await kit.http('POST', '/logout');
            // kit.socket, not kit.connect: that closes a refused socket, and Dave's must stay.
            window.dave = kit.socket('/', {auth: {token: 'dave'}});
            const refusal = await new Promise((resolve) => dave.once('connect_error',
                (err) => resolve({message: err.message, data: err.data ?? null})));
            dave.emit('say', 'sneaky');  // not connected: socket.io-client keeps it
            window.alice = alice;
            const ack = await kit.send(alice, 'say', 'Hello, everyone');
            return {refusal, ack, alice: alice.heard, dave: dave.heard,
                    buffered: dave.sendBuffer.length, active: dave.active};
        }""",
    )
    assert result == {
        "refusal": {"message": "invalid token", "data": {"via": "auth"}},
        "ack": "sent",
        "alice": [["said", {"user": "alice", "text": "Hello, everyone"}]],
        "dave": [],
        "buffered": 1,
        "active": False,  # refused: socket.io-client does not try again by itself
    }
    assert [frame for frame in sent if "sneaky" in frame] == []  # it never left the browser

    # If the same socket connects later, the buffer goes out: Alice now hears Dave's old line.
    later = run_js(
        page,
        """async () => {
            dave.auth = {token: (await kit.http('POST', '/login', {user: 'dave'})).body.token};
            dave.connect();
            return kit.heard(await kit.until(alice, 'said', 2), 'said')[1];
        }""",
    )
    assert later == {"user": "dave", "text": "sneaky"}


# --- L09.4 SECRET_KEY and expiry -----------------------------------------------------------------


@pytest.mark.claim("L09.4")
def test_tokens_are_only_as_good_as_their_key_and_age(tab, keyed_server, live_server):
    page = tab.open(keyed_server.url + "/")
    tokens = {
        "minted here with the same key": mint("alice"),
        "from another process": login_over_http(live_server, "alice"),
        "too old": mint("alice", age=TOKEN_MAX_AGE + 1),
        "almost too old": mint("bob", age=TOKEN_MAX_AGE - 5),
    }
    result = run_js(
        page,
        """async (tokens) => {
            const answers = {};
            for (const [name, token] of Object.entries(tokens)) {
                answers[name] = await kit.connect('/', {auth: {token}}).then(
                    (socket) => kit.send(socket, 'whoami'),
                    (err) => ({message: err.message, data: err.data ?? null}));
            }
            return answers;
        }""",
        tokens,
    )
    assert result == {
        "minted here with the same key": {"user": "alice", "via": "auth"},
        "from another process": {"message": "invalid token", "data": {"via": "auth"}},
        "too old": {"message": "token expired", "data": {"max_age": TOKEN_MAX_AGE}},
        "almost too old": {"user": "bob", "via": "auth"},
    }


# --- L09.6 logging out -------------------------------------------------------------------------


@pytest.mark.claim("L09.6")
def test_logging_out_over_http_does_not_reach_an_open_connection(lesson_page):
    page = lesson_page
    result = run_js(
        page,
        """async () => {
            await kit.http('POST', '/login', {user: 'carol'});
            const socket = await kit.connect('/');
            await kit.http('POST', '/logout');
            return {
                http: (await kit.http('GET', '/whoami')).body,
                open: await kit.send(socket, 'whoami'),
                connected: socket.connected,
                fresh: await kit.refusal('/'),
            };
        }""",
    )
    assert result == {
        "http": {"user": None},
        "open": {"user": "carol", "via": "cookie"},  # still logged in, over its connection
        "connected": True,
        "fresh": {"message": "Connection rejected by server", "data": None},
    }
