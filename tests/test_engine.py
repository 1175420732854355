"""A rule that raises is a bug in the rule (exit 3, naming it), never the user's input (exit 2)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import FIXTURES

import plangate.rules
from plangate.cli import main
from plangate.engine import RuleFailed, evaluate
from plangate.model import Resource, Severity
from plangate.policy import defaults
from plangate.rules.base import rule
from plangate.rules.context import StackContext

PLAN = FIXTURES / "scan" / "clean-plan.json"  # one aws_s3_bucket, aws_s3_bucket.lake


@rule(id="PG-TOY-901", slug="toy-reads-a-missing-key", title="A toy rule with a bug", severity=Severity.LOW,
      category="governance", applies_to=["aws_s3_bucket"], remediation="Fix the rule.")
def _buggy(res: Resource, cfg: object) -> Iterator[str]:
    """Reads a property every bucket is assumed to have."""
    yield res.properties["no_such_property"]


@rule(id="PG-TOY-902", slug="toy-stack-divides-by-zero", title="A toy stack rule with a bug",
      severity=Severity.LOW, category="governance", applies_to=["aws_s3_bucket"], remediation="Fix the rule.",
      stack=True)
def _buggy_stack(ctx: StackContext, cfg: object) -> Iterator[tuple[Resource, str]]:
    """Divides by the number of untagged resources."""
    yield ctx.resources[0], f"{1 / len([r for r in ctx.resources if not r.tags])}"


@pytest.fixture(params=[_buggy, _buggy_stack], ids=["resource rule", "stack rule"])
def registered(request, monkeypatch):
    """The toy rule in the registry the CLI reads, for this test only (monkeypatch undoes it)."""
    monkeypatch.setattr(plangate.rules, "RULES", (*plangate.rules.RULES, request.param))
    return request.param


def test_a_rule_that_raises_is_an_internal_error_naming_the_rule(registered, capsys):
    code = main(["scan", str(PLAN), "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 3
    assert out == ""
    cause = ("KeyError: 'no_such_property'" if registered is _buggy
             else "ZeroDivisionError: division by zero")
    subject = "aws_s3_bucket.lake" if registered is _buggy else "the resource set"
    assert err == (f"plangate: internal error: RuleFailed: rule {registered.id} {registered.slug} failed on "
                   f"{subject}: {cause} (set PLANGATE_DEBUG=1 for a traceback, and please report it)\n")


def test_input_errors_stay_the_users_with_the_toy_rule_registered(registered, tmp_path, capsys):
    bad = tmp_path / "plan.json"
    bad.write_text('{"format_version": "1.2", "resource_changes": [')
    code = main(["scan", str(bad)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"plangate: error: {bad}") and err.count("\n") == 1 and "Traceback" not in err


def test_the_engine_raises_rule_failed_with_the_cause_chained():
    res = Resource("aws_s3_bucket", "aws_s3_bucket.b", "example")
    with pytest.raises(RuleFailed) as caught:
        evaluate([res], defaults((_buggy,)))
    assert caught.value.rule_id == "PG-TOY-901" and caught.value.subject == "aws_s3_bucket.b"
    assert isinstance(caught.value.__cause__, KeyError)


def test_the_registry_is_untouched_outside_the_fixture():
    assert {"PG-TOY-901", "PG-TOY-902"}.isdisjoint(r.id for r in plangate.rules.RULES)
