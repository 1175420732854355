"""`plangate scan` over the real corpus in ../shared/corpus.

- every tfplan / pulumi / k8s file scans (exit 0 or 1), or, when invalid on purpose, exits 2
  with one line naming the file; nothing crashes;
- findings on several files were checked by hand against the file and are pinned here.

The Gatekeeper and Kyverno samples live in tests/interop/test_k8s_policy_samples.py.
"""

from __future__ import annotations

import json

import pytest
from conftest import CORPUS, needs_corpus

from plangate import engine, loaders, policy
from plangate.cli import main
from plangate.rules import RULES

pytestmark = needs_corpus
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
    # two EC2 instances, two Lambda functions and an S3 bucket, all without tags (every taggable
    # type that bills is in scope: plangate.types.BILLABLE)
    "tfplan/infracost__infracost/cmd/infracost/testdata/example_plan.json": [
        ("PG-TAG-001", "violation", "aws_instance.web_app", MISSING_ALL),
        ("PG-TAG-001", "violation", "aws_instance.zero_cost_instance", MISSING_ALL),
        ("PG-TAG-001", "violation", "aws_lambda_function.hello_world", MISSING_ALL),
        ("PG-TAG-001", "violation", "aws_lambda_function.zero_cost_lambda", MISSING_ALL),
        ("PG-TAG-001", "violation", "aws_s3_bucket.usage", MISSING_ALL),
    ],
    # tagged, but with Name / POC, not the cost-allocation keys; the KMS key ($1 a month) is untagged
    "tfplan/fugue__regula/rego/tests/lib/inputs/resource_view_05_tf_v1_0_infra.json": [
        ("PG-TAG-001", "violation", "aws_cloudwatch_log_group.fargate-logs", MISSING_ALL),
        ("PG-TAG-001", "violation", "aws_kms_key.cloudwatch", MISSING_ALL),
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
