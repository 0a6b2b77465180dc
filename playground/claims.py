"""Claims: what each lesson page says it proves, and which tests prove it.

A lesson's claims live in ``lessons/<package>/claims.toml``. A test names the claims it proves
with ``@pytest.mark.claim("L01.2")``; its layer is its file's name: ``test_client.py`` proves with
Flask-SocketIO's test client, ``test_browser.py`` in Chromium against a live server. Every claim
needs both layers, or a ``cannot.<layer>`` reason that the page shows instead.

The tests are read statically (``ast``), so the guide can list them without running pytest.
"""

from __future__ import annotations

import ast
import textwrap
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from playground.manifest import ROOT, Lesson

TESTS_DIR = ROOT / "tests"

# layer -> how the page names it; a test's layer is its file stem without "test_".
LAYERS = {"client": "test_client", "browser": "browser (Playwright)"}


@dataclass(frozen=True)
class Claim:
    id: str
    text: str
    cannot: dict[str, str] = field(default_factory=dict)  # layer -> why that layer cannot show it


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


def problems(lessons: list[Lesson], tests_dir: Path = TESTS_DIR) -> list[str]:
    """Why the claims and the tests disagree; empty when every claim is proven as promised."""
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
    for claim_id, claim_proofs in found.items():
        if claim_id not in known:
            issues += [
                f"{p.node_id} names {claim_id}, which no lesson claims" for p in claim_proofs
            ]
    return issues
