"""Claims: what each lesson page says it proves, and which tests prove it.

A lesson's claims live in ``lessons/<package>/claims.toml``. A test names the claims it proves
with ``@pytest.mark.claim("L01.2")``; its layer is its file's name: ``test_client.py`` proves with
Flask-SocketIO's test client, ``test_browser.py`` in Chromium against a live server. Every claim
needs both layers, or a ``cannot.<layer>`` reason that the page shows instead.

The guide's "Myths and facts" page works the same way: ``tests/myths/myths.toml`` gives each
popular claim about Flask-SocketIO a verdict, and tests marked ``@pytest.mark.claim("M05")``
decide it. Every myth needs at least one test, in any file.

The tests are read statically (``ast``), so the guide can list them without running pytest.

Async modes: a lesson's live tests run in every mode (``nox -s tests -- --async-mode all``) unless
its claims.toml says ``live_modes = [...]`` (lesson 13: gunicorn's gevent worker), with
``live_modes_reason``. A claim that holds in some of those modes only says ``modes = [...]`` and
``modes_reason`` (what happens in the others); its tests prove that other behaviour there.
After a run, ``mode_problems()`` says which claims' live tests did not pass in a mode they must.
"""

from __future__ import annotations

import ast
import re
import textwrap
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from playground.manifest import ROOT, Lesson, find
from playground.run import ASYNC_MODES

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
# The layers whose tests run against live servers, in an async mode: what mode_problems() checks.
LIVE_LAYERS = ("browser", "deployed")
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
    # The async modes the claim holds in, and what happens in the other modes its tests run in.
    modes: tuple[str, ...] = ASYNC_MODES
    modes_reason: str = ""
    # The modes its lesson's live tests run in (claims.toml's live_modes), and why only those.
    live_modes: tuple[str, ...] = ASYNC_MODES
    live_modes_reason: str = ""

    @property
    def differs_in(self) -> tuple[str, ...]:
        """The modes its live tests run in where it does not hold: they prove what happens."""
        return tuple(mode for mode in self.live_modes if mode not in self.modes)


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


def _claims_file(lesson: Lesson) -> dict:
    with (lesson.path / "claims.toml").open("rb") as f:
        return tomllib.load(f)


def live_modes(lesson: Lesson) -> tuple[str, ...]:
    """The async modes the lesson's live tests run in: every one unless its claims.toml says."""
    return tuple(_claims_file(lesson).get("live_modes", ASYNC_MODES))


def claims_of(lesson: Lesson) -> list[Claim]:
    found = _claims_file(lesson)
    tested = tuple(found.get("live_modes", ASYNC_MODES))
    return [
        Claim(
            e["id"],
            e["text"],
            dict(e.get("cannot", {})),
            modes=tuple(e.get("modes", tested)),
            modes_reason=e.get("modes_reason", ""),
            live_modes=tested,
            live_modes_reason=found.get("live_modes_reason", ""),
        )
        for e in found["claim"]
    ]


def lesson_of(claim_id: str) -> Lesson:
    """The lesson that makes a claim: ``L05.3`` -> lesson 05."""
    return find(claim_id[1:].split(".")[0])


def find_claim(claim_id: str) -> Claim:
    [found] = [claim for claim in claims_of(lesson_of(claim_id)) if claim.id == claim_id]
    return found


def holds_in(claim_id: str, mode: str) -> bool:
    """Whether the claim holds in that async mode (its claims.toml's ``modes``).

    What a test of a claim that holds in some modes only asks, to assert the other behaviour in
    the other modes.
    """
    return mode in find_claim(claim_id).modes


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


def mode_issues(claim: Claim, live: bool) -> list[str]:
    """What is wrong with a claim's ``modes`` and its lesson's ``live_modes``."""
    issues = []
    for key, modes in (("modes", claim.modes), ("live_modes", claim.live_modes)):
        unknown = [mode for mode in modes if mode not in ASYNC_MODES]
        if unknown or not modes:
            issues.append(f"{claim.id}: {key} must name some of {', '.join(ASYNC_MODES)}")
    if set(claim.live_modes) != set(ASYNC_MODES) and not claim.live_modes_reason:
        issues.append(f"{claim.id}: live_modes leaves modes out and gives no live_modes_reason")
    if not set(claim.modes) <= set(claim.live_modes):
        issues.append(f"{claim.id}: modes names a mode its lesson's live tests do not run in")
    if claim.differs_in and not claim.modes_reason:
        issues.append(f"{claim.id}: differs in {', '.join(claim.differs_in)} but no modes_reason")
    if claim.differs_in and not live:
        issues.append(f"{claim.id}: differs by mode but has no live test to prove how")
    if claim.modes_reason and not claim.differs_in:
        issues.append(f"{claim.id}: has a modes_reason but holds in every mode its tests run in")
    return issues


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
            issues += mode_issues(claim, live=bool(layers & set(LIVE_LAYERS)))
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


@dataclass(frozen=True)
class LiveRun:
    """One run of a live-layer test, as pytest reported it."""

    node_id: str  # without parameters: tests/lesson05_rooms/test_browser.py::test_x
    claims: tuple[str, ...]
    mode: str | None  # the async mode of its servers (its server_mode parameter), if it had one
    outcome: str  # "passed", "failed" or "skipped"


def mode_problems(
    lessons: list[Lesson],
    runs: list[LiveRun],
    run_modes: tuple[str, ...],
    tests_dir: Path = TESTS_DIR,
) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """The modes each claim was checked in by a run's live tests, and the problems found.

    ``run_modes``: the modes the run asked for (pytest's ``--async-mode``). A claim is checked
    when every live test of it in its lesson's folder ran (some of them say nothing about the
    claim; lesson 13's deployed tests of lessons 04 and 05 count when they ran), in each mode its
    lesson's live tests run in (``live_modes``) that the run asked for or that its tests ran in
    (lesson 12's run in every mode whatever is asked). In each, a live test of the claim must have
    passed: where it holds (``modes``), proving it; in the other modes, proving what happens
    instead. A mode the run did not ask for is not checked, and not reported as checked.
    """
    found = proofs_by_claim(tests_dir)
    runs_of = defaultdict(list)
    for run in runs:
        for claim_id in run.claims:
            runs_of[claim_id].append(run)
    checked, issues = {}, []
    for lesson in lessons:
        for claim in claims_of(lesson):
            ran = runs_of.get(claim.id, [])
            own = {
                proof.node_id
                for proof in found.get(claim.id, [])
                if proof.layer in LIVE_LAYERS and proof.path.parent.name == lesson.package
            }
            if not own or not own <= {run.node_id for run in ran}:
                continue
            asked = set(run_modes) | {run.mode for run in ran}
            checked[claim.id] = tuple(mode for mode in claim.live_modes if mode in asked)
            for run in ran:
                if run.mode is None:
                    issues.append(f"{claim.id}: {run.node_id} ran in no known mode (server_mode)")
                elif run.mode not in claim.live_modes:
                    issues.append(
                        f"{claim.id}: {run.node_id} ran in {run.mode}, but claims.toml says its "
                        f"live tests run in {', '.join(claim.live_modes)} only (live_modes)"
                    )
            for mode in checked[claim.id]:
                outcomes = sorted(run.outcome for run in ran if run.mode == mode)
                if "passed" in outcomes:
                    continue
                what = "holds" if mode in claim.modes else "differs (modes_reason)"
                how = ", ".join(outcomes) if outcomes else "none ran"
                issues.append(
                    f"{claim.id}: {what} in {mode}, and no live test of it passed there ({how})"
                )
    return checked, issues
