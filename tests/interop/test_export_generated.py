"""On generated manifests (every exported rule, default settings plus a pattern), the exported
Gatekeeper Rego and the CEL of every export give plangate's exact messages."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plangate import policy
from plangate.interop import admission, gatekeeper
from plangate.interop.rego import Policies
from plangate.loaders.k8s import from_bytes
from plangate.rules import RULES

pytest.importorskip("regorus")
pytest.importorskip("cel")

P = "ai.plangate.dev/"
CONFIG = {"rules": {"kubernetes-cost-labels": {"labels": {"owner": "", "team": "^[a-z]+$", "cost-center": ""},
                                               "annotations": {"a8r.io/owner": ""}}}}
POL = policy.build(CONFIG, RULES, "test")
EXPORTED = admission.exported_rules(RULES)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = {}
    for rule in EXPORTED:
        from test_admission_cel import cel_exports

        template, constraint = gatekeeper.documents(POL, [rule], "test")
        path = tmp_path_factory.mktemp("rego") / f"{rule.slug}.rego"
        path.write_text(template["spec"]["targets"][0]["rego"])
        out[rule.id] = (Policies(path), constraint["spec"]["parameters"], cel_exports(POL, rule))
    return out


_value = st.one_of(st.sampled_from(["", " ", "prod", "Team", "high", "unacceptable", "limited", "wiki page",
                                    "https://models.example.com/card", " https://x.example/y "]),
                   st.text("abcxyz-./: ", min_size=1, max_size=12))
_label_keys = st.sampled_from(["owner", "team", "cost-center", "environment", "app", "other"])
_annotation_keys = st.sampled_from([P + k for k in ("model-id", "model-card-url", "data-lineage-url", "risk-tier",
                                                    "accountable-owner", "human-oversight-contact")]
                                   + ["a8r.io/owner", "other"])
_labels = st.dictionaries(_label_keys, st.one_of(_value, st.just("ai-model-inference")), max_size=5)
_annotations = st.dictionaries(_annotation_keys, _value, max_size=7)
_kind = st.sampled_from(["Pod", "Deployment", "StatefulSet", "CronJob", "Job", "Service", "InferenceService"])


@st.composite
def manifests(draw):
    kind = draw(_kind)
    obj = {"apiVersion": admission.api_version(kind), "kind": kind,
           "metadata": {"name": "m", "labels": draw(_labels), "annotations": draw(_annotations)}}
    pod = {"labels": draw(_labels), "annotations": draw(_annotations)}
    # often selected as AI inference (on the object or its pods), often with a risk tier
    selected = draw(st.sampled_from([obj["metadata"], pod, None]))
    if selected is not None:
        selected["labels"]["app"] = "ai-model-inference"
    tiered = draw(st.sampled_from([obj["metadata"], pod, None]))
    if tiered is not None:
        tiered["annotations"][P + "risk-tier"] = draw(st.sampled_from(["high", "unacceptable", " Unacceptable ",
                                                                        "limited", "medium", ""]))
    if kind == "CronJob":
        obj["spec"] = {"jobTemplate": {"spec": {"template": {"metadata": pod}}}}
    elif kind in admission.POD_TEMPLATE_PATHS:
        obj["spec"] = {"template": {"metadata": pod}}
    return obj


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(manifests())
def test_exports_agree_with_plangate(exported, obj):
    (res,) = from_bytes(json.dumps(obj).encode(), "generated.yaml", strict=True)
    for rule in EXPORTED:
        policies, params, cel_exports = exported[rule.id]
        ours = sorted(a for a in rule.evaluate(res, POL.config(rule).settings) if isinstance(a, str))
        rego = sorted(m.text for m in policies.messages(admission.review(obj, params)))
        assert rego == ours, (rule.id, obj)
        cel_says = {name: fails(obj) for name, fails in cel_exports.items()}
        assert cel_says == dict.fromkeys(cel_exports, ours), (rule.id, obj)
