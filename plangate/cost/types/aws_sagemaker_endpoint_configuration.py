"""aws_sagemaker_endpoint_configuration: real-time instances and serverless inference, billed
for each endpoint in the plan that uses the configuration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from plangate.cost.components import ZERO, CostComponent, component
from plangate.cost.priced import Context, NotBilled, Usage
from plangate.cost.prices import HOURS_PER_MONTH
from plangate.cost.pricing import MB_PER_GB, SECONDS_PER_HOUR, Prices, times
from plangate.cost.registry import priced_type, read_usage, usage
from plangate.model import Resource
from plangate.values import block, to_decimal, variant_list


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

    serverless = block(spec.get("serverless_config"))
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


@priced_type("aws_sagemaker_endpoint_configuration")
@dataclass(frozen=True, slots=True, kw_only=True)
class SageMakerEndpointConfig:
    """A SageMaker endpoint configuration: instance hours per real-time variant, GB-seconds
    per serverless variant, and data processed."""

    variants: tuple[SageMakerVariant, ...]
    monthly_requests: Decimal | None = usage(unit="requests", doc="Serverless inference requests a month")
    request_duration_ms: Decimal | None = usage(unit="ms", doc="Average duration of a serverless request")
    # serverless inference duration per month (given, or requests x duration)
    monthly_inference_seconds: Decimal | None = usage(
        unit="seconds", doc="Serverless inference seconds a month (instead of requests and duration)")
    monthly_data_processed_in_gb: Decimal | None = usage(unit="GB", doc="Data processed in a month")
    monthly_data_processed_out_gb: Decimal | None = usage(unit="GB", doc="Data processed out a month")
    unknown: tuple[str, ...] = ()
    endpoints: int = 1  # endpoints billed for it
    endpoints_assumed: bool = False  # an endpoint names its configuration only after apply

    @classmethod
    def parse(cls, res: Resource, values: Usage, ctx: Context) -> SageMakerEndpointConfig | NotBilled:
        endpoints, assumed = _endpoints_using(res, ctx)
        variants: list[SageMakerVariant] = []
        unknown: list[str] = []
        for path in ("production_variants", "shadow_production_variants"):
            if res.is_unknown(path):
                unknown.append(path)
                continue
            for index, spec in enumerate(variant_list(res, path)):
                variants.append(_variant(res, path, index, spec))
        given = read_usage(cls, values)
        requests, duration = given["monthly_requests"], given["request_duration_ms"]
        if given["monthly_inference_seconds"] is None and requests is not None and duration is not None:
            given["monthly_inference_seconds"] = requests * duration / 1000
        config = cls(variants=tuple(variants), unknown=tuple(unknown), endpoints=endpoints,
                     endpoints_assumed=assumed, **given)
        if endpoints == 0:
            return NotBilled("not billed: no endpoint in the plan uses this configuration "
                             "(SageMaker bills endpoints)", config)
        return config

    def notes(self) -> list[str]:
        if self.endpoints_assumed:
            return ["an endpoint names its configuration only after apply: priced as used by one"]
        return [f"used by {self.endpoints} endpoints"] if self.endpoints > 1 else []

    def price(self, prices: Prices) -> list[CostComponent]:
        out: list[CostComponent] = []
        serverless = [v for v in self.variants if v.serverless]
        total_weight = sum((v.weight for v in serverless), ZERO) or Decimal(1)
        endpoints = Decimal(self.endpoints)  # each endpoint using the configuration runs its own instances
        for v in self.variants:
            if not v.serverless:
                key = f"sagemaker.hosting.{v.instance_type}" if v.instance_type else None
                label = v.instance_type or "instance type unknown"
                out.append(component(f"Instance usage ({label}, {v.name})", "hours", prices, key,
                                     times(v.instance_count, HOURS_PER_MONTH, endpoints), unknown=v.unknown))
                continue
            gb = None if v.serverless_memory_mb is None else v.serverless_memory_mb / MB_PER_GB
            memory_label = f"{v.serverless_memory_mb} MB" if v.serverless_memory_mb is not None else "memory unknown"
            share = v.weight / total_weight
            seconds = None if self.monthly_inference_seconds is None else self.monthly_inference_seconds * share
            pc = v.provisioned_concurrency
            if pc:
                pc_key = "sagemaker.serverless.provisioned_concurrency"
                out.append(component(f"Serverless provisioned concurrency ({memory_label}, {v.name})",
                                     "GB-seconds", prices, pc_key,
                                     times(pc, gb, HOURS_PER_MONTH * SECONDS_PER_HOUR, endpoints),
                                     unknown=v.unknown))
            key = "sagemaker.serverless.provisioned_duration" if pc else "sagemaker.serverless.duration"
            out.append(component(f"Serverless inference ({memory_label}, {v.name})", "GB-seconds",
                                 prices, key, times(gb, seconds) if seconds is not None else None,
                                 usage_based=True, unknown=v.unknown if seconds is not None else ()))
        if self.unknown and not self.variants:
            out.append(CostComponent("Endpoint capacity", "hours", None, None, unknown=self.unknown))
        for name, key, quantity in (
                ("Data processed in", "sagemaker.data_processed_in", self.monthly_data_processed_in_gb),
                ("Data processed out", "sagemaker.data_processed_out", self.monthly_data_processed_out_gb)):
            out.append(component(name, "GB", prices, key, quantity, usage_based=True))
        return out
