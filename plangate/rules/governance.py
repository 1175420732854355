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


_LOCAL = ("./", "../")


@rule(
    id="PG-GOV-002",
    slug="unexpanded-module",
    title="Module calls the HCL scan could not expand are named, never passed in silence",
    severity=Severity.LOW,
    category="governance",
    applies_to={_MODULE},
    enforcement=Enforcement.ADVISORY,
    remediation=(
        "Run `terraform init` before the scan (a registry or git module is read once it is "
        "downloaded into .terraform/modules), or scan the plan JSON (terraform show -json), which "
        "holds every module's resources."
    ),
    examples=[
        Undecided(
            "module vpc (terraform-aws-modules/vpc/aws) is not expanded from HCL: a registry, git "
            "or URL module is read only once `terraform init` has downloaded it, so its resources "
            "and their tags are checked from the plan only",
            type=_MODULE, address="module.vpc",
            properties={"name": "vpc", "source": "terraform-aws-modules/vpc/aws"},
        ),
        # a refused root's reason is a loader note, which a policy pack never sees: covered by
        # tests/loaders/test_loader_hcl.py instead
        Pass(type="aws_s3_bucket", name="only module calls are in scope"),
    ],
)
def unexpanded_module(res: Resource, cfg: object) -> Iterator[Unknown]:
    """The HCL evaluator expands local module calls with their callers' arguments.  A call it
    could not expand is reported with the reason: a registry, git or URL module not downloaded
    yet (plangate works offline: it reads what `terraform init` put in .terraform/modules), a
    local folder that is missing, a call tfparse returned nothing for, or a whole root module
    tfparse refused (its reason given).  Each is named so a reviewer knows what a passing HCL scan did not
    cover; the plan JSON covers them all."""
    source = str(res.get("source") or "")
    if res.notes:
        why = res.notes[0]
    elif source.startswith(_LOCAL):
        why = "the evaluator returned nothing for this call, so its resources were not checked"
    else:
        why = ("a registry, git or URL module is read only once `terraform init` has downloaded it, so its "
               "resources and their tags are checked from the plan only")
    what = f"root module {source}" if res.address == "(root module)" else f"module {res.get('name')} ({source})"
    yield Unknown(f"{what} is not expanded from HCL: {why}")
