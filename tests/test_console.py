"""The playground's console and launcher, in Chromium, as served by `nox -s playground`.

The suite's one playground process (the ``playground`` fixture): every lesson mounted, the server
view on.
"""

import json
import re
import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from playground import manifest
from playground.launcher import index_app, load
from tests.utils import incoming, log_entries, panel, payloads, play, run_js, websocket_frames

CONSOLE_MODULES = manifest.ROOT / "playground/static/console"
# #console, a line a node: each element's tag and attributes, its text, and what typing changes
# without touching an attribute (a field's value, a box's checked). Element ids are counters
# (pg-namespace-7) that differ from one build to the next: compared without their number.
CONSOLE_DOM = """() => {
    const normalized = (text) => text.replace(/(pg-[a-z-]+?)-\\d+/g, '$1-N');
    const lines = [];
    const walk = (node, depth) => {
        const indent = '  '.repeat(depth);
        if (node.nodeType === Node.TEXT_NODE) {
            lines.push(`${indent}${JSON.stringify(node.data)}`);
            return;
        }
        if (node.nodeType !== Node.ELEMENT_NODE) return;
        const attrs = [...node.attributes]
            .map((a) => `${a.name}=${JSON.stringify(normalized(a.value))}`)
            .sort();
        if (node.matches('input, textarea')) {
            attrs.push(`.value=${JSON.stringify(node.value)}`, `.checked=${node.checked}`);
        }
        lines.push(`${indent}<${[node.localName, ...attrs].join(' ')}>`);
        for (const child of node.childNodes) walk(child, depth + 1);
    };
    walk(document.getElementById('console'), 0);
    return lines;
}"""


@pytest.fixture
def playground_url(playground):
    return playground.url


@pytest.fixture
def console(tab, playground_url):
    """``console(lesson_id)``: that lesson's page in the playground, console ready."""
    return lambda lesson_id: tab.open(f"{playground_url}lessons/{lesson_id}/")


def connect(page, name):
    panel(page, name).locator("button.connect").click()
    expect(panel(page, name).locator(".status")).to_have_text("connected")


def emit(page, name, event, *payloads_json, ack_timeout=None):
    client = panel(page, name)
    client.locator("input[name=event]").fill(event)
    for _ in payloads_json[1:]:
        client.locator("button.add-arg").click()
    for field, text in zip(
        client.locator("textarea[name=payload]").all(), payloads_json, strict=True
    ):
        field.fill(text)
    if ack_timeout is not None:
        client.locator("input[name=ack]").check()
        client.locator("input[name=ack-timeout]").fill(str(ack_timeout))
    client.locator("button.emit").click()


def test_index_lists_every_lesson_live_and_opens_its_console(page, playground_url, screenshot):
    page.goto(playground_url)
    entries = page.locator("li.lesson-entry")
    expect(entries).to_have_count(len(manifest.lessons()))
    for lesson, entry in zip(manifest.lessons(), entries.all(), strict=True):
        expect(entry).to_have_attribute("data-status", "live")
        expect(entry.get_by_role("link")).to_have_text(lesson.title)
    screenshot(page, "playground-index")

    page.get_by_role("link", name=manifest.lessons()[0].title, exact=True).click()
    expect(page.locator("#console .client")).not_to_have_count(0)


def test_lesson_13_in_the_playground_reaches_each_server_over_websocket(console):
    """The playground forwards /lessons/13/ to the lesson's nginx: its Socket.IO location must
    be that path, or nginx serves it as a page (polling only, no X-Upstream to choose by)."""
    page = console("13")
    play(page, "Carol announces to every server")
    rows = page.locator("#where tbody tr")
    expect(rows).to_have_count(3)
    assert [row.get_attribute("data-transport") for row in rows.all()] == ["websocket"] * 3
    assert len({row.get_attribute("data-pid") for row in rows.all()}) == 3  # one per server


def test_a_failed_lesson_is_shown_failed_beside_the_live_ones(page):
    broken = manifest.Lesson("99", "broken", "Broken", "Cannot be imported.", ("app",))
    entries, _ = load([manifest.lessons()[0], broken], "threading")
    server = make_server("127.0.0.1", 0, index_app(entries))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://127.0.0.1:{server.server_port}/")
        failed = page.locator('li.lesson-entry[data-lesson="99"]')
        expect(failed).to_have_attribute("data-status", "failed")
        expect(failed.locator(".status")).to_have_text("failed")
        expect(failed.locator(".error")).to_contain_text(
            "No module named 'lessons.lesson99_broken'"
        )
        expect(page.locator('li.lesson-entry[data-lesson="01"]')).to_have_attribute(
            "data-status", "live"
        )
    finally:
        server.shutdown()


def test_several_clients_side_by_side_each_its_own_connection(console, screenshot):
    page = console("01")
    page.get_by_role("button", name="Add client").click()
    carol = panel(page, "Carol")
    carol.locator("input[name=namespace]").fill("/chat")
    for name in ("Alice", "Bob", "Carol"):
        connect(page, name)
    sids = [panel(page, name).locator(".sid").inner_text() for name in ("Alice", "Bob", "Carol")]
    assert len(set(sids)) == 3 and all(sids)

    # The server view names the console's sockets, live, per namespace.
    view = page.locator("section.server-view")
    expect(view.locator(".server-view-status")).to_have_text("live")
    expect(view.locator('.sv-namespace[data-namespace="/chat"] li.socket')).to_have_count(2)
    for name, sid in zip(("Alice", "Bob", "Carol"), sids, strict=True):
        socket = view.locator(f'li.socket[data-sid="{sid}"]')
        expect(socket).to_have_attribute("data-client-name", name)
        expect(panel(page, name).locator(".transport")).to_have_text("websocket")
        expect(socket.locator(".sv-transport")).to_have_text("websocket")

    emit(page, "Bob", "greet", '"Bob"')
    expect(log_entries(page, "Bob", "in", "greeting")).to_have_count(1)
    page.set_viewport_size({"width": 1440, "height": 1100})
    # Show the console from its top: the clients, then the server view.
    page.evaluate("document.querySelectorAll('*').forEach((node) => (node.scrollTop = 0))")
    screenshot(page, "playground-console")


def test_the_server_view_follows_a_client_into_and_out_of_a_room(console):
    page = console("05")  # rooms: "join" and "leave" in "/"
    page.get_by_role("button", name="Add client").click()
    dave = panel(page, "Dave")
    dave.locator("input[name=namespace]").fill("/")
    connect(page, "Dave")
    sid = dave.locator(".sid").inner_text()
    lobby = page.locator(
        'section.server-view .sv-namespace[data-namespace="/"] li.room[data-room="lobby"]'
    )

    emit(page, "Dave", "join", '"lobby"')
    expect(lobby.locator("li.member")).to_have_count(1)
    expect(lobby.locator(f'li.member[data-sid="{sid}"]')).to_have_count(1)

    emit(page, "Dave", "leave", '"lobby"')
    expect(lobby).to_have_count(0)


def test_several_typed_arguments_go_out_as_separate_arguments(console):
    page = console("04")  # shout_skipping(text, skip) takes two arguments and acknowledges
    frames = websocket_frames(page, "sent")
    connect(page, "Alice")
    emit(page, "Alice", "shout_skipping", '"hi"', "null", ack_timeout=3000)

    assert payloads(page, "Alice", "out", "shout_skipping") == [["hi", None]]
    expect(log_entries(page, "Alice", "ack", "shout_skipping").locator(".payload")).to_have_text(
        '"sent"'
    )
    # On the wire: an EVENT with an ack id, and the two arguments side by side.
    assert any(re.fullmatch(r'42\d+\["shout_skipping","hi",null\]', frame) for frame in frames)


def test_ack_arguments_appear_under_the_emit(console):
    page = console("04")
    connect(page, "Alice")
    emit(page, "Alice", "shout", '"hi"', ack_timeout=3000)

    ack = log_entries(page, "Alice", "ack", "shout")
    expect(ack).to_have_count(1)
    expect(ack.locator(".payload")).to_have_text('"sent"')


def test_a_missing_ack_shows_the_timeout(console):
    page = console("01")
    connect(page, "Alice")
    emit(page, "Alice", "no_such_event", '"anyone?"', ack_timeout=300)

    timeout = log_entries(page, "Alice", "ack", "no_such_event")
    expect(timeout).to_have_class("entry timeout")
    expect(timeout.locator(".payload")).to_have_text("timeout: no ack within 300 ms")


def test_invalid_json_is_refused_inline_and_nothing_is_sent(console):
    page = console("01")
    frames = websocket_frames(page, "sent")
    connect(page, "Alice")
    alice = panel(page, "Alice")
    alice.locator("input[name=event]").fill("greet")
    alice.locator("textarea[name=payload]").fill("{not json")

    expect(alice.locator(".payload-error")).to_contain_text("Invalid JSON")
    expect(alice.locator("textarea[name=payload]")).to_have_attribute("aria-invalid", "true")
    alice.locator("button.emit").click()
    expect(log_entries(page, "Alice", "out", "greet")).to_have_count(0)
    # A later valid emit goes out; the refused one never did.
    alice.locator("textarea[name=payload]").fill('"fine"')
    alice.locator("button.emit").click()
    expect(log_entries(page, "Alice", "in", "greeting")).to_have_count(1)
    assert [frame for frame in frames if '"greet"' in frame] == ['42["greet","fine"]']


def test_a_payload_with_markup_is_shown_as_text_and_never_runs(console):
    page = console("01")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    connect(page, "Alice")
    emit(page, "Alice", "greet", '"<img src=x onerror=alert(1)>"')

    reply = incoming(page, "Alice", "greeting")
    expect(reply).to_have_text('"Hello <img src=x onerror=alert(1)>, from /"')
    expect(page.locator("#console img")).to_have_count(0)
    assert dialogs == []


def test_a_refused_connection_is_shown(console):
    page = console("01")
    alice = panel(page, "Alice")
    alice.locator("input[name=namespace]").fill("/nowhere")
    alice.locator("button.connect").click()

    expect(alice.locator(".status")).to_have_text("refused")
    refusal = log_entries(page, "Alice", "sys", "connect_error")
    expect(refusal.locator(".payload")).to_contain_text("Unable to connect")


def test_a_refusal_by_a_connect_handler_is_refused_not_unreachable(console):
    page = console("09")  # its connect handler refuses a client without credentials
    run_js(
        page,
        """() => Playground.addClient({name: 'Dave', namespace: '/'})
            .connect({auth: null}).catch(() => {})""",
    )
    status = panel(page, "Dave").locator(".status")
    expect(status).to_have_text("refused")
    expect(status).to_have_attribute("data-status", "refused")
    assert page.evaluate("Playground.client('Dave').socket.active") is False  # not retrying
    refusal = log_entries(page, "Dave", "sys", "connect_error")
    expect(refusal.locator(".payload")).to_contain_text("Connection rejected by server")


def test_copy_as_code_gives_the_browser_and_the_test_client_lines(console):
    page = console("01")
    connect(page, "Bob")  # in /chat
    emit(page, "Bob", "greet", '"Bob"', '{"ok": true}')

    sent = log_entries(page, "Bob", "out", "greet")
    sent.locator("button.copy-code").click()
    expect(sent.locator(".code-js")).to_have_text('socket.emit("greet", "Bob", {"ok": true});')
    expect(sent.locator(".code-py")).to_have_text(
        'client.emit("greet", "Bob", {"ok": True}, namespace="/chat")'
    )


def test_keyboard_only_in_a_narrow_window(console, screenshot):
    page = console("01")
    page.set_viewport_size({"width": 420, "height": 800})
    alice = panel(page, "Alice")
    alice.locator("input[name=namespace]").focus()
    page.keyboard.press("Enter")  # connects
    expect(alice.locator(".status")).to_have_text("connected")
    alice.locator("textarea[name=payload]").fill('"Alice"')
    alice.locator("input[name=event]").focus()
    page.keyboard.type("greet")
    page.keyboard.press("Enter")  # emits

    expect(log_entries(page, "Alice", "in", "greeting")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "playground-narrow")


def test_every_console_module_imports_in_chromium(console):
    page = console("01")
    names = sorted(path.name for path in CONSOLE_MODULES.glob("*.js"))
    failures = run_js(
        page,
        """async (names) => {
            const base = document.querySelector('script[type="module"][src$="/main.js"]').src;
            const failures = [];
            for (const name of names) {
                try {
                    await import(new URL(name, base));
                } catch (err) {
                    failures.push(`${name}: ${err}`);
                }
            }
            return failures;
        }""",
        names,
    )
    assert len(names) > 10 and failures == []


def settled_server_view(page):
    """Lesson 05's server view, live, showing no socket and both namespaces of the server."""
    view = page.locator("section.server-view")
    expect(view.locator(".server-view-status")).to_have_text("live")
    expect(view.locator("li.socket")).to_have_count(0)
    # Both namespaces, "/" and "/chat", once the server's stats (every 2 s) listed them.
    expect(view.locator(".sv-namespace")).to_have_count(2)


def test_reset_brings_back_the_freshly_loaded_console(console):
    page = console("05")
    settled_server_view(page)
    fresh = page.evaluate(CONSOLE_DOM)

    # Use it: scenarios, an added client, typed fields, open code, the server view's controls.
    play(page, "Group chat: red and blue")
    play(page, "Dave without a token")  # adds Dave, refused
    page.get_by_role("button", name="Add client").click()
    erin = panel(page, "Erin")
    erin.locator("input[name=namespace]").fill("/")
    connect(page, "Erin")
    emit(page, "Erin", "join", '"lobby"', ack_timeout=3000)
    expect(log_entries(page, "Erin", "ack", "join")).to_have_count(1)
    log_entries(page, "Erin", "out", "join").locator("button.copy-code").click()
    alice = panel(page, "Alice")
    alice.locator("input[name=filter]").fill("said")
    alice.locator("button.add-arg").click()
    alice.locator("input[name=ack]").check()
    view = page.locator("section.server-view")
    view.locator("summary").click()
    view.locator("input[name=show-sid-rooms]").check()
    view.locator("button.server-view-toggle").click()
    old_sids = page.evaluate("Playground.clients.map((c) => c.socket?.id).filter(Boolean)")
    assert len(old_sids) == 4  # Alice, Bob, Carol, Erin (Dave was refused)
    expect(view.locator("li.socket")).to_have_count(4)
    expect(view.locator("li.server-event")).not_to_have_count(0)
    # What a reset must end: a scenario still running, a waiter, the sockets (kept to look at).
    page.evaluate(
        """() => {
            const button = document.createElement('button');
            button.type = 'button';
            button.textContent = 'Wait forever';
            document.querySelector('.scenario').append(button);
            Playground.scenario(button, (pg) => pg.client('Alice').waitFor('never', Infinity));
            button.click();
            window.waiter = Playground.client('Bob').waitFor('never', Infinity)
                .then(() => 'resolved', (err) => err.message);
            window.oldSockets = Playground.clients.map((c) => c.socket).filter(Boolean);
            window.resets = 0;
            window.addEventListener('playground:reset', () => window.resets++);
        }"""
    )
    waiting = page.get_by_role("button", name="Wait forever")
    expect(waiting).to_have_attribute("data-state", "running")

    run_js(page, "() => Playground.reset()")

    assert page.evaluate("window.resets") == 1
    assert run_js(page, "() => window.waiter") == "Bob: client removed"
    # Closed for good: no socket connected, none trying to reconnect.
    assert page.evaluate("window.oldSockets.every((s) => !s.connected && !s.active)")
    for button in page.locator(".scenario button").all():
        expect(button).to_be_enabled()
        expect(button).not_to_have_attribute("data-state", re.compile(".*"))
        expect(button).not_to_have_attribute("aria-busy", re.compile(".*"))
    # Once the server noticed, the view shows none of the old connections...
    settled_server_view(page)
    snapshot = page.evaluate("Playground.serverView.snapshot()")
    shown = {s["sid"] for ns in snapshot.values() for s in ns["sockets"]}
    assert shown.isdisjoint(old_sids)
    # ...and the console is the freshly loaded one, node for node.
    assert page.evaluate(CONSOLE_DOM) == fresh
    # Still a console: its new clients connect and talk.
    connect(page, "Alice")
    expect(log_entries(page, "Alice", "sys", "connect")).to_have_count(1)


# A learner's screens: a laptop, a desktop, a phone.
SCENARIO_VIEWPORTS = {
    "1280x800": {"width": 1280, "height": 800},
    "1920x1080": {"width": 1920, "height": 1080},
    "420x800": {"width": 420, "height": 800},
}
# The share of an element inside the viewport, as the browser computes it for its next frame
# (clipped by the scrolling log it is in): what Playwright's to_be_in_viewport reads too.
VISIBLE_SHARE = """(element) => new Promise((resolve) => {
    const observer = new IntersectionObserver(([entry]) => {
        observer.disconnect();
        resolve(entry.intersectionRatio);
    });
    observer.observe(element);
})"""
IN_VIEW = 0.99  # all of it, but for a fraction of a pixel of rounding


def run_group_chat(page, viewport):
    """Lesson 05's first scenario, clicked from the top of the page; its button."""
    page.set_viewport_size(viewport)
    page.evaluate("window.scrollTo(0, 0)")
    button = page.get_by_role("button", name="Group chat: red and blue", exact=True)
    button.click()  # scrolled to first if below the fold, as a learner would
    expect(button).to_have_attribute("data-state", "done")
    return button


@pytest.mark.parametrize("size", SCENARIO_VIEWPORTS)
def test_a_scenario_shows_its_result_in_view_with_its_button(console, size):
    page = console("05")
    button = run_group_chat(page, SCENARIO_VIEWPORTS[size])

    # What it did: the first client's newest entry, whole, without scrolling; and the button
    # that ran it, to run it again (with the mouse, or with Enter: it has the focus).
    newest = panel(page, "Alice").locator("li.entry").last
    expect(newest).to_be_in_viewport(ratio=IN_VIEW)
    expect(button).to_be_in_viewport(ratio=IN_VIEW)
    expect(button).to_be_focused()


def test_with_reduced_motion_the_result_is_in_view_at_once(console):
    page = console("05")
    page.emulate_media(reduced_motion="reduce")
    try:
        run_group_chat(page, SCENARIO_VIEWPORTS["420x800"])
        newest = panel(page, "Alice").locator("li.entry").last
        # The next frame already shows it: no smooth scroll on the way.
        assert newest.evaluate(VISIBLE_SHARE) >= IN_VIEW
    finally:
        page.emulate_media(reduced_motion="no-preference")


# Every console field whose text does not fit in it (it would have to be scrolled to be read).
CLIPPED_FIELDS = """() => [...document.querySelectorAll('#console textarea')]
    .filter((field) => field.scrollHeight > field.clientHeight)
    .map((field) => `${field.closest('.client').dataset.client} ${field.name}: ${field.value}`)"""
HEIGHT = "(field) => field.getBoundingClientRect().height"


def test_multi_line_fields_fit_their_content(console):
    page = console("05")  # each client's auth: a JSON object of three members, in a narrow field
    carol_auth = panel(page, "Carol").locator("textarea[name=auth]")
    expect(carol_auth).to_have_value(re.compile(r'"token": "blue-demo-token"'))
    page.wait_for_function(f"() => ({CLIPPED_FIELDS})().length === 0")  # fitted on load
    assert carol_auth.evaluate(HEIGHT) > carol_auth.evaluate(
        "(f) => parseFloat(getComputedStyle(f).minHeight)"  # taller than the empty field
    )

    payload = panel(page, "Alice").locator("textarea[name=payload]")
    one_line = payload.evaluate(HEIGHT)
    payload.fill("[\n" + ",\n".join(f"  {n}" for n in range(4)) + "\n]")  # six lines
    assert page.evaluate(CLIPPED_FIELDS) == []
    six_lines = payload.evaluate(HEIGHT)
    assert six_lines > one_line
    # Up to a height, then it scrolls.
    payload.fill("[\n" + ",\n".join(f"  {n}" for n in range(60)) + "\n]")
    limit = payload.evaluate("(f) => parseFloat(getComputedStyle(f).maxHeight)")
    assert payload.evaluate(HEIGHT) == limit > six_lines
    assert page.evaluate(CLIPPED_FIELDS) == ["Alice payload: " + payload.input_value()]
    payload.fill('"hello"')
    assert payload.evaluate(HEIGHT) == one_line


# --- the server's payload limit (64 KiB: MAX_HTTP_BUFFER_SIZE in playground/wiring.py) --------

LIMIT = 64 * 1024
# `42["greet","…"]`: what an emit of greet with a string of n characters sends, less the n.
GREET_OVERHEAD = len('42["greet",""]')
LIMIT_SOURCE = "MAX_HTTP_BUFFER_SIZE in playground/wiring.py DEFAULTS (64 KiB)"


def test_the_console_knows_the_servers_limit_and_sends_nothing_over_it(console):
    page = console("01")
    frames = websocket_frames(page, "sent")
    connect(page, "Alice")  # in "/"
    assert page.evaluate("Playground.client('Alice').maxPayload") == LIMIT  # its handshake's

    fits, over = "x" * (LIMIT - GREET_OVERHEAD), "y" * (LIMIT - GREET_OVERHEAD + 1)
    emit(page, "Alice", "greet", f'"{over}"')
    refused = log_entries(page, "Alice", "sys", "error").locator(".payload")
    expect(refused).to_have_text(
        f"not sent: {LIMIT + 1:,} bytes, over the server's limit of {LIMIT:,} bytes "
        f"(maxPayload, from its Engine.IO handshake; set by {LIMIT_SOURCE})"
    )
    expect(log_entries(page, "Alice", "out", "greet")).to_have_count(0)
    # One byte less is sent, and the server takes it: the console counts as the server does.
    emit(page, "Alice", "greet", f'"{fits}"')
    expect(log_entries(page, "Alice", "in", "greeting")).to_have_count(1)
    expect(panel(page, "Alice").locator(".status")).to_have_text("connected")
    greets = [frame for frame in frames if '"greet"' in frame]
    assert [len(frame) for frame in greets] == [LIMIT]  # on the wire: that one, not the other
    # The API refuses as the form does, an ack asked for or not.
    message = run_js(
        page,
        """(text) => Playground.client('Alice').emitWithAck('greet', [text])
            .then(() => 'sent', (err) => err.message)""",
        over,
    )
    assert message.startswith(f"Alice: not sent: {LIMIT + 2:,} bytes")  # its ack id: one more
    assert [len(frame) for frame in frames if '"greet"' in frame] == [LIMIT]


def wait_for_payloads(page, client, direction, event):
    """The payloads of a client's entries for ``event``, once there is one."""
    expect(log_entries(page, client, direction, event)).not_to_have_count(0)
    return payloads(page, client, direction, event)


def test_a_disconnect_for_size_is_explained_in_the_log(console):
    page = console("01")
    connect(page, "Alice")
    expect(panel(page, "Alice").locator(".transport")).to_have_text("websocket")
    # Past the console's check: the socket itself, as a lesson script could.
    page.evaluate("Playground.client('Alice').socket.emit('greet', 'z'.repeat(70000))")

    [closed] = wait_for_payloads(page, "Alice", "sys", "disconnect")
    assert closed == {
        "reason": "transport close",
        "why": "the server closed the connection (WebSocket close code 1009, message too big): "
        f"a message of {70000 + GREET_OVERHEAD:,} bytes was sent, over its limit of "
        f"{LIMIT:,} bytes (maxPayload; set by {LIMIT_SOURCE})",
    }


def test_a_large_payload_is_shown_cut_with_its_size_and_whole_on_demand(console):
    page = console("01")
    connect(page, "Alice")
    name = "<b>big</b>" + "n" * 30000
    emit(page, "Alice", "greet", json.dumps(name))

    for direction, event, text in (
        ("out", "greet", json.dumps(name)),
        ("in", "greeting", json.dumps(f"Hello {name}, from /")),
    ):
        entry = log_entries(page, "Alice", direction, event)
        shown = entry.locator(".payload")
        expect(shown).to_have_text(text[:2000] + "…")
        expect(entry.locator(".payload-more")).to_have_text(
            f"{len(text):,} characters, {len(text.encode()):,} bytes; "
            "the first 2,000 characters shown" + "Show all"
        )
        entry.get_by_role("button", name="Show all").click()
        expect(shown).to_have_text(text)
        entry.get_by_role("button", name="Show less").click()
        expect(shown).to_have_text(text[:2000] + "…")
    expect(page.locator("#console b")).to_have_count(0)  # text, never HTML


# --- the way around: index, lessons either side, the guide ----------------------------------


@pytest.mark.parametrize("lesson_id", ["01", "05", "10", "12"])
def test_every_lesson_page_links_to_the_index_its_neighbours_and_its_guide_page(
    console, playground_url, lesson_id
):
    page = console(lesson_id)
    lesson = manifest.find(lesson_id)
    previous, following = manifest.neighbours(lesson)
    nav = page.get_by_role("navigation", name="Lessons and guide")
    links = {a.inner_text(): a.get_attribute("href") for a in nav.get_by_role("link").all()}
    expected = {"All lessons": "/", "This lesson in the guide": f"/guide/{lesson.guide_url}"}
    if previous:
        expected[f"← {previous.id} {previous.title}"] = f"/lessons/{previous.id}/"
    if following:
        expected[f"{following.id} {following.title} →"] = f"/lessons/{following.id}/"
    assert links == expected
    assert lesson.guide_url == lesson.doc_page.replace(".md", "/")  # mkdocs' directory URLs

    if following:
        nav.get_by_role("link", name=f"{following.id} {following.title} →").click()
        expect(page.locator("header.site .lesson-number")).to_have_text(f"Lesson {following.id}")
    page.get_by_role("link", name="All lessons").click()
    assert page.url == playground_url
