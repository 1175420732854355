"""SARIF as GitHub code scanning reads it: schema-valid, relative URIs with a base id, a region
on every result, security-severity on every rule, and help links that resolve."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from conftest import DATA, EXAMPLES, ROOT

from plangate.cli import main
from plangate.rules import RULES

SCHEMA = DATA / "schemas" / "sarif-schema-2.1.0.json"


def _validator():
    if not SCHEMA.exists():
        pytest.skip(f"the SARIF 2.1.0 schema is not at {SCHEMA}")
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def _sarif(tmp_path, *args: str) -> dict:
    out = tmp_path / "r.sarif"
    assert main(["scan", *args, "-f", "sarif", "-o", str(out), "--today", "2026-11-28"]) in (0, 1)
    return json.loads(out.read_text())


@pytest.fixture
def in_root(monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("PLANGATE_DOCS_URL", raising=False)


def test_the_examples_give_a_schema_valid_log_code_scanning_can_place(tmp_path, in_root):
    doc = _sarif(tmp_path, "examples", "-c", "examples/plangate.yaml")
    _validator().validate(doc)
    run = doc["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": ROOT.as_uri() + "/"}}
    assert run["results"], "the examples have findings"
    for result in run["results"]:
        physical = result["locations"][0]["physicalLocation"]
        assert physical["region"]["startLine"] >= 1
        artifact = physical["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%" and not artifact["uri"].startswith(("/", "file:"))
        assert (ROOT / unquote(artifact["uri"])).exists(), artifact
    for rule in run["tool"]["driver"]["rules"]:
        assert 0.0 <= float(rule["properties"]["security-severity"]) <= 10.0


def test_an_absolute_path_below_the_working_directory_becomes_relative(tmp_path, in_root):
    doc = _sarif(tmp_path, str(EXAMPLES / "terraform-plan" / "plan.json"))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]}
    assert uris == {"examples/terraform-plan/plan.json"}


def test_a_file_outside_the_working_directory_keeps_an_absolute_uri(tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    doc = _sarif(tmp_path, str(EXAMPLES / "terraform-plan" / "plan.json"))
    _validator().validate(doc)
    artifact = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": (EXAMPLES / "terraform-plan" / "plan.json").as_uri()}


def _anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
            for h in re.findall(r"^#+ (.+)$", markdown, re.M)}


def test_every_help_uri_resolves_to_its_section_of_the_shipped_docs(tmp_path, in_root):
    doc = _sarif(tmp_path, "examples/terraform-plan/plan.json")
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert len(rules) == len([r for r in RULES if r.enforcement.value != "disabled"])
    for rule in rules:
        uri = urlparse(rule["helpUri"])
        assert uri.scheme == "file"
        path = Path(unquote(uri.path))
        assert path.is_file() and path.parent.parent.name == "plangate"  # inside the package
        assert uri.fragment in _anchors(path.read_text()), rule["helpUri"]
        assert uri.fragment.startswith(rule["id"].lower())


def test_the_docs_base_url_is_configurable(tmp_path, in_root, monkeypatch):
    base = "https://github.com/acme/infra/blob/main/docs/plangate-rules.md"
    doc = _sarif(tmp_path, "examples/terraform-plan/plan.json", "--docs-url", base)
    assert {r["helpUri"].split("#")[0] for r in doc["runs"][0]["tool"]["driver"]["rules"]} == {base}
    monkeypatch.setenv("PLANGATE_DOCS_URL", "https://docs.example.com/rules")
    doc = _sarif(tmp_path, "examples/terraform-plan/plan.json")
    assert doc["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"].startswith("https://docs.example.com/rules#pg-")


def test_the_repository_docs_are_the_shipped_docs():
    assert (ROOT / "docs" / "rules.md").resolve() == (ROOT / "plangate" / "docs" / "rules.md").resolve()
