"""Gatekeeper and Kyverno samples from the real corpus give their upstream expected verdicts when
plangate is configured with the same required keys.

The case builders (`_gatekeeper_cases`, `_kyverno_cases`) are also the input of the Gatekeeper and
Kyverno export tests beside this file, so the upstream suites are read in one place.
"""

from __future__ import annotations

import pytest
from conftest import CORPUS, needs_corpus

from plangate import engine, loaders, policy
from plangate.model import Outcome
from plangate.rules import RULES

pytestmark = needs_corpus


K8S = "k8s/"
GK = K8S + "open-policy-agent__gatekeeper-library/library/general/"
KY = K8S + "kyverno__policies/"
WORKLOAD_KINDS = ["kubernetes_pod", "kubernetes_deployment", "kubernetes_cron_job"]


def _k8s_config(labels=None, annotations=None, kinds=WORKLOAD_KINDS) -> dict:
    return {"rules": {"kubernetes-cost-labels": {
        "labels": labels or {}, "annotations": annotations or {}, "kinds": kinds}}}


def _verdicts(rel: str, config: dict) -> dict[str, str]:
    """Per object (Kind/name): fail when PG-TAG-002 has a violation, else pass."""
    pol = policy.build(config, RULES, "test")
    resources = loaders.load(CORPUS / rel)
    failing = {f.address for f in engine.evaluate(resources, pol)
               if f.rule_id == "PG-TAG-002" and f.outcome is Outcome.VIOLATION}
    return {r.address.split("/")[0] + "/" + r.address.split("/")[-1]:
            "fail" if r.address in failing else "pass" for r in resources}


def _suite_cases(suite_rel: str):
    import yaml

    suite = yaml.safe_load((CORPUS / suite_rel).read_text())
    base = (CORPUS / suite_rel).parent
    for test in suite["tests"]:
        constraint = yaml.safe_load((base / test["constraint"]).read_text())
        params = constraint["spec"]["parameters"]
        kinds = [f"kubernetes_{k.lower()}" for m in constraint["spec"]["match"]["kinds"] for k in m["kinds"]]
        for case in test["cases"]:
            # YAML 1.1 reads `violations: yes` as true
            expected = "fail" if case["assertions"][0]["violations"] in ("yes", True) else "pass"
            yield (base / case["object"]).relative_to(CORPUS).as_posix(), params, kinds, expected


def _gatekeeper_cases():
    if not CORPUS.is_dir():
        return []
    cases = []
    for name, part in (("requiredlabels", "labels"), ("requiredannotations", "annotations")):
        for rel, params, kinds, expected in _suite_cases(f"{GK}{name}/suite.yaml"):
            keys = {item["key"]: item.get("allowedRegex", "") for item in params[part]}
            config = _k8s_config(**{part: keys}, kinds=kinds)
            cases.append(pytest.param(rel, config, expected, id=rel.split("/samples/")[1]))
    return cases


@pytest.mark.parametrize("rel,config,expected", _gatekeeper_cases())
def test_gatekeeper_suites(rel, config, expected):
    assert set(_verdicts(rel, config).values()) == {expected}


def _kyverno_required(policy_rel: str) -> tuple[str, dict[str, str]]:
    import yaml

    doc = yaml.safe_load((CORPUS / policy_rel).read_text())
    metadata = doc["spec"]["rules"][0]["validate"]["pattern"]["metadata"]
    part = "labels" if "labels" in metadata else "annotations"
    # Kyverno's "?*" means "any non-empty value": plangate's "" pattern
    return part, {k: "" if v == "?*" else v for k, v in metadata[part].items()}


KYVERNO = {
    "best-practices/require-labels": "require-labels.yaml",
    "kubecost/require-kubecost-labels": "require-kubecost-labels.yaml",
    "other/require-annotations": "require-annotations.yaml",
}


def _kyverno_cases():
    import yaml

    if not CORPUS.is_dir():
        return []
    cases = []
    for folder, policy_file in KYVERNO.items():
        part, keys = _kyverno_required(f"{KY}{folder}/{policy_file}")
        config = _k8s_config(**{part: keys})
        test_dir = CORPUS / KY / folder / ".kyverno-test"
        spec = yaml.safe_load((test_dir / "kyverno-test.yaml").read_text())
        expected = {f"{r['kind']}/{name}": r["result"] for r in spec["results"] for name in r["resources"]}
        files = [(test_dir / f).resolve().relative_to(CORPUS.resolve()).as_posix() for f in spec["resources"]]
        cases.append(pytest.param(files, config, expected, id=f"{folder} (kyverno-test.yaml)"))
        for chainsaw in sorted((CORPUS / KY / folder / ".chainsaw-test").glob("*.yaml")):
            verdict = "pass" if chainsaw.name.startswith(("good", "pod-good", "podcontroller-good")) else "fail"
            rel = chainsaw.relative_to(CORPUS).as_posix()
            cases.append(pytest.param([rel], config, verdict, id=f"{folder}/{chainsaw.name}"))
    return cases


@pytest.mark.parametrize("files,config,expected", _kyverno_cases())
def test_kyverno_expected_results(files, config, expected):
    got: dict[str, str] = {}
    for rel in files:
        got.update(_verdicts(rel, config))
    if isinstance(expected, dict):
        assert {k: got[k] for k in expected} == expected
    else:
        # a chainsaw file: "bad" files hold only failing objects, "good" files only passing
        assert set(got.values()) == {expected}, got
