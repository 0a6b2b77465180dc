"""Markup from another client, shown in the playground console (Chromium): text, never code."""

import pytest
from playwright.sync_api import expect

from tests.robustness.checks import assert_nothing_reached
from tests.robustness.raw import second_client_in_a_room, unique
from tests.utils import log_entries, payloads, run_js

MARKUP = (
    '<img src=x onerror="window.__xss = 1">'
    "<script>window.__xss = 2</script>"
    '<iframe srcdoc="<script>parent.__xss = 3</script>"></iframe>'
)


@pytest.fixture
def alice(tab, rooms_server):
    """The lesson 05 console's first client, Alice, connected to "/"; yields her sid."""
    return run_js(
        tab.open(rooms_server.url + "/"),
        """async () => {
            const alice = Playground.client('Alice');
            await alice.connect({namespace: '/', auth: {}});
            return alice.socket.id;
        }""",
    )


def test_console_xss_payload(page, alice, rooms_server, raw_clients, bystander):
    room = f'<b onmouseover="window.__xss = 4">room</b>-{unique("xss")}'
    run_js(page, "(room) => Playground.client('Alice').emitWithAck('join', [room])", room)
    mallory = raw_clients(rooms_server)
    mallory_sid = mallory.connect()
    mallory.call("join", room)

    assert mallory.call("say", room, MARKUP) == ["sent"]
    assert mallory.call("whisper", alice, MARKUP) == ["sent"]

    expect(log_entries(page, "Alice", "in", "whispered")).to_have_count(1)
    assert payloads(page, "Alice", "in", "said") == [
        {"room": room, "from": mallory_sid, "text": MARKUP}
    ]
    assert payloads(page, "Alice", "in", "whispered") == [{"from": mallory_sid, "text": MARKUP}]
    for tag in ("img", "script", "iframe", "b"):
        expect(page.locator(f"#console {tag}")).to_have_count(0)
    page.locator("#console").hover()  # nothing to hover on: the <b> is text
    assert page.evaluate("window.__xss") is None
    second_client_in_a_room(rooms_server.url)
    assert_nothing_reached(bystander)
