"""`plangate scan` / `cost` with --audit-log: one verified entry per decision, with input
digests, rule versions, outcomes and waivers used — and never a secret value."""

from __future__ import annotations

import hashlib
import json

import pytest
from conftest import EXAMPLES

from plangate.audit import keys, log, record
from plangate.cli import main
from plangate.rules import RULES

PLAN = EXAMPLES / "terraform-plan" / "plan.json"
POLICY = EXAMPLES / "plangate.yaml"
SECRET = "hunter2-SECRET-tier-77"


def entries(path):
    return [json.loads(x) for x in path.read_text().splitlines() if json.loads(x)["kind"] == "entry"]


def test_scan_records_its_decision(tmp_path, capsys):
    audit = tmp_path / "audit.jsonl"
    code = main(["scan", str(PLAN), "-c", str(POLICY), "-f", "json", "--audit-log", str(audit),
                 "--today", "2026-06-01"])
    report = json.loads(capsys.readouterr().out)
    [entry] = entries(audit)
    rec = entry["record"]
    assert rec["command"] == "scan" and rec["plangate_version"]
    assert rec["inputs"] == [
        {"path": str(PLAN), "type": "file", "sha256": hashlib.sha256(PLAN.read_bytes()).hexdigest()},
        {"path": str(POLICY), "type": "file", "sha256": hashlib.sha256(POLICY.read_bytes()).hexdigest()},
    ]
    result = rec["result"]
    assert result["exit_code"] == code
    enabled = {r["id"] for r in report["rules"]}
    assert enabled and set(result["rules"]) == enabled and all(v.startswith(rec["plangate_version"] + "+")
                                                   for v in result["rules"].values())
    assert len(result["findings"]) == len(report["findings"])
    assert sorted((f["rule"], f["address"], f["outcome"]) for f in result["findings"]) == sorted(
        (f["rule_id"], f["address"], f["outcome"]) for f in report["findings"])
    assert log.verify(str(audit)).intact


def test_directory_inputs_are_digested_as_a_tree(tmp_path):
    tree = tmp_path / "infra"
    (tree / "mod").mkdir(parents=True)
    (tree / "main.tf").write_text("a")
    (tree / "mod" / "x.tf").write_text("b")
    (tree / ".terraform").mkdir()
    (tree / ".terraform" / "cache").write_text("ignored")
    digest, count = record.tree_digest(tree)
    assert count == 2
    want = hashlib.sha256(b"main.tf\0" + hashlib.sha256(b"a").hexdigest().encode() + b"\n"
                          + b"mod/x.tf\0" + hashlib.sha256(b"b").hexdigest().encode() + b"\n").hexdigest()
    assert digest == want
    (tree / "mod" / "x.tf").write_text("c")
    assert record.tree_digest(tree)[0] != want


def _secret_plan(path):
    after = {"function_name": "f", "tags": {"team": "ml", "ai-risk-tier": SECRET},
             "environment": [{"variables": {"DB_PASSWORD": SECRET}}]}
    plan = {"format_version": "1.2", "terraform_version": "1.9.0", "resource_changes": [{
        "address": "aws_lambda_function.f", "mode": "managed", "type": "aws_lambda_function", "name": "f",
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {"actions": ["create"], "before": None, "after": after, "after_unknown": {},
                   "after_sensitive": {"tags": {"ai-risk-tier": True},
                                       "environment": [{"variables": {"DB_PASSWORD": True}}]}}}]}
    path.write_text(json.dumps(plan))


def test_secret_values_never_reach_the_log(tmp_path, capsys):
    plan, audit = tmp_path / "plan.json", tmp_path / "audit.jsonl"
    _secret_plan(plan)
    main(["scan", str(plan), "--audit-log", str(audit), "-f", "json"])
    capsys.readouterr()
    text = audit.read_text()
    assert SECRET not in text
    [entry] = entries(audit)
    assert entry["record"]["result"]["findings"], "the scan found something to record"


def test_waiver_use_is_recorded(tmp_path, capsys):
    policy = tmp_path / "plangate.yaml"
    policy.write_text(POLICY.read_text())
    main(["scan", str(PLAN), "-c", str(policy), "-f", "json", "--today", "2026-06-01"])
    report = json.loads(capsys.readouterr().out)
    target = next(f for f in report["findings"] if f["outcome"] == "violation")
    with policy.open("a") as handle:
        if "waivers:" not in policy.read_text():
            handle.write("waivers:\n")
        handle.write(f"  - rule: {target['rule_id']}\n    resource: \"{target['address']}\"\n"
                     "    reason: accepted for the pilot\n    owner: ml-platform\n    expires: 2099-01-01\n")
    audit = tmp_path / "audit.jsonl"
    main(["scan", str(PLAN), "-c", str(policy), "-f", "json", "--audit-log", str(audit), "--today", "2026-06-01"])
    capsys.readouterr()
    [entry] = entries(audit)
    used = entry["record"]["result"]["waivers_used"]
    assert any(u["rule"] == target["rule_id"] and u["address"] == target["address"]
               and u["reason"].startswith("accepted for the pilot") for u in used)
    assert entry["record"]["result"]["outcomes"]["waived"] >= 1


def test_cost_records_its_decision(tmp_path, capsys):
    audit = tmp_path / "audit.jsonl"
    code = main(["cost", str(PLAN), "-c", str(POLICY), "--audit-log", str(audit), "-f", "json"])
    capsys.readouterr()
    [entry] = entries(audit)
    rec = entry["record"]
    assert rec["command"] == "cost" and rec["result"]["exit_code"] == code
    assert rec["inputs"][0]["sha256"] == hashlib.sha256(PLAN.read_bytes()).hexdigest()
    assert "monthly_cost" in rec["result"]
    assert all(r.startswith("PG-BUD-") for r in rec["result"]["rules"])


def test_a_configured_key_signs_checkpoints(tmp_path, monkeypatch, capsys):
    keyfile = tmp_path / "k.pem"
    key = keys.generate(str(keyfile))
    monkeypatch.setenv("PLANGATE_AUDIT_KEY", str(keyfile))
    monkeypatch.setenv("PLANGATE_AUDIT_CHECKPOINT_EVERY", "2")
    audit = tmp_path / "audit.jsonl"
    for _ in range(4):
        main(["scan", str(PLAN), "-c", str(POLICY), "--audit-log", str(audit), "-f", "json"])
    capsys.readouterr()
    report = log.verify(str(audit), public_key=key.public_key())
    assert report.intact and (report.entries, report.checkpoints, report.signed_size) == (4, 2, 4)


def test_a_bad_key_is_one_line_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PLANGATE_AUDIT_KEY", str(tmp_path / "missing.pem"))
    assert main(["scan", str(PLAN), "--audit-log", str(tmp_path / "a.jsonl")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "missing.pem" in err


def test_rule_versions_change_with_the_rule_source():
    versions = record.rule_versions(RULES)
    assert set(versions) == {r.id for r in RULES}
    assert len({v.split("+")[1] for v in versions.values()}) > 1  # rules in different modules


@pytest.mark.parametrize("bad", ["0", "x", "-3"])
def test_bad_checkpoint_interval(bad, monkeypatch, tmp_path):
    monkeypatch.setenv("PLANGATE_AUDIT_CHECKPOINT_EVERY", bad)
    assert main(["scan", str(PLAN), "--audit-log", str(tmp_path / "a.jsonl")]) == 2
