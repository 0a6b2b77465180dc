"""mkdocs hook: the guide follows the manifest and shows which tests prove each claim.

- The "Lessons" section of the nav must list every lesson page of lessons/lessons.toml, in order.
- A lesson page says, under its title, where to try the lesson live: in the playground, which
  serves this guide at /guide/ beside the lessons (so the link is to /lessons/NN/ of its URL).
- A lesson page's ``<!-- claims -->`` line becomes its claims, each with the tests that prove it
  (read from the test files, so the guide cannot drift from the suite), the async modes its live
  tests prove it in (a row of badges, from its claims.toml), and the command that runs them.
- On the async modes lesson, ``<!-- modes-table -->`` becomes a table of every claim that differs
  between modes: where it holds, and what happens in the other modes.
- On ``myths.md``, ``<!-- myths-summary -->`` becomes a table of the verdicts and ``<!-- myths -->``
  every myth of ``tests/myths/myths.toml``: its verdict, the fact, the practice, the lesson claims
  that prove it too, and the tests that decide it.
"""

from __future__ import annotations

import html
import posixpath
import textwrap

from mkdocs.exceptions import PluginError

from playground import manifest
from playground.claims import (
    LAYERS,
    LIVE_LAYERS,
    Claim,
    Myth,
    Proof,
    claims_of,
    layer_name,
    lesson_of,
    myths,
    proofs_by_claim,
)
from playground.run import ASYNC_MODES

MARKER = "<!-- claims -->"
MODES_PAGE = "lessons/12-async-modes.md"
MODES_MARKER = "<!-- modes-table -->"
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


def _modes(modes) -> str:
    """``threading and gevent``"""
    names = [f"`{mode}`" for mode in modes]
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]


def render_modes(claim: Claim, live: bool) -> str:
    """A row of badges: in which async modes live tests prove the claim, where it differs."""
    if not live:
        badges = [("in-process", "in-process only", "no live server test: see the note below")]
    else:
        badges = []
        for mode in ASYNC_MODES:
            if mode not in claim.live_modes:
                badges.append(("not-run", f"{mode}: not run", f"not run in {mode}: see above"))
            elif mode in claim.modes:
                badges.append(("holds", f"{mode} ✓", f"holds: proven on a live {mode} server"))
            else:
                badges.append(("differs", f"{mode} ≠", f"differs in {mode}: see below"))
    spans = "".join(
        f'<span class="mode {kind}" title="{html.escape(title)}">{label}</span>'
        for kind, label, title in badges
    )
    return f'<p class="modes"><span class="modes-label">async modes</span>{spans}</p>\n'


def render_modes_key(lesson: manifest.Lesson) -> str:
    """What the badges mean, and which mode to pick: once, above a lesson's claims."""
    why = posixpath.relpath(MODES_PAGE, posixpath.dirname(lesson.doc_page))
    return (
        "Under each claim, the async modes its live tests prove it in: `✓` it holds, `≠` it "
        "differs (the reason follows), *not run*. The lessons run on eventlet by default, as most "
        "tutorials do; for an app of your own, start with threading, then gevent "
        f"([why]({why}#which-mode-to-pick-in-2026)).\n"
    )


def render_claims(lesson: manifest.Lesson) -> str:
    found = proofs_by_claim()
    blocks = [render_modes_key(lesson)]
    lesson_claims = claims_of(lesson)
    restricted = [c for c in lesson_claims if set(c.live_modes) != set(ASYNC_MODES)][:1]
    for claim in restricted:  # the lesson's live tests run in some modes only: said once
        blocks.append(
            f'!!! info "Proven in {_modes(claim.live_modes)} only"\n    {claim.live_modes_reason}\n'
        )
    for claim in lesson_claims:
        proofs = found.get(claim.id, [])
        title = f"Proven by {_tests_and_layers(proofs)}"
        live = any(proof.layer in LIVE_LAYERS for proof in proofs)
        block = [f'<a id="{claim.id}"></a>\n**{claim.id}** — {claim.text}\n']
        block.append(render_modes(claim, live))
        if claim.differs_in:
            block.append(
                f'!!! warning "Holds in {_modes(claim.modes)} only: not in '
                f'{_modes(claim.differs_in)}"\n    {claim.modes_reason}\n'
            )
        block += [
            f'!!! note "Not shown with {layer_name(layer)}"\n    {reason}\n'
            for layer, reason in claim.cannot.items()
        ]
        block.append(f'??? success "{title}"\n' + "\n".join(_proof_block(p) for p in proofs))
        blocks.append("\n".join(block))
    return "\n".join([*blocks, render_prove_it(lesson), render_write_it(lesson)])


def render_modes_table(page: str = MODES_PAGE) -> str:
    """Every claim that differs between async modes, and the lessons proven in some modes only."""
    found = proofs_by_claim()
    rows, restricted, everywhere = [], [], 0
    for lesson in manifest.lessons():
        lesson_claims = claims_of(lesson)
        for claim in lesson_claims:
            live = any(proof.layer in LIVE_LAYERS for proof in found.get(claim.id, []))
            if claim.differs_in:
                rows.append(
                    f"| {_claim_link(claim.id, page)} | {_modes(claim.modes)} | "
                    f"{_modes(claim.differs_in)} | {claim.modes_reason} |"
                )
            elif live and set(claim.live_modes) == set(ASYNC_MODES):
                everywhere += 1
        if lesson_claims and set(lesson_claims[0].live_modes) != set(ASYNC_MODES):
            restricted.append((lesson, lesson_claims[0]))
    if not rows:
        raise PluginError(f"{page}: no claim differs between modes, so {MODES_MARKER} has no rows")
    table = [
        "| claim | holds in | not in | what happens there instead (proven) |",
        "|---|---|---|---|",
        *rows,
    ]
    notes = [
        f"\nThe other {everywhere} claims proven against live servers in every mode hold in all "
        "three; claims with no live test say *in-process only*."
    ]
    notes += [
        f"Lesson {lesson.id}'s claims are proven in {_modes(claim.live_modes)} only. "
        f"{claim.live_modes_reason}"
        for lesson, claim in restricted
    ]
    return "\n".join(table) + "\n" + "\n\n".join(notes)


def render_prove_it(lesson: manifest.Lesson) -> str:
    """The command that runs a lesson's proofs (noxfile.py's tests session reads the id)."""
    layers = " or ".join(f"`--layer {layer}`" for layer in LAYERS)
    command = f"nox -s tests -- {lesson.id}"
    return (
        f"**Prove it:** `{command}` runs these tests; add {layers} for one layer, "
        "`--async-mode all` for every async mode.\n"
    )


def render_write_it(lesson: manifest.Lesson) -> str:
    """The lesson's exercise (playground/exercises), or why it has none (lessons.toml)."""
    if lesson.no_exercise:
        return f"*No exercise for this lesson: {lesson.no_exercise}.*\n"
    return (
        f"**Now write it yourself:** `nox -s exercise -- {lesson.id}` gives you this lesson's "
        "module with its handlers taken out; these same tests judge what you write "
        "([Exercises](../exercises.md)).\n"
    )


def _claim_link(claim_id: str, page: str = MYTHS_PAGE) -> str:
    """``[L05.3](lessons/05-rooms.md#L05.3)``, relative to ``page`` (the myths page)."""
    target = posixpath.relpath(lesson_of(claim_id).doc_page, posixpath.dirname(page) or ".")
    return f"[{claim_id}]({target}#{claim_id})"


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
    if page.file.src_uri == MODES_PAGE:
        if MODES_MARKER not in markdown:
            raise PluginError(f"{MODES_PAGE} lacks the line {MODES_MARKER}")
        markdown = markdown.replace(MODES_MARKER, render_modes_table())
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
