"""A finding's identity: rule, address and input kind, never its line.  A block that moves
within its file keeps its fingerprint in JSON and SARIF, and ``--baseline`` matches on it (and
still on (rule, address) for a report written before fingerprints)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from conftest import EXAMPLES, FIXTURES

from plangate.cli import main
from plangate.report import identity

TODAY = ["--today", "2026-11-28"]
_BLOCK = re.compile(r'^(?:resource|data) "[^"]+" "[^"]+" \{.*?^\}\n', re.S | re.M)


def _tree(tmp_path: Path, name: str, reverse: bool) -> Path:
    """The HCL example, its top-level blocks in the file's order or reversed, with blank lines
    pushed in front so no block keeps its line."""
    folder = tmp_path / name
    shutil.copytree(EXAMPLES / "terraform-hcl", folder)
    main_tf = folder / "main.tf"
    text = main_tf.read_text()
    blocks = _BLOCK.findall(text)
    assert len(blocks) >= 4, "the example has resource blocks to move"
    rest = _BLOCK.sub("", text)
    moved = list(reversed(blocks)) if reverse else blocks
    main_tf.write_text(("\n\n\n" if reverse else "") + rest + "\n" + "\n".join(moved))
    return folder


def _report(tmp_path: Path, fmt: str, *args: str) -> dict:
    out = tmp_path / f"r.{fmt}.{len(list(tmp_path.iterdir()))}"
    assert main(["scan", *args, "-f", fmt, "-o", str(out), *TODAY]) in (0, 1)
    return json.loads(out.read_text())


def _by_identity(doc: dict) -> dict[tuple[str, str], tuple[str, int]]:
    return {(f["rule_id"], f["address"]): (f["fingerprint"], f["line"]) for f in doc["findings"]}


def test_fingerprints_stay_when_blocks_move_within_their_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = _by_identity(_report(tmp_path, "json", str(_tree(tmp_path, "a", reverse=False))))
    after = _by_identity(_report(tmp_path, "json", str(_tree(tmp_path, "b", reverse=True))))
    assert before.keys() == after.keys() and len(before) >= 4
    assert all(before[k][1] != after[k][1] for k in before), "every block moved"
    assert {k: v[0] for k, v in before.items()} == {k: v[0] for k, v in after.items()}
    assert {k: v[0].split(":")[0] for k, v in before.items()} == {(rule, address): identity(rule, address, "hcl")
                                                                  for rule, address in before}


def test_sarif_carries_the_same_fingerprints(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tree = str(_tree(tmp_path, "a", reverse=False))
    doc = _report(tmp_path, "json", tree)
    sarif = _report(tmp_path, "sarif", tree)
    results = sarif["runs"][0]["results"]
    fingerprints = sorted(r["partialFingerprints"]["plangateFinding/v1"] for r in results)
    assert fingerprints == sorted(f["fingerprint"] for f in doc["findings"])


def test_several_messages_of_one_rule_on_one_resource_are_numbered(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    plan = str(FIXTURES / "hcl_plan" / "nested_modules.plan.json")
    doc = _report(tmp_path, "json", plan)
    fingerprints = [f["fingerprint"] for f in doc["findings"]]
    assert len(set(fingerprints)) == len(fingerprints), "GitLab and code scanning take equal ones as one"
    by_identity: dict[tuple[str, str], list[str]] = {}
    for f in doc["findings"]:
        by_identity.setdefault((f["rule_id"], f["address"]), []).append(f["fingerprint"])
    twice = {k: v for k, v in by_identity.items() if len(v) > 1}
    assert twice
    for (rule, address), found in twice.items():
        first = identity(rule, address, "tfplan")
        assert found == [first, *(f"{first}:{n}" for n in range(2, len(found) + 1))]
    gitlab = _report(tmp_path, "gitlab", plan)
    assert sorted(i["fingerprint"] for i in gitlab) == sorted(fingerprints)
    base = tmp_path / "base.json"
    base.write_text(json.dumps(doc))
    capsys.readouterr()
    assert main(["scan", plan, "--baseline", str(base), "-f", "json", *TODAY]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []


def test_a_plan_finding_and_an_hcl_finding_of_one_address_differ(tmp_path):
    assert identity("PG-TAG-001", "aws_s3_bucket.x", "tfplan") != identity("PG-TAG-001", "aws_s3_bucket.x", "hcl")


def test_the_baseline_matches_moved_blocks_by_fingerprint(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    base = tmp_path / "base.json"
    assert main(["scan", str(_tree(tmp_path, "a", reverse=False)), "-f", "json", "-o", str(base), *TODAY]) == 1
    moved = str(_tree(tmp_path, "b", reverse=True))
    capsys.readouterr()
    assert main(["scan", moved, "--baseline", str(base), "-f", "json", *TODAY]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []


def test_an_old_baseline_without_fingerprints_matches_by_rule_and_address(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    tree = str(_tree(tmp_path, "a", reverse=False))
    doc = _report(tmp_path, "json", tree)
    kept = doc["findings"][0]
    for f in doc["findings"]:
        del f["fingerprint"]
    doc["findings"] = doc["findings"][1:]  # the first finding is new against this baseline
    base = tmp_path / "old.json"
    base.write_text(json.dumps(doc))
    capsys.readouterr()
    assert main(["scan", tree, "--baseline", str(base), "-f", "json", *TODAY]) in (0, 1)
    left = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["rule_id"], f["address"]) for f in left] == [(kept["rule_id"], kept["address"])]


def test_a_fingerprint_that_is_no_string_is_bad_input(tmp_path, capsys):
    base = tmp_path / "base.json"
    base.write_text(json.dumps({"tool": "plangate", "findings": [
        {"rule_id": "PG-TAG-001", "address": "a.b", "fingerprint": 7}]}))
    assert main(["scan", str(EXAMPLES / "terraform-plan" / "plan.json"), "--baseline", str(base)]) == 2
    err = capsys.readouterr().err
    assert str(base) in err and "fingerprint must be a string" in err and err.count("\n") == 1
