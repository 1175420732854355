"""`--compare-to` on a real pair of plans from the corpus.

The pair: dundalek/stratify's Pulumi previews of one program (an S3 bucket whose uploads
trigger a Lambda function).  ``sample-preview-creates.json`` creates the stack: it is the
base, the state the next preview is compared with.  ``sample-preview-update.json`` is the
next preview: it updates the function's code (``diffReasons: [code]``) and leaves
everything else alone, so the right delta is $0 with the function "updated, no cost
change".  ``sample-preview-deletes.json`` removes the function and its wiring: the right
delta is minus exactly what the function cost.  It is the only create / update / delete
sequence of one program in the corpus (the Terraform plans are of unrelated configs), which
is why it was chosen; the usage file in tests/fixtures/cost/compare/ gives the function and
the bucket traffic, so the delta is in dollars rather than "depends on usage".
"""

from __future__ import annotations

import json
from decimal import Decimal

from conftest import needs_corpus
from test_cost_fixtures import FIXTURES, STRATIFY

from plangate.cli import main
from plangate.cost import estimate, prices, usage

USAGE = FIXTURES / "compare" / "usage.yml"
TABLE = prices.load()


def _load(name: str):
    from plangate import loaders

    return loaders.load(STRATIFY / name)


def _estimate(name: str) -> estimate.Estimate:
    return estimate.estimate(_load(name), usage.load(USAGE), TABLE)


def _function_cost(region: str) -> Decimal:
    """By hand: 3M requests of 400 ms at 128 MB (the preview's memorySize), x86."""
    requests = Decimal(3) * TABLE.get("lambda.requests", region).first
    gb_seconds = Decimal(3_000_000) * Decimal("0.4") * Decimal(128) / 1024
    return requests + gb_seconds * TABLE.get("lambda.duration.x86_64", region).first


@needs_corpus
def test_update_of_function_code_changes_nothing_in_cost():
    base, head = _estimate("sample-preview-creates.json"), _estimate("sample-preview-update.json")
    delta = estimate.compare(base, head)
    assert delta.monthly == 0
    assert not delta.of_kind("added") and not delta.of_kind("removed") and not delta.of_kind("changed")
    fn = next(c for c in delta.changes if c.type == "aws_lambda_function")
    assert fn.kind == "unchanged" and fn.updated
    assert fn.after_monthly == _function_cost(fn.after.region) == Decimal("3.100005")


@needs_corpus
def test_deleting_the_function_removes_exactly_its_cost():
    base, head = _estimate("sample-preview-creates.json"), _estimate("sample-preview-deletes.json")
    delta = estimate.compare(base, head)
    removed = {(c.type, c.address): c.delta for c in delta.of_kind("removed")}
    fn = [k for k in removed if k[0] == "aws_lambda_function"]
    assert len(fn) == 1
    assert removed[fn[0]] == -_function_cost(base.get(fn[0][1], fn[0][0]).region)
    assert delta.monthly == removed[fn[0]]  # everything else removed is free
    assert all(c.kind == "unchanged" for c in delta.changes if c.type == "aws_s3_bucket")


@needs_corpus
def test_cli_compare_to(capsys):
    _load("sample-preview-creates.json")
    code = main(["cost", str(STRATIFY / "sample-preview-deletes.json"), "--compare-to",
                 str(STRATIFY / "sample-preview-creates.json"), "--usage-file", str(USAGE), "-f", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert doc["diff"]["delta_monthly_cost"] == "-3.100005"
    lam = [r for r in doc["diff"]["resources"] if r["type"] == "aws_lambda_function"]
    assert [(r["change"], r["delta_monthly_cost"]) for r in lam] == [("removed", "-3.100005")]
    code = main(["cost", str(STRATIFY / "sample-preview-update.json"), "--compare-to",
                 str(STRATIFY / "sample-preview-creates.json"), "--usage-file", str(USAGE)])
    out = capsys.readouterr().out
    assert "Monthly cost change: $8.06 -> $8.06 (+$0.00)" in out
    assert "(1 updated by the plan with no cost change)" in out
