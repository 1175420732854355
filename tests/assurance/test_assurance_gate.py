"""plangate assure: the tier's thresholds from the policy file, findings in the scanner's formats."""

from __future__ import annotations

import json

import pytest
from conftest import DATA, needs_data

from plangate.cli import main
from plangate.rules.promotion import ASSURANCE_RULES

SHIFT = DATA / "drift_shift"
COMPAS = DATA / "fairness" / "compas-scores-two-years.csv"
PREFIX = "ai.plangate.dev/"


@pytest.mark.parametrize("rule,example", [(r, e) for r in ASSURANCE_RULES for e in r.examples],
                         ids=lambda x: getattr(x, "id", None) or getattr(x, "name", None) or "example")
def test_assurance_rule_examples(rule, example):
    says, undecided = rule.run_example(example)
    assert says == list(example.says) and undecided == list(example.undecided)


def test_rule_ids_are_unique_and_apart_from_the_scan_catalogue():
    from plangate.rules import RULES

    ids = [r.id for r in ASSURANCE_RULES]
    assert len(set(ids)) == len(ids) and not set(ids) & {r.id for r in RULES}
    assert all(r.description and r.remediation and r.frameworks.eu_ai_act for r in ASSURANCE_RULES)


def card(name="fraud-xgb", version="2026-10", metrics=True, **extra) -> dict:
    doc = {"schema_version": "0.0.2",
           "model_details": {"name": name, "version": {"name": version}, "overview": "Scores card transactions."},
           "considerations": {"ethical_considerations": [{"name": "false declines", "mitigation_strategy": "review"}]}}
    if metrics:
        doc["quantitative_analysis"] = {"performance_metrics": [{"type": "AUC", "value": "0.91", "slice": "all"}]}
    return {**doc, **extra}


def manifest(tmp_path, tier="high", card_url="https://github.com/acme/infra/blob/main/cards/fraud.json",
             model_id="fraud-xgb-2026-10"):
    path = tmp_path / "k8s.yaml"
    path.write_text(f"""apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: fraud-scorer
  namespace: ml
  labels: {{app: ai-model-inference}}
  annotations:
    {PREFIX}model-id: {model_id}
    {PREFIX}model-card-url: {card_url}
    {PREFIX}risk-tier: {tier}
spec:
  predictor:
    xgboost: {{storageUri: "s3://models/fraud"}}
""")
    return path


def write_card(tmp_path, doc) -> None:
    (tmp_path / "cards").mkdir(exist_ok=True)
    (tmp_path / "cards" / "fraud.json").write_text(json.dumps(doc))


def assure_json(capsys, *argv) -> tuple[int, dict]:
    code = main(["assure", *map(str, argv), "--format", "json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def rule_ids(report: dict) -> list[str]:
    return sorted({f["rule_id"] for f in report["findings"]})


@pytest.fixture
def evidence(tmp_path_factory):
    """Real drift (California housing) and fairness (COMPAS) reports from the CLI."""
    if not DATA.is_dir():
        pytest.skip(f"the shared data is not checked out at {DATA}")
    d = tmp_path_factory.mktemp("evidence")
    assert main(["drift", "--reference", str(SHIFT / "california_housing_reference.csv"), "--current",
                 str(SHIFT / "california_housing_analysis.csv"), "--exclude", "id,timestamp,clf_target",
                 "--prediction", "y_pred_proba,y_pred", "-f", "json", "-o", str(d / "drift.json")]) == 0
    half = d / "half"
    import pandas as pd

    ref = pd.read_csv(SHIFT / "california_housing_reference.csv")
    ref.iloc[::2].to_csv(d / "even.csv", index=False)
    ref.iloc[1::2].to_csv(half, index=False)
    assert main(["drift", "--reference", str(d / "even.csv"), "--current", str(half), "--exclude",
                 "id,timestamp,clf_target", "-f", "json", "-o", str(d / "no_drift.json")]) == 0
    assert main(["fairness", str(COMPAS), "--y-true", "two_year_recid", "--y-pred", "decile_score",
                 "--y-pred-threshold", "5", "--sensitive", "race", "--sensitive", "sex", "--bootstrap", "0",
                 "-f", "json", "-o", str(d / "fairness.json")]) == 0
    return d


def test_a_high_risk_model_with_real_shift_and_bias_is_blocked(capsys, tmp_path, evidence):
    write_card(tmp_path, card())
    code, report = assure_json(capsys, "--deployment", manifest(tmp_path), "--repo-root", tmp_path,
                               "--drift", evidence / "drift.json", "--fairness", evidence / "fairness.json")
    assert code == 1
    assert rule_ids(report) == ["PG-ASR-001", "PG-ASR-002", "PG-ASR-003"]
    messages = [f["rule_id"] + ": " + f["message"] for f in report["findings"]]
    assert any(m.startswith("PG-ASR-001") and "Latitude, Longitude" in m for m in messages)
    assert "PG-ASR-003: disparate impact 0.26 < 0.8 across race, sex (four-fifths rule)" in messages


def test_a_high_risk_model_within_its_thresholds_passes(capsys, tmp_path, evidence):
    write_card(tmp_path, card())
    policy = tmp_path / "plangate.yaml"
    policy.write_text("assurance:\n  tiers:\n    high:\n      min_disparate_impact: 0.2\n"
                      "      max_demographic_parity_difference: 0.5\n      max_equalized_odds_difference: 0.5\n"
                      "      max_equal_opportunity_difference: 0.5\n")
    code, report = assure_json(capsys, "--deployment", manifest(tmp_path), "--repo-root", tmp_path,
                               "--drift", evidence / "no_drift.json", "--fairness", evidence / "fairness.json",
                               "-c", policy)
    assert (code, report["findings"]) == (0, [])


def test_model_card_findings(capsys, tmp_path, evidence):
    write_card(tmp_path, card(name="fraud-xgb", version="2025-01", metrics=False))
    args = ["--deployment", manifest(tmp_path), "--repo-root", tmp_path, "--drift", evidence / "no_drift.json"]
    code, report = assure_json(capsys, *args, "--risk-tier", "limited")
    assert code == 1 and rule_ids(report) == ["PG-ASR-006"]
    assert "describes fraud-xgb, not the deployed model fraud-xgb-2026-10" in report["findings"][0]["message"]
    code, report = assure_json(capsys, *args, "--fairness", evidence / "fairness.json")
    assert "PG-ASR-005" in rule_ids(report) and "PG-ASR-006" in rule_ids(report)
    write_card(tmp_path, {**card(), "colour": "red"})  # the schema allows no other top-level key
    code, report = assure_json(capsys, *args, "--risk-tier", "limited")
    assert rule_ids(report) == ["PG-ASR-004"]
    assert "Additional properties are not allowed ('colour'" in report["findings"][0]["message"]
    (tmp_path / "cards" / "fraud.json").unlink()
    code, report = assure_json(capsys, *args, "--risk-tier", "limited")
    assert rule_ids(report) == ["PG-ASR-004"] and "resolves to no file" in report["findings"][0]["message"]


def test_minimal_tier_asks_for_nothing(capsys, tmp_path):
    code, report = assure_json(capsys, "--deployment", manifest(tmp_path, tier="minimal"), "--repo-root", tmp_path)
    assert (code, report["findings"]) == (0, [])


def test_waivers_and_enforcement_apply_to_assurance_rules(capsys, tmp_path, evidence):
    write_card(tmp_path, card())
    policy = tmp_path / "plangate.yaml"
    policy.write_text("rules:\n  model-prediction-drift: {enforcement: advisory}\n"
                      "waivers:\n  - {rule: PG-ASR-003, resource: '*fraud-scorer*', reason: 'bias review open',"
                      " owner: rai-board, expires: 2099-01-01}\n"
                      "  - {rule: PG-ASR-001, resource: '*', reason: 'known seasonal shift', owner: ml,"
                      " expires: 2099-01-01}\n")
    code, report = assure_json(capsys, "--deployment", manifest(tmp_path), "--repo-root", tmp_path, "-c", policy,
                               "--drift", evidence / "drift.json", "--fairness", evidence / "fairness.json")
    outcomes = {f["rule_id"]: f["outcome"] for f in report["findings"]}
    assert outcomes == {"PG-ASR-001": "waived", "PG-ASR-002": "warning", "PG-ASR-003": "waived"}
    assert code == 0


@needs_data
def test_sarif_and_junit_come_out_as_for_a_scan(tmp_path, evidence):
    import xml.etree.ElementTree as ET

    import jsonschema

    sarif, junit = tmp_path / "r.sarif", tmp_path / "r.xml"
    base = ["assure", "--model-id", "housing-rf", "--risk-tier", "high", "--drift", str(evidence / "drift.json")]
    assert main([*base, "-f", "sarif", "-o", str(sarif)]) == 1
    doc = json.loads(sarif.read_text())
    jsonschema.validate(doc, json.loads((DATA / "schemas" / "sarif-schema-2.1.0.json").read_text()))
    assert {r["ruleId"] for r in doc["runs"][0]["results"]} >= {"PG-ASR-001", "PG-ASR-004"}
    assert main([*base, "-f", "junit", "-o", str(junit)]) == 1
    assert int(ET.parse(junit).getroot().get("failures")) >= 2


@pytest.mark.parametrize("yaml_text,says", [
    ("assurance:\n  tiers:\n    extreme: {}\n", "unknown risk tier 'extreme'"),
    ("assurance:\n  tiers:\n    high: {max_drift: 0.1}\n", "unknown setting 'max_drift'"),
    ("assurance:\n  tiers:\n    high: {min_disparate_impact: 1.5}\n", "between 0 and 1"),
    ("assurance:\n  levels: {}\n", "unknown key 'levels'"),
])
def test_bad_assurance_policy_is_one_line_exit_2(tmp_path, capsys, yaml_text, says):
    policy = tmp_path / "plangate.yaml"
    policy.write_text(yaml_text)
    assert main(["assure", "--model-id", "m", "--risk-tier", "high", "-c", str(policy)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err and str(policy) in err


@pytest.mark.parametrize("argv,says", [
    (["--model-id", "m", "--risk-tier", "medium"], "risk tier 'medium' has no assurance thresholds"),
    (["--model-id", "m", "--risk-tier", "unacceptable"], "prohibited practice"),
    (["--model-id", "m"], "give --deployment PATH, or --model-id and --risk-tier"),
    (["--model-id", "m", "--risk-tier", "high", "--drift", "/nonexistent/drift.json"],
         "/nonexistent/drift.json: the drift report: no such file or directory"),
])
def test_bad_assure_input_is_one_line_exit_2(capsys, argv, says):
    assert main(["assure", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err


def test_a_file_that_is_not_a_drift_report_is_refused(tmp_path, capsys):
    bogus = tmp_path / "d.json"
    bogus.write_text('{"features": 3}')
    assert main(["assure", "--model-id", "m", "--risk-tier", "high", "--drift", str(bogus)]) == 2
    assert "not a drift report" in capsys.readouterr().err


def test_the_decision_is_recorded_and_mapped_in_the_evidence(tmp_path, capsys, evidence):
    log = tmp_path / "audit.jsonl"
    assert main(["assure", "--model-id", "housing-rf", "--risk-tier", "high", "--drift",
                 str(evidence / "drift.json"), "--audit-log", str(log), "-o", str(tmp_path / "r.txt")]) == 1
    assert main(["assure", "--model-id", "m", "--risk-tier", "minimal", "--audit-log", str(log)]) == 0
    capsys.readouterr()
    assert main(["audit", "verify", str(log)]) == 0
    out = tmp_path / "evidence.json"
    assert main(["evidence", str(log), "-f", "json", "-o", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["decisions"] == {"assure": 2}
    controls = {c["id"]: c for c in doc["controls"]}
    assert set(controls) == {r.id for r in ASSURANCE_RULES} | {"PG-GOV-001"}
    drift = controls["PG-ASR-001"]
    assert drift["eu_ai_act"] == ["Art. 72"] and drift["nist_ai_rmf"] == ["MEASURE 2.4"]
    assert drift["decisions_checked"] == 2 and drift["findings"]["violation"] == 1
