"""The CI options of `plangate scan`, each through the real command line."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from conftest import EXAMPLES, FIXTURES, ROOT

from plangate.cli import main

PLAN = str(EXAMPLES / "terraform-plan" / "plan.json")
CLEAN = str(FIXTURES / "scan" / "clean-plan.json")
CONFIG = str(EXAMPLES / "plangate.yaml")
TODAY = ["--today", "2026-11-28"]


def _json(capsys, *args: str) -> tuple[int, dict]:
    code = main(["scan", *args, "-f", "json", *TODAY])
    return code, json.loads(capsys.readouterr().out)


def _outcomes(doc: dict) -> set[str]:
    return {f["outcome"] for f in doc["findings"]}


def test_quiet_reports_failures_only(capsys, tmp_path):
    config = tmp_path / "plangate.yaml"
    config.write_text("waivers:\n  - rule: cost-allocation-tags\n    resource: '*'\n    reason: tagging sprint\n"
                      "    owner: finops\n    expires: 2099-01-01\n")
    code, full = _json(capsys, str(EXAMPLES), "-c", str(config))
    assert {"waived", "violation", "unknown"} <= _outcomes(full)
    quiet_code, quiet = _json(capsys, str(EXAMPLES), "-c", str(config), "--quiet")
    assert quiet_code == code == 1
    assert _outcomes(quiet) <= {"violation", "warning"} and quiet["findings"]
    assert [f for f in full["findings"] if f["outcome"] in ("violation", "warning")] == quiet["findings"]
    assert quiet["summary"] == full["summary"]  # the summary still counts what --quiet hides


def test_soft_fail_exits_0_but_still_reports_and_bad_input_stays_2(capsys, tmp_path):
    code, doc = _json(capsys, PLAN, "--soft-fail")
    assert code == 0 and "violation" in _outcomes(doc) and doc["summary"]["exit_code"] == 0
    assert main(["scan", str(tmp_path / "absent.json"), "--soft-fail"]) == 2


def test_fail_on_closes_the_gate_only_at_that_severity_or_worse(capsys):
    _, doc = _json(capsys, PLAN)
    severities = {f["severity"] for f in doc["findings"] if f["outcome"] == "violation"}
    assert "critical" not in severities and "high" in severities
    assert _json(capsys, PLAN, "--fail-on", "critical")[0] == 0
    assert _json(capsys, PLAN, "--fail-on", "high")[0] == 1
    assert _json(capsys, PLAN, "--fail-on", "low")[0] == 1
    proc = subprocess.run([sys.executable, "-m", "plangate", "scan", PLAN, "--fail-on", "severe"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and "invalid choice: 'severe'" in proc.stderr


def test_rule_and_skip_rule_pick_the_rules(capsys):
    _, only = _json(capsys, PLAN, "--rule", "PG-TAG-001", "--rule", "function-url-auth")
    ids = {f["rule_id"] for f in only["findings"]}
    assert ids == {"PG-TAG-001", "PG-EXP-001"}
    enabled = {r["id"] for r in only["rules"]}
    assert {"PG-TAG-001", "PG-EXP-001", "PG-RAI-002"} <= enabled  # the locked rule always runs
    assert "PG-TEL-001" not in enabled
    _, skipped = _json(capsys, PLAN, "--skip-rule", "PG-TAG-001,PG-RAI-001")
    assert not {"PG-TAG-001", "PG-RAI-001"} & {f["rule_id"] for f in skipped["findings"]}
    assert skipped["findings"]


@pytest.mark.parametrize("args,message", [
    (["--rule", "PG-NOPE-001"], "--rule: no rule 'PG-NOPE-001'"),
    (["--skip-rule", "prohibited-ai-risk-tier"], "--skip-rule: PG-RAI-002 prohibited-ai-risk-tier is locked"),
])
def test_bad_rule_options_are_one_line_and_exit_2(capsys, args, message):
    assert main(["scan", PLAN, *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_several_outputs_in_one_run(tmp_path, capsys):
    a, b = tmp_path / "a.sarif", tmp_path / "b.md"
    assert main(["scan", PLAN, "-f", "sarif", "-o", str(a), "-f", "markdown", "-o", str(b), *TODAY]) == 1
    captured = capsys.readouterr()
    assert json.loads(a.read_text())["version"] == "2.1.0"
    assert b.read_text().startswith("<!-- plangate -->\n#")
    assert captured.out == ""
    assert captured.err.startswith("plangate: ") and "gate failed" in captured.err and captured.err.count("\n") == 1


def test_one_report_to_stdout_and_one_to_a_file(tmp_path, capsys):
    out = tmp_path / "r.xml"
    assert main(["scan", PLAN, "-f", "junit", "-o", str(out), "-f", "json", *TODAY]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["tool"] == "plangate"
    assert ET.fromstring(out.read_text()).tag == "testsuites"
    assert captured.err == ""  # the summary is on stdout's report already


def test_checkov_style_output_file_path_folder(tmp_path, capsys):
    folder = tmp_path / "results"
    assert main(["scan", PLAN, "-f", "sarif,junit,json", "--output-file-path", f"{folder}/", *TODAY]) == 1
    assert sorted(p.name for p in folder.iterdir()) == ["results_json.json", "results_junit.xml",
                                                        "results_sarif.sarif"]
    assert json.loads((folder / "results_json.json").read_text())["summary"]["exit_code"] == 1


def test_checkov_style_output_file_path_list_with_console(tmp_path, capsys):
    out = tmp_path / "r.sarif"
    assert main(["scan", PLAN, "-f", "table,sarif", "--output-file-path", f"console,{out}", *TODAY]) == 1
    assert "gate failed" in capsys.readouterr().out
    assert json.loads(out.read_text())["runs"]


@pytest.mark.parametrize("args,message", [
    (["-f", "json", "-f", "sarif"], "only one report can go to stdout"),
    (["-o", "a.json", "-o", "b.json"], "more outputs (2) than formats (1)"),
    (["-f", "yaml"], "invalid choice: 'yaml'"),
    (["-o", "a.json", "--output-file-path", "out/"], "give either -o or --output-file-path"),
])
def test_output_usage_errors_exit_2_before_reading_anything(tmp_path, capsys, args, message, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["scan", PLAN, *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_baseline_reports_only_new_findings(tmp_path, capsys):
    base = tmp_path / "base.json"
    assert main(["scan", PLAN, "-f", "json", "-o", str(base), *TODAY]) == 1
    capsys.readouterr()
    code, again = _json(capsys, PLAN, "--baseline", str(base))
    assert (code, again["findings"]) == (0, [])
    plan = json.loads((EXAMPLES / "terraform-plan" / "plan.json").read_text())
    new = json.loads(json.dumps(next(c for c in plan["resource_changes"] if c["type"] == "aws_lambda_function_url")))
    new["address"] = new["address"] + "_v2"
    new["name"] = new["name"] + "_v2"
    plan["resource_changes"].append(new)
    changed = tmp_path / "plan.json"
    changed.write_text(json.dumps(plan))
    code, diff = _json(capsys, str(changed), "--baseline", str(base))
    assert code == 1
    assert {f["address"] for f in diff["findings"]} == {new["address"]}


@pytest.mark.parametrize("content,problem", [
    ("{not json", "invalid JSON"),
    ('{"tool": "checkov"}', "not a plangate JSON report"),
    ('{"tool": "plangate", "findings": [{"rule_id": 1}]}', "findings[0]: expected rule_id and address"),
])
def test_a_bad_baseline_is_one_line_and_exit_2(tmp_path, capsys, content, problem):
    base = tmp_path / "base.json"
    base.write_text(content)
    assert main(["scan", PLAN, "--baseline", str(base)]) == 2
    err = capsys.readouterr().err
    assert str(base) in err and problem in err and err.count("\n") == 1


def test_a_clean_plan_still_passes_with_every_option(tmp_path, capsys):
    code, doc = _json(capsys, CLEAN, "--quiet", "--fail-on", "low", "--skip-rule", "PG-TEL-001")
    assert code == 0 and doc["summary"]["passed"]
