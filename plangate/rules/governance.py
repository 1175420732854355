"""Rules about the policy itself, such as waivers that have run out."""

from __future__ import annotations

from collections.abc import Iterator

from plangate.model import Enforcement, Resource, Severity, Unknown
from plangate.rules.base import Frameworks, Pass, StackExample, Undecided, rule
from plangate.rules.context import WAIVER_TYPE, StackContext

_WAIVER = {"rule": "PG-EXP-002", "resource": "aws_apigatewayv2_route.health*",
           "reason": "public health check", "owner": "platform-team", "expires": "2027-06-30"}


@rule(
    id="PG-GOV-001",
    slug="expired-waiver",
    title="Waivers are renewed or removed when they expire",
    severity=Severity.MEDIUM,
    category="governance",
    applies_to={WAIVER_TYPE},
    enforcement=Enforcement.MANDATORY,
    stack=True,
    remediation=(
        "Fix the resources the waiver covered, or renew the waiver with a new expiry date and "
        "a reason the owner signs off again."
    ),
    frameworks=Frameworks(nist_ai_rmf="GOVERN 1.5"),
    examples=[
        StackExample(waivers=[_WAIVER], today="2027-06-30", name="a waiver on its last day"),
        StackExample(
            waivers=[_WAIVER], today="2027-07-01",
            says=["waiver for PG-EXP-002 on 'aws_apigatewayv2_route.health*' (owner platform-team) "
                  "expired on 2027-06-30: renew it with a new date or fix the resources"],
            name="a waiver the day after it expired",
        ),
    ],
)
def expired_waiver(ctx: StackContext, cfg: object) -> Iterator[tuple[Resource, str]]:
    """A waiver in plangate.yaml whose expiry date has passed is itself a finding: exceptions
    are reviewed, never permanent. An expired waiver waives nothing."""
    for w in ctx.waivers:
        if w.expired(ctx.today):
            yield ctx.waiver_resource(w.index, w), (
                f"waiver for {w.rule} on {w.resource!r} (owner {w.owner}) expired on "
                f"{w.expires}: renew it with a new date or fix the resources")


_MODULE = "terraform_module_call"


@rule(
    id="PG-GOV-002",
    slug="unexpanded-module",
    title="Resources inside Terraform modules are checked from the plan",
    severity=Severity.LOW,
    category="governance",
    applies_to={_MODULE},
    enforcement=Enforcement.ADVISORY,
    remediation=(
        "Scan the plan JSON (terraform show -json) to check the module's resources, or scan "
        "the module's own directory."
    ),
    examples=[
        Undecided(
            "module feature_store (./modules/feature-store) is not expanded from HCL: tags "
            "and metadata of its resources are not checked here",
            type=_MODULE, address="module.feature_store",
            properties={"name": "feature_store", "source": "./modules/feature-store"},
        ),
        Pass(type="aws_s3_bucket", name="only module calls are in scope"),
    ],
)
def unexpanded_module(res: Resource, cfg: object) -> Iterator[Unknown]:
    """Scanning HCL does not expand module calls: the resources a module creates, and the
    tags they get from it, are only visible in a plan. Each module call is reported so a
    reviewer knows what a passing HCL scan did not cover."""
    yield Unknown(
        f"module {res.get('name')} ({res.get('source')}) is not expanded from HCL: tags and metadata "
        "of its resources are not checked here"
    )
