"""The socket.io browser client is the pinned one, and pages load nothing from elsewhere."""

import re
import tomllib
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from playground import manifest

VENDOR = manifest.ROOT / "playground/static/vendor/socket.io-client"


def pinned_client_version() -> str:
    with (manifest.ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["tool"]["playground"]["socketio-client"]


def test_served_socketio_client_is_the_pinned_version_with_its_licence():
    header = (VENDOR / "socket.io.min.js").read_text()[:200]
    assert re.search(r"Socket\.IO v(\S+)", header).group(1) == pinned_client_version()
    assert "MIT License" in (VENDOR / "LICENSE").read_text()


class ResourceLinks(HTMLParser):
    """Every URL a page would load: scripts, stylesheets, images, fonts, iframes."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img", "iframe", "source", "audio", "video") and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])


def resource_urls(html: str) -> list[str]:
    parser = ResourceLinks()
    parser.feed(html)
    return parser.urls


@pytest.mark.parametrize("lesson", manifest.lessons(), ids=lambda lesson: lesson.package)
def test_lesson_page_loads_only_local_assets_that_exist(lesson):
    app, _ = lesson.create_app(ASYNC_MODE="threading", TESTING=True)
    http = app.test_client()
    page = http.get("/")
    assert page.status_code == 200
    urls = resource_urls(page.text)
    assert len(urls) >= 3, urls  # stylesheet, socket.io client, console
    for url in urls:
        if url.startswith("data:"):
            continue  # inline, nothing is requested
        assert not urlsplit(url).netloc, f"{url} is not served by the lesson"
        with http.get(url) as asset:  # closes the static file it streams
            assert asset.status_code == 200, url


def test_css_and_js_import_nothing_remote():
    for path in (manifest.ROOT / "playground/static").glob("*.*"):
        text = path.read_text()
        assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//|https?://", text), path.name
