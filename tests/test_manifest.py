"""The manifest, the lesson packages, the guide and the tests agree with each other."""

import os
import re
import subprocess
import sys

import pytest

from playground import claims, manifest

LESSONS = manifest.lessons()
ROOT = manifest.ROOT


def test_ids_are_two_digits_contiguous_from_01_and_slugs_unique():
    assert [lesson.id for lesson in LESSONS] == [f"{n:02d}" for n in range(1, len(LESSONS) + 1)]
    slugs = [lesson.slug for lesson in LESSONS]
    assert len(set(slugs)) == len(slugs)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", slug) for slug in slugs)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.package)
def test_listed_lesson_has_everything(lesson):
    for variant in lesson.variants:
        assert (lesson.path / f"{variant}.py").is_file()
    for name in ("__init__.py", "page.html", "claims.toml"):
        assert (lesson.path / name).is_file(), name
    assert (ROOT / "docs" / lesson.doc_page).is_file()
    for layer in claims.LAYERS:
        assert (lesson.tests_path / f"test_{layer}.py").is_file()
    assert claims.claims_of(lesson), "a lesson proves something"


def test_nothing_is_unlisted():
    packages = {lesson.package for lesson in LESSONS}
    assert {p.name for p in manifest.LESSONS_DIR.glob("lesson*") if p.is_dir()} == packages
    assert {p.name for p in (ROOT / "tests").glob("lesson*") if p.is_dir()} == packages
    pages = {lesson.doc_page for lesson in LESSONS}
    assert {f"lessons/{p.name}" for p in (ROOT / "docs/lessons").glob("*.md")} == pages


def test_find_accepts_id_number_and_slug_and_names_valid_ones():
    first = LESSONS[0]
    assert manifest.find(first.id) == manifest.find(str(int(first.id))) == first
    assert manifest.find(first.slug.upper()) == first
    with pytest.raises(LookupError, match=rf"valid lessons: {first.id} \({first.slug}\)"):
        manifest.find("99")


def test_every_claim_is_proven_in_both_layers_and_every_test_names_a_real_claim():
    assert claims.problems(list(LESSONS)) == []


def test_claim_checker_reports_missing_layers_and_unknown_claims(tmp_path):
    """The check above can fail: fed tests that miss a layer and name a made-up claim."""
    lesson = LESSONS[0]
    [first, *others] = claims.claims_of(lesson)
    (tmp_path / "test_client.py").write_text(
        f"import pytest\n@pytest.mark.claim({first.id!r}, 'L99.9')\ndef test_one(): assert True\n"
    )
    found = claims.problems([lesson], tests_dir=tmp_path)
    assert f"{first.id}: no browser (Playwright) test and no reason why not" in found
    assert any("names L99.9, which no lesson claims" in problem for problem in found)
    for claim in others:
        assert f"{claim.id}: no test_client test and no reason why not" in found


def test_myth_checker_reports_undecided_myths_bad_entries_and_unknown_myths(tmp_path):
    """The myth rules can fail too: fed myths with flaws and tests that name a made-up myth."""
    lesson = LESSONS[0]
    [claim, *_] = claims.claims_of(lesson)
    decided, undecided, flawed = (
        claims.Myth("M01", "decided", "true", "fact", "practice", see=(claim.id,)),
        claims.Myth("M02", "nobody tests it", "false", "fact", "practice"),
        claims.Myth("Myth3", "flawed", "maybe", "fact", "practice", see=("L99.9",)),
    )
    (tmp_path / "test_myths.py").write_text(
        "import pytest\n@pytest.mark.claim('M01', 'M99', 'Myth3')\ndef test_one(): assert True\n"
    )
    found = claims.problems([lesson], tests_dir=tmp_path, myth_list=[decided, undecided, flawed])

    assert not [problem for problem in found if problem.startswith("M01")]
    assert "M02: no test decides this myth" in found
    assert "Myth3: a myth's id is M and two digits (M01)" in found
    assert any(problem.startswith("Myth3: verdict 'maybe' is not one of") for problem in found)
    assert "Myth3: sees L99.9, which no lesson claims" in found
    assert any("names M99, which is no myth of myths.toml" in problem for problem in found)
    duplicated = claims.problems([lesson], tests_dir=tmp_path, myth_list=[decided, decided])
    assert "M01: two myths have this id" in duplicated


def test_myths_load_with_their_links_to_lesson_claims():
    myths = claims.myths()
    assert [myth.id for myth in myths] == [f"M{n:02d}" for n in range(1, len(myths) + 1)]
    assert all(isinstance(myth.see, tuple) and myth.verdict in claims.VERDICTS for myth in myths)


# --- async modes: what claims.toml says, and what a run proved -----------------------------


def test_mode_rules_refuse_unknown_modes_and_differences_nobody_explains_or_proves():
    """A claim's ``modes`` and its lesson's ``live_modes`` are checked with the claims above."""
    every = claims.Claim("L01.9", "text")
    assert claims.mode_issues(every, live=True) == []
    assert claims.mode_issues(every, live=False) == []  # holding everywhere needs no live test
    unexplained = claims.Claim("L01.9", "text", modes=("gevent", "eventlet"))
    assert claims.mode_issues(unexplained, live=False) == [
        "L01.9: differs in threading but no modes_reason",
        "L01.9: differs by mode but has no live test to prove how",
    ]
    assert claims.mode_issues(claims.Claim("L01.9", "text", modes=("tornado",)), live=True) == [
        "L01.9: modes must name some of threading, gevent, eventlet",
        "L01.9: modes names a mode its lesson's live tests do not run in",
        "L01.9: differs in threading, gevent, eventlet but no modes_reason",
    ]
    needless = claims.Claim("L01.9", "text", modes_reason="why")
    assert claims.mode_issues(needless, live=True) == [
        "L01.9: has a modes_reason but holds in every mode its tests run in"
    ]
    gevent_only = claims.Claim("L01.9", "text", modes=("gevent",), live_modes=("gevent",))
    assert claims.mode_issues(gevent_only, live=True) == [
        "L01.9: live_modes leaves modes out and gives no live_modes_reason"
    ]


def write_live_tests(tests_dir, lesson, claim_id, names):
    """A test_browser.py in the lesson's folder with a test per name, each proving the claim."""
    folder = tests_dir / lesson.package
    folder.mkdir(parents=True)
    path = folder / "test_browser.py"
    path.write_text(
        "import pytest\n"
        + "".join(f"@pytest.mark.claim({claim_id!r})\ndef {name}(): pass\n" for name in names)
    )
    return [f"{path.as_posix()}::{name}" for name in names]


def test_mode_checker_refuses_a_claim_whose_live_tests_did_not_pass_in_a_mode(tmp_path):
    """The run's check can fail: a mode not run, skipped, failed, or run without a mode."""
    lesson = manifest.find("10")
    pitfall = next(claim for claim in claims.claims_of(lesson) if claim.differs_in)
    [test] = write_live_tests(tmp_path, lesson, pitfall.id, ["test_pitfall"])

    def check(*outcomes, asked=claims.ASYNC_MODES):
        runs = [claims.LiveRun(test, (pitfall.id,), mode, outcome) for mode, outcome in outcomes]
        return claims.mode_problems([lesson], runs, asked, tests_dir=tmp_path)

    every_mode = [(mode, "passed") for mode in claims.ASYNC_MODES]
    assert check(*every_mode) == ({pitfall.id: claims.ASYNC_MODES}, [])
    # An eventlet-only run checks eventlet, and says nothing of the other modes.
    assert check(("eventlet", "passed"), asked=("eventlet",)) == ({pitfall.id: ("eventlet",)}, [])
    [held, differs] = [pitfall.modes[0], pitfall.differs_in[0]]
    checked, found = check(*[(m, "passed") for m in claims.ASYNC_MODES if m != held])
    assert checked == {pitfall.id: claims.ASYNC_MODES}
    assert found == [
        f"{pitfall.id}: holds in {held}, and no live test of it passed there (none ran)"
    ]
    _, found = check(*[(m, "skipped" if m == differs else "passed") for m in claims.ASYNC_MODES])
    assert found == [
        f"{pitfall.id}: differs (modes_reason) in {differs}, and no live test of it passed there "
        "(skipped)"
    ]
    _, found = check(*every_mode, (None, "passed"))
    assert found == [f"{pitfall.id}: {test} ran in no known mode (server_mode)"]


def test_mode_checker_holds_a_lesson_to_its_live_modes_and_skips_claims_run_in_part(tmp_path):
    deployed = manifest.find("13")
    [claim, *_] = claims.claims_of(deployed)
    assert claim.live_modes == ("gevent",)
    [test] = write_live_tests(tmp_path, deployed, claim.id, ["test_stack"])
    runs = [claims.LiveRun(test, (claim.id,), "gevent", "passed")]
    # Asked for threading, its tests ran in gevent: checked there, and only there.
    assert claims.mode_problems([deployed], runs, ("threading",), tmp_path) == (
        {claim.id: ("gevent",)},
        [],
    )
    runs.append(claims.LiveRun(test, (claim.id,), "threading", "passed"))
    _, found = claims.mode_problems([deployed], runs, claims.ASYNC_MODES, tmp_path)
    assert found == [
        f"{claim.id}: {test} ran in threading, but claims.toml says its live tests run in gevent "
        "only (live_modes)"
    ]
    # One of a claim's two live tests ran: the claim is not checked at all.
    lesson = manifest.find("01")
    other = claims.claims_of(lesson)[0]
    first, _ = write_live_tests(tmp_path, lesson, other.id, ["test_one", "test_two"])
    partial = [claims.LiveRun(first, (other.id,), "eventlet", "passed")]
    assert claims.mode_problems([lesson], partial, ("eventlet",), tmp_path) == ({}, [])


def test_a_run_whose_claims_did_not_pass_in_a_mode_fails_though_no_test_failed(tmp_path):
    """The check at the end of a real run: every test skipped in threading fails the session."""
    (tmp_path / "skip_everything.py").write_text(
        "import pytest\n"
        "@pytest.hookimpl(tryfirst=True)\n"
        "def pytest_runtest_setup(item):\n"
        "    pytest.skip('skipped on purpose')\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    lesson = LESSONS[0]
    command = [sys.executable, "-m", "pytest", str(lesson.tests_path / "test_browser.py")]
    options = ["--async-mode", "threading", "-p", "skip_everything", "-q", "-p", "no:cacheprovider"]
    done = subprocess.run([*command, *options], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 1, done.stdout
    assert " skipped" in done.stdout and " failed" not in done.stdout
    [first, *_] = claims.claims_of(lesson)
    assert (
        f"CLAIM NOT PROVEN {first.id}: holds in threading, and no live test of it passed there "
        "(skipped" in done.stdout
    )
    assert "not asked for: gevent, eventlet (--async-mode all runs every mode)" in done.stdout
