"""Pricing a typed priced resource into cost components: the second half of the split.

Each function takes a typed resource from `plangate.cost.priced` and a `Prices` view of the
table for one region, and returns components.  Quantities follow AWS's metering (1 ms
Lambda duration, 512 KB HTTP API requests, 32 KB WebSocket messages, 64 KB SQS chunks,
64 MB / 100 ms Express workflows); a month is 730 hours.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from plangate.cost import priced as p
from plangate.cost.components import ZERO, CostComponent, component, tiered
from plangate.cost.prices import HOURS_PER_MONTH, Price, PriceTable

MILLION = Decimal(1_000_000)
THOUSAND = Decimal(1000)
MB_PER_GB = Decimal(1024)
SECONDS_PER_HOUR = Decimal(3600)


@dataclass(frozen=True)
class Prices:
    """The table, seen from one region."""

    table: PriceTable
    region: str

    def __call__(self, key: str) -> Price | None:
        return self.table.get(key, self.region)

    def missing(self, key: str) -> str:
        return f"{key} in {self.region}"


def _ceil(value: Decimal) -> Decimal:
    return value.to_integral_value(rounding=ROUND_CEILING)


def _chunks(size: Decimal, chunk: Decimal) -> Decimal:
    """How many metering units one request of ``size`` counts as (at least one)."""
    return max(Decimal(1), _ceil(size / chunk))


def _times(*values: Decimal | None) -> Decimal | None:
    out = Decimal(1)
    for value in values:
        if value is None:
            return None
        out *= value
    return out


def _per(quantity: Decimal | None, unit: Decimal) -> Decimal | None:
    return None if quantity is None else quantity / unit


def _gb_seconds(memory_mb: Decimal | None, duration_ms: Decimal | None,
                requests: Decimal | None) -> Decimal | None:
    """Lambda GB-seconds: duration rounded up to the millisecond, as AWS bills it."""
    if memory_mb is None or duration_ms is None or requests is None:
        return None
    return requests * (memory_mb / MB_PER_GB) * (_ceil(duration_ms) / THOUSAND)


def lambda_function(r: p.LambdaFunction, prices: Prices) -> list[CostComponent]:
    unknown = r.unknown
    requests_key = "lambda.requests"
    out = [component("Requests", "1M requests", prices(requests_key), _per(r.monthly_requests, MILLION),
                     usage_based=True, missing=prices.missing(requests_key))]
    # Only storage above the free 512 MB is billed, so a default function has no such line.
    if r.ephemeral_storage_mb is None or r.ephemeral_storage_mb > 512:
        extra_gb = None if r.ephemeral_storage_mb is None else (r.ephemeral_storage_mb - 512) / MB_PER_GB
        seconds = None if r.request_duration_ms is None or r.monthly_requests is None else (
            r.monthly_requests * _ceil(r.request_duration_ms) / THOUSAND)
        key = "lambda.ephemeral_storage"
        storage_unknown = tuple(u for u in unknown if u.startswith("ephemeral_storage"))
        out.append(component("Ephemeral storage", "GB-seconds", prices(key), _times(extra_gb, seconds),
                             usage_based=True, unknown=storage_unknown if seconds is not None else (),
                             missing=prices.missing(key)))
    arch = r.architecture or "x86_64"
    key = f"lambda.duration.{arch}"
    gbs = _gb_seconds(r.memory_mb, r.request_duration_ms, r.monthly_requests)
    memory_unknown = tuple(u for u in unknown if not u.startswith("ephemeral_storage"))
    has_usage = r.request_duration_ms is not None and r.monthly_requests is not None
    out += tiered("Duration", "GB-seconds", prices(key), gbs, usage_based=True,
                  unknown=memory_unknown if has_usage else (), missing=prices.missing(key))
    return out


def lambda_provisioned_concurrency(r: p.LambdaProvisionedConcurrency, prices: Prices) -> list[CostComponent]:
    arch = r.architecture or "x86_64"
    gb = None if r.memory_mb is None else r.memory_mb / MB_PER_GB
    pc_seconds = r.monthly_hours * SECONDS_PER_HOUR
    pc_key, dur_key = f"lambda.provisioned_concurrency.{arch}", f"lambda.provisioned_duration.{arch}"
    req_key = "lambda.requests"
    return [
        component("Requests", "1M requests", prices(req_key), _per(r.monthly_requests, MILLION),
                  usage_based=True, missing=prices.missing(req_key)),
        # Configured capacity is billed whether or not it serves traffic: a baseline cost.
        component("Provisioned Concurrency", "GB-seconds", prices(pc_key),
                  _times(r.concurrency, gb, pc_seconds), usage_based=r.memory_mb is None or r.hours_from_usage,
                  unknown=r.unknown, missing=prices.missing(pc_key)),
        component("Duration", "GB-seconds", prices(dur_key),
                  _gb_seconds(r.memory_mb, r.request_duration_ms, r.monthly_requests),
                  usage_based=True, missing=prices.missing(dur_key)),
    ]


def sagemaker_endpoint_configuration(r: p.SageMakerEndpointConfig, prices: Prices) -> list[CostComponent]:
    out: list[CostComponent] = []
    serverless = [v for v in r.variants if v.serverless]
    total_weight = sum((v.weight for v in serverless), ZERO) or Decimal(1)
    endpoints = Decimal(r.endpoints)  # each endpoint using the configuration runs its own instances
    for v in r.variants:
        if not v.serverless:
            key = f"sagemaker.hosting.{v.instance_type}" if v.instance_type else "sagemaker.hosting"
            label = v.instance_type or "instance type unknown"
            out.append(component(f"Instance usage ({label}, {v.name})", "hours",
                                 prices(key) if v.instance_type else None,
                                 _times(v.instance_count, HOURS_PER_MONTH, endpoints),
                                 unknown=v.unknown, missing=prices.missing(key) if v.instance_type else ""))
            continue
        gb = None if v.serverless_memory_mb is None else v.serverless_memory_mb / MB_PER_GB
        memory_label = f"{v.serverless_memory_mb} MB" if v.serverless_memory_mb is not None else "memory unknown"
        share = v.weight / total_weight
        seconds = None if r.inference_seconds is None else r.inference_seconds * share
        pc = v.provisioned_concurrency
        if pc:
            pc_key = "sagemaker.serverless.provisioned_concurrency"
            out.append(component(f"Serverless provisioned concurrency ({memory_label}, {v.name})",
                                 "GB-seconds", prices(pc_key),
                                 _times(pc, gb, HOURS_PER_MONTH * SECONDS_PER_HOUR, endpoints),
                                 unknown=v.unknown, missing=prices.missing(pc_key)))
        key = "sagemaker.serverless.provisioned_duration" if pc else "sagemaker.serverless.duration"
        out.append(component(f"Serverless inference ({memory_label}, {v.name})", "GB-seconds",
                             prices(key), _times(gb, seconds) if seconds is not None else None,
                             usage_based=True, unknown=v.unknown if seconds is not None else (),
                             missing=prices.missing(key)))
    if r.unknown and not r.variants:
        out.append(CostComponent("Endpoint capacity", "hours", None, None, unknown=r.unknown))
    for name, key, quantity in (("Data processed in", "sagemaker.data_processed_in", r.data_in_gb),
                                ("Data processed out", "sagemaker.data_processed_out", r.data_out_gb)):
        out.append(component(name, "GB", prices(key), quantity, usage_based=True, missing=prices.missing(key)))
    return out


def api_gateway_rest_api(r: p.RestApi, prices: Prices) -> list[CostComponent]:
    key = "apigateway.rest.requests"
    return tiered("Requests", "1M requests", prices(key), _per(r.monthly_requests, MILLION),
                  usage_based=True, missing=prices.missing(key))


def apigatewayv2_api(r: p.HttpOrWebSocketApi, prices: Prices) -> list[CostComponent]:
    if r.protocol is None:
        return [CostComponent("Requests or messages", "1M requests", None, None, True, r.unknown)]
    if r.protocol == "WEBSOCKET":
        messages = None if r.monthly_messages is None else (
            r.monthly_messages * _chunks(r.message_size_kb, Decimal(32)) / MILLION)
        key, minutes_key = "apigateway.websocket.messages", "apigateway.websocket.connection_minutes"
        return tiered("Messages", "1M messages", prices(key), messages, usage_based=True,
                      missing=prices.missing(key)) + [
            component("Connection duration", "1M minutes", prices(minutes_key),
                      _per(r.monthly_connection_mins, MILLION), usage_based=True,
                      missing=prices.missing(minutes_key))]
    requests = None if r.monthly_requests is None else (
        r.monthly_requests * _chunks(r.request_size_kb, Decimal(512)) / MILLION)
    key = "apigateway.http.requests"
    return tiered("Requests", "1M requests", prices(key), requests, usage_based=True,
                  missing=prices.missing(key))


def cloudwatch_log_group(r: p.LogGroup, prices: Prices) -> list[CostComponent]:
    ingest_key = "logs.ingestion.infrequent_access" if r.infrequent_access else "logs.ingestion.standard"
    ingest = component("Data ingested", "GB", prices(ingest_key), r.ingested_gb, usage_based=True,
                       missing=prices.missing(ingest_key))
    if r.infrequent_access is None and r.ingested_gb is not None:
        ingest = CostComponent("Data ingested", "GB", None, r.ingested_gb, True, r.unknown)
    return [
        ingest,
        component("Archival Storage", "GB", prices("logs.storage"), r.storage_gb, usage_based=True,
                  missing=prices.missing("logs.storage")),
        component("Insights queries data scanned", "GB", prices("logs.insights_scanned"), r.scanned_gb,
                  usage_based=True, missing=prices.missing("logs.insights_scanned")),
    ]


def s3_bucket(r: p.Bucket, prices: Prices) -> list[CostComponent]:
    key = "s3.standard.storage"
    out = tiered("Standard storage", "GB", prices(key), r.storage_gb, usage_based=True,
                 missing=prices.missing(key))
    for name, key, quantity in (
            ("PUT, COPY, POST, LIST requests", "s3.standard.requests_tier1", r.tier1_requests),
            ("GET, SELECT, and all other requests", "s3.standard.requests_tier2", r.tier2_requests)):
        out.append(component(name, "1k requests", prices(key), _per(quantity, THOUSAND),
                             usage_based=True, missing=prices.missing(key)))
    return out


def dynamodb_table(r: p.DynamoTable, prices: Prices) -> list[CostComponent]:
    out: list[CostComponent] = []
    if r.on_demand is None:
        out.append(CostComponent("Capacity (billing mode unknown)", "hours", None, None, unknown=r.unknown))
    elif r.on_demand:
        for name, key, unit, quantity in (
                ("Write request unit (WRU)", "dynamodb.write_request_units", "1M WRU", r.write_request_units),
                ("Read request unit (RRU)", "dynamodb.read_request_units", "1M RRU", r.read_request_units)):
            out.append(component(name, unit, prices(key), _per(quantity, MILLION), usage_based=True,
                                 missing=prices.missing(key)))
    else:
        for name, key, unit, capacity, path in (
                ("Write capacity unit (WCU)", "dynamodb.write_capacity", "WCU-hours", r.write_capacity,
                 "write_capacity"),
                ("Read capacity unit (RCU)", "dynamodb.read_capacity", "RCU-hours", r.read_capacity,
                 "read_capacity")):
            out.append(component(name, unit, prices(key), _times(capacity, HOURS_PER_MONTH),
                                 unknown=tuple(u for u in r.unknown if u == path),
                                 missing=prices.missing(key)))
    key = "dynamodb.storage"
    out += tiered("Data storage", "GB", prices(key), r.storage_gb, usage_based=True,
                  missing=prices.missing(key))
    return out


def sqs_queue(r: p.Queue, prices: Prices) -> list[CostComponent]:
    requests = None if r.monthly_requests is None else (
        r.monthly_requests * _chunks(r.request_size_kb, Decimal(64)) / MILLION)
    if r.fifo is None:
        return [CostComponent("Requests", "1M requests", None, requests, True, r.unknown)]
    key = "sqs.fifo.requests" if r.fifo else "sqs.standard.requests"
    return [component("Requests", "1M requests", prices(key), requests, usage_based=True,
                      missing=prices.missing(key))]


def sfn_state_machine(r: p.StateMachine, prices: Prices) -> list[CostComponent]:
    if r.express is None:
        return [CostComponent("Transitions or requests", "1K transitions", None, None, True, r.unknown)]
    if not r.express:
        key = "sfn.standard.transitions"
        return [component("Transitions", "1K transitions", prices(key), _per(r.monthly_transitions, THOUSAND),
                          usage_based=True, missing=prices.missing(key))]
    memory_gb = _ceil(r.memory_mb / 64) * 64 / MB_PER_GB  # billed in 64 MB steps
    gb_hours = None
    if r.monthly_requests is not None and r.workflow_duration_ms is not None:
        seconds = _ceil(r.workflow_duration_ms / 100) * 100 / THOUSAND  # billed in 100 ms steps
        gb_hours = r.monthly_requests * seconds * memory_gb / SECONDS_PER_HOUR
    req_key, dur_key = "sfn.express.requests", "sfn.express.duration"
    return [component("Requests", "1M requests", prices(req_key), _per(r.monthly_requests, MILLION),
                      usage_based=True, missing=prices.missing(req_key)),
            *tiered("Duration", "GB-hours", prices(dur_key), gb_hours, usage_based=True,
                    missing=prices.missing(dur_key))]


def bedrock_provisioned_model_throughput(r: p.ProvisionedThroughput, prices: Prices) -> list[CostComponent]:
    if r.model is None or r.commitment is None:
        return [CostComponent("Provisioned throughput", "model-unit hours", None,
                              _times(r.model_units, r.monthly_hours), unknown=r.unknown or ("model_arn",))]
    key = f"bedrock.provisioned.{r.model}.{r.commitment}"
    commitment = "no commitment" if r.commitment == "none" else r.commitment
    return [component(f"Provisioned throughput ({r.model}, {commitment})", "model-unit hours", prices(key),
                      _times(r.model_units, r.monthly_hours), unknown=r.unknown,
                      missing=prices.missing(key))]


def ec2_instance(r: p.Ec2Instance, prices: Prices) -> list[CostComponent]:
    """Compute hours only: the table holds on-demand Linux shared-tenancy rates (EBS volumes,
    detailed monitoring and CPU credits are other meters, not priced here)."""
    if r.instance_type is None:
        return [CostComponent("Instance usage (instance type unknown)", "hours", None, None,
                              r.hours_from_usage, r.unknown)]
    system = {"linux": "Linux/UNIX", "windows": "Windows", "rhel": "RHEL", "suse": "SUSE"}.get(
        r.operating_system, r.operating_system)
    purchase = "spot" if r.spot else "on-demand"
    dedicated = r.tenancy == "dedicated"
    name = f"Instance usage ({system}, {purchase}{', dedicated' if dedicated else ''}, {r.instance_type})"
    key = f"ec2.{r.instance_type}"
    other = [what for what, differs in (("spot", r.spot), ("dedicated tenancy", dedicated),
                                        (system, r.operating_system != "linux")) if differs]
    if other:  # the table's rates would understate it: not priced, never a guess
        missing = f"{key} ({', '.join(other)}; the table holds on-demand Linux shared tenancy) in {prices.region}"
        return [CostComponent(name, "hours", None, r.monthly_hours, r.hours_from_usage, (), missing)]
    return [component(name, "hours", prices(key), r.monthly_hours, usage_based=r.hours_from_usage,
                      missing=prices.missing(key))]


PRICERS: dict[type, Callable[[Any, Prices], list[CostComponent]]] = {
    p.LambdaFunction: lambda_function,
    p.LambdaProvisionedConcurrency: lambda_provisioned_concurrency,
    p.SageMakerEndpointConfig: sagemaker_endpoint_configuration,
    p.RestApi: api_gateway_rest_api,
    p.HttpOrWebSocketApi: apigatewayv2_api,
    p.LogGroup: cloudwatch_log_group,
    p.Bucket: s3_bucket,
    p.DynamoTable: dynamodb_table,
    p.Queue: sqs_queue,
    p.StateMachine: sfn_state_machine,
    p.ProvisionedThroughput: bedrock_provisioned_model_throughput,
    p.Ec2Instance: ec2_instance,
}
