"""The exported Gatekeeper Rego, run by regorus, gives plangate's verdicts and messages: on every
example of every exported rule (as an AdmissionReview) and on the gatekeeper-library and Kyverno
samples of the corpus; the exported YAML validates against Gatekeeper's CRD schema."""

from __future__ import annotations

import json

import pytest
import yaml
from admitted import EXPORTED, admitted, example_cases, says
from conftest import CORPUS, FIXTURES, needs_corpus

from plangate import loaders, policy
from plangate.interop import admission, gatekeeper
from plangate.interop.rego import Policies
from plangate.rules import RULES

pytest.importorskip("regorus")



def _module(tmp_path, rule, settings) -> Policies:
    pol = policy.build({"rules": {rule.slug: _settings_data(settings)}}, RULES, "test")
    docs = gatekeeper.documents(pol, [rule], "test")
    template, constraint = docs
    path = tmp_path / f"{rule.slug}.rego"
    path.write_text(template["spec"]["targets"][0]["rego"])
    return Policies(path), constraint["spec"]["parameters"]


def _settings_data(settings) -> dict:
    from plangate.settings import as_dict

    return as_dict(settings)


def _rego_says(policies: Policies, obj: dict, params: dict) -> list[str]:
    return sorted(m.text for m in policies.messages(admission.review(obj, params)))


def test_the_exported_rules_are_the_kubernetes_ones():
    assert [r.slug for r in EXPORTED] == ["kubernetes-cost-labels", "responsible-ai-metadata",
                                          "prohibited-ai-risk-tier"]


@pytest.mark.parametrize("rule,example", example_cases())
def test_examples_as_admission_reviews(tmp_path, rule, example):
    settings = rule.example_settings(example)
    policies, params = _module(tmp_path, rule, settings)
    for obj, ours in admitted(rule, example, settings):
        assert _rego_says(policies, obj, params) == ours


def _corpus_cases():
    from test_k8s_policy_samples import _gatekeeper_cases, _kyverno_cases

    for case in _gatekeeper_cases():
        rel, config, expected = case.values
        yield pytest.param([rel], config, expected, id="gatekeeper-library " + case.id)
    for case in _kyverno_cases():
        yield pytest.param(*case.values, id="kyverno " + case.id)


@needs_corpus
@pytest.mark.parametrize("files,config,expected", list(_corpus_cases()))
def test_corpus_samples(tmp_path, files, config, expected):
    pol = policy.build(config, RULES, "test")
    rule = next(r for r in EXPORTED if r.slug == "kubernetes-cost-labels")
    template, constraint = gatekeeper.documents(pol, [rule], "test")
    module = tmp_path / "labels.rego"
    module.write_text(template["spec"]["targets"][0]["rego"])
    policies = Policies(module)
    settings = pol.config(rule).settings
    got = {}
    for rel in files:
        for res in loaders.load(CORPUS / rel):
            obj = {k: v for k, v in res.properties.items() if k != "pod_metadata"}
            rego = _rego_says(policies, obj, constraint["spec"]["parameters"])
            assert rego == says(rule, res, settings), res.address
            got[res.address.split("/")[0] + "/" + res.address.split("/")[-1]] = "fail" if rego else "pass"
    if isinstance(expected, dict):
        assert {k: got[k] for k in expected} == expected
    else:
        assert set(got.values()) == {expected}


# --- the YAML against Gatekeeper's CRD ----------------------------------------------------------

def _crd_schema(kind: str) -> dict:
    docs = yaml.safe_load_all((FIXTURES / "interop" / "crds" / "gatekeeper-constrainttemplates.yaml").read_text())
    crd = next(d for d in docs if d and d["spec"]["names"]["kind"] == kind)
    return next(v for v in crd["spec"]["versions"] if v["name"] == "v1")["schema"]["openAPIV3Schema"]


def test_exported_yaml_validates_against_the_crds():
    import jsonschema

    text = gatekeeper_yaml(policy.build(None, RULES, "(defaults)"))
    docs = list(yaml.safe_load_all(text))
    templates = [d for d in docs if d["kind"] == "ConstraintTemplate"]
    constraints = [d for d in docs if d["kind"] != "ConstraintTemplate"]
    assert len(templates) == len(constraints) == len(EXPORTED)
    template_schema = _crd_schema("ConstraintTemplate")
    for t in templates:
        jsonschema.validate(t, template_schema)
        kind = t["spec"]["crd"]["spec"]["names"]["kind"]
        assert t["metadata"]["name"] == kind.lower()  # Gatekeeper refuses a template otherwise
        (constraint,) = [c for c in constraints if c["kind"] == kind]
        # a Constraint's CRD is generated from its template: parameters follow the template's schema
        params_schema = t["spec"]["crd"]["spec"]["validation"]["openAPIV3Schema"]
        jsonschema.validate(constraint["spec"]["parameters"], params_schema)
        assert constraint["apiVersion"] == "constraints.gatekeeper.sh/v1beta1"
        assert constraint["spec"]["enforcementAction"] in ("deny", "warn", "dryrun")


def gatekeeper_yaml(pol) -> str:
    from plangate.interop.render import as_yaml

    return as_yaml(gatekeeper.documents(pol, RULES, "test"))


def test_the_configuration_travels(tmp_path):
    """A plangate.yaml setting reaches the Constraint's parameters, and the Rego enforces it."""
    config = {"rules": {"responsible-ai-metadata": {"prefix": "ai.apexlogic.com/",
                                                    "required": ["model-id"]}}}
    docs = gatekeeper.documents(policy.build(config, RULES, "plangate.yaml"), RULES, "test")
    (constraint,) = [d for d in docs if d["kind"] == "PlangateResponsibleAiMetadata"]
    assert constraint["spec"]["parameters"]["prefix"] == "ai.apexlogic.com/"
    assert constraint["spec"]["parameters"]["required"] == ["model-id"]
    assert json.dumps(constraint).count("ai.plangate.dev/model-id") == 0


# --- the K8sNativeValidation (CEL) block beside the Rego ------------------------------------------

#: The JSON names of Gatekeeper's k8scel ``Source`` (open-policy-agent/gatekeeper
#: pkg/drivers/k8scel/schema/schema.go at the commit of PROVENANCE.md): the CRD keeps ``source``
#: as preserved unknown fields, so its shape is checked here.
_CEL_SOURCE_FIELDS = {"validations", "failurePolicy", "matchCondition", "variables", "generateVAP"}


@pytest.mark.parametrize("flag,expected", [([], None), (["--generate-vap"], True), (["--no-generate-vap"], False)])
def test_templates_carry_a_k8s_native_validation_block(tmp_path, flag, expected):
    import jsonschema
    from schemas import kubernetes

    out = tmp_path / "gatekeeper.yaml"
    from plangate.cli import main

    assert main(["export", "gatekeeper", *flag, "-o", str(out)]) == 0
    templates = [d for d in yaml.safe_load_all(out.read_text()) if d["kind"] == "ConstraintTemplate"]
    assert len(templates) == len(EXPORTED)
    validation, variable = kubernetes("Validation"), kubernetes("Variable")
    for t in templates:
        jsonschema.validate(t, _crd_schema("ConstraintTemplate"))
        (target,) = t["spec"]["targets"]
        assert target["rego"].startswith("# PG-")  # the Rego stays, in its own field
        (code,) = target["code"]
        assert code["engine"] == "K8sNativeValidation"
        source = code["source"]
        assert set(source) <= _CEL_SOURCE_FIELDS and source.get("generateVAP") == expected
        assert source["validations"] and all(jsonschema.validate(v, validation) is None for v in source["validations"])
        assert all(jsonschema.validate(v, variable) is None for v in source["variables"])
        # Gatekeeper binds params and anyObject itself and refuses variables of those names
        assert not {"params", "anyObject"} & {v["name"] for v in source["variables"]}
        assert "variables.anyObject" in json.dumps(source) and '"object.' not in json.dumps(source)


def test_the_crd_refuses_a_misshapen_code_block():
    import jsonschema

    (template, _) = gatekeeper.documents(policy.build(None, RULES, "(defaults)"), EXPORTED[:1], "test")
    bad = json.loads(json.dumps(template))
    del bad["spec"]["targets"][0]["code"][0]["engine"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, _crd_schema("ConstraintTemplate"))
