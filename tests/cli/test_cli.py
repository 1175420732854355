"""The command line as a CI user meets it: exit codes, one-line errors, atomic output, snapshots."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, GOLDEN, ROOT

from plangate.cli import main

GOLDEN_SCAN = GOLDEN / "scan"
UPDATE = os.environ.get("PLANGATE_UPDATE_GOLDENS") == "1"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "plangate", *args], capture_output=True,
                          text=True, cwd=ROOT)


def test_version_and_exit_codes_through_the_real_entry_point():
    assert _run("--version").stdout.strip().startswith("plangate ")
    assert _run("scan", "examples/terraform-plan/plan.json", "-f", "json").returncode == 1
    ok = _run("scan", "tests/fixtures/scan/clean-plan.json", "-f", "json")
    assert ok.returncode == 0, ok.stderr


@pytest.mark.parametrize("args,message", [
    (["scan", "nope.json"], "plangate: error: nope.json: no such file or directory\n"),
    (["scan", "examples/terraform-plan/plan.json", "--config", "absent.yaml"],
     "plangate: error: absent.yaml: no such policy file\n"),
    (["scan", "README.md"], "plangate: error: README.md:1:1: invalid JSON: Expecting value\n"),
])
def test_bad_input_is_one_line_and_exit_2(args, message):
    proc = _run(*args)
    assert (proc.returncode, proc.stderr, proc.stdout) == (2, message, "")


def test_usage_errors_exit_2_without_traceback():
    proc = _run("scan", "examples", "--format", "yaml")
    assert proc.returncode == 2 and "invalid choice: 'yaml'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_output_is_written_atomically_and_kept_on_failure(tmp_path, capsys):
    out = tmp_path / "report.json"
    out.write_text("previous report")
    assert main(["scan", str(tmp_path / "missing.json"), "-f", "json", "-o", str(out)]) == 2
    assert out.read_text() == "previous report"
    assert main(["scan", str(EXAMPLES / "terraform-plan" / "plan.json"), "-f", "json", "-o", str(out)]) == 1
    assert json.loads(out.read_text())["summary"]["exit_code"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary files left


def test_unwritable_output_is_a_clean_error(tmp_path, capsys):
    code = main(["scan", str(EXAMPLES / "terraform-plan" / "plan.json"), "-o",
                 str(tmp_path / "no" / "such" / "dir" / "r.txt")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("plangate: error: ") and err.count("\n") == 1


def _snapshot(name: str, text: str) -> None:
    path = GOLDEN_SCAN / name
    if UPDATE:
        path.write_text(text)
    assert path.exists(), f"missing golden {path}: run PLANGATE_UPDATE_GOLDENS=1 pytest {__file__}"
    assert text == path.read_text(), (
        f"{path} differs: review, then PLANGATE_UPDATE_GOLDENS=1 pytest tests/cli/test_cli.py")


@pytest.mark.parametrize("example", [
    "terraform-plan/plan.json", "pulumi/preview.json", "kubernetes/inference.yaml", "terraform-hcl",
])
def test_json_report_snapshots_on_the_examples(example, tmp_path):
    out = tmp_path / "r.json"
    code = main(["scan", f"examples/{example}", "--config", "examples/plangate.yaml",
                 "--today", "2026-11-28", "-f", "json", "-o", str(out)])
    assert code == 1
    _snapshot(Path(example).with_suffix("").as_posix().replace("/", "__") + ".json", out.read_text())


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def test_inline_checkov_skips_of_our_ids_are_honoured_and_listed(tmp_path):
    (tmp_path / "main.tf").write_text('''resource "aws_s3_bucket" "legacy" {
  #checkov:skip=CKV_PG_TAG_001:predates tagging
  bucket = "legacy"
}

resource "aws_s3_bucket" "fresh" {
  #checkov:skip=CKV_AWS_18:not ours, ignored here
  bucket = "fresh"
}
''')
    out = tmp_path / "r.json"
    assert main(["scan", str(tmp_path), "-f", "json", "-o", str(out)]) == 1
    findings = [(f["address"], f["outcome"], f["waiver"]) for f in json.loads(out.read_text())["findings"]]
    assert findings == [
        ("aws_s3_bucket.fresh", "violation", None),
        ("aws_s3_bucket.legacy", "waived",
         f"inline CKV_PG_TAG_001 skip at {tmp_path / 'main.tf'}:2: predates tagging "
         "(owner (inline comment))"),
    ]


def test_oversized_input_is_refused_with_the_limit_named(tmp_path, monkeypatch, capsys):
    from plangate.loaders import source

    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"format_version": "1.2", "resource_changes": []}) + " " * 200)
    monkeypatch.setattr(source, "MAX_BYTES", 100)
    assert main(["scan", str(plan)]) == 2
    err = capsys.readouterr().err
    size = plan.stat().st_size
    assert err == (f"plangate: error: {plan}: file is {size} bytes, over the 100-byte limit "
                   "(set PLANGATE_MAX_INPUT_BYTES to raise it)\n")


def _help(parser, name: str) -> str:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        parser.parse_args([name, "--help"])
    return out.getvalue()


def test_a_subcommand_parsed_alone_is_the_one_parsed_among_all() -> None:
    # main() registers only the subcommand it was given (start-up time); its usage and help
    # must be what the full parser has.
    from plangate import cli

    for name in cli.COMMANDS:
        assert _help(cli.parser([name]), name) == _help(cli.parser(), name), name
