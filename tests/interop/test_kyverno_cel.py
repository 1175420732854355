"""The exported Kyverno ClusterPolicies' CEL, evaluated (Python bindings of the Rust CEL
interpreter), reaches plangate's verdicts on every exported rule's examples and on the corpus'
Gatekeeper and Kyverno samples.

Kyverno's evaluation is reproduced in the small: a policy rule applies when the object's kind is
matched and every ``celPreconditions`` expression holds; its ``variables`` are evaluated in order
as ``variables.<name>``; the object fails when any expression is false.  Kubernetes' CEL adds the
strings extension; the two functions the export uses are given here (``trim``: Unicode
whitespace stripped, as Go's strings.TrimSpace; ``lowerAscii``).
"""

from __future__ import annotations

import pytest
import yaml
from conftest import CORPUS, needs_corpus

from plangate import loaders, policy
from plangate.interop import admission, kyverno
from plangate.loaders.k8s import from_bytes
from plangate.rules import RULES

cel = pytest.importorskip("cel")

EXPORTED = admission.exported_rules(RULES)


def _context(obj: dict, variables: dict):
    ctx = cel.Context()
    ctx.add_function("trim", lambda s: s.strip())
    ctx.add_function("lowerAscii", lambda s: "".join(c.lower() if c.isascii() else c for c in s))
    ctx.add_variable("object", obj)
    ctx.add_variable("variables", variables)
    return ctx


def as_admitted(value):
    """The object as the API server hands it to an admission webhook: typed decoding drops null
    fields (``metadata:`` with nothing under it is no metadata)."""
    if isinstance(value, dict):
        return {k: as_admitted(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [as_admitted(v) for v in value]
    return value


def kyverno_fails(doc: dict, obj: dict) -> list[str]:
    """Messages of the failing expressions of ClusterPolicy ``doc`` for ``obj``."""
    obj = as_admitted(obj)
    failed = []
    for entry in doc["spec"]["rules"]:
        kinds = entry["match"]["any"][0]["resources"]["kinds"]
        if obj["kind"] not in kinds and "*" not in kinds:
            continue
        variables: dict = {}
        for var in entry["validate"]["cel"].get("variables", []):
            variables[var["name"]] = cel.evaluate(var["expression"], _context(obj, variables))
        if not all(cel.evaluate(p["expression"], _context(obj, variables)) for p in entry.get("celPreconditions", [])):
            continue
        failed += [e["message"] for e in entry["validate"]["cel"]["expressions"]
                   if cel.evaluate(e["expression"], _context(obj, variables)) is not True]
    return failed


def _policy_for(rule, pol) -> dict:
    (doc,) = kyverno.documents(pol, [rule], "test")
    return doc


def _plangate_fails(rule, res, settings) -> bool:
    return any(isinstance(a, str) for a in rule.evaluate(res, settings))


def _example_cases():
    return [pytest.param(rule, example, id=f"{rule.slug}[{i}] {example.name}")
            for rule in EXPORTED for i, example in enumerate(rule.examples)]


@pytest.mark.parametrize("rule,example", _example_cases())
def test_examples(rule, example):
    from plangate.settings import as_dict

    settings = rule.example_settings(example)
    doc = _policy_for(rule, policy.build({"rules": {rule.slug: as_dict(settings)}}, RULES, "test"))
    resources = example.build()
    if any(res.secret for res in resources):
        pytest.skip("a sensitive value has no annotation form: Kubernetes annotations are never secret")
    for res in resources:
        obj = admission.manifest(res)
        if not res.type.startswith("kubernetes_"):
            obj["metadata"]["labels"].update(dict(getattr(settings, "selector", {})))
        (loaded,) = from_bytes(yaml.safe_dump(obj).encode(), "example.yaml", strict=True)
        assert bool(kyverno_fails(doc, obj)) == _plangate_fails(rule, loaded, settings), obj


def _corpus_cases():
    from test_k8s_policy_samples import _gatekeeper_cases, _kyverno_cases

    cases = [pytest.param([c.values[0]], c.values[1], id="gatekeeper-library " + c.id) for c in _gatekeeper_cases()]
    return cases + [pytest.param(c.values[0], c.values[1], id="kyverno " + c.id) for c in _kyverno_cases()]


@needs_corpus
@pytest.mark.parametrize("files,config", _corpus_cases())
def test_corpus_samples(files, config):
    pol = policy.build(config, RULES, "test")
    rule = next(r for r in EXPORTED if r.slug == "kubernetes-cost-labels")
    doc = _policy_for(rule, pol)
    settings = pol.config(rule).settings
    for rel in files:
        for res in loaders.load(CORPUS / rel):
            obj = {k: v for k, v in res.properties.items() if k != "pod_metadata"}
            assert bool(kyverno_fails(doc, obj)) == _plangate_fails(rule, res, settings), res.address


def test_a_failing_expression_names_the_key():
    pol = policy.build(None, RULES, "(defaults)")
    rule = next(r for r in EXPORTED if r.slug == "kubernetes-cost-labels")
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"owner": "a", "team": " "}}}
    assert kyverno_fails(_policy_for(rule, pol), pod) == [
        "missing or empty label team", "missing or empty label cost-center", "missing or empty label environment"]
