"""`plangate rules ID`, `plangate rules --format json` and `plangate init`."""

from __future__ import annotations

import json

import yaml

from plangate import policy
from plangate.cli import main
from plangate.rules import BY_ID, RULES
from plangate.settings import as_dict


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
    assert [r["id"] for r in doc["rules"]] == [r.id for r in RULES]
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
