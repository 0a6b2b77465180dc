"""Lesson 05 — rooms, proven in Chromium against the live eventlet server.

"Received nothing" is never proven by waiting. Each lesson handler that emits also acknowledges
its sender afterwards, and events on one connection arrive in order: a client that has the answer
to a request it made after an emit has received everything that emit sent it.
"""

import pytest
from playwright.sync_api import expect

from lessons.lesson05_rooms.app import DEMO_TOKENS
from tests.utils import incoming, log_entries, panel, payloads, play, run_js


def chat_auth(name, group):
    return {"name": name, "group": group, "token": DEMO_TOKENS[group]}


def acks(page, client, event):
    """The acknowledgements a client's log shows for ``event``, parsed (one value per ack)."""
    return payloads(page, client, "ack", event)


def said(name, group, text):
    return {"name": name, "group": group, "text": text}


def sid_in_panel(page, client):
    return panel(page, client).locator(".sid").inner_text()


# --- the group chat in the console -----------------------------------------------------------


@pytest.mark.claim("L05.8", "L05.7")
def test_group_chat_scenario_keeps_red_and_blue_apart(lesson_page, screenshot):
    page = lesson_page
    play(page, "Group chat: red and blue")

    red = [said("Alice", "red", "Hi red!"), said("Bob", "red", "Hi Alice!")]
    assert payloads(page, "Alice", "in", "said") == red
    assert payloads(page, "Bob", "in", "said") == red
    assert payloads(page, "Carol", "in", "said") == [said("Carol", "blue", "Hi blue!")]
    # Bob joined after Alice: she was told, he was not, and Carol (blue) was not.
    assert payloads(page, "Alice", "in", "joined") == [{"name": "Bob", "group": "red"}]
    expect(log_entries(page, "Bob", "in", "joined")).to_have_count(0)
    expect(log_entries(page, "Carol", "in", "joined")).to_have_count(0)
    page.set_viewport_size({"width": 1600, "height": 1240})  # room for three panels in a row
    screenshot(page, "lesson05-rooms")
    # Bob spoke after Carol's last answer: her round trip shows nothing of his came to her.
    run_js(page, "() => Playground.client('Carol').emitWithAck('say', ['Bye'])")
    assert [m["text"] for m in payloads(page, "Carol", "in", "said")] == ["Hi blue!", "Bye"]


@pytest.mark.claim("L05.7")
def test_bob_leaving_is_seen_by_alice_only(lesson_page):
    page = lesson_page
    play(page, "Bob leaves the chat")

    expect(incoming(page, "Alice", "left")).to_have_count(1)
    assert payloads(page, "Alice", "in", "left") == [{"name": "Bob", "group": "red"}]
    # Carol's round trip after Bob left: nothing about it came before her answer.
    run_js(page, "() => Playground.client('Carol').emitWithAck('say', ['Still here'])")
    expect(log_entries(page, "Carol", "in", "left")).to_have_count(0)
    expect(panel(page, "Bob").locator(".status")).to_have_text("disconnected")


@pytest.mark.claim("L05.6")
def test_dave_without_a_token_is_refused_with_the_reason(lesson_page):
    page = lesson_page
    play(page, "Group chat: red and blue")
    play(page, "Dave without a token")

    dave = panel(page, "Dave")
    expect(dave.locator(".status")).to_have_text("refused")
    assert payloads(page, "Dave", "sys", "connect_error") == [{"message": "a token is required"}]
    # Alice (red) was told of no newcomer: her round trip comes back with nothing before it.
    run_js(page, "() => Playground.client('Alice').emitWithAck('say', ['Anyone new?'])")
    assert payloads(page, "Alice", "in", "joined") == [{"name": "Bob", "group": "red"}]


# --- three people, three browsers ------------------------------------------------------------


@pytest.fixture
def users(open_lesson_page):
    """Three people, each with a browser context of their own (like three browsers)."""
    return [open_lesson_page() for _ in range(3)]


@pytest.mark.claim("L05.8", "L05.7")
def test_three_browsers_in_two_groups_never_see_each_others_messages(users):
    alice, bob, carol = users
    # Each person connects "their" panel of the console to /chat, with the auth it shows.
    for page, name in ((alice, "Alice"), (bob, "Bob"), (carol, "Carol")):
        run_js(page, f"() => Playground.client('{name}').connect()")
        expect(panel(page, name).locator(".status")).to_have_text("connected")

    say = "([name, text]) => Playground.client(name).emitWithAck('say', [text])"
    assert run_js(alice, say, ["Alice", "Hi red"]) == ["sent"]
    assert run_js(carol, say, ["Carol", "Hi blue"]) == ["sent"]
    assert run_js(bob, say, ["Bob", "Hi Alice"]) == ["sent"]

    # Each sender's own "said" came before its ack; the others' arrive on their own.
    expect(incoming(alice, "Alice", "said")).to_have_count(2)
    assert [m["text"] for m in payloads(alice, "Alice", "in", "said")] == ["Hi red", "Hi Alice"]
    expect(incoming(bob, "Bob", "said")).to_have_count(2)
    assert [m["text"] for m in payloads(bob, "Bob", "in", "said")] == ["Hi red", "Hi Alice"]
    assert payloads(carol, "Carol", "in", "said") == [said("Carol", "blue", "Hi blue")]
    assert payloads(alice, "Alice", "in", "joined") == [{"name": "Bob", "group": "red"}]

    # Bob closes his browser: Alice is told, Carol is not.
    bob.context.close()
    expect(incoming(alice, "Alice", "left")).to_have_count(1)
    assert payloads(alice, "Alice", "in", "left") == [{"name": "Bob", "group": "red"}]
    assert run_js(carol, say, ["Carol", "Still blue"]) == ["sent"]
    expect(log_entries(carol, "Carol", "in", "left")).to_have_count(0)
    assert [m["text"] for m in payloads(carol, "Carol", "in", "said")] == ["Hi blue", "Still blue"]


@pytest.mark.claim("L05.6")
def test_refusal_reasons_reach_the_browser_and_the_refused_join_no_room(lesson_page):
    result = run_js(
        lesson_page,
        """async (auths) => {
            const alice = await kit.connect('/chat', {auth: auths.alice});
            const refusals = [];
            for (const auth of auths.refused) refusals.push(await kit.refusal('/chat', {auth}));
            // Round trip: a "joined" for any of them would have come before this answer.
            await kit.send(alice, 'say', 'Anyone new?');
            return {refusals, joined: kit.heard(alice, 'joined'), said: kit.heard(alice, 'said')};
        }""",
        {
            "alice": chat_auth("Alice", "red"),
            "refused": [
                None,
                {"name": "Dave", "group": "red"},
                {"name": "Dave", "group": "red", "token": DEMO_TOKENS["blue"]},
                {"group": "red", "token": DEMO_TOKENS["red"]},
            ],
        },
    )
    assert result["refusals"] == [
        {"message": "a token is required", "data": None},
        {"message": "a token is required", "data": None},
        {"message": "this token does not open the group 'red'", "data": None},
        {"message": "a name of 1 to 20 characters is required", "data": None},
    ]
    assert result["joined"] == []
    assert result["said"] == [said("Alice", "red", "Anyone new?")]


# --- rooms in / ------------------------------------------------------------------------------


@pytest.mark.claim("L05.1", "L05.2")
def test_rooms_scenario_reaches_members_only(lesson_page):
    page = lesson_page
    play(page, "Rooms in /: join, say, leave")

    alice, bob, carol = (sid_in_panel(page, name) for name in ("Alice", "Bob", "Carol"))

    def texts(name):
        return [(m["from"], m["text"]) for m in payloads(page, name, "in", "said")]

    assert texts("Alice") == [
        (alice, "Hello lobby"),
        (alice, "Bob has left"),
        (carol, "Carol, from outside"),
    ]
    assert texts("Bob") == [(alice, "Hello lobby"), (alice, "Hello everyone else")]
    assert texts("Carol") == []  # not a member: not even what she sent to the lobby
    assert [sorted(ack) for ack in acks(page, "Alice", "join")] == [sorted([alice, "lobby"])]
    assert acks(page, "Bob", "leave") == [[bob]]


@pytest.mark.claim("L05.3", "L05.10")
def test_whispers_scenario_reaches_bob_alone_and_an_empty_sid_is_refused(lesson_page):
    page = lesson_page
    play(page, "Whisper to Bob's sid, then to ''")

    alice = sid_in_panel(page, "Alice")
    assert payloads(page, "Bob", "in", "whispered") == [
        {"from": alice, "text": "Just for you, Bob"}
    ]
    expect(log_entries(page, "Alice", "in", "whispered")).to_have_count(0)
    # Carol's whisper to '' is refused, and says why: nothing came back to her (L05.9's trap).
    error = "a sid must be a string of 1 to 100 characters, not 0 characters"
    assert acks(page, "Carol", "whisper") == [{"error": error}]
    expect(log_entries(page, "Carol", "in", "whispered")).to_have_count(0)


@pytest.mark.claim("L05.10")
def test_close_and_leave_of_null_are_refused_and_everyone_is_still_served(lesson_page):
    result = run_js(
        lesson_page,
        """async () => {
            const [alice, bob, mallory] = await Promise.all([1, 2, 3].map(() => kit.connect('/')));
            await kit.send(bob, 'join', 'lobby');
            const refused = [
                await kit.send(mallory, 'close', null),  // null arrives as None
                await kit.send(mallory, 'leave', null),
                await kit.send(mallory, 'join', 42),
                await kit.send(mallory, 'say', ['lobby'], 'hi'),
            ];
            // Everyone is still a client of "/": Bob hears the lobby, Mallory is answered.
            await kit.send(alice, 'say', 'lobby', 'Bob?');
            const bobRooms = await kit.send(bob, 'rooms');  // Bob's round trip, after the say
            return {
                refused,
                bob: kit.heard(bob, 'said'),
                bobRooms,
                malloryRooms: await kit.send(mallory, 'rooms'),
                ids: [alice.id, bob.id, mallory.id],
            };
        }""",
    )
    alice, bob, mallory = result["ids"]
    must = "must be a string of 1 to 100 characters, not"
    assert result["refused"] == [
        {"error": f"a room {must} None"},
        {"error": f"a room {must} None"},
        {"error": f"a room {must} a number"},
        {"error": f"a room {must} a list"},
    ]
    assert result["bob"] == [{"room": "lobby", "from": alice, "text": "Bob?"}]
    assert sorted(result["bobRooms"]) == sorted([bob, "lobby"])
    assert result["malloryRooms"] == [mallory]


@pytest.mark.claim("L05.3")
def test_a_sid_room_cannot_be_joined_or_closed_by_another_but_can_be_left(lesson_page):
    result = run_js(
        lesson_page,
        """async () => {
            const [alice, bob, carol] = await Promise.all([1, 2, 3].map(() => kit.connect('/')));
            // The server refuses both (its handler raises ValueError): no answer comes, so these
            // are sent without asking for one. Events of one client are handled in order.
            alice.emit('join', bob.id);
            alice.emit('close', bob.id);
            const aliceRooms = await kit.send(alice, 'rooms');
            const bobRooms = await kit.send(carol, 'rooms', bob.id);
            await kit.send(carol, 'whisper', bob.id, 'Still private');
            await kit.until(bob, 'whispered');
            // Bob leaves his own sid room: accepted, and whispers to him reach no one.
            const afterLeaving = await kit.send(bob, 'leave', bob.id);
            await kit.send(carol, 'whisper', bob.id, 'Lost');
            await kit.send(bob, 'rooms');  // Bob's round trip
            await kit.send(alice, 'rooms');  // Alice's round trip
            const whispered = (socket) => kit.heard(socket, 'whispered');
            return {ids: [alice.id, bob.id, carol.id], aliceRooms, bobRooms, afterLeaving,
                    bob: whispered(bob), alice: whispered(alice), carol: whispered(carol)};
        }""",
    )
    alice, bob, carol = result["ids"]
    assert result["aliceRooms"] == [alice]
    assert result["bobRooms"] == [bob]
    assert result["bob"] == [{"from": carol, "text": "Still private"}]
    assert result["afterLeaving"] == []
    assert result["alice"] == result["carol"] == []


@pytest.mark.claim("L05.4")
def test_close_scenario_lists_rooms_and_empties_the_lobby(lesson_page):
    page = lesson_page
    play(page, "rooms() and close_room")

    alice, bob, carol = (sid_in_panel(page, name) for name in ("Alice", "Bob", "Carol"))
    [[carols_view], [after_close]] = acks(page, "Carol", "rooms"), acks(page, "Alice", "rooms")
    assert sorted(carols_view) == sorted([alice, "lobby", "kitchen"])
    assert sorted(after_close) == sorted([alice, "kitchen"])
    assert acks(page, "Bob", "rooms") == [[bob]]
    assert acks(page, "Carol", "close") == [[carol]]
    # Carol's message to the closed lobby reached no one, Carol included: each of them answered
    # a request made after it.
    for name in ("Alice", "Bob", "Carol"):
        expect(log_entries(page, name, "in", "said")).to_have_count(0)
    for name in ("Alice", "Bob"):
        expect(panel(page, name).locator(".status")).to_have_text("connected")


@pytest.mark.claim("L05.4")
def test_a_disconnect_takes_the_client_out_of_every_room(lesson_page):
    result = run_js(
        lesson_page,
        """async () => {
            const alice = await kit.connect('/'), bob = await kit.connect('/');
            await kit.send(bob, 'join', 'lobby');
            await kit.send(bob, 'join', 'kitchen');
            const before = await kit.send(alice, 'rooms', bob.id);
            const bobId = bob.id;
            bob.disconnect();
            // The server handles Bob's disconnect when the packet arrives; ask until it has.
            let after = before;
            for (let i = 0; i < 50 && after.length > 0; i++) {
                after = await kit.send(alice, 'rooms', bobId);
            }
            return {bobId, before, after};
        }""",
    )
    assert sorted(result["before"]) == sorted([result["bobId"], "lobby", "kitchen"])
    assert result["after"] == []


# --- namespaces ------------------------------------------------------------------------------


@pytest.mark.claim("L05.5")
def test_red_in_root_and_red_in_chat_are_two_rooms(lesson_page):
    result = run_js(
        lesson_page,
        """async (auth) => {
            // One connection in both namespaces (one Manager), and Bob in /chat's red.
            const root = await kit.connect('/');
            const chat = await kit.connect('/chat', {manager: root.io, auth: auth.alice});
            const bob = await kit.connect('/chat', {auth: auth.bob});
            await kit.send(root, 'join', 'red');
            await kit.send(root, 'say', 'red', 'Red in /');
            await kit.send(bob, 'say', 'Red in /chat');
            await kit.send(chat, 'say', 'Alice in /chat');  // round trip on the connection
            const chatSidInRoot = await kit.send(root, 'rooms', chat.id);
            const said = (socket) => kit.heard(socket, 'said');
            return {heard: {root: said(root), chat: said(chat)}, bob: said(bob), chatSidInRoot};
        }""",
        {"alice": chat_auth("Alice", "red"), "bob": chat_auth("Bob", "red")},
    )
    assert [m["text"] for m in result["heard"]["root"]] == ["Red in /"]
    assert [m["text"] for m in result["heard"]["chat"]] == ["Red in /chat", "Alice in /chat"]
    assert [m["text"] for m in result["bob"]] == ["Red in /chat", "Alice in /chat"]
    assert result["chatSidInRoot"] == []
