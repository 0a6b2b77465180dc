"""The guide shows real code: every code block of Python, TOML, HTML or JS is an include."""

import re

import pytest

from playground.manifest import ROOT

DOCS = sorted((ROOT / "docs").rglob("*.md"))
FENCE = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
SNIPPET = re.compile(r'^--8<-- "([^":]+)(?::([\w-]+))?"$')
CODE_LANGUAGES = {"python", "py", "toml", "html", "js", "javascript"}


@pytest.mark.parametrize("page", DOCS, ids=lambda path: str(path.relative_to(ROOT / "docs")))
def test_code_blocks_are_includes_of_existing_sections(page):
    for language, body in FENCE.findall(page.read_text()):
        if language not in CODE_LANGUAGES:
            continue
        for line in body.strip().splitlines():
            include = SNIPPET.match(line)
            assert include, f"{page.name}: pasted code in a {language} block: {line!r}"
            path, section = include.groups()
            assert (ROOT / path).is_file(), path
            if section:
                assert f"--8<-- [start:{section}]" in (ROOT / path).read_text(), (path, section)
