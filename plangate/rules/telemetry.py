"""Telemetry hooks on inference workloads: traces, logs kept, drift data captured, a cost cap."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from plangate.model import Resource, Severity, Unknown, comparable
from plangate.rules.base import Fail, Frameworks, Pass, StackExample, Undecided, rule
from plangate.rules.context import StackContext
from plangate.rules.scope import DEFAULT_SELECTOR, InferenceScope, classify, metadata
from plangate.settings import setting
from plangate.values import block, to_decimal, variant_list

_LAMBDA = "aws_lambda_function"
_ENDPOINT_CONFIG = "aws_sagemaker_endpoint_configuration"
_SERVERLESS = {"production_variants": [{"variant_name": "a", "serverless_config": [
    {"memory_size_in_mb": 2048, "max_concurrency": 5}]}]}


_INFER = dict(DEFAULT_SELECTOR)

#: Lambda layer names (the part of the ARN after ``:layer:``) that carry OpenTelemetry: the AWS
#: Distro for OpenTelemetry layers (``aws-otel-python-amd64-ver-1-20-0``, ``aws-otel-java-agent-…``,
#: aws-otel.github.io/docs/getting-started/lambda), the CloudWatch Application Signals ones
#: (``AWSOpenTelemetryDistroPython``, ``…Js``, ``…Java``, ``…DotNet``) and the upstream
#: OpenTelemetry Lambda layers (``opentelemetry-python-0_x_0``, ``opentelemetry-nodejs-…``).
_OTEL_LAYER = re.compile(r"(aws-otel-|AWSOpenTelemetryDistro|opentelemetry-)[A-Za-z0-9_-]*")
#: The wrapper scripts those layers install, which AWS_LAMBDA_EXEC_WRAPPER must name for the
#: function to be instrumented (/opt/otel-instrument for Python, Node.js and Application
#: Signals; /opt/otel-handler and the proxy / stream / sqs variants for the Java wrapper).
OTEL_WRAPPERS = frozenset({"/opt/otel-instrument", "/opt/otel-handler", "/opt/otel-proxy-handler",
                           "/opt/otel-stream-handler", "/opt/otel-sqs-handler"})
#: OTEL_* variables that send traces somewhere (the SDK's own configuration, code-instrumented).
_OTEL_EXPORT = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_TRACES_EXPORTER")
_ENV = "environment.variables"
_OTEL_LAYER_ARN = "arn:aws:lambda:eu-west-1:901920570463:layer:aws-otel-python-amd64-ver-1-20-0:3"


@rule(
    id="PG-TEL-001",
    slug="inference-tracing",
    title="Inference functions are traced (X-Ray active, or OpenTelemetry)",
    severity=Severity.MEDIUM,
    category="telemetry",
    applies_to={_LAMBDA},
    settings=InferenceScope,
    remediation=(
        "Set tracing_config { mode = \"Active\" } (Pulumi: tracingConfig.mode), or instrument the "
        "function with OpenTelemetry: add the ADOT layer and set AWS_LAMBDA_EXEC_WRAPPER to its "
        "wrapper (/opt/otel-instrument; Java: /opt/otel-handler)."
    ),
    frameworks=Frameworks(nist_ai_rmf="MEASURE 2.4", eu_ai_act="Art. 12"),
    examples=[
        Pass(type=_LAMBDA, tags=_INFER, properties={"tracing_config": [{"mode": "Active"}]}),
        Pass(type=_LAMBDA, tags=_INFER, properties={"tracing_config": {"mode": "Active"}},
             name="Pulumi's object form"),
        Fail("not traced: X-Ray tracing is not active (tracing_config.mode is 'PassThrough') and "
             "no OpenTelemetry layer or AWS_LAMBDA_EXEC_WRAPPER",
             type=_LAMBDA, tags=_INFER, properties={"tracing_config": [{"mode": "PassThrough"}]}),
        Fail("not traced: X-Ray tracing is not active (no tracing_config) and no OpenTelemetry "
             "layer or AWS_LAMBDA_EXEC_WRAPPER", type=_LAMBDA, tags=_INFER),
        Pass(type=_LAMBDA, tags={"app": "cron"}, name="not an inference function"),
        Undecided("tracing mode is unknown until apply", type=_LAMBDA, tags=_INFER,
                  unknown={"tracing_config"}),
        Pass(type=_LAMBDA, tags=_INFER,
             properties={"layers": [_OTEL_LAYER_ARN],
                         "environment": [{"variables": {"AWS_LAMBDA_EXEC_WRAPPER": "/opt/otel-instrument"}}]},
             name="traced by OpenTelemetry: the ADOT layer and its wrapper"),
        Pass(type=_LAMBDA, tags=_INFER,
             properties={"package_type": "Image", "environment": {"variables": {
                 "AWS_LAMBDA_EXEC_WRAPPER": "/opt/otel-handler", "OTEL_SERVICE_NAME": "scorer"}}},
             name="traced by OpenTelemetry: a container image with the wrapper baked in"),
        Pass(type=_LAMBDA, tags=_INFER,
             properties={"environment": [{"variables": {
                 "OTEL_EXPORTER_OTLP_ENDPOINT": "https://otlp.example:4318"}}]},
             name="traced by OpenTelemetry: the SDK in the code, exporting over OTLP"),
        Fail("not traced: the OpenTelemetry layer aws-otel-python-amd64-ver-1-20-0 is attached but "
             "AWS_LAMBDA_EXEC_WRAPPER is not set to its wrapper (/opt/otel-instrument; Java: "
             "/opt/otel-handler), and X-Ray tracing is not active",
             type=_LAMBDA, tags=_INFER, properties={"layers": [_OTEL_LAYER_ARN]},
             name="the layer alone instruments nothing"),
        Fail("not traced: OTEL_TRACES_EXPORTER is 'none', and X-Ray tracing is not active",
             type=_LAMBDA, tags=_INFER, properties={"environment": [{"variables": {
                 "AWS_LAMBDA_EXEC_WRAPPER": "/opt/otel-instrument", "OTEL_TRACES_EXPORTER": "none"}}]},
             name="OpenTelemetry told to export no traces"),
        Undecided("X-Ray tracing is not active and whether OpenTelemetry traces the function is "
                  "unknown until apply (layers)",
                  type=_LAMBDA, tags=_INFER, unknown={"layers"}),
        Undecided("X-Ray tracing is not active and whether OpenTelemetry traces the function is "
                  "unknown until apply (environment.variables.AWS_LAMBDA_EXEC_WRAPPER)",
                  type=_LAMBDA, tags=_INFER, properties={"layers": [_OTEL_LAYER_ARN]},
                  unknown={"environment.0.variables.AWS_LAMBDA_EXEC_WRAPPER"}),
    ],
)
def inference_tracing(res: Resource, cfg: InferenceScope) -> Iterator[str | Unknown]:
    """Inference Lambda functions are traced, so latency and errors of each prediction can be
    followed end to end: X-Ray tracing mode Active, or OpenTelemetry — the AWS Distro for
    OpenTelemetry (or upstream OpenTelemetry) layer with its AWS_LAMBDA_EXEC_WRAPPER, the wrapper
    in a container image, or OTEL_* exporter variables for an SDK in the code."""
    selected = classify(res, cfg.selector)
    if selected is not True:
        if isinstance(selected, Unknown):
            yield selected
        return
    if res.is_unknown("tracing_config") or res.is_unknown("tracing_config.0.mode"):
        yield Unknown("tracing mode is unknown until apply", ("tracing_config",))
        return
    mode = res.get("tracing_config.mode")
    if mode == "Active":
        return
    otel = _opentelemetry(res)
    if otel is None:
        return
    if isinstance(otel, Unknown):
        yield otel
        return
    xray = ("no tracing_config" if mode is None
            else f"tracing_config.mode is {res.show('tracing_config.mode', mode)}")
    if otel:
        yield f"not traced: {otel}, and X-Ray tracing is not active"
    else:
        yield (f"not traced: X-Ray tracing is not active ({xray}) and no OpenTelemetry layer or "
               "AWS_LAMBDA_EXEC_WRAPPER")


def _opentelemetry(res: Resource) -> str | Unknown | None:
    """None when OpenTelemetry traces the function; else why not ('' when nothing of it is
    there), or what is unknown until apply."""
    undecided = [p for p in ("layers", _ENV, *(f"{_ENV}.{k}" for k in ("AWS_LAMBDA_EXEC_WRAPPER", *_OTEL_EXPORT)))
                 if res.is_unknown(p) and not (p != "layers" and p != _ENV and res.is_unknown(_ENV))]
    variables = res.get(_ENV)
    env = {str(k): comparable(v) for k, v in variables.items()} if isinstance(variables, Mapping) else {}
    wrapper = env.get("AWS_LAMBDA_EXEC_WRAPPER")
    exporter = env.get("OTEL_TRACES_EXPORTER")
    layers = res.get("layers")
    found = next((m.group(0) for arn in (layers if isinstance(layers, list) else ())
                  if isinstance(arn, str) and (m := _OTEL_LAYER.search(arn.partition(":layer:")[2]))), None)
    if exporter == "none" and not undecided:
        return "OTEL_TRACES_EXPORTER is 'none'"
    if wrapper in OTEL_WRAPPERS or any(env.get(k) for k in _OTEL_EXPORT):
        return None  # the layer's (or the image's) wrapper, or an SDK exporting over OTLP
    if undecided:
        return Unknown("X-Ray tracing is not active and whether OpenTelemetry traces the function is "
                       f"unknown until apply ({', '.join(undecided)})", tuple(undecided))
    if found:
        return (f"the OpenTelemetry layer {found} is attached but AWS_LAMBDA_EXEC_WRAPPER is not set to "
                "its wrapper (/opt/otel-instrument; Java: /opt/otel-handler)")
    return ""


@dataclass(frozen=True)
class LogPolicy(InferenceScope):
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
        variants = variant_list(res, "production_variants")
        if variants and all(block(v.get("serverless_config")) is not None for v in variants):
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
class CapPolicy(InferenceScope):
    max_lambda_concurrency: int = setting(
        0, "Highest reserved concurrency accepted for an inference function (0: no ceiling)."
    )


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
        Undecided("reserved concurrency is not a number at plan time", type=_LAMBDA, tags=_INFER,
                  properties={"reserved_concurrent_executions": "${var.reserved}"},
                  name="an expression the HCL loader left unevaluated"),
    ],
)
def inference_concurrency_cap(res: Resource, cfg: CapPolicy) -> Iterator[str | Unknown]:
    """Inference functions reserve (and so cap) their concurrency and SageMaker serverless
    variants set max_concurrency: a cost guard against runaway traffic."""
    if res.type == _ENDPOINT_CONFIG:
        for variant in variant_list(res, "production_variants"):
            serverless = block(variant.get("serverless_config"))
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
    given = res.get("reserved_concurrent_executions")
    cap = to_decimal(given)
    if given is None:
        yield "no concurrency cap (reserved_concurrent_executions not set)"
    elif cap is None:  # an expression HCL left unevaluated ("${var.cap}"): decided at apply
        yield Unknown("reserved concurrency is not a number at plan time", ("reserved_concurrent_executions",))
    elif cap < 0:
        yield f"no concurrency cap (reserved_concurrent_executions is {cap}, unreserved)"
    elif cfg.max_lambda_concurrency and cap > cfg.max_lambda_concurrency:
        yield f"reserved concurrency {cap} is over the {cfg.max_lambda_concurrency} ceiling"
