"""`plangate rules ID`, `plangate rules --format json` and `plangate init`."""

from __future__ import annotations

import ast
import json
import re

import pytest
import yaml
from conftest import ROOT

from plangate import policy
from plangate.cli import main
from plangate.rules import BY_ID, RULES, all_rules
from plangate.settings import as_dict

RULE_ID = re.compile(r"PG-[A-Z]+-\d{3}")


def test_rules_id_prints_that_rules_section_of_the_docs(capsys):
    assert main(["rules", "PG-EXP-002", "function-url-auth"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("## PG-EXP-002 api-route-auth\n")
    assert "## PG-EXP-001 function-url-auth" in out and "## PG-TAG-001" not in out
    assert "`aws_apigatewayv2_api`" in out  # the quick-create fix is in the docs it prints


def test_rules_with_an_unknown_id_is_exit_2(capsys):
    assert main(["rules", "PG-NOPE-9"]) == 2
    assert capsys.readouterr().err == "plangate: error: no rule 'PG-NOPE-9' (see `plangate rules`)\n"


def test_rules_as_json_lists_every_rule_with_its_settings(capsys):
    assert main(["rules", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in doc["rules"]] == [r.id for r in all_rules()]
    tag = doc["rules"][0]
    assert tag["settings"]["required"]["default"] == list(BY_ID[tag["id"]].settings_type().required)
    assert tag["checkov"] and tag["url"].endswith(f"#{tag['id'].lower()}-{tag['slug']}")
    assert main(["rules", "PG-RAI-001", "-f", "json"]) == 0
    one = json.loads(capsys.readouterr().out)["rules"]
    assert [r["id"] for r in one] == ["PG-RAI-001"]
    assert "aws_sagemaker_endpoint_configuration" not in one[0]["applies_to"]


def test_init_writes_every_rules_defaults_and_the_file_loads_as_the_defaults(tmp_path, capsys):
    path = tmp_path / "plangate.yaml"
    assert main(["init", str(path)]) == 0
    text = path.read_text()
    data = yaml.safe_load(text)
    assert list(data["rules"]) == [r.slug for r in RULES]
    for r in RULES:
        assert f"# {r.id} " in text
        given = dict(data["rules"][r.slug])
        assert given.pop("enforcement") == r.enforcement.value
        assert given == as_dict(r.settings_type())
    loaded, defaults = policy.load(str(path), RULES), policy.defaults(RULES)
    assert loaded.rules == defaults.rules and loaded.on_unknown == defaults.on_unknown
    assert f"wrote {path}" in capsys.readouterr().err


def test_init_never_overwrites_without_force(tmp_path, capsys):
    path = tmp_path / "plangate.yaml"
    path.write_text("rules: {}\n")
    assert main(["init", str(path)]) == 2
    assert capsys.readouterr().err == f"plangate: error: {path}: already exists (use --force to overwrite it)\n"
    assert path.read_text() == "rules: {}\n"
    assert main(["init", str(path), "--force"]) == 0
    assert "cost-allocation-tags:" in path.read_text()


def test_init_defaults_to_plangate_yaml_here(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 0
    assert (tmp_path / "plangate.yaml").exists()


def _code_strings(tree: ast.AST) -> list[str]:
    """String constants of a module that are not docstrings (those give ids as examples)."""
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_every_rule_id_in_the_code_is_in_the_catalogue():
    """Whatever produces a finding (the engine over any rule list, assure, the fleet model) names
    its rule by an id written somewhere in plangate/: each such id is a catalogue entry."""
    catalogue = {r.id for r in all_rules()}
    written = {}
    for path in sorted((ROOT / "plangate").rglob("*.py")):
        for text in _code_strings(ast.parse(path.read_text(encoding="utf-8"))):
            if RULE_ID.fullmatch(text):
                written.setdefault(text, str(path.relative_to(ROOT)))
    assert {"PG-ASR-001", "PG-ASR-006", "PG-FLEET-001", "PG-TAG-001"} <= set(written)  # the probe sees them
    assert {i: where for i, where in written.items() if i not in catalogue} == {}
    assert len(catalogue) == len(all_rules())  # ids unique


def test_every_producer_s_rules_are_catalogue_entries():
    from plangate.analytics import outliers
    from plangate.rules.promotion import ASSURANCE_RULES

    catalogue = {r.id: r for r in all_rules()}
    for r in (*RULES, *ASSURANCE_RULES):
        assert catalogue[r.id] is r
    fleet = catalogue[outliers.RULE_ID]  # outliers builds its findings from these two names
    assert (fleet.slug, fleet.enforcement.value) == (outliers.SLUG, "advisory")


@pytest.mark.parametrize("rule_id,slug", [("PG-ASR-001", "model-data-drift"), ("PG-ASR-006", "model-card-model-id"),
                                          ("PG-FLEET-001", "fleet-outlier")])
def test_rules_beyond_the_scan_are_listed_and_shown(capsys, rule_id, slug):
    assert main(["rules"]) == 0
    assert any(line.startswith(f"{rule_id}  {slug} ") for line in capsys.readouterr().out.splitlines())
    assert main(["rules", rule_id]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"## {rule_id} {slug}\n") and "- Checkov: no check: judges " in out
    assert f"\n## {rule_id} {slug}\n" in (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")


def test_assure_sarif_help_links_land_on_headings_of_rules_md(tmp_path, capsys):
    from plangate.report.sarif import SHIPPED_DOCS

    sarif = tmp_path / "assure.sarif"
    assert main(["assure", "--model-id", "m", "--risk-tier", "high", "-f", "sarif", "-o", str(sarif)]) == 1
    descriptors = json.loads(sarif.read_text())["runs"][0]["tool"]["driver"]["rules"]
    anchors = {_anchor(line) for line in SHIPPED_DOCS.read_text(encoding="utf-8").splitlines()
               if line.startswith("## ")}
    links = {d["id"]: d["helpUri"] for d in descriptors}
    assert sorted(links) == [*(f"PG-ASR-00{i}" for i in range(1, 7)), "PG-GOV-001"]  # + the expired-waiver rule
    for rule_id, uri in links.items():
        base, anchor = uri.split("#")
        assert base == SHIPPED_DOCS.as_uri() and anchor in anchors, (rule_id, uri)


def _anchor(heading: str) -> str:
    """GitHub's anchor of a Markdown heading: lower case, spaces to dashes, punctuation dropped."""
    return re.sub(r"[^a-z0-9 _-]", "", heading[3:].strip().lower()).replace(" ", "-")

