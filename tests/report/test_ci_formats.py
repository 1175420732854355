"""``-f github`` (workflow commands and the job summary) and ``-f gitlab`` (Code Quality,
validated against GitLab's own schema for it, tests/fixtures/report/SOURCES.md)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import EXAMPLES, FIXTURES

from plangate.cli import main
from plangate.model import Finding, Location, Outcome, Severity
from plangate.report import identity
from plangate.report.github import annotation, escape_data, escape_property
from plangate.report.markdown import MARKER

TODAY = ["--today", "2026-11-28"]
GITLAB_SCHEMA = FIXTURES / "report" / "gitlab" / "codeclimate.json"
#: The severities GitLab's Code Quality documentation lists.
GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}
PLAN = EXAMPLES / "terraform-plan" / "plan.json"


def _finding(outcome: Outcome, message: str = "missing tags: env", location: Location | None = None) -> Finding:
    return Finding("PG-TAG-001", "cost-allocation-tags", Severity.HIGH, outcome, "aws_s3_bucket.logs",
                   "aws_s3_bucket", message, location)


def test_escaping_follows_the_runner():
    assert escape_data("50% done\r\nnext: a,b") == "50%25 done%0D%0Anext: a,b"
    assert escape_property("a%b:c,d\ne") == "a%25b%3Ac%2Cd%0Ae"


def test_one_command_per_finding_by_outcome(tmp_path):
    root = str(tmp_path)
    where = Location(str(tmp_path / "infra" / "main, v2.tf"), 7)
    assert annotation(_finding(Outcome.VIOLATION, "100% untagged\nfix: tag it", where), "f1", root) == (
        "::error file=infra/main%2C v2.tf,line=7,title=PG-TAG-001 cost-allocation-tags (high)"
        "::aws_s3_bucket.logs: 100%25 untagged%0Afix: tag it%0A%0Aplangate fingerprint f1")
    assert annotation(_finding(Outcome.WARNING, location=where), "f2", root).startswith("::warning file=")
    unknown = annotation(_finding(Outcome.UNKNOWN), "f3", root)
    assert unknown == ("::warning title=PG-TAG-001 cost-allocation-tags (high)::unknown: aws_s3_bucket.logs: "
                       "missing tags: env%0A%0Aplangate fingerprint f3")
    assert annotation(_finding(Outcome.WAIVED, location=where), "f4", root) is None
    outside = annotation(_finding(Outcome.VIOLATION, location=Location("/elsewhere/x.tf", 3)), "f5", root)
    assert outside.startswith("::error title=")  # a file outside the checkout cannot be annotated


def _scan(tmp_path: Path, fmt: str, *args: str) -> tuple[int, str]:
    out = tmp_path / f"report.{fmt}"
    code = main(["scan", str(PLAN), "-f", fmt, "-o", str(out), *TODAY, *args])
    return code, out.read_text()


def test_github_commands_and_the_job_summary(tmp_path, monkeypatch):
    monkeypatch.chdir(EXAMPLES.parent)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, text = _scan(tmp_path, "github")
    _, doc = _scan(tmp_path, "json")
    findings = json.loads(doc)["findings"]
    shown = [f for f in findings if f["outcome"] != "waived"]
    lines = text.splitlines()
    assert code == 1 and len(lines) == len(shown) and shown
    for line, f in zip(lines, shown):
        command = "error" if f["outcome"] == "violation" else "warning"
        file = os.path.relpath(f["file"], EXAMPLES.parent)  # relative to the checkout
        assert line.startswith(f"::{command} file={file},line={f['line']},title={f['rule_id']} ")
        assert line.endswith(f"plangate fingerprint {f['fingerprint']}")
    _, markdown = _scan(tmp_path, "markdown")
    assert summary.read_text() == "earlier step\n" + markdown  # appended, the PR comment's body
    assert markdown.startswith(MARKER + "\n## ❌ plangate: gate failed")


def test_a_summary_that_cannot_be_written_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "no" / "such" / "summary.md"))
    assert main(["scan", str(PLAN), "-f", "github", *TODAY]) == 2
    err = capsys.readouterr().err
    assert "GITHUB_STEP_SUMMARY" in err and err.count("\n") == 1


def _gitlab_validator():
    import jsonschema

    schema = json.loads(GITLAB_SCHEMA.read_text())
    return jsonschema.validators.validator_for(schema)(schema)


@pytest.mark.parametrize("inputs", [[str(PLAN)], [str(EXAMPLES / "terraform-hcl")]])
def test_gitlab_code_quality_validates_and_points_at_files(tmp_path, monkeypatch, inputs):
    monkeypatch.chdir(EXAMPLES.parent)
    out, doc = tmp_path / "gl.json", tmp_path / "r.json"
    assert main(["scan", *inputs, "-f", "gitlab", "-o", str(out), "-f", "json", "-o", str(doc), *TODAY]) == 1
    issues = json.loads(out.read_text())
    findings = [f for f in json.loads(doc.read_text())["findings"] if f["outcome"] != "waived"]
    validator = _gitlab_validator()
    for issue in issues:
        validator.validate(issue)
    severity = {"critical": "blocker", "high": "critical", "medium": "major", "low": "minor", "info": "info"}
    assert issues == [{
        "type": "issue",
        "description": f"{f['rule_id']} {f['slug']}{'' if f['outcome'] == 'violation' else ' (' + f['outcome'] + ')'}"
                       f": {f['address']}: {f['message']}",
        "check_name": f["rule_id"],
        "fingerprint": f["fingerprint"],
        "severity": severity[f["severity"]],
        "location": {"path": os.path.relpath(f["file"], EXAMPLES.parent), "lines": {"begin": f["line"] or 1}},
    } for f in findings]
    assert {i["severity"] for i in issues} <= GITLAB_SEVERITIES and issues
    assert all(not Path(i["location"]["path"]).is_absolute() and (EXAMPLES.parent / i["location"]["path"]).exists()
               for i in issues)
    kind = "tfplan" if inputs[0].endswith(".json") else "hcl"
    assert {i["fingerprint"].split(":")[0] for i in issues} == {identity(i["check_name"], f["address"], kind)
                                                                for i, f in zip(issues, findings)}
    assert len({i["fingerprint"] for i in issues}) == len(issues)  # GitLab merges equal ones


def test_the_gitlab_schema_rejects_an_issue_without_a_fingerprint():
    import jsonschema

    with pytest.raises(jsonschema.ValidationError):
        _gitlab_validator().validate({"description": "x", "severity": "major", "location": {"path": "a"}})
