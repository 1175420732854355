"""A run that read nothing is not a pass: unreadable folders, folders without input, a forced
format on a document that is not it, and numbers no deployment has are exit 2, one line."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plangate.cli import main

BUDGET = str(FIXTURES / "cost" / "budget" / "over-budget.yaml")


def _one_error_line(capsys, *fragments: str) -> str:
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("plangate: error: ") and captured.err.count("\n") == 1, captured.err
    for fragment in fragments:
        assert fragment in captured.err
    assert "Traceback" not in captured.err
    return captured.err


def _plan(tmp_path: Path, after: dict, type_: str = "aws_sagemaker_endpoint_configuration",
          raw: str | None = None) -> Path:
    plan = {"format_version": "1.2", "terraform_version": "1.9.0", "resource_changes": [
        {"address": f"{type_}.x", "mode": "managed", "type": type_, "name": "x",
         "change": {"actions": ["create"], "after": after, "after_unknown": {}}}]}
    path = tmp_path / "plan.json"
    path.write_text(raw if raw is not None else json.dumps(plan))
    return path


# -- folders ---------------------------------------------------------------------------------

def test_a_folder_without_recognisable_input_is_exit_2(tmp_path, capsys):
    (tmp_path / "notes.json").write_text('{"hello": "world"}')
    (tmp_path / "README.md").write_text("# nothing here")
    assert main(["scan", str(tmp_path)]) == 2
    _one_error_line(capsys, f"{tmp_path}: no recognisable input in this folder")
    assert main(["cost", str(tmp_path)]) == 2
    _one_error_line(capsys, f"{tmp_path}: no recognisable input")


def test_an_empty_folder_is_exit_2(tmp_path, capsys):
    assert main(["scan", str(tmp_path), "--input-format", "k8s"]) == 2
    _one_error_line(capsys, str(tmp_path), "looked for k8s input")


def test_a_folder_that_cannot_be_listed_is_exit_2_naming_it(tmp_path, monkeypatch, capsys):
    # Root reads a mode-000 folder, so this test makes os.scandir (which os.walk lists folders
    # with) refuse one folder the way the kernel refuses a normal user; the real kernel refusal
    # is the next test's.
    good = tmp_path / "plan.json"
    good.write_text((FIXTURES / "scan" / "clean-plan.json").read_text())
    secret = tmp_path / "locked"
    secret.mkdir()
    real = os.scandir

    def scandir(path="."):
        if Path(path) == secret:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert main(["scan", str(tmp_path)]) == 2
    _one_error_line(capsys, f"{secret}: cannot read directory: Permission denied")
    assert main(["scan", str(secret)]) == 2
    _one_error_line(capsys, f"{secret}: cannot read directory")


def _as_a_user_root_cannot_override() -> list[str]:
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: root lists a mode-000 folder")
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}"]


@pytest.mark.parametrize("inside", [False, True], ids=["given", "inside-a-scanned-folder"])
def test_an_unreadable_folder_is_exit_2_for_real(tmp_path, inside):
    (tmp_path / "plan.json").write_text((FIXTURES / "scan" / "clean-plan.json").read_text())
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "main.tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    locked.chmod(0)
    try:
        proc = subprocess.run([*_as_a_user_root_cannot_override(), sys.executable, "-m", "plangate", "scan",
                               str(tmp_path if inside else locked)], capture_output=True, text=True, cwd=ROOT)
    finally:
        locked.chmod(0o755)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert proc.stderr == f"plangate: error: {locked}: cannot read directory: Permission denied\n"


# -- forced formats and the message that names the option -------------------------------------

def test_forced_tfplan_on_an_empty_object_is_exit_2(tmp_path, capsys):
    empty = tmp_path / "empty.json"
    empty.write_text("{}")
    assert main(["scan", "--input-format", "tfplan", str(empty)]) == 2
    _one_error_line(capsys, f"{empty}: not tfplan input")
    assert main(["cost", "--input-format", "tfplan", str(empty)]) == 2
    _one_error_line(capsys, f"{empty}: not tfplan input")


def test_an_empty_plan_is_still_a_plan(tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text('{"format_version": "1.2", "resource_changes": []}')
    assert main(["scan", "--input-format", "tfplan", str(plan)]) == 0


def test_unrecognised_json_names_the_input_format_option(tmp_path, capsys):
    odd = tmp_path / "odd.json"
    odd.write_text('{"hello": 1}')
    assert main(["scan", str(odd)]) == 2
    err = _one_error_line(capsys, "use --input-format to say which")
    assert "--format " not in err


# -- numbers ---------------------------------------------------------------------------------

def _variant(count) -> dict:
    return {"name": "x", "production_variants": [
        {"variant_name": "a", "model_name": "m", "instance_type": "ml.g5.xlarge",
         "initial_instance_count": count}]}


@pytest.mark.parametrize("command", ["scan", "cost"])
def test_a_huge_count_is_bad_input_not_an_internal_error(tmp_path, capsys, command):
    plan = _plan(tmp_path, _variant(1e308))
    assert main([command, str(plan), "-c", BUDGET]) == 2
    _one_error_line(capsys, str(plan), "instance_count = 1e+308", "not a real deployment")


@pytest.mark.parametrize("command", ["scan", "cost"])
def test_a_negative_count_is_bad_input_not_negative_dollars(tmp_path, capsys, command):
    plan = _plan(tmp_path, _variant(-3))
    assert main([command, str(plan), "-c", BUDGET]) == 2
    err = _one_error_line(capsys, str(plan), "= -3 is negative")
    assert "-$" not in err


def test_a_huge_count_in_hcl_is_bad_input(tmp_path, capsys):
    (tmp_path / "main.tf").write_text('''resource "aws_sagemaker_endpoint_configuration" "big" {
  production_variants {
    variant_name           = "a"
    model_name             = "m"
    instance_type          = "ml.g5.xlarge"
    initial_instance_count = 1e308
  }
}
''')
    assert main(["cost", str(tmp_path)]) == 2
    _one_error_line(capsys, "main.tf", "not a real deployment")


def test_nan_in_plan_json_is_invalid_json(tmp_path, capsys):
    plan = _plan(tmp_path, {}, raw='{"format_version": "1.2", "resource_changes": [], "x": NaN}')
    assert main(["scan", str(plan)]) == 2
    _one_error_line(capsys, f"{plan}: invalid JSON: NaN is not a JSON number")


# Numeric properties the rules and the cost model read, per type.
_FIELDS = {
    "aws_lambda_function": ("memory_size", "timeout", "reserved_concurrent_executions",
                            "ephemeral_storage.size"),
    "aws_sagemaker_endpoint_configuration": ("production_variants.initial_instance_count",
                                             "production_variants.initial_variant_weight",
                                             "production_variants.serverless_config.memory_size_in_mb"),
    "aws_cloudwatch_log_group": ("retention_in_days",),
    "aws_dynamodb_table": ("read_capacity", "write_capacity"),
    "aws_lambda_provisioned_concurrency_config": ("provisioned_concurrent_executions",),
}

_NUMBERS = st.one_of(
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 0, -1, 10**19, 2**63, -(2**63)]),
    st.text(max_size=12),
    st.sampled_from(["1e308", "-5", "NaN", "Infinity", "0x10", "1_000", " 7 ", "${var.n}"]),
)


def _set(after: dict, dotted: str, value) -> None:
    *parents, leaf = dotted.split(".")
    node = after
    for part in parents:
        node = node.setdefault(part, [{}])[0]
    node[leaf] = value


def _json(value) -> str:
    # Python's json writes NaN / Infinity for non-finite floats, as a hostile or broken tool might.
    return json.dumps(value, allow_nan=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(type_and_field=st.sampled_from([(t, f) for t, fs in _FIELDS.items() for f in fs]), value=_NUMBERS,
       command=st.sampled_from(["scan", "cost"]))
def test_numeric_fields_only_ever_exit_0_1_or_2(tmp_path, capsys, type_and_field, value, command):
    type_, field = type_and_field
    after: dict = {"name": "x", "function_name": "x", "tags": {"team": "ml"}}
    if type_ == "aws_sagemaker_endpoint_configuration":
        after.update(_variant(1))
    _set(after, field, value)
    plan = {"format_version": "1.2", "resource_changes": [
        {"address": f"{type_}.x", "mode": "managed", "type": type_, "name": "x",
         "change": {"actions": ["create"], "after": after, "after_unknown": {}}}]}
    path = tmp_path / "plan.json"
    path.write_text(_json(plan))
    code = main([command, str(path), "-c", BUDGET, "-f", "json"])
    captured = capsys.readouterr()
    assert code in (0, 1, 2), captured.err
    if code == 2:
        assert captured.err.count("\n") == 1 and "internal error" not in captured.err
    if isinstance(value, float) and not math.isfinite(value):
        assert code == 2  # NaN / Infinity are not JSON: never a pass


def test_json_lines_beside_the_configuration_are_data_but_a_broken_plan_is_not(tmp_path, capsys):
    """A folder walk meets data files too: JSON Lines whose first value no format reads (a DynamoDB
    import sample, found on terraform-aws-modules' dynamodb-table examples/s3-import) are not an
    input; a truncated plan, or JSON Lines named on the command line, still are bad input."""
    (tmp_path / "main.tf").write_text('resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n')
    (tmp_path / "files").mkdir()
    sample = tmp_path / "files" / "sample.json"
    sample.write_text('{"Item": {"id": {"S": "1"}}}\n{"Item": {"id": {"S": "2"}}}\n')
    assert main(["scan", str(tmp_path), "-f", "json", "-o", str(tmp_path / "out.json")]) in (0, 1)
    assert json.loads((tmp_path / "out.json").read_text())["summary"]["resources"] == 1
    capsys.readouterr()
    assert main(["scan", str(sample)]) == 2
    _one_error_line(capsys, f"{sample}:2:1: invalid JSON: Extra data")
    sample.write_text('{"format_version": "1.2", "resource_changes": [')
    assert main(["scan", str(tmp_path)]) == 2
    _one_error_line(capsys, f"{sample}:1:48: invalid JSON: Expecting value")
    sample.write_text('{"Item": 1}\n')  # one line: a document, not JSON Lines (valid and of no format: skipped)
    assert main(["scan", str(tmp_path), "-o", str(tmp_path / "out.txt")]) in (0, 1)
