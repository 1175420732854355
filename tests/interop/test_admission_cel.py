"""The CEL of every admission export — Kyverno ValidatingPolicy, Kubernetes
ValidatingAdmissionPolicy, Gatekeeper's K8sNativeValidation block and the legacy Kyverno
ClusterPolicy — evaluated (`cel_engines`) gives plangate's messages on every exported rule's
examples and on the corpus' Gatekeeper and Kyverno samples."""

from __future__ import annotations

import pytest
from admitted import EXPORTED, admitted, example_cases, says
from conftest import CORPUS, needs_corpus

from plangate import loaders, policy
from plangate.interop import cel, gatekeeper, kyverno, vap
from plangate.rules import RULES

pytest.importorskip("cel")

from cel_engines import (  # noqa: E402  (needs the cel package)
    admission_policy_fails,
    cluster_policy_fails,
    gatekeeper_cel_fails,
)


def cel_exports(pol, rule) -> dict:
    """Each export's CEL for ``rule`` under ``pol``, as a function of the admitted object."""
    (validating_policy,) = kyverno.documents(pol, [rule], "test")
    (cluster_policy,) = kyverno.documents(pol, [rule], "test", legacy=True)
    admission_policy, binding = vap.documents(pol, [rule], "test")
    template, constraint = gatekeeper.documents(pol, [rule], "test")
    assert binding["spec"]["policyName"] == admission_policy["metadata"]["name"]
    return {
        "kyverno ValidatingPolicy": lambda obj: admission_policy_fails(validating_policy, obj),
        "ValidatingAdmissionPolicy": lambda obj: admission_policy_fails(admission_policy, obj),
        "gatekeeper K8sNativeValidation": lambda obj: gatekeeper_cel_fails(template, constraint, obj),
        "kyverno ClusterPolicy (legacy)": lambda obj: cluster_policy_fails(cluster_policy, obj),
    }


def test_every_exported_rule_has_cel():
    assert [r.slug for r in EXPORTED if cel.supports(r)] == [r.slug for r in EXPORTED]


@pytest.mark.parametrize("rule,example", example_cases())
def test_examples(rule, example):
    from plangate.settings import as_dict

    settings = rule.example_settings(example)
    exports = cel_exports(policy.build({"rules": {rule.slug: as_dict(settings)}}, RULES, "test"), rule)
    for obj, ours in admitted(rule, example, settings):
        assert {name: fails(obj) for name, fails in exports.items()} == dict.fromkeys(exports, ours), obj


def _corpus_cases():
    from test_k8s_policy_samples import _gatekeeper_cases, _kyverno_cases

    cases = [pytest.param([c.values[0]], c.values[1], id="gatekeeper-library " + c.id) for c in _gatekeeper_cases()]
    return cases + [pytest.param(c.values[0], c.values[1], id="kyverno " + c.id) for c in _kyverno_cases()]


@needs_corpus
@pytest.mark.parametrize("files,config", _corpus_cases())
def test_corpus_samples(files, config):
    pol = policy.build(config, RULES, "test")
    rule = next(r for r in EXPORTED if r.slug == "kubernetes-cost-labels")
    exports = cel_exports(pol, rule)
    settings = pol.config(rule).settings
    checked = 0
    for rel in files:
        for res in loaders.load(CORPUS / rel):
            obj = {k: v for k, v in res.properties.items() if k != "pod_metadata"}
            ours = says(rule, res, settings)
            assert {name: fails(obj) for name, fails in exports.items()} == dict.fromkeys(exports, ours), res.address
            checked += 1
    assert checked


def test_a_failing_validation_names_the_keys():
    pol = policy.build(None, RULES, "(defaults)")
    rule = next(r for r in EXPORTED if r.slug == "kubernetes-cost-labels")
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"owner": "a", "team": " "}}}
    expected = ["empty label values: team", "missing labels: cost-center, environment"]
    assert {name: fails(pod) for name, fails in cel_exports(pol, rule).items()} == dict.fromkeys(
        ["kyverno ValidatingPolicy", "ValidatingAdmissionPolicy", "gatekeeper K8sNativeValidation",
         "kyverno ClusterPolicy (legacy)"], expected)


def test_gatekeeper_cel_reads_the_constraint_parameters():
    """Editing the Constraint changes what its CEL enforces, as it changes the Rego."""
    pol = policy.build(None, RULES, "(defaults)")
    rule = next(r for r in EXPORTED if r.slug == "kubernetes-cost-labels")
    template, constraint = gatekeeper.documents(pol, [rule], "test")
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"owner": "Ann"}}}
    edited = {**constraint, "spec": {**constraint["spec"], "parameters": {
        **constraint["spec"]["parameters"], "labels": [{"key": "owner", "value": "[a-z]+"}]}}}
    assert gatekeeper_cel_fails(template, edited, pod) == ["label owner='Ann' does not match [a-z]+"]
    assert gatekeeper_cel_fails(template, constraint, pod) == ["missing labels: team, cost-center, environment"]


def test_an_unmatched_kind_is_not_judged():
    pol = policy.build({"rules": {"kubernetes-cost-labels": {"kinds": ["kubernetes_pod"]}}}, RULES, "test")
    rule = next(r for r in EXPORTED if r.slug == "kubernetes-cost-labels")
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}}
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}}
    for fails in cel_exports(pol, rule).values():
        assert fails(service) == [] and fails(deployment) == []
