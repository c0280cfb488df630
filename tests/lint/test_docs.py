"""docs/rules.md is generated from the registry; this fails when it is stale."""

from __future__ import annotations

from pathlib import Path

from flatrender_schema.lint.docs import render_rules_doc
from flatrender_schema.lint.engine import known_codes

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def test_rules_doc_is_current() -> None:
    assert DOC.read_text() == render_rules_doc(), (
        "docs/rules.md is stale: run `python -m flatrender_schema.lint.docs > docs/rules.md`")


def test_every_code_is_documented() -> None:
    text = DOC.read_text()
    for code in known_codes():
        assert f"\n### {code}\n" in text
