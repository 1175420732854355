"""`plangate scan` over the real corpus in ../shared/corpus.

- every tfplan / pulumi / k8s file scans (exit 0 or 1), or, when invalid on purpose, exits 2
  with one line naming the file; nothing crashes;
- findings on several files were checked by hand against the file and are pinned here;
- Gatekeeper and Kyverno samples give their upstream expected verdicts when plangate is
  configured with the same required keys.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plangate import engine, loaders, policy
from plangate.cli import main
from plangate.model import Outcome
from plangate.rules import RULES

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")
KINDS = ("tfplan", "pulumi-preview", "pulumi-state", "k8s")


def _index() -> list[dict]:
    if not CORPUS.is_dir():
        return []
    return [e for e in json.loads((CORPUS / "INDEX.json").read_text()) if e["kind"] in KINDS]


def _invalid_on_purpose(entry: dict) -> bool:
    return "parse_error" in entry or "edge case" in entry["format"]


@pytest.mark.parametrize("entry", _index(), ids=lambda e: e["path"])
def test_every_corpus_file_scans_or_fails_cleanly(entry, tmp_path, capsys):
    path = CORPUS / entry["path"]
    code = main(["scan", str(path), "--format", "json", "--output", str(tmp_path / "r.json")])
    err = capsys.readouterr().err
    if _invalid_on_purpose(entry):
        assert code == 2, err
        assert err.startswith(f"plangate: error: {path}") and err.count("\n") == 1, err
        assert "Traceback" not in err
    else:
        assert code in (0, 1), err
        report = json.loads((tmp_path / "r.json").read_text())
        # With -o, stderr carries the one-line summary and nothing else (issue 12).
        resources = report["summary"]["resources"]
        assert resources >= 0 and err.startswith(f"plangate: {resources} resource") and err.count("\n") == 1, err


def _findings(rel: str, config: dict | None = None):
    pol = policy.build(config, RULES, "test") if config else policy.defaults(RULES)
    resources = loaders.load(CORPUS / rel)
    return [(f.rule_id, f.outcome.value, f.address, f.message)
            for f in engine.evaluate(resources, pol)]


MISSING_ALL = "missing tags: CostCenter, Owner, Environment, Project"

# Checked by hand: each file was read and these are the findings a reviewer expects.
PINNED = {
    # two Lambda functions and an S3 bucket without tags; aws_instance is out of scope
    "tfplan/infracost__infracost/cmd/infracost/testdata/example_plan.json": [
        ("PG-TAG-001", "violation", "aws_lambda_function.hello_world", MISSING_ALL),
        ("PG-TAG-001", "violation", "aws_lambda_function.zero_cost_lambda", MISSING_ALL),
        ("PG-TAG-001", "violation", "aws_s3_bucket.usage", MISSING_ALL),
    ],
    # tagged, but with Name / POC, not the cost-allocation keys; the KMS key is out of scope
    "tfplan/fugue__regula/rego/tests/lib/inputs/resource_view_05_tf_v1_0_infra.json": [
        ("PG-TAG-001", "violation", "aws_cloudwatch_log_group.fargate-logs", MISSING_ALL),
    ],
    # IAM roles and an OIDC provider only: nothing billable in scope
    "tfplan/bridgecrewio__checkov/tests/terraform/checks/data/aws/"
    "example_GithubActionsOIDCTrustPolicy/tfplan.json": [],
    # the DynamoDB table's tags are tag1 / tag2; autoscaling groups are out of scope
    "tfplan/bridgecrewio__checkov/tests/terraform/parser/resources/plan_tags_variety/tfplan.json": [
        ("PG-TAG-001", "violation", "aws_dynamodb_table.basic-dynamodb-table", MISSING_ALL),
    ],
    # a plan written on Windows in UTF-16: the bucket is untagged
    "tfplan/bridgecrewio__checkov/tests/terraform/parser/resources/plan_encodings/tfplan_win_utf16.json": [
        ("PG-TAG-001", "violation", "aws_s3_bucket.data", MISSING_ALL),
    ],
    # a Pulumi stack export: the docs bucket and its handler function are untagged
    "pulumi/dundalek__stratify/test/resources/pulumi/sample-export.json": [
        ("PG-TAG-001", "violation", "aws_s3_bucket.docs", MISSING_ALL),
        ("PG-TAG-001", "violation", "aws_lambda_function.docsHandler", MISSING_ALL),
    ],
}


@pytest.mark.parametrize("rel", sorted(PINNED))
def test_pinned_findings(rel):
    assert _findings(rel) == PINNED[rel]


def test_secrets_in_a_checkpoint_never_reach_a_report(tmp_path):
    path = CORPUS / "pulumi/pulumi__pulumi/pkg/resource/stack/testdata/checkpoint-secrets.json"
    raw = json.loads(path.read_text())
    ciphertexts = {m.group(0) for m in __import__("re").finditer(r'"ciphertext":\s*"([^"]+)"', path.read_text())}
    assert raw and ciphertexts
    for fmt in ("json", "sarif", "junit", "markdown", "table"):
        out = tmp_path / f"r.{fmt}"
        assert main(["scan", str(path), "--format", fmt, "--output", str(out)]) == 1
        text = out.read_text()
        for c in ciphertexts:
            assert c.split('"')[-2] not in text


# --- Gatekeeper and Kyverno samples --------------------------------------------------------

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
