"""The product brief's Gatekeeper policy (tests/fixtures/interop/seed/ai_policy.rego, run by
regorus) as an oracle for PG-RAI-001 configured with its prefix and keys.

Where the two state the same rule — a Deployment's own labels and annotations, values given —
they must give the same verdict and name the same keys, on every Kubernetes object of the corpus
and on generated manifests.  Beyond it the two differ by design, and the tests pin how: plangate
checks every AI workload kind, refuses empty values and URL keys that are not URLs, checks a
risk tier when one is given, and reads the pod template's labels and annotations as well as
the object's (the seed only the object's).  So every key the seed denies is one plangate
reports, unless the pod template carries that annotation (the one place plangate accepts what
the seed refuses).
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import CORPUS, FIXTURES, needs_corpus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plangate import loaders
from plangate.interop.admission import admission_review
from plangate.interop.rego import Policies, k8s_object
from plangate.loaders.k8s import from_bytes
from plangate.rules import BY_ID
from plangate.settings import parse

pytest.importorskip("regorus")

PREFIX = "ai.apexlogic.com/"
KEYS = ("model-id", "data-lineage-url", "model-card-url")
SELECTOR = {"app": "ai-model-inference"}
RULE = BY_ID["PG-RAI-001"]
CFG = parse(RULE.settings_type, {"prefix": PREFIX, "required": list(KEYS), "selector": SELECTOR}, "seed oracle")
SEED = Policies(FIXTURES / "interop" / "seed" / "ai_policy.rego")
_QUOTED = re.compile(r"'(ai\.apexlogic\.com/[^']+)'")
_NAMED = re.compile(r"(ai\.apexlogic\.com/[\w.-]+)")


def seed_keys(obj: dict) -> set[str]:
    return {_QUOTED.search(m.text)[1] for m in SEED.messages(admission_review(obj))}


def plangate_keys(res) -> set[str]:
    return {_NAMED.search(a)[1] for a in RULE.evaluate(res, CFG) if isinstance(a, str)}


def loaded(obj: dict):
    (res,) = from_bytes(json.dumps(obj).encode(), "generated.yaml", strict=True)
    return res


def in_shared_scope(obj: dict) -> bool:
    """The seed's own terms: a Deployment whose metadata is its own, the values given."""
    meta = obj.get("metadata") or {}
    template = ((obj.get("spec") or {}).get("template") or {}).get("metadata") or {}
    annotations = meta.get("annotations") or {}
    return (obj.get("kind") == "Deployment"
            and not ({"app"} & set(template.get("labels") or {}))
            and not any(k.startswith(PREFIX) for k in template.get("annotations") or {})
            and not any(k.startswith(PREFIX) and k.removeprefix(PREFIX) not in KEYS for k in annotations)
            and all(str(v).strip() and (not k.endswith("-url") or re.fullmatch(r"https?://[^\s/]+\S*", str(v)))
                    for k, v in annotations.items() if k.startswith(PREFIX)))


def on_pod_template(obj: dict) -> set[str]:
    template = ((obj.get("spec") or {}).get("template") or {}).get("metadata") or {}
    return set(template.get("annotations") or {})


def check(obj: dict, res=None) -> None:
    seed, ours = seed_keys(obj), plangate_keys(res or loaded(obj))
    if in_shared_scope(obj):
        assert ours == seed, obj
    else:
        assert seed - on_pod_template(obj) <= ours, obj


# --- generated manifests -----------------------------------------------------------------------

_word = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)
_url = st.builds(lambda host, path: f"https://{host}.example.com/{path}", _word, _word)
_other = st.dictionaries(st.sampled_from(["team", "owner", "tier", "example.com/x", "version"]), _word, max_size=3)


def _annotations(shared: bool):
    value = _url if shared else st.one_of(_url, st.sampled_from(["", " ", "wiki page", "high", "unacceptable"]))
    keys = st.sampled_from([PREFIX + k for k in KEYS] + ([] if shared else [PREFIX + "risk-tier"]))
    return st.builds(lambda ours, other: {**other, **ours}, st.dictionaries(keys, value, max_size=4), _other)


def _labels():
    app = st.sampled_from(["ai-model-inference", "ai-model-inference", "web", None])
    return st.builds(lambda a, other: {**other, **({"app": a} if a else {})}, app, _other)


def _manifest(shared: bool):
    kinds = st.just("Deployment") if shared else st.sampled_from(["Deployment", "Pod", "StatefulSet", "Service"])
    template = st.fixed_dictionaries({"labels": _other, "annotations": _other}) if shared else \
        st.fixed_dictionaries({"labels": _labels(), "annotations": _annotations(False)})

    def build(kind, labels, annotations, pod):
        obj = {"apiVersion": "apps/v1" if kind != "Pod" and kind != "Service" else "v1", "kind": kind,
               "metadata": {"name": "model", "labels": labels, "annotations": annotations}}
        if kind in ("Deployment", "StatefulSet"):
            obj["spec"] = {"template": {"metadata": pod}}
        return obj

    return st.builds(build, kinds, _labels(), _annotations(shared), template)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_manifest(shared=True))
def test_same_verdicts_where_both_state_the_rule(obj):
    assert in_shared_scope(obj)
    assert plangate_keys(loaded(obj)) == seed_keys(obj)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_manifest(shared=False))
def test_never_looser_than_the_seed(obj):
    check(obj)


def test_the_oracle_can_say_no():
    obj = {"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": "m", "labels": SELECTOR, "annotations": {PREFIX + "model-id": "fraud-1"}}}
    assert seed_keys(obj) == {PREFIX + "data-lineage-url", PREFIX + "model-card-url"} == plangate_keys(loaded(obj))
    messages = sorted(m.text for m in SEED.messages(admission_review(obj)))
    assert messages == [
        "AI model deployments must include 'ai.apexlogic.com/data-lineage-url' annotation for responsible AI.",
        "AI model deployments must include 'ai.apexlogic.com/model-card-url' annotation for transparency.",
    ]


# --- the corpus --------------------------------------------------------------------------------

def _corpus_manifests():
    if not CORPUS.is_dir():
        return []
    index = json.loads((CORPUS / "INDEX.json").read_text())
    return [e["path"] for e in index if e["kind"] == "k8s" and e.get("resources") and "parse_error" not in e]


@needs_corpus
def test_every_corpus_manifest():
    paths = _corpus_manifests()
    assert len(paths) > 50
    checked = 0
    for rel in paths:
        for res in loaders.load(CORPUS / rel):
            if res.source_format != "k8s":
                continue
            check(k8s_object(res), res)
            checked += 1
    assert checked >= 100
