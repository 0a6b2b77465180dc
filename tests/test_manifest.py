"""The manifest, the lesson packages, the guide and the tests agree with each other."""

import re

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
