"""mkdocs hook: the guide follows the manifest and shows which tests prove each claim.

- The "Lessons" section of the nav must list every lesson page of lessons/lessons.toml, in order.
- A lesson page's ``<!-- claims -->`` line becomes its claims, each with the tests that prove it
  (read from the test files, so the guide cannot drift from the suite).
"""

from __future__ import annotations

import textwrap

from mkdocs.exceptions import PluginError

from playground import manifest
from playground.claims import LAYERS, Proof, claims_of, proofs_by_claim

MARKER = "<!-- claims -->"


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
    return f"    **{LAYERS.get(proof.layer, proof.layer)}** · `{proof.node_id}`\n\n{code}\n"


def render_claims(lesson: manifest.Lesson) -> str:
    found = proofs_by_claim()
    blocks = []
    for claim in claims_of(lesson):
        proofs = found.get(claim.id, [])
        layers = sorted({LAYERS.get(p.layer, p.layer) for p in proofs})
        title = f"Proven by {len(proofs)} test{'s' * (len(proofs) != 1)}: {', '.join(layers)}"
        block = [f'<a id="{claim.id}"></a>\n**{claim.id}** — {claim.text}\n']
        block += [
            f'!!! note "Not shown with {LAYERS[layer]}"\n    {reason}\n'
            for layer, reason in claim.cannot.items()
        ]
        block.append(f'??? success "{title}"\n' + "\n".join(_proof_block(p) for p in proofs))
        blocks.append("\n".join(block))
    return "\n".join(blocks)


def on_page_markdown(markdown, page, config, files):
    for lesson in manifest.lessons():
        if page.file.src_uri == lesson.doc_page:
            if MARKER not in markdown:
                raise PluginError(f"{lesson.doc_page} lacks the line {MARKER}")
            return markdown.replace(MARKER, render_claims(lesson))
    return markdown
