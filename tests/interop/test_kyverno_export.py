"""The exported ClusterPolicies validate against Kyverno's CRD schema and carry the settings."""

from __future__ import annotations

import json

import yaml
from conftest import FIXTURES

from plangate import policy
from plangate.cli import main
from plangate.interop import kyverno
from plangate.rules import RULES

SCHEMA = FIXTURES / "interop" / "crds" / "kyverno-clusterpolicy-v1.schema.json"


def test_cluster_policies_validate_against_the_crd(tmp_path, capsys):
    import jsonschema

    out = tmp_path / "kyverno.yaml"
    assert main(["export", "kyverno", "-o", str(out)]) == 0
    docs = list(yaml.safe_load_all(out.read_text()))
    assert [d["metadata"]["name"] for d in docs] == [
        "pg-tag-002-kubernetes-cost-labels", "pg-rai-001-responsible-ai-metadata", "pg-rai-002-prohibited-ai-risk-tier"]
    schema = json.loads(SCHEMA.read_text())
    for doc in docs:
        jsonschema.validate(doc, schema)
        assert doc["spec"]["rules"] and all(r["validate"]["cel"]["expressions"] for r in doc["spec"]["rules"])
    # a wrong shape is refused: the schema is not a rubber stamp
    bad = json.loads(json.dumps(docs[0]))
    bad["spec"]["rules"][0]["validate"]["cel"]["expressions"] = "not a list"
    try:
        jsonschema.validate(bad, schema)
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("the CRD schema accepted expressions that are not a list")


def test_the_configuration_travels():
    config = {"rules": {"kubernetes-cost-labels": {"enforcement": "advisory", "labels": {"owner": "^[a-z]+$"},
                                                   "kinds": ["kubernetes_pod"]}}}
    (doc, *_) = kyverno.documents(policy.build(config, RULES, "plangate.yaml"), RULES, "test")
    assert doc["spec"]["validationFailureAction"] == "Audit"
    (rule,) = doc["spec"]["rules"]
    assert rule["match"]["any"][0]["resources"]["kinds"] == ["Pod"]
    (expr,) = rule["validate"]["cel"]["expressions"]
    assert '"owner" in variables.own_labels' in expr["expression"]
    assert '.matches("^(?:^[a-z]+$)$")' in expr["expression"]


def test_gatekeeper_export_to_stdout(capsys):
    assert main(["export", "gatekeeper"]) == 0
    kinds = [d["kind"] for d in yaml.safe_load_all(capsys.readouterr().out)]
    assert kinds.count("ConstraintTemplate") == 3 and len(kinds) == 6


def test_bad_config_is_exit_2(tmp_path, capsys):
    bad = tmp_path / "plangate.yaml"
    bad.write_text("rules: [1, 2]\n")
    assert main(["export", "kyverno", "-c", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(bad) in err
