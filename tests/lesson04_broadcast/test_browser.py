"""Lesson 04 — broadcast, proven in Chromium against the live eventlet server.

"Received nothing" is never proven by waiting. Every lesson handler acknowledges its sender
after it has emitted; an event and a later acknowledgement travel the same connection in order.
So a client that gets the acknowledgement of its own request, made after the broadcast was done,
has received everything that broadcast sent it.
"""

import pytest
from playwright.sync_api import expect

from tests.utils import incoming, log_entries, panel, play, run_js


def heard(page, event):
    """What ``window.me``, the page's own socket, received as ``event``, in order."""
    return page.evaluate(f"() => kit.heard(me, {event!r})")


@pytest.fixture
def users(open_lesson_page):
    """Three people, each with their own browser (a context of its own) on the page."""
    return [open_lesson_page() for _ in range(3)]


@pytest.mark.claim("L04.1")
def test_broadcast_reaches_alice_and_bob_but_not_carol_in_other(lesson_page, screenshot):
    page = lesson_page
    play(page, "Broadcast")

    expect(incoming(page, "Alice", "shouted")).to_have_text(['"Hello everyone"'])
    expect(incoming(page, "Bob", "shouted")).to_have_text(['"Hello everyone"'])
    # Carol shouted in /other after Alice's broadcast was done: hers is all she got.
    expect(incoming(page, "Carol", "shouted")).to_have_text(['"Anyone in /other?"'])
    page.set_viewport_size({"width": 1600, "height": 1240})  # room for three panels in a row
    screenshot(page, "lesson04-broadcast")


@pytest.mark.claim("L04.1", "L04.2")
def test_three_browsers_all_see_a_broadcast_and_the_sender_is_left_out_on_request(users):
    for page in users:
        run_js(page, "async () => { window.me = await kit.connect('/'); }")
    sender, *others = users

    assert run_js(sender, "() => kit.send(me, 'shout', 'Hello from the first')") == "sent"
    for page in users:
        run_js(page, "() => kit.until(me, 'shouted', 1)")
        assert heard(page, "shouted") == ["Hello from the first"]

    assert run_js(sender, "() => kit.send(me, 'shout_to_others', 'Not for me')") == "sent"
    for page in others:
        run_js(page, "() => kit.until(me, 'shouted', 2)")
        assert heard(page, "shouted") == ["Hello from the first", "Not for me"]
    assert heard(sender, "shouted") == ["Hello from the first"]  # read after its ack


@pytest.mark.claim("L04.1")
def test_a_client_in_both_namespaces_hears_each_broadcast_in_its_own_namespace(lesson_page):
    result = run_js(
        lesson_page,
        """async () => {
            // One connection (one Manager) joined to both namespaces.
            const root = await kit.connect('/');
            const other = await kit.connect('/other', {manager: root.io});
            const inRoot = await kit.connect('/');
            const inOther = await kit.connect('/other');
            await kit.send(inRoot, 'shout', 'In /');
            await kit.send(inOther, 'shout', 'In /other');
            // Round trips on the shared connection: a stray broadcast would have come first.
            await kit.send(root, 'shout_to_others', 'Root is done');
            await kit.send(other, 'shout', 'Other is done');
            const shouted = (socket) => kit.heard(socket, 'shouted');
            return {
                heard: {root: shouted(root), other: shouted(other)},
                inRoot: shouted(inRoot),
                inOther: shouted(inOther),
            };
        }""",
    )
    assert result["heard"] == {"root": ["In /"], "other": ["In /other", "Other is done"]}
    assert result["inRoot"] == ["In /", "Root is done"]
    assert result["inOther"] == ["In /other", "Other is done"]


@pytest.mark.claim("L04.2")
def test_broadcast_without_me_reaches_bob_only(lesson_page):
    page = lesson_page
    play(page, "Broadcast without me")

    expect(incoming(page, "Bob", "shouted")).to_have_text(['"Not for me"'])
    # Alice's acknowledgement is logged, and nothing of the broadcast came before it.
    ack = log_entries(page, "Alice", "ack", "shout_to_others")
    expect(ack.locator(".payload")).to_have_text('"sent"')
    expect(log_entries(page, "Alice", "in", "shouted")).to_have_count(0)


@pytest.mark.claim("L04.3")
def test_skip_bob_reaches_alice_and_bob_gets_only_the_next_broadcast(lesson_page):
    page = lesson_page
    play(page, "Skip Bob")

    expect(incoming(page, "Alice", "shouted")).to_have_text(['"Not for Bob"', '"For everyone"'])
    expect(incoming(page, "Bob", "shouted")).to_have_text(['"For everyone"'])


@pytest.mark.claim("L04.3")
def test_skip_sid_with_a_list_leaves_out_each_listed_client(lesson_page):
    result = run_js(
        lesson_page,
        """async () => {
            const [alice, bob, dave] = await Promise.all([1, 2, 3].map(() => kit.connect('/')));
            await kit.send(alice, 'shout_skipping', 'Only Dave', [alice.id, bob.id]);
            await kit.send(alice, 'shout', 'For everyone');
            await kit.send(bob, 'shout_to_others', 'Bob is done');  // Bob's round trip
            // Bob's answer says nothing of when the others get his shout (in threading mode it
            // may come first): wait for it. What was sent before reached them before it.
            await Promise.all([kit.until(alice, 'shouted', 2), kit.until(dave, 'shouted', 3)]);
            return [alice, bob, dave].map((socket) => kit.heard(socket, 'shouted'));
        }""",
    )
    alice, bob, dave = result
    assert alice == ["For everyone", "Bob is done"]
    assert bob == ["For everyone"]
    assert dave == ["Only Dave", "For everyone", "Bob is done"]


@pytest.mark.claim("L04.4")
def test_announcement_form_reaches_every_browser_in_the_default_namespace(users, live_server):
    for page in users:
        run_js(page, "() => Playground.client('Alice').connect()")
    third = users[2]
    run_js(third, "() => Playground.client('Carol').connect()")  # in /other
    sender = users[0]
    sender.evaluate("() => { window.notReloaded = true; }")

    sender.get_by_label("Announcement from an HTTP view").fill("Lunch is ready")
    sender.get_by_role("button", name="Announce").click()

    expect(sender.locator("#announce-result")).to_have_text(
        'Sent to every client in /: "Lunch is ready"'
    )
    for page in users:
        expect(incoming(page, "Alice", "announcement")).to_have_text(['"Lunch is ready"'])
    # The page did not navigate: same URL, same document, still connected.
    assert sender.url == live_server.url + "/"
    assert sender.evaluate("() => window.notReloaded") is True
    expect(panel(sender, "Alice").locator(".status")).to_have_text("connected")
    # Carol (/other) gets a round trip after the announcement was sent, and no announcement.
    carol_ack = "() => Playground.client('Carol').emitWithAck('shout', ['Hi'])"
    assert run_js(third, carol_ack) == ["sent"]
    expect(incoming(third, "Carol", "shouted")).to_have_text(['"Hi"'])
    expect(log_entries(third, "Carol", "in", "announcement")).to_have_count(0)


@pytest.mark.claim("L04.4")
def test_empty_or_oversized_announcement_is_refused_on_the_page(lesson_page):
    page = lesson_page
    run_js(page, "() => Playground.client('Alice').connect()")
    field = page.get_by_label("Announcement from an HTTP view")
    announce = page.get_by_role("button", name="Announce")
    result = page.locator("#announce-result")

    field.fill("   ")
    announce.click()
    expect(result).to_have_text("400: The announcement is empty.")
    expect(result).to_have_attribute("data-state", "refused")

    field.fill("x" * 201)
    announce.click()
    expect(result).to_have_text("400: The announcement has 201 characters; the limit is 200.")

    # The refused ones were answered before this one was sent: it is the only one broadcast.
    field.fill("After the refusals")
    announce.click()
    expect(result).to_have_attribute("data-state", "sent")
    expect(incoming(page, "Alice", "announcement")).to_have_text(['"After the refusals"'])


@pytest.mark.claim("L04.5")
def test_broadcast_callback_collects_one_answer_per_client_in_the_console(lesson_page):
    page = lesson_page
    play(page, "Broadcast with a callback")

    for name in ("Alice", "Bob"):
        poll = log_entries(page, name, "in", "poll")
        expect(poll.locator(".payload")).to_have_text('"Who is here?"')
        expect(poll.locator(".ack")).to_have_text("ack requested")
    answers = incoming(page, "Alice", "poll_answer")
    expect(answers).to_have_count(2)
    assert sorted(answers.all_inner_texts()) == ['"Alice is here"', '"Bob is here"']
    expect(log_entries(page, "Bob", "in", "poll_answer")).to_have_count(0)


@pytest.mark.claim("L04.5")
def test_broadcast_callback_runs_once_per_acknowledgement_and_answers_the_sender(lesson_page):
    result = run_js(
        lesson_page,
        """async () => {
            const alice = await kit.connect('/', {answers: {poll: 'Alice is here'}});
            const bob = await kit.connect('/', {answers: {poll: 'Bob is here'}});
            const silent = await kit.connect('/');  // receives the poll, never answers
            const carol = await kit.connect('/other', {answers: {poll: 'Carol is here'}});
            await kit.send(alice, 'poll', 'Who is here?');
            await kit.until(alice, 'poll_answer', 2);
            // Round trips after both callbacks ran: whatever they sent has arrived.
            for (const socket of [alice, bob, silent]) await kit.send(socket, 'shout', '.');
            await kit.send(carol, 'shout', '.');
            return Object.fromEntries(Object.entries({alice, bob, silent, carol})
                .map(([name, socket]) => [name, {
                    poll: kit.heard(socket, 'poll'), answers: kit.heard(socket, 'poll_answer')}]));
        }""",
    )
    assert sorted(result["alice"]["answers"]) == ["Alice is here", "Bob is here"]
    for name in ("alice", "bob", "silent"):
        assert result[name]["poll"] == ["Who is here?"]
    for name in ("bob", "silent", "carol"):
        assert result[name]["answers"] == []
    assert result["carol"]["poll"] == []
