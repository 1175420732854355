"""``plangate scan --rego DIR``: existing OPA policies reported next to plangate's findings."""

from __future__ import annotations

import json
import sys

import pytest
import yaml
from conftest import CORPUS, FIXTURES, needs_corpus

from plangate.cli import main
from plangate.interop.rego import policy_input
from plangate.model import REDACTED
from plangate.report import identity

pytest.importorskip("regorus")

PLAN = FIXTURES / "scan" / "clean-plan.json"
POLICIES = FIXTURES / "interop" / "conftest"


def _scan(capsys, *args) -> tuple[int, dict, str]:
    code = main(["scan", *map(str, args), "-f", "json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip() else {}, captured.err


def test_conftest_policy_over_a_plan(capsys):
    code, report, err = _scan(capsys, PLAN, "--rego", POLICIES / "policy")
    rego = [(f["rule_id"], f["slug"], f["outcome"], f["address"], f["message"])
            for f in report["findings"] if f["rule_id"] == "REGO"]
    assert sorted(rego) == [
        ("REGO", "terraform.s3.deny", "violation", str(PLAN),
         "aws_s3_bucket.lake: production buckets must carry a DataOwner tag"),
        ("REGO", "terraform.s3.warn", "warning", str(PLAN),
         "aws_s3_bucket.lake: raw buckets should expire objects (lifecycle rule)"),
    ]
    assert code == 1  # the plan passes plangate's rules; the policy's deny closes the gate
    assert main(["scan", str(PLAN)]) == 0


def test_gatekeeper_style_v0_policy_over_manifests(tmp_path, capsys):
    manifest = tmp_path / "deploy.yaml"
    manifest.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: web, labels: {team: a}}\n---\n"
                        "apiVersion: v1\nkind: Pod\nmetadata: {name: batch}\n")
    code, report, err = _scan(capsys, manifest, "--rego", POLICIES / "v0", "--rule", "PG-TAG-002")
    rego = [(f["address"], f["message"]) for f in report["findings"] if f["rule_id"] == "REGO"]
    assert rego == [("Pod/batch", "Pod/batch has no team label")]


def test_syntax_error_names_file_and_line(tmp_path, capsys):
    bad = tmp_path / "bad.rego"
    bad.write_text("package p\n\nimport rego.v1\n\ndeny contains msg if {\n    input.a ==\n}\n")
    code, _, err = _scan(capsys, PLAN, "--rego", tmp_path)
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"{bad}:7" in err and "Rego syntax error" in err, err


def test_without_regorus_says_how_to_install(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "regorus", None)  # import regorus now raises ImportError
    code, _, err = _scan(capsys, PLAN, "--rego", POLICIES / "policy")
    assert code == 2 and "pip install 'plangate[rego]'" in err and err.count("\n") == 1


def test_empty_or_missing_policy_folder(tmp_path, capsys):
    assert _scan(capsys, PLAN, "--rego", tmp_path)[0] == 2
    code, _, err = _scan(capsys, PLAN, "--rego", tmp_path / "nope")
    assert code == 2 and "nope" in err


# --- Kubernetes objects: one input for AdmissionReview, Gatekeeper and conftest policies --------

SEED = FIXTURES / "interop" / "seed"  # the product brief's policy: it reads input.request
BRIEF = "AI model deployments must include 'ai.apexlogic.com/{}' annotation for {}."
NOT_K8S = "PG-TEL-001"  # a rule that looks at no Kubernetes object: the exit code is the policies'


def _deployment(tmp_path, annotations: dict) -> str:
    path = tmp_path / "deployment.yaml"
    path.write_text(yaml.safe_dump({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "fraud-model", "namespace": "ml", "labels": {"app": "ai-model-inference"},
                     "annotations": annotations},
        "spec": {"template": {"metadata": {"labels": {"app": "ai-model-inference"}}}}}))
    return str(path)


def _rego(report: dict) -> list[dict]:
    return [{k: v for k, v in f.items() if k != "waiver"} for f in report["findings"] if f["rule_id"] == "REGO"]


def test_the_briefs_policy_denies_a_deployment_without_the_three_annotations(tmp_path, capsys):
    manifest = _deployment(tmp_path, {"team": "fraud"})
    code, report, err = _scan(capsys, manifest, "--rego", SEED, "--rule", NOT_K8S)
    base = {"address": "Deployment/ml/fraud-model", "file": manifest, "line": 1, "outcome": "violation",
            "resource_type": "kubernetes_deployment", "rule_id": "REGO", "severity": "high",
            "slug": "kubernetes.admission.ai_policy.deny"}
    fingerprint = identity("REGO", "Deployment/ml/fraud-model", "k8s")  # one identity, numbered
    assert _rego(report) == [
        {**base, "message": BRIEF.format("data-lineage-url", "responsible AI"), "fingerprint": fingerprint},
        {**base, "message": BRIEF.format("model-card-url", "transparency"), "fingerprint": f"{fingerprint}:2"},
        {**base, "message": BRIEF.format("model-id", "traceability"), "fingerprint": f"{fingerprint}:3"},
    ]
    assert report["summary"]["findings"] == 3
    assert (code, err) == (1, "")


def test_the_briefs_policy_passes_a_deployment_with_them(tmp_path, capsys):
    manifest = _deployment(tmp_path, {"ai.apexlogic.com/model-id": "fraud-1",
                                      "ai.apexlogic.com/data-lineage-url": "https://lineage.example.com/fraud-1",
                                      "ai.apexlogic.com/model-card-url": "https://cards.example.com/fraud-1"})
    code, report, err = _scan(capsys, manifest, "--rego", SEED, "--rule", NOT_K8S)
    assert (report["findings"], code, err) == ([], 0, "")  # the policy applied (no silence warning)


POLICY_INPUT = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "shop"}, "spec": {"replicas": 2},
}
REQUEST = {
    "uid": "plangate", "operation": "CREATE",
    "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
    "resource": {"group": "apps", "version": "v1", "resource": "deployments"},
    "requestKind": {"group": "apps", "version": "v1", "kind": "Deployment"},
    "requestResource": {"group": "apps", "version": "v1", "resource": "deployments"},
    "name": "web", "namespace": "shop",
    "userInfo": {"username": "plangate", "uid": "plangate", "groups": ["system:authenticated"]},
    "object": POLICY_INPUT, "oldObject": None, "dryRun": False,
    "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"},
}


def test_policy_input_is_the_object_an_admission_request_and_a_gatekeeper_review():
    assert policy_input(POLICY_INPUT, {"labels": ["owner"]}) == {
        **POLICY_INPUT, "request": REQUEST, "review": REQUEST, "parameters": {"labels": ["owner"]}}
    assert policy_input(POLICY_INPUT)["parameters"] == {}


THREE_CONVENTIONS = {
    "admission.rego": """package kubernetes.admission
import rego.v1
deny contains msg if {
    input.request.kind.kind == "Deployment"
    input.request.operation == "CREATE"
    not input.request.object.metadata.labels.owner
    msg := sprintf("admission: %s/%s by %s has no owner", [input.request.namespace, input.request.name,
                                                           input.request.userInfo.username])
}
""",
    "gatekeeper.rego": """package k8srequiredlabels
violation[{"msg": msg}] {
    provided := {l | input.review.object.metadata.labels[l]}
    required := {l | l := input.parameters.labels[_]}
    missing := required - provided
    count(missing) > 0
    msg := sprintf("gatekeeper: %s lacks %v", [input.review.object.metadata.name, missing])
}
""",
    "conftest.rego": """package main
import rego.v1
deny_replicas contains msg if {
    input.kind == "Deployment"
    input.spec.replicas < 3
    msg := sprintf("conftest: %s runs %d replicas", [input.metadata.name, input.spec.replicas])
}
warn contains "conftest: no team label" if not input.metadata.labels.team
""",
}


def test_one_input_satisfies_admission_gatekeeper_and_conftest_policies(tmp_path, capsys):
    policies = tmp_path / "policies"
    policies.mkdir()
    for name, text in THREE_CONVENTIONS.items():
        (policies / name).write_text(text)
    (policies / "constraint.yaml").write_text(yaml.safe_dump(
        {"apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": "K8sRequiredLabels",
         "metadata": {"name": "need-owner"}, "spec": {"parameters": {"labels": ["owner"]}}}))
    manifest = tmp_path / "web.yaml"
    manifest.write_text(yaml.safe_dump(POLICY_INPUT))
    code, report, err = _scan(capsys, manifest, "--rego", policies, "--rule", NOT_K8S)
    assert {f["address"] for f in report["findings"]} == {"Deployment/shop/web"}
    got = [(f["slug"], f["outcome"], f["message"]) for f in report["findings"]]
    assert sorted(got) == [
        ("k8srequiredlabels.violation", "violation", 'gatekeeper: web lacks {"owner"}'),
        ("kubernetes.admission.deny", "violation", "admission: shop/web by plangate has no owner"),
        ("main.deny_replicas", "violation", "conftest: web runs 2 replicas"),
        ("main.warn", "warning", "conftest: no team label"),
    ]
    assert (code, err) == (1, "")


def test_a_template_without_constraint_gets_empty_parameters(tmp_path, capsys):
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "gatekeeper.rego").write_text(THREE_CONVENTIONS["gatekeeper.rego"])
    (policies / "params.rego").write_text('package echo\nimport rego.v1\nwarn contains msg if {\n'
                                          '    msg := sprintf("parameters: %v", [input.parameters])\n}\n')
    manifest = tmp_path / "web.yaml"
    manifest.write_text(yaml.safe_dump(POLICY_INPUT))
    code, report, err = _scan(capsys, manifest, "--rego", policies, "--rule", NOT_K8S)
    assert [f["message"] for f in report["findings"]] == ["parameters: {}"]
    assert code == 0
    assert err == (f"plangate: warning: --rego: {policies / 'gatekeeper.rego'}: no rule of package "
                   "k8srequiredlabels gave a result on any of the 1 inputs: does it read what --rego gives "
                   "(input.request, input.review, or the document itself)?\n")


def test_a_constraint_gives_its_template_parameters_and_match(tmp_path, capsys):
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "gatekeeper.rego").write_text(THREE_CONVENTIONS["gatekeeper.rego"])
    (policies / "constraints.yaml").write_text(yaml.safe_dump_all([
        {"apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": "K8sRequiredLabels",
         "metadata": {"name": "deployments-need-owner"},
         "spec": {"match": {"kinds": [{"apiGroups": ["apps"], "kinds": ["Deployment"]}]},
                  "parameters": {"labels": ["owner", "team"]}}},
        {"apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": "K8sRequiredLabels",
         "metadata": {"name": "pods-need-tier"},  # matches no Deployment
         "spec": {"match": {"kinds": [{"apiGroups": [""], "kinds": ["Pod"]}]}, "parameters": {"labels": ["tier"]}}},
        {"apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": "K8sRequiredLabels",
         "metadata": {"name": "shop-advisory"}, "spec": {
             "enforcementAction": "warn", "match": {"namespaces": ["sh*"], "excludedNamespaces": ["kube-system"]},
             "parameters": {"labels": ["cost-center"]}}},
        {"apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": "K8sNoSuchTemplate",
         "metadata": {"name": "orphan"}, "spec": {}},
    ]))
    manifest = tmp_path / "web.yaml"
    manifest.write_text(yaml.safe_dump(POLICY_INPUT))
    code, report, err = _scan(capsys, manifest, "--rego", policies, "--rule", NOT_K8S)
    got = [(f["slug"], f["outcome"], f["message"]) for f in report["findings"]]
    assert got == [
        ("k8srequiredlabels.violation", "violation", 'gatekeeper: web lacks {"owner", "team"}'),
        ("k8srequiredlabels.violation", "warning", 'gatekeeper: web lacks {"cost-center"}'),
    ]
    assert code == 1
    assert err == (f"plangate: warning: --rego: {policies / 'constraints.yaml'}: constraint K8sNoSuchTemplate/orphan: "
                   "no Rego package named k8snosuchtemplate (its template's); it is not applied\n")


def test_plangates_own_gatekeeper_export_runs_with_its_constraint(tmp_path, capsys):
    """`plangate export gatekeeper` writes templates and constraints: --rego reads both, so the
    constraint's parameters (plangate.yaml's settings) reach input.parameters."""
    config = tmp_path / "plangate.yaml"
    config.write_text("rules:\n  kubernetes-cost-labels:\n    labels: {owner: '', team: ''}\n")
    policies = tmp_path / "exported"
    policies.mkdir()
    assert main(["export", "gatekeeper", "-c", str(config), "-o", str(policies / "gatekeeper.yaml")]) == 0
    manifest = tmp_path / "web.yaml"
    manifest.write_text(yaml.safe_dump({**POLICY_INPUT, "metadata": {"name": "web", "labels": {"owner": "a"}}}))
    capsys.readouterr()
    code, report, err = _scan(capsys, manifest, "--rego", policies, "-c", config, "--rule", "PG-TAG-002")
    ours = [(f["address"], f["message"]) for f in report["findings"] if f["rule_id"] == "PG-TAG-002"]
    rego = [(f["address"], f["message"]) for f in report["findings"] if f["rule_id"] == "REGO"]
    assert ours == [("Deployment/web", "missing labels: owner, team")]  # judged on the pod template, which has none
    assert rego == ours  # the exported template, given its constraint's parameters, says what plangate says
    assert code == 1


def test_an_objects_own_parameters_field_still_reaches_conftest(tmp_path, capsys):
    """A StorageClass has a top-level `parameters`: the combined input gives Gatekeeper's there,
    so the object is also evaluated as it is."""
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "storage.rego").write_text(
        'package main\nimport rego.v1\ndeny contains "unencrypted gp2" if {\n'
        '    input.kind == "StorageClass"\n    input.parameters.type == "gp2"\n'
        '    not input.parameters.encrypted\n}\n')
    manifest = tmp_path / "sc.yaml"
    manifest.write_text(yaml.safe_dump({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                                        "metadata": {"name": "standard"}, "provisioner": "ebs.csi.aws.com",
                                        "parameters": {"type": "gp2"}}))
    code, report, err = _scan(capsys, manifest, "--rego", policies, "--rule", NOT_K8S)
    assert [(f["address"], f["message"]) for f in report["findings"]] == [("StorageClass/standard", "unencrypted gp2")]
    assert (code, err) == (1, "")


def test_a_secrets_values_never_reach_a_policy(tmp_path, capsys):
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "echo.rego").write_text('package main\nimport rego.v1\nwarn contains msg if {\n'
                                        '    some k, v in input.request.object.data\n'
                                        '    msg := sprintf("%s=%s", [k, v])\n}\n')
    manifest = tmp_path / "secret.yaml"
    manifest.write_text("apiVersion: v1\nkind: Secret\nmetadata: {name: db}\ndata: {password: aHVudGVyMg==}\n")
    code, report, err = _scan(capsys, manifest, "--rego", policies, "--rule", NOT_K8S)
    assert [f["message"] for f in report["findings"]] == [f"password={REDACTED}"]
    assert "aHVudGVyMg" not in json.dumps(report) + err


def test_a_policy_that_never_applies_is_named_in_a_warning(tmp_path, capsys):
    """The brief's failure: a policy reading an input plangate does not give finds nothing; that
    is said, per file, never silence."""
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "seed.rego").write_text((SEED / "ai_policy.rego").read_text())
    (policies / "elsewhere.rego").write_text('package webhook\nimport rego.v1\ndeny contains "no" if '
                                             'input.admissionRequest.kind == "Deployment"\n')
    manifest = _deployment(tmp_path, {})
    code, report, err = _scan(capsys, manifest, "--rego", policies, "--rule", NOT_K8S)
    assert len(_rego(report)) == 3 and code == 1
    assert err == (f"plangate: warning: --rego: {policies / 'elsewhere.rego'}: no rule of package webhook gave "
                   "a result on any of the 1 inputs: does it read what --rego gives (input.request, "
                   "input.review, or the document itself)?\n")


REQUIRED_ANNOTATIONS = """package k8srequiredannotations
import rego.v1
# written for this test from the gatekeeper-library constraint's parameters (key, allowedRegex)
violation contains {"msg": msg} if {
    some wanted in input.parameters.annotations
    not input.review.object.metadata.annotations[wanted.key]
    msg := sprintf("%s (missing %s)", [input.parameters.message, wanted.key])
}
violation contains {"msg": msg} if {
    some wanted in input.parameters.annotations
    value := input.review.object.metadata.annotations[wanted.key]
    not regex.match(wanted.allowedRegex, value)
    msg := sprintf("%s (%s=%s)", [input.parameters.message, wanted.key, value])
}
"""


@needs_corpus
def test_a_constraint_among_the_scanned_files_parameterises_its_template(tmp_path, capsys):
    """gatekeeper-library's requiredannotations sample: constraint, allowed and disallowed Service."""
    samples = (CORPUS / "k8s" / "open-policy-agent__gatekeeper-library" / "library" / "general"
               / "requiredannotations" / "samples" / "all-must-have-certain-set-of-annotations")
    (tmp_path / "src.rego").write_text(REQUIRED_ANNOTATIONS)
    code, report, err = _scan(capsys, samples, "--rego", tmp_path, "--rule", NOT_K8S)
    says = "All services must have a `a8r.io/owner` and `a8r.io/runbook` annotations."
    assert [(f["address"], f["outcome"], f["message"]) for f in report["findings"]] == [
        ("Service/disallowed-service", "violation", f"{says} (missing a8r.io/owner)"),
        ("Service/disallowed-service", "violation", f"{says} (missing a8r.io/runbook)"),
    ]
    assert (code, err) == (1, "")
