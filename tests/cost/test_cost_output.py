"""Golden files for `plangate cost` output, reviewed in diffs.

Regenerate after an intended change (then read the diff before committing):

    PLANGATE_UPDATE_GOLDENS=1 .venv/bin/pytest -q tests/cost/test_cost_output.py

The goldens are the CLI's output on fixtures written for these tests, so a change in
loaders, pricing, prices or rendering shows up here as a reviewable diff.
"""

from __future__ import annotations

import json
import os

import pytest
from conftest import ROOT, needs_corpus
from test_cost_fixtures import GOLDEN, INFRACOST

from plangate.cli import main

UPDATE = os.environ.get("PLANGATE_UPDATE_GOLDENS") == "1"
BUDGET = "tests/fixtures/cost/budget"
STRATIFY = "../shared/corpus/pulumi/dundalek__stratify/test/resources/pulumi"  # relative to the repo

CASES = {
    "budget.table.txt": ["cost", f"{BUDGET}/plan.json", "--usage-file", f"{BUDGET}/usage.yml",
                         "--by", "Project", "--by", "Team", "-c", f"{BUDGET}/over-budget.yaml"],
    "budget.md": ["cost", f"{BUDGET}/plan.json", "--usage-file", f"{BUDGET}/usage.yml", "--by", "Project",
                  "-f", "markdown"],
    "budget.json": ["cost", f"{BUDGET}/plan.json", "--usage-file", f"{BUDGET}/usage.yml", "--by", "Project",
                    "-f", "json", "-c", f"{BUDGET}/over-budget.yaml"],
    "budget.infracost.json": ["cost", f"{BUDGET}/plan.json", "--usage-file", f"{BUDGET}/usage.yml",
                              "-f", "infracost-json", "--generated-at", "2026-01-01T00:00:00Z"],
    # --region is the default for resources whose provider names no region: this plan's does (us-east-1)
    "budget.region-default.table.txt": ["cost", f"{BUDGET}/plan.json", "--usage-file", f"{BUDGET}/usage.yml",
                                   "--region", "eu-west-1"],
    # the real create -> delete pair of test_cost_compare.py, as a PR comment would show it
    "stratify-deletes.compare.md": ["cost", f"{STRATIFY}/sample-preview-deletes.json", "--compare-to",
                                    f"{STRATIFY}/sample-preview-creates.json", "--usage-file",
                                    "tests/fixtures/cost/compare/usage.yml", "-f", "markdown"],
}


def _run(args: list[str], monkeypatch, capsys) -> tuple[int, str]:
    monkeypatch.chdir(ROOT)  # relative paths keep the goldens the same on every machine
    code = main(args)
    return code, capsys.readouterr().out


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name, monkeypatch, capsys):
    if name.startswith("stratify"):
        if not (ROOT / STRATIFY).is_dir():
            pytest.skip(f"shared corpus not found at {ROOT / STRATIFY}")
    code, out = _run(CASES[name], monkeypatch, capsys)
    assert code in (0, 1)
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(out, encoding="utf-8")
    assert path.is_file(), f"missing golden {path}: run PLANGATE_UPDATE_GOLDENS=1 pytest {__file__}"
    assert out == path.read_text(encoding="utf-8"), (
        f"{name} changed: review, then regenerate with PLANGATE_UPDATE_GOLDENS=1 pytest tests/cost/test_cost_output.py")


def _keys(tree, path=""):
    """Every key path in a JSON tree (list items collapsed), to compare shapes."""
    if isinstance(tree, dict):
        out = set()
        for k, v in tree.items():
            out |= {f"{path}.{k}"} | _keys(v, f"{path}.{k}")
        return out
    if isinstance(tree, list):
        return set().union(*(_keys(v, f"{path}[]") for v in tree)) if tree else set()
    return set()


@needs_corpus
def test_infracost_json_has_infracosts_shape(monkeypatch, capsys):
    golden = INFRACOST.parents[4] / "cmd" / "infracost" / "testdata" / "breakdown_with_default_tags"
    text = (golden / "breakdown_with_default_tags.golden").read_text(encoding="utf-8")
    theirs, _ = json.JSONDecoder().raw_decode(text)
    code, out = _run(CASES["budget.infracost.json"], monkeypatch, capsys)
    ours = json.loads(out)
    wanted = {k for k in _keys(theirs) if k.startswith((".projects[].breakdown.resources[].costComponents[]",
                                                        ".totalMonthlyCost", ".projects[].breakdown.total",
                                                        ".projects[].summary.total"))}
    assert wanted <= _keys(ours), sorted(wanted - _keys(ours))
    component = ours["projects"][0]["breakdown"]["resources"][0]["costComponents"][0]
    assert all(isinstance(component[k], (str, type(None)))
               for k in ("hourlyQuantity", "monthlyQuantity", "price", "hourlyCost", "monthlyCost"))
    assert ours["totalMonthlyCost"] == "2335.57152"  # 2327.97952 + the t3.micro bastion, 730 h x $0.0104


@needs_corpus
def test_infracost_json_matches_an_infracost_golden_component(monkeypatch, capsys):
    """Infracost's own JSON for a Lambda without usage, component for component."""
    golden = INFRACOST.parents[4] / "cmd" / "infracost" / "testdata" / "breakdown_with_default_tags"
    theirs, _ = json.JSONDecoder().raw_decode((golden / "breakdown_with_default_tags.golden").read_text())
    lam = next(r for r in theirs["projects"][0]["breakdown"]["resources"] if r["resourceType"] == "aws_lambda_function")
    code, out = _run(["cost", "tests/fixtures/cost/infracost/lambda_function_test/plan.json", "-f",
                      "infracost-json"], monkeypatch, capsys)
    ours = next(r for r in json.loads(out)["projects"][0]["breakdown"]["resources"]
                if r["name"] == "aws_lambda_function.lambda")
    by_name = {c["name"]: c for c in ours["costComponents"]}
    for component in lam["costComponents"]:
        if component["name"] == "Ephemeral storage":
            continue  # explained in test_cost_infracost.EXPLAINED
        mine = by_name[component["name"]]
        for key in ("unit", "hourlyQuantity", "monthlyQuantity", "price", "hourlyCost", "monthlyCost"):
            assert mine[key] == component[key], (component["name"], key)
    assert "monthlyCost" not in ours and "monthlyCost" not in lam  # no cost until usage is known


def test_output_is_written_atomically(tmp_path, monkeypatch, capsys):
    target = tmp_path / "cost.md"
    code, out = _run(CASES["budget.md"] + ["-o", str(target)], monkeypatch, capsys)
    assert code == 0 and out == ""
    assert target.read_text(encoding="utf-8") == (GOLDEN / "budget.md").read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["cost.md"]
