"""``plangate scan --rego DIR``: existing OPA policies reported next to plangate's findings."""

from __future__ import annotations

import json
import sys

import pytest
from conftest import FIXTURES

from plangate.cli import main

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
