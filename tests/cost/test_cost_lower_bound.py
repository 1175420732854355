"""A cost total that leaves something out says so in every format (issue 20, item 8): a module
call the HCL scan did not expand, a resource not priced or with a cost unknown at plan time
makes the total a lower bound, with how many resources it leaves out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plangate.cli import main

TREE = {
    "main.tf": 'provider "aws" {\n  region = "us-east-1"\n}\n'
               '# not downloaded: the endpoint inside is not expanded, so not priced\n'
               'module "endpoint" {\n  source = "terraform-aws-modules/sagemaker/aws"\n}\n'
               'resource "aws_cloudwatch_log_group" "logs" {\n  name = "x"\n}\n',
}
BOUND = "lower bound: leaves out 1 resource not priced or unknown"


def _cost(tmp_path: Path, fmt: str, files: dict[str, str]) -> str:
    tree = tmp_path / "tree"
    tree.mkdir()
    for name, text in files.items():
        (tree / name).write_text(text)
    out = tmp_path / f"cost.{fmt}"
    assert main(["cost", str(tree), "-f", fmt, "-o", str(out)]) == 0
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt,expected", [
    ("table", f"({BOUND}, listed below)"),
    ("markdown", f"**Total: $0.00/month** (baseline $0.00 + usage $0.00; {BOUND})"),
])
def test_a_total_missing_an_unexpanded_module_says_it_is_a_lower_bound(tmp_path: Path, fmt: str,
                                                                        expected: str) -> None:
    text = _cost(tmp_path, fmt, TREE)
    assert expected in text.splitlines()
    if fmt == "table":  # right under the headline
        lines = text.splitlines()
        assert lines[lines.index(expected) - 1].startswith("OVERALL TOTAL")


def test_the_json_total_says_lower_bound_and_how_many_are_left_out(tmp_path: Path) -> None:
    totals = json.loads(_cost(tmp_path, "json", TREE))["totals"]
    assert (totals["monthly_cost"], totals["lower_bound"], totals["left_out"]) == ("0", True, 1)


def test_a_complete_total_is_not_called_a_lower_bound(tmp_path: Path) -> None:
    files = {"main.tf": TREE["main.tf"].split("# not downloaded")[0]
             + 'resource "aws_cloudwatch_log_group" "logs" {\n  name = "x"\n}\n'}
    (tmp_path / "table").mkdir()
    (tmp_path / "json").mkdir()
    assert "lower bound" not in _cost(tmp_path / "table", "table", files)
    totals = json.loads(_cost(tmp_path / "json", "json", files))["totals"]
    assert (totals["lower_bound"], totals["left_out"]) == (False, 0)
