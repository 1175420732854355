"""``plangate export vap``: ValidatingAdmissionPolicies and their Bindings validate against
Kubernetes' OpenAPI schema (admissionregistration.k8s.io/v1) and carry the configuration."""

from __future__ import annotations

import copy

import jsonschema
import pytest
import yaml
from schemas import kubernetes

from plangate import policy
from plangate.cli import main
from plangate.interop import admission, vap
from plangate.rules import RULES

EXPORTED = admission.exported_rules(RULES)


def test_policies_and_bindings_validate_against_the_openapi_schema(tmp_path):
    out = tmp_path / "vap.yaml"
    assert main(["export", "vap", "-o", str(out)]) == 0
    docs = list(yaml.safe_load_all(out.read_text()))
    names = [f"{r.id.lower()}-{r.slug}" for r in EXPORTED]
    assert [(d["kind"], d["metadata"]["name"]) for d in docs] == [
        (kind, name) for name in names for kind in ("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding")]
    for doc in docs:
        assert doc["apiVersion"] == "admissionregistration.k8s.io/v1"
        jsonschema.validate(doc, kubernetes(doc["kind"]))
    policies = [d for d in docs if d["kind"] == "ValidatingAdmissionPolicy"]
    bindings = [d for d in docs if d["kind"] == "ValidatingAdmissionPolicyBinding"]
    assert [b["spec"] for b in bindings] == [{"policyName": p["metadata"]["name"], "validationActions": ["Deny"]}
                                             for p in policies]
    assert all(p["spec"]["validations"] and p["spec"]["variables"][0]["name"] == "params" for p in policies)


@pytest.mark.parametrize("path,value", [
    (("spec", "validations", 0, "expression"), ["not", "a", "string"]),
    (("spec", "variables", 0, "nmae"), "params"),
    (("spec", "failurePolicy"), 3),
])
def test_the_schema_is_not_a_rubber_stamp(path, value):
    (doc, _) = vap.documents(policy.build(None, RULES, "(defaults)"), EXPORTED[:1], "test")
    bad = copy.deepcopy(doc)
    node = bad
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, kubernetes("ValidatingAdmissionPolicy"))


def test_the_configuration_travels():
    config = {"rules": {"kubernetes-cost-labels": {"enforcement": "advisory", "labels": {"owner": "^[a-z]+$"},
                                                   "kinds": ["kubernetes_pod", "kubernetes_deployment"]}}}
    (doc, binding, *_) = vap.documents(policy.build(config, RULES, "plangate.yaml"), RULES, "test")
    assert binding["spec"]["validationActions"] == ["Warn", "Audit"]
    assert doc["spec"]["matchConstraints"]["resourceRules"] == [
        {"apiGroups": [""], "apiVersions": ["*"], "operations": ["CREATE", "UPDATE"], "resources": ["pods"]},
        {"apiGroups": ["apps"], "apiVersions": ["*"], "operations": ["CREATE", "UPDATE"], "resources": ["deployments"]}]
    assert doc["spec"]["variables"][0] == {
        "name": "params",
        "expression": '{"labels": [{"key": "owner", "value": "^[a-z]+$"}], "annotations": [], '
                      '"kinds": ["kubernetes_pod", "kubernetes_deployment"], "pod_template": true}'}


def test_export_options_belong_to_their_target(capsys):
    assert main(["export", "vap", "--legacy"]) == 2
    assert main(["export", "kyverno", "--generate-vap"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == ["plangate: error: --legacy applies to `export kyverno` only",
                   "plangate: error: --generate-vap applies to `export gatekeeper` only"]
