"""mkdocs hook: the guide follows the manifest and shows which tests prove each claim.

- The "Lessons" section of the nav must list every lesson page of lessons/lessons.toml, in order.
- A lesson page says, under its title, where to try the lesson live: in the playground, which
  serves this guide at /guide/ beside the lessons (so the link is to /lessons/NN/ of its URL).
- A lesson page's ``<!-- claims -->`` line becomes its claims, each with the tests that prove it
  (read from the test files, so the guide cannot drift from the suite), and the command that runs
  them.
- On ``myths.md``, ``<!-- myths-summary -->`` becomes a table of the verdicts and ``<!-- myths -->``
  every myth of ``tests/myths/myths.toml``: its verdict, the fact, the practice, the lesson claims
  that prove it too, and the tests that decide it.
"""

from __future__ import annotations

import textwrap

from mkdocs.exceptions import PluginError

from playground import manifest
from playground.claims import LAYERS, Myth, Proof, claims_of, layer_name, myths, proofs_by_claim

MARKER = "<!-- claims -->"
MYTHS_PAGE = "myths.md"
MYTHS_MARKER = "<!-- myths -->"
SUMMARY_MARKER = "<!-- myths-summary -->"
# verdict -> (admonition type, how the page says it, what it means)
VERDICT_BADGES = {
    "true": ("success", "True", "the claim holds as stated"),
    "false": ("failure", "False", "the claim is wrong"),
    "partly": ("warning", "Partly true", "part of it holds, or it holds only under conditions"),
    "outdated": ("info", "Outdated", "true of an older release, not of this one"),
    "pending": ("note", "Pending", "no test can decide it yet; the myth says what will"),
}


def _lesson_pages_in_nav(nav) -> list[str]:
    for item in nav or []:
        if isinstance(item, dict) and "Lessons" in item:
            return [
                next(iter(entry.values())) if isinstance(entry, dict) else entry
                for entry in item["Lessons"]
            ]
    return []


def on_config(config):
    expected = [lesson.doc_page for lesson in manifest.lessons()]
    listed = _lesson_pages_in_nav(config["nav"])
    if listed != expected:
        raise PluginError(
            f"mkdocs.yml nav 'Lessons' must be {expected} (lessons.toml), not {listed}"
        )
    return config


def _proof_block(proof: Proof) -> str:
    code = textwrap.indent(f"```python\n{proof.source.rstrip()}\n```", "    ")
    return f"    **{layer_name(proof.layer)}** · `{proof.node_id}`\n\n{code}\n"


def _tests_and_layers(proofs: list[Proof]) -> str:
    """``3 tests: browser (Playwright), test_client``"""
    layers = sorted({layer_name(p.layer) for p in proofs})
    return f"{len(proofs)} test{'s' * (len(proofs) != 1)}: {', '.join(layers)}"


def render_claims(lesson: manifest.Lesson) -> str:
    found = proofs_by_claim()
    blocks = []
    for claim in claims_of(lesson):
        proofs = found.get(claim.id, [])
        title = f"Proven by {_tests_and_layers(proofs)}"
        block = [f'<a id="{claim.id}"></a>\n**{claim.id}** — {claim.text}\n']
        block += [
            f'!!! note "Not shown with {layer_name(layer)}"\n    {reason}\n'
            for layer, reason in claim.cannot.items()
        ]
        block.append(f'??? success "{title}"\n' + "\n".join(_proof_block(p) for p in proofs))
        blocks.append("\n".join(block))
    return "\n".join([*blocks, render_prove_it(lesson), render_write_it(lesson)])


def render_prove_it(lesson: manifest.Lesson) -> str:
    """The command that runs a lesson's proofs (noxfile.py's tests session reads the id)."""
    layers = " or ".join(f"`--layer {layer}`" for layer in LAYERS)
    command = f"nox -s tests -- {lesson.id}"
    return f"**Prove it:** `{command}` runs these tests; add {layers} for one layer.\n"


def render_write_it(lesson: manifest.Lesson) -> str:
    """The lesson's exercise (playground/exercises), or why it has none (lessons.toml)."""
    if lesson.no_exercise:
        return f"*No exercise for this lesson: {lesson.no_exercise}.*\n"
    return (
        f"**Now write it yourself:** `nox -s exercise -- {lesson.id}` gives you this lesson's "
        "module with its handlers taken out; these same tests judge what you write "
        "([Exercises](../exercises.md)).\n"
    )


def _claim_link(claim_id: str) -> str:
    """``[L05.3](lessons/05-rooms.md#L05.3)``, relative to the myths page."""
    lesson = manifest.find(claim_id[1:].split(".")[0])
    return f"[{claim_id}]({lesson.doc_page}#{claim_id})"


def render_myth(myth: Myth, proofs: list[Proof]) -> str:
    if myth.verdict not in VERDICT_BADGES:
        raise PluginError(f"{myth.id}: unknown verdict {myth.verdict!r}")
    kind, verdict, _ = VERDICT_BADGES[myth.verdict]
    block = [
        f"### {myth.id} · {myth.claim} {{#{myth.id}}}\n",
        f'!!! {kind} "{verdict}"\n' + textwrap.indent(myth.fact, "    ") + "\n",
        f"**Practice:** {myth.practice}\n",
    ]
    if myth.see:
        block.append(f"**Proven in the lessons too:** {', '.join(map(_claim_link, myth.see))}\n")
    decided = "Kept pending by" if myth.verdict == "pending" else "Decided by"
    block.append(
        f'??? example "{decided} {_tests_and_layers(proofs)}"\n'
        + "\n".join(_proof_block(p) for p in proofs)
    )
    return "\n".join(block)


def render_myths() -> str:
    found = proofs_by_claim()
    return "\n".join(render_myth(myth, found.get(myth.id, [])) for myth in myths())


def render_myths_summary() -> str:
    """A table: each verdict, what it means, and the myths that got it."""
    by_verdict = {verdict: [] for verdict in VERDICT_BADGES}
    for myth in myths():
        by_verdict.setdefault(myth.verdict, []).append(f"[{myth.id}](#{myth.id})")
    rows = [
        f"| {label} | {meaning} | {len(by_verdict[verdict])} | {', '.join(by_verdict[verdict])} |"
        for verdict, (_, label, meaning) in VERDICT_BADGES.items()
    ]
    return "\n".join(["| verdict | means | myths | which |", "|---|---|---|---|", *rows])


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri == MYTHS_PAGE:
        for marker in (SUMMARY_MARKER, MYTHS_MARKER):
            if marker not in markdown:
                raise PluginError(f"{MYTHS_PAGE} lacks the line {marker}")
        markdown = markdown.replace(SUMMARY_MARKER, render_myths_summary())
        return markdown.replace(MYTHS_MARKER, render_myths())
    for lesson in manifest.lessons():
        if page.file.src_uri == lesson.doc_page:
            if MARKER not in markdown:
                raise PluginError(f"{lesson.doc_page} lacks the line {MARKER}")
            return with_try_it_live(markdown.replace(MARKER, render_claims(lesson)), lesson)
    return markdown


def try_it_live(lesson: manifest.Lesson) -> str:
    # An absolute path: the playground serves the guide at /guide/, the lesson at /lessons/NN/.
    # In HTML: mkdocs checks Markdown links as links between the guide's own pages.
    path = f"/lessons/{lesson.id}/"
    return (
        f'**Try it live:** `nox -s playground`, then <a href="{path}">{path}</a> of its URL '
        f"(or this lesson alone: `nox -s lesson -- {lesson.id}`).\n"
    )


def with_try_it_live(markdown: str, lesson: manifest.Lesson) -> str:
    """The page with the try-it-live line right under its title."""
    title, newline, rest = markdown.partition("\n")
    if not title.startswith("# "):
        raise PluginError(f"{lesson.doc_page} must start with its title (# …)")
    return f"{title}{newline}\n{try_it_live(lesson)}{rest}"
