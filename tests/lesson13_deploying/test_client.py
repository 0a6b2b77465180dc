"""Lesson 13 — what can be shown without a deployment: the same-origin check, in-process.

Flask-SocketIO's test client goes around Engine.IO's HTTP layer, where the origin check runs, so it
would connect from anywhere: the check is shown here with Flask's own test client, sending the
polling handshake a browser sends, to the lesson's app in this process. Everything else this lesson
proves needs nginx, gunicorn and Redis (test_browser.py).
"""

import pytest

from playground.wiring import DEFAULTS

HANDSHAKE = "/socket.io/?EIO=4&transport=polling"
PAGE = "http://localhost"  # Flask's test client sends Host: localhost
FRONTEND = "http://127.0.0.1:3000"  # a front end's dev server, say
ELSEWHERE = "https://evil.example"


def handshake(lesson, origin, **config):
    app, _ = lesson.create_app(ASYNC_MODE="threading", TESTING=True, **config)
    return app.test_client().get(HANDSHAKE, headers={"Origin": origin})


# --8<-- [start:origins]
@pytest.mark.claim("L13.6")
def test_the_test_client_skips_the_origin_check(socketio, app):
    # It connects with any Origin: a test client test proves nothing about CORS.
    client = socketio.test_client(app, headers={"Origin": ELSEWHERE})
    assert client.is_connected()


@pytest.mark.claim("L13.6")
def test_by_default_only_the_pages_own_origin_gets_in(lesson):
    assert DEFAULTS["CORS_ALLOWED_ORIGINS"] is None  # same-origin: the lessons' default
    assert handshake(lesson, PAGE).status_code == 200
    refused = handshake(lesson, FRONTEND)
    assert (refused.status_code, refused.text) == (400, '"Not an accepted origin."')


@pytest.mark.claim("L13.6")
def test_a_listed_origin_gets_in_and_no_other(lesson):
    listed = handshake(lesson, FRONTEND, CORS_ALLOWED_ORIGINS=[FRONTEND])
    assert listed.status_code == 200
    assert listed.headers["Access-Control-Allow-Origin"] == FRONTEND
    assert handshake(lesson, ELSEWHERE, CORS_ALLOWED_ORIGINS=[FRONTEND]).status_code == 400


@pytest.mark.claim("L13.6")
def test_star_lets_every_origin_in_with_the_users_cookies(lesson):
    # What not to do: any site the user visits is answered as if it were the page itself, and
    # told the browser may send the user's cookies along (the CSRF warning of the docs).
    anyone = handshake(lesson, ELSEWHERE, CORS_ALLOWED_ORIGINS="*")
    assert anyone.status_code == 200
    assert anyone.headers["Access-Control-Allow-Origin"] == ELSEWHERE
    assert anyone.headers["Access-Control-Allow-Credentials"] == "true"


def test_a_proxy_that_drops_the_port_gets_the_page_refused_by_its_own_server(lesson):
    """Not a claim: why nginx passes ``$http_host`` (the port kept), not ``$host``."""
    # As deployed: the app answers for nginx's host:port (ALLOWED_HOSTS), not its own port.
    app, _ = lesson.create_app(
        ASYNC_MODE="threading", TESTING=True, ALLOWED_HOSTS=("127.0.0.1:8080",)
    )
    page = {"Origin": "http://127.0.0.1:8080"}
    kept = app.test_client().get(HANDSHAKE, headers={**page, "Host": "127.0.0.1:8080"})
    dropped = app.test_client().get(HANDSHAKE, headers={**page, "Host": "127.0.0.1"})
    assert (kept.status_code, dropped.status_code) == (200, 400)


# --8<-- [end:origins]
