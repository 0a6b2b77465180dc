"""The socket.io browser client is the pinned one, and pages load nothing from elsewhere."""

import re
import tomllib
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from playground import manifest

STATIC = manifest.ROOT / "playground/static"
VENDOR = STATIC / "vendor/socket.io-client"
CONSOLE_MODULES = STATIC / "console"
# What a module imports: `import ... from '…'`, `export ... from '…'`, `import '…'`, `import('…')`.
# The modules are plain ES modules, so a pattern reads them (no comment or string holds one).
IMPORT = re.compile(
    r"""^\s*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]"""
    r"""|^\s*import\s*['"]([^'"]+)['"]"""
    r"""|\bimport\(\s*['"]([^'"]+)['"]\s*\)""",
    re.MULTILINE,
)
JAVASCRIPT_TYPES = {"text/javascript", "application/javascript"}


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
        self.modules = []  # <script type="module" src=…>: each imports more

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img", "iframe", "source", "audio", "video") and attrs.get("src"):
            self.urls.append(attrs["src"])
            if tag == "script" and attrs.get("type") == "module":
                self.modules.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])


def parse_resources(html: str) -> ResourceLinks:
    parser = ResourceLinks()
    parser.feed(html)
    return parser


def resource_urls(html: str) -> list[str]:
    return parse_resources(html).urls


def imports_of(source: str) -> list[str]:
    return [next(filter(None, match.groups())) for match in IMPORT.finditer(source)]


def module_graph(http, entry_urls: list[str]) -> dict[str, list[str]]:
    """{module URL: the URLs it imports}, from the entry modules through every import.

    Each must be served (200) as JavaScript: a module script with any other type is refused.
    """
    graph, pending = {}, list(entry_urls)
    while pending:
        url = pending.pop()
        if url in graph:
            continue
        with http.get(url) as response:
            assert response.status_code == 200, url
            assert response.mimetype in JAVASCRIPT_TYPES, (url, response.mimetype)
            source = response.get_data(as_text=True)
        specifiers = imports_of(source)
        for specifier in specifiers:
            # Relative only: the console is also served under /lessons/NN/ of the playground.
            assert specifier.startswith(("./", "../")), f"{url} imports {specifier!r}"
        graph[url] = [urljoin(url, specifier) for specifier in specifiers]
        pending.extend(graph[url])
    return graph


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


@pytest.mark.parametrize("lesson", manifest.lessons(), ids=lambda lesson: lesson.package)
def test_every_console_module_import_resolves_to_a_served_module(lesson):
    app, _ = lesson.create_app(ASYNC_MODE="threading", TESTING=True)
    http = app.test_client()
    entries = parse_resources(http.get("/").text).modules
    assert entries, "the page loads no module"
    graph = module_graph(http, entries)
    # Every module on disk is reached from the page: none is dead, none escapes this check.
    served = {urlsplit(url).path.rsplit("/", 1)[-1] for url in graph}
    assert served == {path.name for path in CONSOLE_MODULES.glob("*.js")}


def test_imports_of_reads_every_form():
    source = """import { a, b } from './a.js';
import {
  c,
} from "./c.js";
export { d } from './d.js';
import './side-effect.js';
const e = await import('./e.js');
// not an import: "import x from 'y'" inside a string is not at a line's start
"""
    assert imports_of(source) == ["./a.js", "./c.js", "./d.js", "./side-effect.js", "./e.js"]


def test_css_and_js_import_nothing_remote():
    paths = [p for p in STATIC.rglob("*.*") if p.is_file() and VENDOR not in p.parents]
    assert len(paths) > 10, paths  # the console's modules and stylesheets
    for path in paths:
        text = path.read_text()
        assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//|https?://", text), path.name
