"""Telemetry hooks on inference workloads: traces, logs kept, drift data captured, a cost cap."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from plangate.model import Resource, Severity, Unknown
from plangate.rules.base import Fail, Frameworks, Pass, StackExample, Undecided, rule
from plangate.rules.context import StackContext
from plangate.rules.scope import classify, metadata
from plangate.settings import mapping_setting, setting

_LAMBDA = "aws_lambda_function"
_ENDPOINT_CONFIG = "aws_sagemaker_endpoint_configuration"
_SERVERLESS = {"production_variants": [{"variant_name": "a", "serverless_config": [
    {"memory_size_in_mb": 2048, "max_concurrency": 5}]}]}


@dataclass(frozen=True)
class InferenceScope:
    selector: dict[str, str] = mapping_setting(
        {"app": "ai-model-inference"},
        "Tag pairs that mark a Lambda function as AI inference ('' matches any value).",
    )


_INFER = {"app": "ai-model-inference"}


@rule(
    id="PG-TEL-001",
    slug="inference-tracing",
    title="Inference functions have X-Ray tracing active",
    severity=Severity.MEDIUM,
    category="telemetry",
    applies_to={_LAMBDA},
    settings=InferenceScope,
    remediation="Set tracing_config { mode = \"Active\" } (Pulumi: tracingConfig.mode).",
    frameworks=Frameworks(nist_ai_rmf="MEASURE 2.4", eu_ai_act="Art. 12"),
    examples=[
        Pass(type=_LAMBDA, tags=_INFER, properties={"tracing_config": [{"mode": "Active"}]}),
        Pass(type=_LAMBDA, tags=_INFER, properties={"tracing_config": {"mode": "Active"}},
             name="Pulumi's object form"),
        Fail("X-Ray tracing is not active (tracing_config.mode is 'PassThrough')",
             type=_LAMBDA, tags=_INFER, properties={"tracing_config": [{"mode": "PassThrough"}]}),
        Fail("X-Ray tracing is not active (no tracing_config)", type=_LAMBDA, tags=_INFER),
        Pass(type=_LAMBDA, tags={"app": "cron"}, name="not an inference function"),
        Undecided("tracing mode is unknown until apply", type=_LAMBDA, tags=_INFER,
                  unknown={"tracing_config"}),
    ],
)
def inference_tracing(res: Resource, cfg: InferenceScope) -> Iterator[str | Unknown]:
    """Inference Lambda functions send traces to X-Ray (tracing mode Active), so latency and
    errors of each prediction can be followed end to end."""
    selected = classify(res, cfg.selector)
    if selected is not True:
        if isinstance(selected, Unknown):
            yield selected
        return
    if res.is_unknown("tracing_config") or res.is_unknown("tracing_config.0.mode"):
        yield Unknown("tracing mode is unknown until apply", ("tracing_config",))
        return
    mode = res.get("tracing_config.mode")
    if mode is None:
        yield "X-Ray tracing is not active (no tracing_config)"
    elif mode != "Active":
        yield f"X-Ray tracing is not active (tracing_config.mode is {res.show('tracing_config.mode', mode)})"


@dataclass(frozen=True)
class LogPolicy:
    selector: dict[str, str] = mapping_setting(
        {"app": "ai-model-inference"}, "Tag pairs that mark a Lambda function as AI inference."
    )
    max_retention_days: int = setting(
        0, "Longest retention accepted, in days (0: any finite retention)."
    )


def _log_group_name(fn: Resource) -> tuple[str | None, bool]:
    """The log group a function writes to, and whether that is decidable at plan time."""
    if fn.is_unknown("logging_config") or fn.is_unknown("logging_config.0.log_group"):
        return None, False
    custom = fn.get("logging_config.log_group")
    if custom:
        return str(custom), True
    if fn.is_unknown("function_name"):
        return None, False
    name = fn.get("function_name")
    return (f"/aws/lambda/{name}", True) if name else (None, False)


def _retention_problem(group: Resource, cfg: LogPolicy) -> str | Unknown | None:
    if group.is_unknown("retention_in_days"):
        return Unknown("log retention is unknown until apply", ("retention_in_days",))
    days = group.get("retention_in_days")
    if not days:
        return f"log group {group.get('name')} keeps logs forever (retention_in_days not set)"
    if cfg.max_retention_days and days > cfg.max_retention_days:
        return (f"log group {group.get('name')} keeps logs {days} days, over the "
                f"{cfg.max_retention_days}-day maximum")
    return None


_GROUP = "aws_cloudwatch_log_group"
_FN = {"type": _LAMBDA, "address": "aws_lambda_function.scorer", "tags": _INFER,
       "properties": {"function_name": "scorer"}}


@rule(
    id="PG-TEL-002",
    slug="inference-log-retention",
    title="Inference functions have a log group with a retention period",
    severity=Severity.MEDIUM,
    category="telemetry",
    applies_to={_LAMBDA},
    settings=LogPolicy,
    stack=True,
    remediation=(
        "Declare the function's log group (/aws/lambda/<name>, or the logging_config group) "
        "in the same stack with retention_in_days set, so logs are kept and their cost bounded."
    ),
    frameworks=Frameworks(finops="Workload Optimization", nist_ai_rmf="MANAGE 4.1",
                          eu_ai_act="Art. 12"),
    examples=[
        StackExample(_FN, {"type": _GROUP, "properties": {"name": "/aws/lambda/scorer",
                                                           "retention_in_days": 30}}),
        StackExample(
            _FN,
            says=["no log group /aws/lambda/scorer in this stack: logs are kept forever "
                  "and not governed by the stack"],
            name="Lambda creates the group itself, with no retention",
        ),
        StackExample(
            _FN, {"type": _GROUP, "properties": {"name": "/aws/lambda/scorer"}},
            says=["log group /aws/lambda/scorer keeps logs forever (retention_in_days not set)"],
        ),
        StackExample(
            {**_FN, "properties": {"function_name": "scorer",
                                   "logging_config": [{"log_group": "/ml/scorer"}]}},
            {"type": _GROUP, "properties": {"name": "/ml/scorer", "retention_in_days": 400}},
            says=["log group /ml/scorer keeps logs 400 days, over the 365-day maximum"],
            settings={"max_retention_days": 365},
        ),
        StackExample(
            {**_FN, "properties": {}, "unknown": {"function_name"}},
            undecided=["function name is unknown until apply; cannot find its log group"],
        ),
    ],
)
def inference_log_retention(ctx: StackContext, cfg: LogPolicy
                            ) -> Iterator[tuple[Resource, str | Unknown]]:
    """Each inference Lambda function has its log group declared in the same stack with a
    finite retention, so its logs are kept for review and their storage cost is bounded."""
    groups: dict[str, Resource] = {}
    unnamed_groups = False
    for res in ctx.resources:
        if res.type == _GROUP:
            if res.is_unknown("name"):
                unnamed_groups = True
            elif res.get("name"):
                groups[str(res.get("name"))] = res
    for fn in ctx.resources:
        selected = classify(fn, cfg.selector) if fn.type == _LAMBDA else False
        if selected is not True:
            if isinstance(selected, Unknown):
                yield fn, selected
            continue
        name, known = _log_group_name(fn)
        if not known:
            yield fn, Unknown("function name is unknown until apply; cannot find its log group",
                              ("function_name",))
        elif name in groups:
            problem = _retention_problem(groups[name], cfg)
            if problem is not None:
                yield fn, problem
        elif unnamed_groups:
            yield fn, Unknown(f"log group {name} may be one whose name is unknown until apply")
        else:
            yield fn, (f"no log group {name} in this stack: logs are kept forever and not "
                       "governed by the stack")


@dataclass(frozen=True)
class CapturePolicy:
    risk_key: str = setting(
        "ai.plangate.dev/risk-tier",
        "Tag holding the EU AI Act risk tier; endpoints tagged 'minimal' may skip capture.",
    )
    min_sampling_percentage: int = setting(
        1, "Lowest initial_sampling_percentage accepted for captured traffic."
    )
    caller_capture_key: str = setting(
        "ai.plangate.dev/capture-uri",
        "Tag naming the s3:// prefix the caller writes sampled requests to, for serverless "
        "endpoints (SageMaker Serverless Inference cannot capture data itself).",
    )


@rule(
    id="PG-TEL-003",
    slug="sagemaker-data-capture",
    title="SageMaker endpoints capture inference data for drift monitoring",
    severity=Severity.HIGH,
    category="telemetry",
    applies_to={_ENDPOINT_CONFIG},
    settings=CapturePolicy,
    remediation=(
        "Add data_capture_config { enable_capture = true, initial_sampling_percentage = N, "
        "destination_s3_uri = ..., capture_options { capture_mode = \"Input\" } ... }."
    ),
    frameworks=Frameworks(nist_ai_rmf="MEASURE 2.4, MANAGE 4.1", eu_ai_act="Art. 72"),
    examples=[
        Pass(type=_ENDPOINT_CONFIG, properties={"data_capture_config": [
            {"enable_capture": True, "initial_sampling_percentage": 20,
             "destination_s3_uri": "s3://capture/fraud"}]}),
        Fail("data capture is not configured: drift cannot be measured",
             type=_ENDPOINT_CONFIG),
        Fail("data capture is disabled (enable_capture is false)", type=_ENDPOINT_CONFIG,
             properties={"data_capture_config": {"enable_capture": False,
                                                 "initial_sampling_percentage": 10}}),
        Fail("data capture samples 0% of requests, below 1%", type=_ENDPOINT_CONFIG,
             properties={"data_capture_config": [{"initial_sampling_percentage": 0}]}),
        Pass(type=_ENDPOINT_CONFIG, tags={"ai.plangate.dev/risk-tier": "minimal"},
             name="minimal-risk systems may skip capture"),
        Undecided("data capture settings are unknown until apply", type=_ENDPOINT_CONFIG,
                  unknown={"data_capture_config"}),
        Pass(type=_ENDPOINT_CONFIG, tags={"ai.plangate.dev/capture-uri": "s3://capture/fraud/"},
             properties=_SERVERLESS, name="serverless: the caller captures, and says where"),
        Fail("serverless endpoints cannot capture data themselves: tag "
             "ai.plangate.dev/capture-uri with the s3:// prefix the caller writes samples to",
             type=_ENDPOINT_CONFIG, properties=_SERVERLESS),
        Undecided("capture location ai.plangate.dev/capture-uri is unknown until apply",
                  type=_ENDPOINT_CONFIG, properties=_SERVERLESS,
                  unknown={"tags.ai.plangate.dev/capture-uri"}),
    ],
)
def sagemaker_data_capture(res: Resource, cfg: CapturePolicy) -> Iterator[str | Unknown]:
    """SageMaker endpoint configurations capture a sample of requests and responses to S3
    (the input to drift and fairness monitoring), unless the system's risk tier is minimal."""
    if metadata(res).get(cfg.risk_key, "").strip().lower() == "minimal":
        return
    if res.is_unknown("data_capture_config"):
        yield Unknown("data capture settings are unknown until apply", ("data_capture_config",))
        return
    capture = res.get("data_capture_config")
    if not isinstance(capture, Mapping):
        variants = _variants(res)
        if variants and all(_serverless(v) is not None for v in variants):
            yield from _caller_capture(res, cfg.caller_capture_key)
        else:
            yield "data capture is not configured: drift cannot be measured"
        return
    if capture.get("enable_capture") is False:
        yield "data capture is disabled (enable_capture is false)"
        return
    pct = capture.get("initial_sampling_percentage")
    if isinstance(pct, (int, float)) and pct < cfg.min_sampling_percentage:
        yield f"data capture samples {pct}% of requests, below {cfg.min_sampling_percentage}%"


def _caller_capture(res: Resource, key: str) -> Iterator[str | Unknown]:
    """Serverless variants reject DataCaptureConfig: the entry point samples requests instead,
    and the endpoint configuration records where, so drift monitoring can find the data."""
    if res.is_unknown("tags") or res.is_unknown(f"tags.{key}"):
        yield Unknown(f"capture location {key} is unknown until apply", (f"tags.{key}",))
    elif not str(metadata(res).get(key, "")).startswith("s3://"):
        yield (f"serverless endpoints cannot capture data themselves: tag {key} with the "
               "s3:// prefix the caller writes samples to")


@dataclass(frozen=True)
class CapPolicy:
    selector: dict[str, str] = mapping_setting(
        {"app": "ai-model-inference"}, "Tag pairs that mark a Lambda function as AI inference."
    )
    max_lambda_concurrency: int = setting(
        0, "Highest reserved concurrency accepted for an inference function (0: no ceiling)."
    )


def _variants(res: Resource) -> list[Mapping[str, Any]]:
    value = res.properties.get("production_variants")
    if isinstance(value, Mapping):
        return [value]
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _serverless(variant: Mapping[str, Any]) -> Mapping[str, Any] | None:
    config = variant.get("serverless_config")
    if isinstance(config, list):
        config = config[0] if len(config) == 1 else None
    return config if isinstance(config, Mapping) else None


@rule(
    id="PG-TEL-004",
    slug="inference-concurrency-cap",
    title="Inference capacity has a concurrency cap",
    severity=Severity.MEDIUM,
    category="finops",
    applies_to={_LAMBDA, _ENDPOINT_CONFIG},
    settings=CapPolicy,
    remediation=(
        "Set reserved_concurrent_executions on inference functions, and max_concurrency on "
        "SageMaker serverless variants, so a traffic spike cannot become an unbounded bill."
    ),
    frameworks=Frameworks(finops="Anomaly Management"),
    examples=[
        Pass(type=_LAMBDA, tags=_INFER, properties={"reserved_concurrent_executions": 50}),
        Fail("no concurrency cap (reserved_concurrent_executions is -1, unreserved)",
             type=_LAMBDA, tags=_INFER, properties={"reserved_concurrent_executions": -1}),
        Fail("no concurrency cap (reserved_concurrent_executions not set)", type=_LAMBDA,
             tags=_INFER),
        Fail("reserved concurrency 800 is over the 200 ceiling", type=_LAMBDA, tags=_INFER,
             properties={"reserved_concurrent_executions": 800},
             settings={"max_lambda_concurrency": 200}),
        Pass(type=_ENDPOINT_CONFIG, properties={"production_variants": [
            {"variant_name": "a", "serverless_config": [{"max_concurrency": 5, "memory_size_in_mb": 2048}]}]}),
        Fail("serverless variant 'a' has no max_concurrency", type=_ENDPOINT_CONFIG,
             properties={"production_variants": [
                 {"variant_name": "a", "serverless_config": [{"memory_size_in_mb": 2048}]}]}),
        Undecided("reserved concurrency is unknown until apply", type=_LAMBDA, tags=_INFER,
                  unknown={"reserved_concurrent_executions"}),
    ],
)
def inference_concurrency_cap(res: Resource, cfg: CapPolicy) -> Iterator[str | Unknown]:
    """Inference functions reserve (and so cap) their concurrency and SageMaker serverless
    variants set max_concurrency: a cost guard against runaway traffic."""
    if res.type == _ENDPOINT_CONFIG:
        for variant in _variants(res):
            serverless = _serverless(variant)
            if serverless is not None and not serverless.get("max_concurrency"):
                yield f"serverless variant {variant.get('variant_name', '?')!r} has no max_concurrency"
        return
    selected = classify(res, cfg.selector)
    if selected is not True:
        if isinstance(selected, Unknown):
            yield selected
        return
    if res.is_unknown("reserved_concurrent_executions"):
        yield Unknown("reserved concurrency is unknown until apply",
                      ("reserved_concurrent_executions",))
        return
    cap = res.get("reserved_concurrent_executions")
    if cap is None:
        yield "no concurrency cap (reserved_concurrent_executions not set)"
    elif cap < 0:
        yield f"no concurrency cap (reserved_concurrent_executions is {cap}, unreserved)"
    elif cfg.max_lambda_concurrency and cap > cfg.max_lambda_concurrency:
        yield f"reserved concurrency {cap} is over the {cfg.max_lambda_concurrency} ceiling"
