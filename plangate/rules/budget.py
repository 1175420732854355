"""Budget rules: monthly ceilings, the increase one change may bring, capacity caps.

The money rules read the cost model (`plangate.cost.estimate`, a pure function of resources,
usage and prices); none of them computes money itself.  The cost model is imported only
when a rule has a ceiling configured, so a scan without budgets pays nothing for it, and one
estimate is shared by every budget rule in a scan.

Where the inputs come from: ``usage_file`` (Infracost's usage-file shape, relative to the
working directory) and the ``plangate:usage`` tag on resources give usage; ``prices`` names a
price table other than the shipped one; ``region`` is the default region.  ``plangate cost``
overrides these three with its own ``--usage-file`` / ``--prices`` / ``--region`` so the
table it prints and the findings it gates on agree.

The increase rule needs a baseline.  At scan time it is the ``baseline`` setting (the plan,
preview or HCL of the branch being changed, loaded with the same loaders); ``plangate cost
--compare-to BASE`` sets it to BASE.  Without one, the increase is what created resources
cost, and the cost change of updated resources is reported as unknown.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from plangate.cost.catalogue import PRICED_TYPES
from plangate.model import Resource, Severity, Unknown
from plangate.rules.base import Fail, Frameworks, Pass, StackExample, Undecided, rule
from plangate.rules.context import PricedIndex, StackContext, settings_key
from plangate.settings import mapping_setting, setting
from plangate.values import block, variant_list

if TYPE_CHECKING:  # the cost model is imported lazily, when a rule has work
    from plangate.cost.components import ResourceCost
    from plangate.cost.estimate import Estimate

_Answer = tuple[Resource, "str | Unknown"]  # what a stack rule yields
_CONFIG = "aws_sagemaker_endpoint_configuration"
_PC = "aws_lambda_provisioned_concurrency_config"
_BEDROCK = "aws_bedrock_provisioned_model_throughput"
_LAMBDA = "aws_lambda_function"


@dataclass(frozen=True)
class CostInputs:
    """Where the money rules' estimate comes from (shared by every budget rule)."""

    usage_file: str = setting("", "Usage file in Infracost's shape ('' = only plangate:usage tags).")
    prices: str = setting("", "Price table CSV ('' = the table shipped with plangate).")
    region: str = setting("", "Region for resources that do not name theirs ('' = us-east-1).")
    on_unknown: Literal["warn", "deny"] = setting(
        "warn", "A resource whose cost cannot be known at plan time: warn (unknown) or deny.")


# -- shared helpers ------------------------------------------------------------------------

def _estimate(ctx: StackContext, cfg: CostInputs) -> tuple[Estimate, PricedIndex]:
    """The scan's estimate under this rule's cost inputs (computed once per scan by the context)."""
    return ctx.estimate(settings_key(cfg))


def _money(value: Decimal | float) -> str:
    from plangate.cost.money import money

    return money(Decimal(str(value)) if isinstance(value, float) else value)


def _contributors(items: Sequence[ResourceCost]) -> str:
    return ", ".join(f"{r.address} {_money(r.monthly)}" for r in items)


def _unknown(cfg: CostInputs, message: str, paths: tuple[str, ...] = ()) -> str | Unknown:
    return message if cfg.on_unknown == "deny" else Unknown(message, paths)


def _waiting(count: int) -> str:
    return f"; {count} usage-based components without usage are not counted" if count else ""


# -- PG-BUD-001: monthly ceilings per stack / tag value -------------------------------------


@dataclass(frozen=True)
class BudgetPolicy(CostInputs):
    stack: float = setting(0.0, "Monthly ceiling in USD for everything scanned together (0: none).")
    tags: dict[str, dict[str, float]] = mapping_setting(
        {}, "Per tag key, per tag value, a monthly ceiling in USD, e.g. "
            "{Project: {fraud-scoring: 500}, Team: {'*': 2000}} ('*': every value not listed).")
    breach_probability: float = setting(
        0.5, "`plangate forecast --fail-on-breach` fails when a month-end breach is at least this likely (0 to 1).")


_EP = {"type": _CONFIG, "tags": {"Project": "fraud"},
       "properties": {"name": "fraud-scorer", "production_variants": [
           {"variant_name": "main", "instance_type": "ml.m5.large", "initial_instance_count": 2}]}}
_FN = {"type": _LAMBDA, "tags": {"Project": "fraud", "plangate:usage": "monthly_requests=1e7 request_duration_ms=200"},
       "properties": {"memory_size": 1024}}
# SageMaker bills endpoints: the endpoint that makes _EP's instances run (a configuration alone is free).
_EP_SERVED = {"type": "aws_sagemaker_endpoint", "address": "aws_sagemaker_endpoint.fraud", "tags": {"Project": "fraud"},
              "properties": {"name": "fraud", "endpoint_config_name": "fraud-scorer"}}


@rule(
    id="PG-BUD-001",
    slug="monthly-budget",
    title="Estimated monthly cost stays within the budget of its stack, project or team",
    severity=Severity.HIGH,
    category="finops",
    applies_to=PRICED_TYPES,
    settings=BudgetPolicy,
    stack=True,
    remediation=(
        "Bring the estimate under the ceiling (smaller or fewer instances, less provisioned "
        "capacity), or agree a new budget with finance and raise the ceiling in plangate.yaml."
    ),
    frameworks=Frameworks(finops="Budgeting"),
    examples=[
        StackExample(_EP, _EP_SERVED, settings={"tags": {"Project": {"fraud": 200}}}, name="within budget"),
        StackExample(
            _EP, _FN, _EP_SERVED,
            settings={"tags": {"Project": {"fraud": 100}}},
            says=["budget Project=fraud: estimated $203.23/month is over the $100.00 ceiling; "
                  "top contributors: aws_sagemaker_endpoint_configuration.example $167.90, "
                  "aws_lambda_function.example1 $35.33; 2 usage-based components without usage "
                  "are not counted"],
            name="instances plus usage from a tag",
        ),
        StackExample(
            _EP, _EP_SERVED, settings={"stack": 50},
            says=["budget stack: estimated $167.90/month is over the $50.00 ceiling; top "
                  "contributors: aws_sagemaker_endpoint_configuration.example $167.90; 2 "
                  "usage-based components without usage are not counted"],
            name="a ceiling for the whole stack",
        ),
        StackExample(
            {**_EP, "tags": {"Team": "ml"}}, _EP_SERVED, settings={"tags": {"Team": {"*": 100}}},
            says=["budget Team=ml: estimated $167.90/month is over the $100.00 ceiling; top "
                  "contributors: aws_sagemaker_endpoint_configuration.example $167.90; 2 "
                  "usage-based components without usage are not counted"],
            name="one ceiling for every team",
        ),
        StackExample(
            {**_EP, "unknown": {"production_variants.0.instance_type"}}, _EP_SERVED,
            settings={"tags": {"Project": {"fraud": 100}}},
            undecided=["cost of aws_sagemaker_endpoint_configuration.example is unknown at plan time "
                       "(production_variants.0.instance_type unknown until apply); budget "
                       "Project=fraud may be understated"],
            name="instance type computed at apply",
        ),
        StackExample(
            {**_EP, "unknown": {"production_variants.0.instance_type"}}, _EP_SERVED,
            settings={"tags": {"Project": {"fraud": 100}}, "on_unknown": "deny"},
            says=["cost of aws_sagemaker_endpoint_configuration.example is unknown at plan time "
                  "(production_variants.0.instance_type unknown until apply); budget "
                  "Project=fraud may be understated"],
            name="on_unknown: deny",
        ),
        StackExample(_EP, settings={"stack": 50}, name="a configuration no endpoint uses is not billed"),
        StackExample(_EP, _EP_SERVED, name="no budgets configured"),
    ],
)
def monthly_budget(ctx: StackContext, cfg: BudgetPolicy) -> Iterator[_Answer]:
    """The estimated monthly cost of everything scanned (``stack``), and of the resources
    sharing a tag value (a project, team or stack tag), stays within its ceiling.
    Usage-based components without usage are not counted (and are said to be missing);
    a resource whose cost cannot be known at plan time is reported per ``on_unknown``."""
    if not cfg.stack and not cfg.tags:
        return
    from plangate.cost.estimate import UNTAGGED

    est, index = _estimate(ctx, cfg)
    budgets = [("stack", Decimal(str(cfg.stack)), est.stack())] if cfg.stack else []
    for key, ceilings in cfg.tags.items():
        for group in est.by_tag(key):
            ceiling = ceilings.get(group.value, ceilings.get("*"))
            if ceiling is not None and group.value != UNTAGGED:
                budgets.append((f"{key}={group.value}", Decimal(str(ceiling)), group))
    reported: set[str] = set()
    for name, ceiling, group in budgets:
        total = group.monthly
        if total > ceiling:
            top = group.top(3)
            yield index[top[0]], (
                f"budget {name}: estimated {_money(total)}/month is over the {_money(ceiling)} "
                f"ceiling; top contributors: {_contributors(top)}{_waiting(group.depends_on_usage)}")
        for r in group.unknown:
            if r.address not in reported:
                reported.add(r.address)
                yield index[r], _unknown(
                    cfg, f"cost of {r.address} is unknown at plan time ({'; '.join(r.unknown_reasons)}); "
                         f"budget {name} may be understated")


# -- PG-BUD-002: the increase one change may bring -----------------------------------------


@dataclass(frozen=True)
class IncreasePolicy(CostInputs):
    max_increase: float = setting(0.0, "Largest monthly cost increase in USD one change may bring (0: no limit).")
    baseline: str = setting(
        "", "Plan, preview or HCL the change is measured against, e.g. the main branch's plan "
            "('' = created resources are the increase; updates are unknown).")


_NEW = {"type": _CONFIG, "action": "create",
        "properties": {"name": "gpu-scorer",
                       "production_variants": [{"variant_name": "main", "instance_type": "ml.g5.xlarge"}]}}
_NEW_SERVED = {"type": "aws_sagemaker_endpoint", "address": "aws_sagemaker_endpoint.gpu", "action": "create",
               "properties": {"name": "gpu", "endpoint_config_name": "gpu-scorer"}}


@rule(
    id="PG-BUD-002",
    slug="monthly-cost-increase",
    title="One change does not raise the monthly cost by more than allowed",
    severity=Severity.HIGH,
    category="finops",
    applies_to=PRICED_TYPES,
    settings=IncreasePolicy,
    stack=True,
    remediation=(
        "Split the change, choose smaller capacity, or have the increase approved and raise "
        "max_increase (or waive the finding for this change with an expiry date)."
    ),
    frameworks=Frameworks(finops="Budgeting"),
    examples=[
        StackExample(_NEW, _NEW_SERVED, settings={"max_increase": 2000}, name="within the allowed increase"),
        StackExample(
            _NEW, {**_EP, "action": "no-op"}, _NEW_SERVED, {**_EP_SERVED, "action": "no-op"},
            settings={"max_increase": 500},
            says=["monthly cost increase +$1,027.84 is over the $500.00 allowed per change "
                  "(created resources; no baseline); top contributors: "
                  "aws_sagemaker_endpoint_configuration.example $1,027.84"],
            name="a new GPU endpoint",
        ),
        StackExample(
            {**_EP, "action": "update"}, {**_EP_SERVED, "action": "update"}, settings={"max_increase": 500},
            undecided=["cost change of aws_sagemaker_endpoint_configuration.example (update) is "
                       "unknown without a baseline: set baseline in monthly-cost-increase or run "
                       "plangate cost --compare-to BASE"],
            name="an update without a baseline",
        ),
        StackExample(_NEW, _NEW_SERVED, name="no limit configured"),
    ],
)
def monthly_cost_increase(ctx: StackContext, cfg: IncreasePolicy) -> Iterator[_Answer]:
    """The monthly cost a change adds (its estimate minus the baseline's, resource by
    resource) stays under ``max_increase``.  With a baseline the delta covers added,
    changed and removed resources; without one, created resources are the increase."""
    if not cfg.max_increase:
        return
    est, index = _estimate(ctx, cfg)
    limit = Decimal(str(cfg.max_increase))
    if cfg.baseline:
        from plangate.cost import estimate

        base, _ = ctx.estimate(settings_key(cfg), ctx.baseline(cfg.baseline))
        delta = estimate.compare(base, est)
        increase = delta.monthly
        top = [((c.type, c.address), c.delta) for c in delta.top_increases(3)]
        basis = f"vs {cfg.baseline}: {_money(base.monthly)} -> {_money(est.monthly)}"
        known = {(r.type, r.address) for r in base.resources}
        judged = [r for r in est.resources if (r.type, r.address) not in known or r.action != "no-op"]
    else:
        created = [r for r in est.resources if r.action == "create"]
        increase = sum((r.monthly for r in created), Decimal(0))
        costly = sorted((r for r in created if r.monthly > 0), key=lambda r: (-r.monthly, r.address))
        top = [((r.type, r.address), r.monthly) for r in costly[:3]]
        basis = "created resources; no baseline"
        judged = created
        for r in est.resources:
            if r.action in ("update", "replace") and r.status == "priced":
                yield index[r], _unknown(
                    cfg, f"cost change of {r.address} ({r.action}) is unknown without a baseline: set "
                         "baseline in monthly-cost-increase or run plangate cost --compare-to BASE")
    if increase > limit and top:
        shown = ", ".join(f"{key[1]} {_money(amount)}" for key, amount in top)
        yield index[top[0][0]], (
            f"monthly cost increase +{_money(increase)} is over the {_money(limit)} allowed per "
            f"change ({basis}); top contributors: {shown}")
    for r in judged:
        if r.unknown_reasons and r in index:
            yield index[r], _unknown(
                cfg, f"cost of {r.address} is unknown at plan time ({'; '.join(r.unknown_reasons)}); "
                     "the increase may be understated")


# -- PG-BUD-003: capacity caps and instance types --------------------------------------------


@dataclass(frozen=True)
class CapacityPolicy:
    instance_types: tuple[str, ...] = setting(
        (), "SageMaker instance types endpoints may use (globs such as ml.g5.*; empty: any).")
    max_instance_count: int = setting(0, "Most instances per SageMaker endpoint variant (0: no cap).")
    max_provisioned_concurrency: int = setting(
        0, "Most provisioned concurrency per Lambda config or SageMaker serverless variant (0: no cap).")
    max_model_units: int = setting(0, "Most model units per Bedrock provisioned throughput (0: no cap).")


def _variants(res: Resource) -> list[tuple[str, Mapping[str, Any]]]:
    return [(f"{path}.{i}", v) for path in ("production_variants", "shadow_production_variants")
            for i, v in enumerate(variant_list(res, path))]


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _variant_caps(res: Resource, cfg: CapacityPolicy) -> Iterator[str | Unknown]:
    for path, variant in _variants(res):
        name = variant.get("variant_name", path)
        serverless = block(variant.get("serverless_config"))
        if serverless is not None:
            pc = _int(serverless.get("provisioned_concurrency"))
            if cfg.max_provisioned_concurrency and pc and pc > cfg.max_provisioned_concurrency:
                yield (f"serverless variant {name!r} provisions concurrency {pc}, over the cap of "
                       f"{cfg.max_provisioned_concurrency}")
            continue
        if cfg.instance_types:
            if res.is_unknown(f"{path}.instance_type"):
                yield Unknown(f"variant {name!r} instance type is unknown until apply", (f"{path}.instance_type",))
            else:
                kind = variant.get("instance_type")
                if not any(fnmatch.fnmatchcase(str(kind), allowed) for allowed in cfg.instance_types):
                    yield (f"variant {name!r} uses instance type {kind}, not one of: "
                           f"{', '.join(cfg.instance_types)}")
        count = _int(variant.get("initial_instance_count"))
        if cfg.max_instance_count and count and count > cfg.max_instance_count:
            yield f"variant {name!r} runs {count} instances, over the cap of {cfg.max_instance_count}"


_RT = {"variant_name": "main", "instance_type": "ml.m5.large", "initial_instance_count": 2}


@rule(
    id="PG-BUD-003",
    slug="inference-capacity-limits",
    title="Inference capacity stays within the allowed instance types and caps",
    severity=Severity.HIGH,
    category="finops",
    applies_to={_CONFIG, _PC, _BEDROCK},
    settings=CapacityPolicy,
    remediation=(
        "Use an allowed instance type and stay within the caps on instances, provisioned "
        "concurrency and model units, or have the capacity approved and raise the cap."
    ),
    frameworks=Frameworks(finops="Budgeting"),
    examples=[
        Pass(type=_CONFIG, properties={"production_variants": [_RT]},
             settings={"instance_types": ["ml.m5.*", "ml.g5.xlarge"], "max_instance_count": 4}),
        Fail("variant 'main' uses instance type ml.p4d.24xlarge, not one of: ml.m5.*, ml.g5.xlarge",
             type=_CONFIG, properties={"production_variants": [{**_RT, "instance_type": "ml.p4d.24xlarge"}]},
             settings={"instance_types": ["ml.m5.*", "ml.g5.xlarge"]}, name="a GPU instance not allowed"),
        Fail("variant 'main' runs 8 instances, over the cap of 4", type=_CONFIG,
             properties={"production_variants": [{**_RT, "initial_instance_count": 8}]},
             settings={"max_instance_count": 4}),
        Fail("serverless variant 'sl' provisions concurrency 50, over the cap of 20", type=_CONFIG,
             properties={"production_variants": [{"variant_name": "sl", "serverless_config": [
                 {"memory_size_in_mb": 2048, "max_concurrency": 50, "provisioned_concurrency": 50}]}]},
             settings={"max_provisioned_concurrency": 20}),
        Fail("provisioned concurrency 500 is over the cap of 100", type=_PC,
             properties={"provisioned_concurrent_executions": 500},
             settings={"max_provisioned_concurrency": 100}),
        Fail("4 model units are over the cap of 1", type=_BEDROCK, properties={"model_units": 4},
             settings={"max_model_units": 1}),
        Undecided("variant 'main' instance type is unknown until apply", type=_CONFIG,
                  properties={"production_variants": [_RT]},
                  unknown={"production_variants.0.instance_type"}, settings={"instance_types": ["ml.m5.*"]}),
        Pass(type=_PC, properties={"provisioned_concurrent_executions": 500}, name="no caps configured"),
    ],
)
def inference_capacity_limits(res: Resource, cfg: CapacityPolicy) -> Iterator[str | Unknown]:
    """Per-resource ceilings that need no prices: SageMaker endpoint variants use an allowed
    instance type and at most ``max_instance_count`` instances; provisioned concurrency
    (Lambda, SageMaker serverless) and Bedrock model units stay under their caps."""
    if res.type == _CONFIG:
        yield from _variant_caps(res, cfg)
    elif res.type == _PC and cfg.max_provisioned_concurrency:
        if res.is_unknown("provisioned_concurrent_executions"):
            yield Unknown("provisioned concurrency is unknown until apply", ("provisioned_concurrent_executions",))
            return
        pc = _int(res.get("provisioned_concurrent_executions"))
        if pc and pc > cfg.max_provisioned_concurrency:
            yield f"provisioned concurrency {pc} is over the cap of {cfg.max_provisioned_concurrency}"
    elif res.type == _BEDROCK and cfg.max_model_units:
        units = _int(res.get("model_units"))
        if units and units > cfg.max_model_units:
            yield f"{units} model units are over the cap of {cfg.max_model_units}"


# -- PG-BUD-004: a monthly ceiling per resource --------------------------------------------


@dataclass(frozen=True)
class ResourceCeilingPolicy(CostInputs):
    max_monthly: float = setting(0.0, "Monthly ceiling in USD for any one resource (0: none).")
    by_type: dict[str, float] = mapping_setting(
        {}, "Per resource type, a monthly ceiling in USD that replaces max_monthly.")


@rule(
    id="PG-BUD-004",
    slug="resource-monthly-ceiling",
    title="No single resource costs more per month than its ceiling",
    severity=Severity.MEDIUM,
    category="finops",
    applies_to=PRICED_TYPES,
    settings=ResourceCeilingPolicy,
    stack=True,
    remediation="Choose smaller capacity for the resource, or raise its ceiling with finance's approval.",
    frameworks=Frameworks(finops="Budgeting"),
    examples=[
        StackExample(_EP, _EP_SERVED, settings={"max_monthly": 200}, name="under the ceiling"),
        StackExample(
            _NEW, _NEW_SERVED, settings={"max_monthly": 200, "by_type": {_CONFIG: 1000}},
            says=["aws_sagemaker_endpoint_configuration.example: estimated $1,027.84/month is over "
                  "the $1,000.00 per-resource ceiling; top components: Instance usage (ml.g5.xlarge, "
                  "main) $1,027.84"],
            name="a per-type ceiling",
        ),
        StackExample(_NEW, _NEW_SERVED, name="no ceiling configured"),
    ],
)
def resource_monthly_ceiling(ctx: StackContext, cfg: ResourceCeilingPolicy) -> Iterator[_Answer]:
    """Each priced resource's estimated monthly cost stays under ``max_monthly`` (or the
    ceiling set for its type in ``by_type``)."""
    if not cfg.max_monthly and not cfg.by_type:
        return
    est, index = _estimate(ctx, cfg)
    for r in est.with_status("priced"):
        limit = cfg.by_type.get(r.type, cfg.max_monthly)
        if not limit:
            continue
        ceiling = Decimal(str(limit))
        if r.monthly > ceiling:
            parts = sorted((c for c in r.components if c.monthly_cost), key=lambda c: -(c.monthly_cost or 0))[:3]
            shown = ", ".join(f"{c.name} {_money(c.monthly_cost or Decimal(0))}" for c in parts)
            yield index[r], (f"{r.address}: estimated {_money(r.monthly)}/month is over the "
                                     f"{_money(ceiling)} per-resource ceiling; top components: {shown}")
        elif r.unknown_reasons:
            yield index[r], _unknown(
                cfg, f"cost of {r.address} is unknown at plan time ({'; '.join(r.unknown_reasons)})")
