"""Reading a `Resource` into a typed priced resource: the cost-relevant facts, nothing else.

This is the first half of Infracost's split: it knows property names, defaults and usage
keys, and no prices.  `plangate.cost.pricing` turns a typed resource into cost components.
A value that is unknown at plan time (or not a number, e.g. an unresolved HCL expression)
becomes ``None`` with its path in ``unknown``; usage that was not given stays ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from plangate.cost.catalogue import USAGE_KEYS
from plangate.model import Resource
from plangate.types import AWS_REGION

Usage = Mapping[str, "Decimal | str"]

@dataclass(frozen=True)
class Context:
    """What pricing one resource may need from the rest of the plan (pure data)."""

    default_region: str = "us-east-1"
    functions: Mapping[str, Resource] | None = None  # Lambda functions by function_name
    # SageMaker bills endpoints: how many endpoints in the plan use each configuration (by
    # name and by address).  A configuration no endpoint uses is not billed, also when the
    # plan holds no endpoint at all (its endpoints, if any, are another plan's to price).
    endpoint_configs: Mapping[str, int] = field(default_factory=dict)
    endpoint_config_unknown: bool = False  # some endpoint names its configuration only after apply


def region_of(res: Resource, default: str) -> str:
    """The resource's own region (``region`` argument, or its ARN), else the region of the
    provider configuration that manages it (`Resource.region`), else ``default``."""
    value = res.properties.get("region")  # AWS provider v6 resources, Pulumi outputs
    if isinstance(value, str) and AWS_REGION.fullmatch(value) and not res.is_unknown("region"):
        return value
    for path in ("arn", "model_arn"):
        arn = res.properties.get(path)
        if isinstance(arn, str) and arn.startswith("arn:aws"):
            parts = arn.split(":")
            if len(parts) > 3 and AWS_REGION.fullmatch(parts[3]):
                return parts[3]
    return res.region or default


# -- reading values ---------------------------------------------------------------------


def to_decimal(value: Any) -> Decimal | None:
    """A plan value as a Decimal, or None when it is not a plain number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


class _Reader:
    """Reads properties of one resource, remembering which were unknown at plan time."""

    def __init__(self, res: Resource):
        self.res = res
        self.unknown: list[str] = []

    def number(self, path: str, default: Decimal | None) -> Decimal | None:
        if self.res.is_unknown(path):
            self.unknown.append(path)
            return None
        value = self.res.get(path)
        if value is None:
            return default
        number = to_decimal(value)
        if number is None:  # an unresolved expression, e.g. "${var.memory}"
            self.unknown.append(path)
        return number

    def text(self, path: str, default: str) -> str | None:
        if self.res.is_unknown(path):
            self.unknown.append(path)
            return None
        value = self.res.get(path)
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if value is None or value == "":
            return default
        if isinstance(value, str) and "${" in value:
            self.unknown.append(path)
            return None
        return str(value)

    def flag(self, path: str) -> bool | None:
        if self.res.is_unknown(path):
            self.unknown.append(path)
            return None
        value = self.res.get(path)
        return value is True or (isinstance(value, str) and value.lower() == "true")


def _u(usage: Usage, key: str) -> Decimal | None:
    value = usage.get(key)
    return value if isinstance(value, Decimal) else None


# -- typed priced resources ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LambdaFunction:
    memory_mb: Decimal | None
    architecture: str | None  # x86_64 | arm64
    ephemeral_storage_mb: Decimal | None
    monthly_requests: Decimal | None
    request_duration_ms: Decimal | None
    unknown: tuple[str, ...] = ()


def lambda_function(res: Resource, usage: Usage, ctx: Context) -> LambdaFunction:
    r = _Reader(res)
    memory = r.number("memory_size", Decimal(128))  # Lambda's default
    arch = r.text("architectures", "x86_64")
    storage = r.number("ephemeral_storage.size", Decimal(512))
    return LambdaFunction(memory, arch, storage, _u(usage, "monthly_requests"),
                          _u(usage, "request_duration_ms"), tuple(r.unknown))


@dataclass(frozen=True, slots=True)
class LambdaProvisionedConcurrency:
    concurrency: Decimal | None
    memory_mb: Decimal | None  # None: the function is not in the plan and no usage says
    architecture: str | None
    monthly_hours: Decimal  # configured capacity is billed every hour it exists
    monthly_requests: Decimal | None
    request_duration_ms: Decimal | None
    unknown: tuple[str, ...] = ()
    memory_from: str = ""  # where memory and architecture came from, for the notes
    hours_from_usage: bool = False


# An HCL reference to the function, e.g. ${aws_lambda_function.scorer.function_name}
_FUNCTION_REF = re.compile(r"^\$\{((?:module\.[^.]+\.)*aws_lambda_function\.[^.}]+)\.(?:function_name|arn)\}$")


def _function_of(res: Resource, ctx: Context) -> Resource | None:
    """The Lambda function a provisioned-concurrency config belongs to, when it is in the plan."""
    name = res.get("function_name")
    if not isinstance(name, str) or not ctx.functions:
        return None
    ref = _FUNCTION_REF.match(name)
    for key in (name, name.rsplit(":", 1)[-1], ref.group(1) if ref else None):
        if key and key in ctx.functions:
            return ctx.functions[key]
    return None


def lambda_provisioned_concurrency(res: Resource, usage: Usage, ctx: Context) -> LambdaProvisionedConcurrency:
    r = _Reader(res)
    concurrency = r.number("provisioned_concurrent_executions", None)
    fn = _function_of(res, ctx)
    memory: Decimal | None = _u(usage, "memory_mb")
    arch = usage.get("architecture") if isinstance(usage.get("architecture"), str) else None
    source = "usage" if memory is not None else ""
    if memory is None and fn is not None:
        fr = _Reader(fn)
        memory = fr.number("memory_size", Decimal(128))
        arch = arch or fr.text("architectures", "x86_64")
        source = fn.address
    hours = _u(usage, "monthly_duration_hrs")
    return LambdaProvisionedConcurrency(
        concurrency, memory, str(arch or "x86_64"), Decimal(730) if hours is None else hours,
        _u(usage, "monthly_requests"), _u(usage, "request_duration_ms"), tuple(r.unknown), source,
        hours is not None)


@dataclass(frozen=True, slots=True)
class SageMakerVariant:
    name: str
    instance_type: str | None  # real-time; None when serverless or unknown
    instance_count: Decimal | None
    serverless_memory_mb: Decimal | None  # serverless; None when real-time or unknown
    provisioned_concurrency: Decimal  # serverless provisioned concurrency (0: none)
    weight: Decimal
    serverless: bool
    unknown: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SageMakerEndpointConfig:
    variants: tuple[SageMakerVariant, ...]
    inference_seconds: Decimal | None  # serverless inference duration per month
    data_in_gb: Decimal | None
    data_out_gb: Decimal | None
    unknown: tuple[str, ...] = ()
    endpoints: int = 1  # endpoints billed for it
    endpoints_assumed: bool = False  # an endpoint names its configuration only after apply


@dataclass(frozen=True, slots=True)
class NotBilled:
    """A resource AWS does not bill by itself here (a configuration no endpoint uses)."""

    reason: str
    read: Any = None  # what was read all the same: bad numbers in it are still bad input


def variant_list(res: Resource, path: str) -> list[Mapping[str, Any]]:
    """``production_variants`` as a list of mappings (Terraform list or Pulumi object)."""
    value = res.properties.get(path)
    if isinstance(value, Mapping):
        return [value]
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _block(value: Any) -> Mapping[str, Any] | None:
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else None
    return value if isinstance(value, Mapping) else None


def _variant(res: Resource, path: str, index: int, spec: Mapping[str, Any]) -> SageMakerVariant:
    prefix = f"{path}.{index}"
    unknown: list[str] = []

    def num(key: str, value: Any, default: Decimal | None) -> Decimal | None:
        if res.is_unknown(f"{prefix}.{key}"):
            unknown.append(f"{prefix}.{key}")
            return None
        if value is None:
            return default
        number = to_decimal(value)
        if number is None:
            unknown.append(f"{prefix}.{key}")
        return number

    serverless = _block(spec.get("serverless_config"))
    weight = num("initial_variant_weight", spec.get("initial_variant_weight"), Decimal(1)) or Decimal(1)
    name = str(spec.get("variant_name") or f"variant {index}")
    if serverless is not None or res.is_unknown(f"{prefix}.serverless_config"):
        serverless = serverless or {}
        memory = num("serverless_config.0.memory_size_in_mb", serverless.get("memory_size_in_mb"), None)
        pc = num("serverless_config.0.provisioned_concurrency", serverless.get("provisioned_concurrency"),
                 Decimal(0)) or Decimal(0)
        return SageMakerVariant(name, None, None, memory, pc, weight, True, tuple(unknown))
    instance_type = spec.get("instance_type")
    if res.is_unknown(f"{prefix}.instance_type") or (
            isinstance(instance_type, str) and "${" in instance_type):
        unknown.append(f"{prefix}.instance_type")
        instance_type = None
    count = num("initial_instance_count", spec.get("initial_instance_count"), Decimal(1))
    if not isinstance(instance_type, str) or not instance_type:  # null: the price cannot be known
        if f"{prefix}.instance_type" not in unknown:
            unknown.append(f"{prefix}.instance_type")
    return SageMakerVariant(name, instance_type if isinstance(instance_type, str) else None,
                            count, None, Decimal(0), weight, False, tuple(unknown))


def _endpoints_using(res: Resource, ctx: Context) -> tuple[int, bool]:
    """How many endpoints in the plan use this configuration, and whether that is assumed
    (an endpoint that names its configuration only after apply may use this one: it is
    billed once rather than left out of a budget)."""
    if not ctx.endpoint_configs and not ctx.endpoint_config_unknown:
        return 0, False  # no endpoint in the plan at all
    name = None if res.is_unknown("name") else res.properties.get("name")
    used = ctx.endpoint_configs.get(res.address, 0)
    if isinstance(name, str) and name:
        used += ctx.endpoint_configs.get(name, 0)
    if used == 0 and (ctx.endpoint_config_unknown or not isinstance(name, str) or not name):
        return 1, True
    return used, False


def sagemaker_endpoint_configuration(res: Resource, usage: Usage,
                                     ctx: Context) -> SageMakerEndpointConfig | NotBilled:
    endpoints, assumed = _endpoints_using(res, ctx)
    variants: list[SageMakerVariant] = []
    unknown: list[str] = []
    for path in ("production_variants", "shadow_production_variants"):
        if res.is_unknown(path):
            unknown.append(path)
            continue
        for index, spec in enumerate(variant_list(res, path)):
            variants.append(_variant(res, path, index, spec))
    seconds = _u(usage, "monthly_inference_seconds")
    requests, duration = _u(usage, "monthly_requests"), _u(usage, "request_duration_ms")
    if seconds is None and requests is not None and duration is not None:
        seconds = requests * duration / 1000
    config = SageMakerEndpointConfig(tuple(variants), seconds, _u(usage, "monthly_data_processed_in_gb"),
                                     _u(usage, "monthly_data_processed_out_gb"), tuple(unknown), endpoints,
                                     assumed)
    if endpoints == 0:
        return NotBilled("not billed: no endpoint in the plan uses this configuration (SageMaker bills endpoints)",
                         config)
    return config


@dataclass(frozen=True, slots=True)
class RestApi:
    monthly_requests: Decimal | None


def api_gateway_rest_api(res: Resource, usage: Usage, ctx: Context) -> RestApi:
    return RestApi(_u(usage, "monthly_requests"))


@dataclass(frozen=True, slots=True)
class HttpOrWebSocketApi:
    protocol: str | None  # HTTP | WEBSOCKET
    monthly_requests: Decimal | None
    request_size_kb: Decimal
    monthly_messages: Decimal | None
    message_size_kb: Decimal
    monthly_connection_mins: Decimal | None
    unknown: tuple[str, ...] = ()


def apigatewayv2_api(res: Resource, usage: Usage, ctx: Context) -> HttpOrWebSocketApi:
    r = _Reader(res)
    protocol = r.text("protocol_type", "HTTP")
    return HttpOrWebSocketApi(
        protocol.upper() if protocol else None, _u(usage, "monthly_requests"),
        _u(usage, "request_size_kb") or Decimal(512), _u(usage, "monthly_messages"),
        _u(usage, "message_size_kb") or Decimal(32), _u(usage, "monthly_connection_mins"),
        tuple(r.unknown))


@dataclass(frozen=True, slots=True)
class LogGroup:
    infrequent_access: bool | None
    ingested_gb: Decimal | None
    storage_gb: Decimal | None
    scanned_gb: Decimal | None
    unknown: tuple[str, ...] = ()


def cloudwatch_log_group(res: Resource, usage: Usage, ctx: Context) -> LogGroup:
    r = _Reader(res)
    cls = r.text("log_group_class", "STANDARD")
    return LogGroup(None if cls is None else cls.upper() == "INFREQUENT_ACCESS",
                    _u(usage, "monthly_data_ingested_gb"), _u(usage, "storage_gb"),
                    _u(usage, "monthly_data_scanned_gb"), tuple(r.unknown))


@dataclass(frozen=True, slots=True)
class Bucket:
    storage_gb: Decimal | None
    tier1_requests: Decimal | None  # PUT, COPY, POST, LIST
    tier2_requests: Decimal | None  # GET, SELECT, other


def s3_bucket(res: Resource, usage: Usage, ctx: Context) -> Bucket:
    def pick(key: str) -> Decimal | None:
        value = _u(usage, key)
        return _u(usage, f"standard.{key}") if value is None else value

    return Bucket(pick("storage_gb"), pick("monthly_tier_1_requests"), pick("monthly_tier_2_requests"))


@dataclass(frozen=True, slots=True)
class DynamoTable:
    on_demand: bool | None
    read_capacity: Decimal | None
    write_capacity: Decimal | None
    storage_gb: Decimal | None
    write_request_units: Decimal | None
    read_request_units: Decimal | None
    unknown: tuple[str, ...] = ()
    replicas: int = 0


def dynamodb_table(res: Resource, usage: Usage, ctx: Context) -> DynamoTable:
    r = _Reader(res)
    mode = r.text("billing_mode", "PROVISIONED")
    on_demand = None if mode is None else mode.upper() == "PAY_PER_REQUEST"
    read = write = None
    if on_demand is False:
        read = r.number("read_capacity", Decimal(0))
        write = r.number("write_capacity", Decimal(0))
    replicas = res.properties.get("replica")
    count = len(replicas) if isinstance(replicas, list) else (1 if isinstance(replicas, Mapping) else 0)
    return DynamoTable(on_demand, read, write, _u(usage, "storage_gb"),
                       _u(usage, "monthly_write_request_units"), _u(usage, "monthly_read_request_units"),
                       tuple(r.unknown), count)


@dataclass(frozen=True, slots=True)
class Queue:
    fifo: bool | None
    monthly_requests: Decimal | None
    request_size_kb: Decimal
    unknown: tuple[str, ...] = ()


def sqs_queue(res: Resource, usage: Usage, ctx: Context) -> Queue:
    r = _Reader(res)
    fifo = r.flag("fifo_queue")
    return Queue(fifo, _u(usage, "monthly_requests"), _u(usage, "request_size_kb") or Decimal(64),
                 tuple(r.unknown))


@dataclass(frozen=True, slots=True)
class StateMachine:
    express: bool | None
    monthly_transitions: Decimal | None
    monthly_requests: Decimal | None
    workflow_duration_ms: Decimal | None
    memory_mb: Decimal
    unknown: tuple[str, ...] = ()


def sfn_state_machine(res: Resource, usage: Usage, ctx: Context) -> StateMachine:
    r = _Reader(res)
    kind = r.text("type", "STANDARD")
    return StateMachine(None if kind is None else kind.upper() == "EXPRESS",
                        _u(usage, "monthly_transitions"), _u(usage, "monthly_requests"),
                        _u(usage, "workflow_duration_ms"), _u(usage, "memory_mb") or Decimal(64),
                        tuple(r.unknown))


@dataclass(frozen=True, slots=True)
class ProvisionedThroughput:
    model: str | None  # e.g. anthropic.claude-v2 (version suffixes after ':' dropped)
    commitment: str | None  # none | OneMonth | SixMonths
    model_units: Decimal | None
    monthly_hours: Decimal
    unknown: tuple[str, ...] = ()


def _model_id(arn: str) -> str:
    """``arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2:1:100k`` → anthropic.claude-v2."""
    tail = arn.rsplit("/", 1)[-1]
    return tail.split(":", 1)[0]


def bedrock_provisioned_model_throughput(res: Resource, usage: Usage, ctx: Context) -> ProvisionedThroughput:
    r = _Reader(res)
    arn = r.text("model_arn", "")
    units = r.number("model_units", None)
    commitment = r.text("commitment_duration", "none")
    hours = _u(usage, "monthly_hours")
    return ProvisionedThroughput(_model_id(arn) if arn else None, commitment, units,
                                 Decimal(730) if hours is None else hours, tuple(r.unknown))


@dataclass(frozen=True, slots=True)
class Ec2Instance:
    instance_type: str | None  # None: unknown until apply, or left to a launch template
    tenancy: str | None  # default | dedicated | host as the plan says; None: not set or unknown (the VPC's)
    spot: bool  # instance_market_options says spot (a computed or absent block: on-demand)
    operating_system: str  # linux unless usage says otherwise: the plan names an AMI, not its OS
    os_from_usage: bool
    monthly_hours: Decimal
    hours_from_usage: bool
    ebs_block_devices: int  # extra EBS volumes besides the root one (neither priced here)
    unknown: tuple[str, ...] = ()


def ec2_instance(res: Resource, usage: Usage, ctx: Context) -> Ec2Instance | NotBilled:
    r = _Reader(res)
    instance_type = r.text("instance_type", "")
    if instance_type == "":  # null: set by a launch template, or only at apply
        r.unknown.append("instance_type")
        instance_type = None
    # Tenancy and the market block are computed when the configuration leaves them out (the
    # VPC's tenancy then applies): only a value the plan states is used, never "unknown".
    tenancy = None if res.is_unknown("tenancy") else res.get("tenancy")
    tenancy = tenancy.lower() if isinstance(tenancy, str) and tenancy and "${" not in tenancy else None
    market = None if res.is_unknown("instance_market_options") else res.get("instance_market_options.market_type")
    system = usage.get("operating_system")
    hours = _u(usage, "monthly_hrs")
    typed = Ec2Instance(instance_type, tenancy, isinstance(market, str) and market.lower() == "spot",
                        system.lower() if isinstance(system, str) and system else "linux",
                        isinstance(system, str) and bool(system), Decimal(730) if hours is None else hours,
                        hours is not None, len(variant_list(res, "ebs_block_device")), tuple(r.unknown))
    if tenancy == "host":
        return NotBilled("not billed per instance: tenancy host runs it on a Dedicated Host, which AWS bills "
                         "by the host (aws_ec2_host)", typed)
    return typed


@dataclass(frozen=True, slots=True)
class PricedElsewhere:
    """A resource whose cost is counted on another one (an endpoint on its configuration)."""

    where: str


def sagemaker_endpoint(res: Resource, usage: Usage, ctx: Context) -> PricedElsewhere:
    name = res.get("endpoint_config_name")
    shown = name if isinstance(name, str) and name and "${" not in name else "its endpoint configuration"
    return PricedElsewhere(shown)


PARSERS: dict[str, Callable[[Resource, Usage, Context], Any]] = {
    "aws_lambda_function": lambda_function,
    "aws_lambda_provisioned_concurrency_config": lambda_provisioned_concurrency,
    "aws_sagemaker_endpoint_configuration": sagemaker_endpoint_configuration,
    "aws_sagemaker_endpoint": sagemaker_endpoint,
    "aws_api_gateway_rest_api": api_gateway_rest_api,
    "aws_apigatewayv2_api": apigatewayv2_api,
    "aws_cloudwatch_log_group": cloudwatch_log_group,
    "aws_s3_bucket": s3_bucket,
    "aws_dynamodb_table": dynamodb_table,
    "aws_sqs_queue": sqs_queue,
    "aws_sfn_state_machine": sfn_state_machine,
    "aws_bedrock_provisioned_model_throughput": bedrock_provisioned_model_throughput,
    "aws_instance": ec2_instance,
}
assert set(PARSERS) == set(USAGE_KEYS)
