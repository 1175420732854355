"""docs/rules.md is generated from the registry and must not go stale."""

from __future__ import annotations

from conftest import ROOT

from plangate import rule_catalogue as catalogue
from plangate.rules import all_rules

DOCS = ROOT / "docs" / "rules.md"


def test_docs_rules_md_is_current():
    assert DOCS.read_text(encoding="utf-8") == catalogue.markdown(all_rules()), (
        "docs/rules.md is stale: run `make docs` (plangate rules --markdown --output docs/rules.md)"
    )


def test_every_rule_is_documented_with_its_examples():
    text = catalogue.markdown(all_rules())
    for r in all_rules():
        assert f"## {r.id} {r.slug}" in text
        for ex in r.examples:
            for message in ex.says:
                assert f"says: {message}" in text


def test_rule_urls_point_at_their_docs_anchor():
    for r in all_rules():
        assert r.url.endswith(f"#{r.id.lower()}-{r.slug}")
