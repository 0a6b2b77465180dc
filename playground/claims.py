"""Claims: what each lesson page says it proves, and which tests prove it.

A lesson's claims live in ``lessons/<package>/claims.toml``. A test names the claims it proves
with ``@pytest.mark.claim("L01.2")``; its layer is its file's name: ``test_client.py`` proves with
Flask-SocketIO's test client, ``test_browser.py`` in Chromium against a live server. Every claim
needs both layers, or a ``cannot.<layer>`` reason that the page shows instead.

The guide's "Myths and facts" page works the same way: ``tests/myths/myths.toml`` gives each
popular claim about Flask-SocketIO a verdict, and tests marked ``@pytest.mark.claim("M05")``
decide it. Every myth needs at least one test, in any file.

The tests are read statically (``ast``), so the guide can list them without running pytest.
"""

from __future__ import annotations

import ast
import re
import textwrap
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from playground.manifest import ROOT, Lesson

TESTS_DIR = ROOT / "tests"

# layer -> how the page names it; a test's layer is its file stem without "test_".
LAYERS = {"client": "test_client", "browser": "browser (Playwright)"}
# The myths' test files, named the same way (tests/myths/test_myths_live.py -> "myths_live").
MYTH_LAYERS = {
    "myths": "in-process",
    "myths_live": "live server",
    "myths_browser": "browser (Playwright)",
}
# Layers a claim may have beside LAYERS: tests/lesson13_deploying/test_deployed.py runs lessons 04
# and 05 behind nginx, three gunicorn servers and Redis.
EXTRA_LAYERS = {"deployed": "deployed (nginx, 3 gunicorn, Redis)"}
MYTHS_FILE = TESTS_DIR / "myths" / "myths.toml"
VERDICTS = ("true", "false", "partly", "outdated", "pending")
MYTH_ID = re.compile(r"M\d{2}")


def layer_name(layer: str) -> str:
    """How the guide names the layer of a test file (``client`` -> ``test_client``)."""
    return {**LAYERS, **MYTH_LAYERS, **EXTRA_LAYERS}.get(layer, layer)


@dataclass(frozen=True)
class Claim:
    id: str
    text: str
    cannot: dict[str, str] = field(default_factory=dict)  # layer -> why that layer cannot show it


@dataclass(frozen=True)
class Myth:
    id: str  # "M01"
    claim: str  # what the blog posts say
    verdict: str  # one of VERDICTS
    fact: str  # what is true on the pinned versions
    practice: str  # one line: what to do instead
    see: tuple[str, ...] = ()  # lesson claims that prove it too ("L05.3")


@dataclass(frozen=True)
class Proof:
    claim_id: str
    layer: str
    path: Path  # relative to the project root
    test: str  # "test_x" or "TestY::test_x"
    source: str

    @property
    def node_id(self) -> str:
        return f"{self.path.as_posix()}::{self.test}"


def claims_of(lesson: Lesson) -> list[Claim]:
    path = lesson.path / "claims.toml"
    with path.open("rb") as f:
        entries = tomllib.load(f)["claim"]
    return [Claim(e["id"], e["text"], dict(e.get("cannot", {}))) for e in entries]


def myths(path: Path = MYTHS_FILE) -> list[Myth]:
    """The myths of the guide's "Myths and facts" page, in page order."""
    with path.open("rb") as f:
        entries = tomllib.load(f)["myth"]
    found = []
    for entry in entries:
        see = entry.get("see", ())
        try:
            found.append(Myth(**{**entry, "see": (see,) if isinstance(see, str) else tuple(see)}))
        except TypeError as error:
            raise ValueError(f"{path.name}: myth {entry.get('id', '?')}: {error}") from None
    return found


def _claim_ids(decorators: list[ast.expr]) -> list[str]:
    """The ids in ``@pytest.mark.claim("L01.1", ...)`` decorators."""
    ids = []
    for node in decorators:
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "claim"
        ):
            ids += [arg.value for arg in node.args if isinstance(arg, ast.Constant)]
    return ids


def _source_with_decorators(source: str, node: ast.FunctionDef) -> str:
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    return textwrap.dedent("\n".join(source.splitlines()[first - 1 : node.end_lineno]))


def _tests_in(path: Path):
    """(qualified test name, node, inherited claim ids) for every test function in a file."""
    source = path.read_text()
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test"
        ):
            yield node.name, node, [], source
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name.startswith("test"):
                    yield f"{node.name}::{item.name}", item, _claim_ids(node.decorator_list), source


def proofs(tests_dir: Path = TESTS_DIR) -> list[Proof]:
    """Every (claim, test) pair found in the test files, in file order."""
    found = []
    for path in sorted(tests_dir.rglob("test_*.py")):
        layer = path.stem.removeprefix("test_")
        for name, node, inherited, source in _tests_in(path):
            for claim_id in inherited + _claim_ids(node.decorator_list):
                found.append(
                    Proof(
                        claim_id,
                        layer,
                        path.relative_to(ROOT) if path.is_relative_to(ROOT) else path,
                        name,
                        _source_with_decorators(source, node),
                    )
                )
    return found


def proofs_by_claim(tests_dir: Path = TESTS_DIR) -> dict[str, list[Proof]]:
    grouped = defaultdict(list)
    for proof in proofs(tests_dir):
        grouped[proof.claim_id].append(proof)
    return dict(grouped)


def problems(
    lessons: list[Lesson], tests_dir: Path = TESTS_DIR, myth_list: list[Myth] | None = None
) -> list[str]:
    """Why the claims, the myths and the tests disagree; empty when all is proven as promised.

    ``myth_list`` defaults to the myths of ``tests/myths/myths.toml``.
    """
    found = proofs_by_claim(tests_dir)
    known = set()
    issues = []
    for lesson in lessons:
        for claim in claims_of(lesson):
            known.add(claim.id)
            if not claim.id.startswith(f"L{lesson.id}."):
                issues.append(
                    f"{claim.id}: claim of lesson {lesson.id} must start with L{lesson.id}."
                )
            layers = {proof.layer for proof in found.get(claim.id, [])}
            for layer in LAYERS:
                if layer not in layers and layer not in claim.cannot:
                    issues.append(f"{claim.id}: no {LAYERS[layer]} test and no reason why not")
                if layer in layers and layer in claim.cannot:
                    issues.append(f"{claim.id}: has a {layer} test but says that layer cannot")
    myth_ids = set()
    for myth in myths() if myth_list is None else myth_list:
        if not MYTH_ID.fullmatch(myth.id):
            issues.append(f"{myth.id}: a myth's id is M and two digits (M01)")
        if myth.id in myth_ids:
            issues.append(f"{myth.id}: two myths have this id")
        myth_ids.add(myth.id)
        if myth.verdict not in VERDICTS:
            issues.append(
                f"{myth.id}: verdict {myth.verdict!r} is not one of {', '.join(VERDICTS)}"
            )
        if myth.id not in found:
            issues.append(f"{myth.id}: no test decides this myth")
        issues += [
            f"{myth.id}: sees {claim_id}, which no lesson claims"
            for claim_id in myth.see
            if claim_id not in known
        ]
    for claim_id, claim_proofs in found.items():
        if claim_id.startswith("M") and claim_id not in myth_ids:
            issues += [
                f"{p.node_id} names {claim_id}, which is no myth of {MYTHS_FILE.name}"
                for p in claim_proofs
            ]
        elif not claim_id.startswith("M") and claim_id not in known:
            issues += [
                f"{p.node_id} names {claim_id}, which no lesson claims" for p in claim_proofs
            ]
    return issues
