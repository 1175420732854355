"""Stack completeness: every inference workload ships with the alarm and budget that watch it.

PG-TEL-002 checks each inference function's log group; this rule checks the other two pieces
a governed workload needs in the same stack: a CloudWatch metric alarm on the workload's
dimension (``FunctionName`` / ``EndpointName``) and an AWS Budget whose ``TagKeyValue`` cost
filter names the workload's cost-allocation tag (``user:Project$fraud-scoring``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from plangate.model import Resource, Severity, Unknown
from plangate.rules.base import Frameworks, StackExample, rule
from plangate.rules.context import StackContext
from plangate.rules.scope import DEFAULT_SELECTOR, InferenceScope, classify
from plangate.settings import setting

_LAMBDA = "aws_lambda_function"
_ENDPOINT = "aws_sagemaker_endpoint"
_ALARM = "aws_cloudwatch_metric_alarm"
_BUDGET = "aws_budgets_budget"

# The CloudWatch dimension that names each workload type, and the property holding its name.
_DIMENSION = {_LAMBDA: ("FunctionName", "function_name"), _ENDPOINT: ("EndpointName", "name")}


@dataclass(frozen=True)
class CompletenessPolicy(InferenceScope):
    cost_tag: str = setting(
        "Project",
        "Cost-allocation tag a budget filters on: its TagKeyValue filter must name "
        "user:<tag>$<the workload's value>.",
    )
    require_alarm: bool = setting(True, "Require a CloudWatch metric alarm on each workload.")
    require_budget: bool = setting(True, "Require a budget filtered on each workload's cost tag.")


@dataclass
class _Watchers:
    """What the stack's alarms and budgets cover, and whether some of it is unknown."""

    dimensions: set[tuple[str, str]]
    tag_filters: set[str]  # TagKeyValue values without the "user:" prefix, e.g. Project$x
    alarms_undecided: bool = False
    budgets_undecided: bool = False


# Terraform's metric_query blocks are Pulumi's metricQueries list.
_QUERY_KEYS = ("metric_query", "metric_queries")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _alarm_dimensions(alarm: Resource) -> Iterator[Mapping[str, Any] | None]:
    """Each dimensions map of an alarm (top level and metric queries); None when unknown."""
    if any(alarm.is_unknown(key) for key in ("dimensions", *_QUERY_KEYS)):
        yield None
        return
    top = alarm.get("dimensions")
    if isinstance(top, Mapping):
        yield top
    for query in (q for key in _QUERY_KEYS for q in _as_list(alarm.properties.get(key))):
        metric = query.get("metric") if isinstance(query, Mapping) else None
        if isinstance(metric, list) and len(metric) == 1:
            metric = metric[0]
        if isinstance(metric, Mapping) and isinstance(metric.get("dimensions"), Mapping):
            yield metric["dimensions"]


def _filter_values(budget: Resource) -> Iterator[Any]:
    """TagKeyValue filter values: Terraform's ``cost_filter`` blocks, Pulumi's ``costFilters``
    list of {name, values}, and Terraform's older ``cost_filters`` map."""
    for key in ("cost_filter", "cost_filters"):
        value = budget.properties.get(key)
        if isinstance(value, Mapping):
            if "TagKeyValue" in value:
                yield value["TagKeyValue"]
            continue
        for block in _as_list(value):
            if isinstance(block, Mapping) and block.get("name") == "TagKeyValue":
                values = block.get("values")
                yield from values if isinstance(values, list) else (values,)


def _strip_user(value: str) -> str:
    return value[len("user:"):] if value.startswith("user:") else value


def _watchers(resources: Iterable[Resource]) -> _Watchers:
    seen = _Watchers(set(), set())
    for res in resources:
        if res.type == _ALARM:
            for dims in _alarm_dimensions(res):
                if dims is None:
                    seen.alarms_undecided = True
                    continue
                seen.dimensions.update((str(k), str(v)) for k, v in dims.items())
                if any(res.is_unknown(f"dimensions.{k}") for k in dims):
                    seen.alarms_undecided = True
        elif res.type == _BUDGET:
            if res.is_unknown("cost_filter") or res.is_unknown("cost_filters"):
                seen.budgets_undecided = True
                continue
            for value in _filter_values(res):
                if isinstance(value, str):
                    seen.tag_filters.update(_strip_user(v.strip()) for v in value.split(","))
    return seen


def _alarm_answer(dimension: str, name: str, seen: _Watchers) -> str | Unknown | None:
    return _covered((dimension, name) in seen.dimensions, seen.alarms_undecided, "an alarm's dimensions",
                    f"{dimension}={name}", "dimensions",
                    f"no CloudWatch alarm on {dimension}={name} in this stack: errors, throttles and "
                    "latency of the workload go unnoticed")


def _covered(found: bool, undecided: bool, what: str, pair: str, path: str, missing: str) -> str | Unknown | None:
    """Whether some watcher (alarm, budget) covers ``pair``: yes (None); cannot tell, when ``what`` of
    some watcher is unknown until apply; or the finding ``missing``."""
    if found:
        return None
    if undecided:
        return Unknown(f"{what} are unknown until apply; cannot tell whether {pair} has one", (path,))
    return missing


def _budget_answer(res: Resource, cfg: CompletenessPolicy, seen: _Watchers) -> str | Unknown | None:
    tag = cfg.cost_tag
    if res.is_unknown("tags") or res.is_unknown(f"tags.{tag}"):
        return Unknown(f"tag {tag} is unknown until apply; cannot match a budget", (f"tags.{tag}",))
    value = str(res.tags.get(tag, "")).strip()
    if not value:
        return f"no {tag} tag: no budget can be matched to this workload"
    return _covered(f"{tag}${value}" in seen.tag_filters, seen.budgets_undecided, "a budget's cost filters",
                    f"{tag}={value}", "cost_filter",
                    f"no budget filtered on {tag}={value} (TagKeyValue user:{tag}${value}) in this "
                    "stack: the workload's spend is not capped")


_INFER = {**DEFAULT_SELECTOR, "Project": "fraud-scoring"}
_FN = {"type": _LAMBDA, "address": "aws_lambda_function.scorer", "tags": _INFER,
       "properties": {"function_name": "scorer"}}
_FN_ALARM = {"type": _ALARM, "properties": {"alarm_name": "scorer-errors", "metric_name": "Errors",
                                            "namespace": "AWS/Lambda",
                                            "dimensions": {"FunctionName": "scorer"}}}
_FILTER = [{"name": "TagKeyValue", "values": ["user:Project$fraud-scoring"]}]
_BUDGET_OK = {"type": _BUDGET, "properties": {"name": "fraud-scoring", "budget_type": "COST",
                                              "limit_amount": "500", "cost_filter": _FILTER}}
_NO_ALARM = ("no CloudWatch alarm on FunctionName=scorer in this stack: errors, throttles and "
             "latency of the workload go unnoticed")
_NO_BUDGET = ("no budget filtered on Project=fraud-scoring (TagKeyValue user:Project$fraud-scoring) "
              "in this stack: the workload's spend is not capped")


@rule(
    id="PG-TEL-005",
    slug="inference-alarm-and-budget",
    title="Inference workloads have a CloudWatch alarm and a budget in the same stack",
    severity=Severity.MEDIUM,
    category="telemetry",
    applies_to={_LAMBDA, _ENDPOINT},
    settings=CompletenessPolicy,
    stack=True,
    remediation=(
        "Declare, in the same stack, an aws_cloudwatch_metric_alarm whose dimensions name the "
        "workload (FunctionName for Lambda, EndpointName for SageMaker) and an aws_budgets_budget "
        "with a cost filter TagKeyValue = user:<cost tag>$<the workload's value>."
    ),
    frameworks=Frameworks(finops="Budgeting", nist_ai_rmf="MANAGE 4.1", eu_ai_act="Art. 72"),
    examples=[
        StackExample(_FN, _FN_ALARM, _BUDGET_OK, name="function, alarm and budget"),
        StackExample(_FN, says=[_NO_ALARM, _NO_BUDGET], name="a function on its own"),
        StackExample(
            _FN, {**_FN_ALARM, "properties": {"dimensions": {"FunctionName": "other"}}}, _BUDGET_OK,
            says=[_NO_ALARM], name="the alarm watches another function",
        ),
        StackExample(
            _FN, _FN_ALARM,
            {"type": _BUDGET, "properties": {"cost_filters": {"TagKeyValue": "user:Project$fraud-scoring"}}},
            name="Terraform's older cost_filters map",
        ),
        StackExample(
            {"type": _ENDPOINT, "tags": {"Project": "fraud-scoring"}, "properties": {"name": "fraud-ep"}},
            {"type": _ALARM, "properties": {"metric_query": [
                {"id": "m1", "metric": [{"metric_name": "ModelLatency",
                                         "dimensions": {"EndpointName": "fraud-ep", "VariantName": "a"}}]}]}},
            {"type": _BUDGET, "properties": {"cost_filters": [{"name": "TagKeyValue",
                                                               "values": ["Project$fraud-scoring"]}]}},
            name="SageMaker endpoint, metric-query alarm, Pulumi's costFilters list",
        ),
        StackExample(
            {**_FN, "tags": {"app": "ai-model-inference"}}, _FN_ALARM, _BUDGET_OK,
            says=["no Project tag: no budget can be matched to this workload"],
        ),
        StackExample(_FN, _FN_ALARM, settings={"require_budget": False}, name="budgets not required"),
        StackExample({**_FN, "tags": {"app": "cron"}}, name="not an inference function"),
        StackExample(
            {**_FN, "properties": {}, "unknown": {"function_name"}}, _BUDGET_OK,
            undecided=["function name is unknown until apply; cannot match its alarm"],
        ),
        StackExample(
            _FN, {**_FN_ALARM, "properties": {}, "unknown": {"dimensions"}}, _BUDGET_OK,
            undecided=["an alarm's dimensions are unknown until apply; cannot tell whether "
                       "FunctionName=scorer has one"],
        ),
    ],
)
def inference_alarm_and_budget(ctx: StackContext, cfg: CompletenessPolicy
                               ) -> Iterator[tuple[Resource, str | Unknown]]:
    """Each AI inference workload (Lambda functions selected by tag, SageMaker endpoints) has,
    in the same stack, a CloudWatch metric alarm on its FunctionName / EndpointName dimension
    and an AWS Budget whose TagKeyValue cost filter names its cost-allocation tag, so errors
    page someone and spend is capped. Budgets without a tag filter do not count: they cap the
    account, not the workload."""
    seen = _watchers(ctx.resources)
    for res in ctx.resources:
        selected = classify(res, cfg.selector) if res.type in _DIMENSION else False
        if selected is not True:
            if isinstance(selected, Unknown):
                yield res, selected
            continue
        dimension, prop = _DIMENSION[res.type]
        if cfg.require_alarm:
            if res.is_unknown(prop):
                noun = "function" if res.type == _LAMBDA else "endpoint"
                yield res, Unknown(f"{noun} name is unknown until apply; cannot match its alarm", (prop,))
            elif res.get(prop):
                answer = _alarm_answer(dimension, str(res.get(prop)), seen)
                if answer is not None:
                    yield res, answer
        if cfg.require_budget:
            answer = _budget_answer(res, cfg, seen)
            if answer is not None:
                yield res, answer
