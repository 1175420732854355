"""aws_lambda_provisioned_concurrency_config: configured capacity, billed every hour it exists."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from plangate.cost.components import CostComponent, component
from plangate.cost.priced import Context, Reader, Usage
from plangate.cost.pricing import MB_PER_GB, MILLION, SECONDS_PER_HOUR, Prices, gb_seconds, per, times
from plangate.cost.registry import given_fields, priced_type, read_usage, usage
from plangate.model import Resource

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


@priced_type("aws_lambda_provisioned_concurrency_config")
@dataclass(frozen=True, slots=True, kw_only=True)
class LambdaProvisionedConcurrency:
    """Lambda provisioned concurrency, billed per GB-second configured and per request served."""

    concurrency: Decimal | None
    # None: the function is not in the plan and no usage says
    memory_mb: Decimal | None = usage(unit="MB", doc="The function's memory, when the function is not in the plan")
    architecture: str | None = usage(choices=("x86_64", "arm64"),
                                     doc="The function's architecture, when the function is not in the plan")
    # Configured capacity is billed every hour it exists.
    monthly_hours: Decimal = usage("monthly_duration_hrs", unit="hours", default=Decimal(730),
                                   doc="Hours a month the configuration exists (730 when not given)")
    monthly_requests: Decimal | None = usage(unit="requests", doc="Requests a month")
    request_duration_ms: Decimal | None = usage(unit="ms", doc="Average duration of a request")
    unknown: tuple[str, ...] = ()
    memory_from: str = ""  # where memory and architecture came from, for the notes
    hours_from_usage: bool = False

    @classmethod
    def parse(cls, res: Resource, values: Usage, ctx: Context) -> LambdaProvisionedConcurrency:
        r = Reader(res)
        concurrency = r.number("provisioned_concurrent_executions", None)
        given = read_usage(cls, values)
        memory, arch = given.pop("memory_mb"), given.pop("architecture")
        source = "usage" if memory is not None else ""
        fn = _function_of(res, ctx)
        if memory is None and fn is not None:
            fr = Reader(fn)
            memory = fr.number("memory_size", Decimal(128))
            arch = arch or fr.text("architectures", "x86_64")
            source = fn.address
        return cls(concurrency=concurrency, memory_mb=memory, architecture=str(arch or "x86_64"),
                   unknown=tuple(r.unknown), memory_from=source,
                   hours_from_usage="monthly_hours" in given_fields(cls, values), **given)

    def notes(self) -> list[str]:
        notes = []
        if self.memory_from and self.memory_from != "usage":
            notes.append(f"memory and architecture from {self.memory_from}")
        elif not self.memory_from:
            notes.append("function memory unknown: give memory_mb (and architecture) in usage")
        if not self.hours_from_usage:
            notes.append("provisioned for all 730 hours of the month")
        return notes

    def price(self, prices: Prices) -> list[CostComponent]:
        arch = self.architecture or "x86_64"
        gb = None if self.memory_mb is None else self.memory_mb / MB_PER_GB
        pc_seconds = self.monthly_hours * SECONDS_PER_HOUR
        pc_key, dur_key = f"lambda.provisioned_concurrency.{arch}", f"lambda.provisioned_duration.{arch}"
        req_key = "lambda.requests"
        return [
            component("Requests", "1M requests", prices, req_key, per(self.monthly_requests, MILLION),
                      usage_based=True),
            # Configured capacity is billed whether or not it serves traffic: a baseline cost.
            component("Provisioned Concurrency", "GB-seconds", prices, pc_key,
                      times(self.concurrency, gb, pc_seconds),
                      usage_based=self.memory_mb is None or self.hours_from_usage,
                      unknown=self.unknown),
            component("Duration", "GB-seconds", prices, dur_key,
                      gb_seconds(self.memory_mb, self.request_duration_ms, self.monthly_requests),
                      usage_based=True),
        ]
