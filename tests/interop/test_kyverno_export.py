"""The exported Kyverno ValidatingPolicies (and, with --legacy, ClusterPolicies) validate against
Kyverno's CRD schemas and carry the settings."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest
import yaml
from schemas import CRDS, kyverno_validating_policy, strict

from plangate import policy
from plangate.cli import main
from plangate.interop import kyverno
from plangate.rules import RULES

NAMES = ["pg-tag-002-kubernetes-cost-labels", "pg-rai-001-responsible-ai-metadata",
         "pg-rai-002-prohibited-ai-risk-tier"]


def _exported(tmp_path, *options) -> list[dict]:
    out = tmp_path / "kyverno.yaml"
    assert main(["export", "kyverno", *options, "-o", str(out)]) == 0
    return list(yaml.safe_load_all(out.read_text()))


def test_validating_policies_validate_against_the_crd(tmp_path):
    docs = _exported(tmp_path)
    assert [(d["apiVersion"], d["kind"], d["metadata"]["name"]) for d in docs] == [
        ("policies.kyverno.io/v1", "ValidatingPolicy", name) for name in NAMES]
    schema = kyverno_validating_policy()
    for doc in docs:
        jsonschema.validate(doc, schema)
        assert doc["spec"]["validations"] and doc["spec"]["validationActions"] == ["Deny"]
        assert doc["spec"]["autogen"] == {"podControllers": {"controllers": []}}
    bad = copy.deepcopy(docs[0])
    bad["spec"]["validations"] = "not a list"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    bad = copy.deepcopy(docs[0])
    bad["spec"]["validationActions"] = ["Enforce"]  # ClusterPolicy's word, not ValidatingPolicy's
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_legacy_cluster_policies_validate_against_the_crd(tmp_path):
    docs = _exported(tmp_path, "--legacy")
    assert [(d["apiVersion"], d["kind"], d["metadata"]["name"]) for d in docs] == [
        ("kyverno.io/v1", "ClusterPolicy", name) for name in NAMES]
    schema = strict(json.loads((CRDS / "kyverno-clusterpolicy-v1.schema.json").read_text()))
    for doc in docs:
        jsonschema.validate(doc, schema)
        (rule,) = doc["spec"]["rules"]
        assert rule["validate"]["cel"]["expressions"]
    bad = copy.deepcopy(docs[0])
    bad["spec"]["rules"][0]["validate"]["cel"]["expressions"] = "not a list"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_the_configuration_travels():
    config = {"rules": {"kubernetes-cost-labels": {"enforcement": "advisory", "labels": {"owner": "^[a-z]+$"},
                                                   "kinds": ["kubernetes_pod"]}}}
    pol = policy.build(config, RULES, "plangate.yaml")
    (doc, *_) = kyverno.documents(pol, RULES, "test")
    assert doc["spec"]["validationActions"] == ["Warn", "Audit"]
    assert doc["spec"]["matchConstraints"]["resourceRules"] == [
        {"apiGroups": [""], "apiVersions": ["*"], "operations": ["CREATE", "UPDATE"], "resources": ["pods"]}]
    assert doc["spec"]["variables"][0]["expression"] == (
        '{"labels": [{"key": "owner", "value": "^[a-z]+$"}], "annotations": [], "kinds": ["kubernetes_pod"], '
        '"pod_template": true}')
    (legacy, *_) = kyverno.documents(pol, RULES, "test", legacy=True)
    assert legacy["spec"]["validationFailureAction"] == "Audit"
    (rule,) = legacy["spec"]["rules"]
    assert rule["match"]["any"][0]["resources"]["kinds"] == ["Pod"]
    assert rule["validate"]["cel"]["variables"] == doc["spec"]["variables"]  # one CEL, two places


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
