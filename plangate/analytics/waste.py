"""Waste from usage: idle functions and endpoints, over-provisioned Lambda memory, unused
provisioned concurrency — each with the monthly saving the cost model prices.

Money comes from `plangate.cost.estimate` only: a saving is the estimate of the resource as
deployed minus the estimate of the resource as suggested (same usage, same prices), so waste
and the budget rules always agree on what a thing costs.

Usage evidence:

* Lambda ``REPORT`` log lines (CloudWatch Logs, text or JSON exports): per invocation, the
  billed duration, the memory size and the max memory used;
* ``timestamp,value`` metric series: ``Invocations`` of a function or endpoint (idle when the
  sum is 0 over at least `MIN_IDLE_DAYS`), and ``ProvisionedConcurrencyUtilization`` of an
  alias (a share 0–1, or a percentage).
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from plangate.analytics.records import WasteItem
from plangate.analytics.series import MetricSeries
from plangate.errors import InputError, PlangateError
from plangate.model import Resource

LAMBDA, PC = "aws_lambda_function", "aws_lambda_provisioned_concurrency_config"
ENDPOINT, ENDPOINT_CONFIG = "aws_sagemaker_endpoint", "aws_sagemaker_endpoint_configuration"
HEADROOM = 1.3  # suggested memory / concurrency: the observed peak plus 30 %
MEMORY_STEP, MIN_MEMORY = 64, 128  # suggestions land on 64 MB steps (Lambda takes any MB from 128)
MIN_REPORTS = 100  # fewer invocations than this are not evidence enough to resize
MIN_IDLE_DAYS = 7
MAX_REPORT_VALUE = 1e9  # ms or MB: Lambda runs at most 15 minutes with at most 10,240 MB; anything past this is garbage
DAYS_PER_MONTH = 730 / 24

_REPORT = re.compile(
    r"REPORT RequestId:\s*(?P<id>\S+).*?Duration:\s*(?P<duration>[\d.]+)\s*ms.*?"
    r"Billed Duration:\s*(?P<billed>[\d.]+)\s*ms.*?Memory Size:\s*(?P<size>\d+)\s*MB.*?"
    r"Max Memory Used:\s*(?P<used>\d+)\s*MB")
_STAMP = re.compile(r"(\d{4}-\d\d-\d\dT?\s?\d\d:\d\d:\d\d)")


@dataclass(frozen=True)
class LambdaReports:
    """The REPORT lines of one function: per invocation, duration, billed duration, memory size, max used."""

    function: str
    duration_ms: np.ndarray
    billed_ms: np.ndarray
    memory_mb: np.ndarray
    max_used_mb: np.ndarray
    days: float | None  # the span the lines' timestamps cover, when they carry any

    def __len__(self) -> int:
        return len(self.duration_ms)


def parse_reports(function: str, lines: Iterable[str], source: str = "") -> LambdaReports:
    """The REPORT lines among ``lines`` (other log lines are skipped)."""
    rows, stamps = [], []
    for number, line in enumerate(lines, 1):
        m = _REPORT.search(line)
        if not m:
            continue
        row = (float(m["duration"]), float(m["billed"]), float(m["size"]), float(m["used"]))
        if not all(math.isfinite(v) and v <= MAX_REPORT_VALUE for v in row):
            raise InputError(source or function, f"a REPORT line's duration or memory is over {MAX_REPORT_VALUE:g}",
                             line=number)
        if row[3] > row[2]:  # Lambda stops a function at its memory size: a larger peak is not a real report
            raise InputError(source or function, f"Max Memory Used {row[3]:.0f} MB is above the Memory Size "
                                                 f"{row[2]:.0f} MB", line=number)
        rows.append(row)
        stamp = _STAMP.search(line[: m.start()]) if m.start() else None
        if stamp:
            stamps.append(np.datetime64(stamp.group(1).replace(" ", "T")))
    if not rows:
        raise InputError(source or function, "no Lambda REPORT lines (expected '... Max Memory Used: N MB')")
    data = np.array(rows)
    if not np.isfinite(data).all() or (data[:, 2] <= 0).any():
        raise InputError(source or function, "a REPORT line has a memory size of 0 MB")
    days = None
    if len(stamps) >= 2:
        span = (max(stamps) - min(stamps)) / np.timedelta64(1, "s") / 86400
        days = float(span) if span > 0 else None
    return LambdaReports(function, data[:, 0], data[:, 1], data[:, 2], data[:, 3], days)


def read_reports(function: str, path: str) -> LambdaReports:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return parse_reports(function, handle, path)
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None


# -- pricing through the cost model ---------------------------------------------------------


def _monthly(resources: Sequence[Resource], region: str | None) -> dict[str, Decimal]:
    from plangate.cost import estimate

    est = estimate.estimate(list(resources), region=region)
    return {r.address: r.monthly for r in est.resources}


def _with(res: Resource, properties: Mapping[str, object] | None = None,
          usage: Mapping[str, float] | None = None) -> Resource:
    tags = dict(res.tags)
    if usage:
        tags["plangate:usage"] = " ".join(f"{k}={v:.6g}" for k, v in usage.items())
    return dataclasses.replace(res, properties={**res.properties, **(properties or {})}, tags=tags)


def _name(res: Resource) -> set[str]:
    names = {res.address, res.address.rsplit(".", 1)[-1]}
    for key in ("function_name", "name"):
        value = res.properties.get(key)
        if isinstance(value, str) and value:
            names.add(value)
    return names


def find(resources: Sequence[Resource], types: set[str], name: str) -> Resource:
    """The resource of one of ``types`` that ``name`` names (address, function or resource name)."""
    found = [r for r in resources if r.type in types and name in _name(r)]
    if not found:
        raise PlangateError(f"{name}: no {' or '.join(sorted(types))} of that name in the plan")
    return found[0]


# -- the three kinds of waste -----------------------------------------------------------------


def lambda_memory(fn: Resource, reports: LambdaReports, *, days: float | None = None,
                  region: str | None = None) -> WasteItem | None:
    """Over-provisioned memory: the configured size against the peak memory used (p99.9 + 30 %)."""
    if len(reports) < MIN_REPORTS:
        return None
    configured = int(reports.memory_mb.max())
    peak = float(np.quantile(reports.max_used_mb, 0.999))
    suggested = max(MIN_MEMORY, int(math.ceil(peak * HEADROOM / MEMORY_STEP) * MEMORY_STEP))
    if suggested >= configured:
        return None
    window = days or reports.days
    if not window:
        raise PlangateError(f"{reports.function}: the REPORT lines carry no timestamps: give the days they cover")
    usage = {"monthly_requests": len(reports) / window * DAYS_PER_MONTH,
             "request_duration_ms": float(np.mean(reports.billed_ms))}
    now = _with(fn, {"memory_size": configured}, usage)
    then = _with(fn, {"memory_size": suggested}, usage)
    saving = _monthly([now], region)[fn.address] - _monthly([then], region)[fn.address]
    return WasteItem("lambda-memory", fn.address,
                     f"{configured} MB configured, {peak:.0f} MB used at most (p99.9 of {len(reports)} "
                     f"invocations): {suggested} MB leaves {int((HEADROOM - 1) * 100)} % headroom; duration "
                     "assumed unchanged", saving, {"memory_mb": configured}, {"memory_mb": suggested})


def idle(res: Resource, invocations: MetricSeries, resources: Sequence[Resource], *,
         region: str | None = None) -> WasteItem | None:
    """A function or endpoint nobody called over at least a week: its fixed monthly cost is waste."""
    negative = np.flatnonzero(invocations.values < 0)
    if negative.size:
        raise InputError(invocations.name, f"Invocations: {invocations.values[negative[0]]:g} at "
                                           f"{invocations.times[negative[0]]} is a negative count")
    span = _days(invocations)
    if span < MIN_IDLE_DAYS or float(np.sum(invocations.values)) > 0:
        return None
    if res.type == LAMBDA:
        billed = [r for r in resources if r.type == PC and _serves(r, res)]
        kind, what = "idle-function", "its provisioned concurrency"
    else:
        billed = [_config_of(res, resources)] if res.type == ENDPOINT else [res]
        kind, what = "idle-endpoint", "its instances"
    # SageMaker bills endpoints: a configuration is priced for the endpoints that use it (this
    # one, or every endpoint in the plan when the configuration itself was named).
    context = [res, *billed] if res.type in (LAMBDA, ENDPOINT) else [
        *billed, *(r for r in resources if r.type == ENDPOINT)]
    costs = _monthly(context, region)
    saving = sum((costs[r.address] for r in billed), Decimal(0))
    return WasteItem(kind, res.address, f"no invocations in {span:.0f} days; deleting it saves {what}",
                     saving, {"invocations": 0}, {"action": "delete"})


def unused_provisioned_concurrency(pc: Resource, utilization: MetricSeries, resources: Sequence[Resource], *,
                                   region: str | None = None) -> WasteItem | None:
    """Provisioned concurrency above the peak use (peak utilisation × configured, + 30 %)."""
    configured = pc.get("provisioned_concurrent_executions")
    if not isinstance(configured, (int, float)) or configured <= 0:
        return None
    values = utilization.values
    if values.min() < 0 or values.max() > 100:
        raise InputError(utilization.name, "ProvisionedConcurrencyUtilization: values must be a share 0-1 or a "
                                           f"percentage 0-100, found {values.min():g} to {values.max():g}")
    share = values / 100.0 if values.max() > 1.0 else values  # CloudWatch gives a share; consoles a percentage
    peak = float(share.max()) * float(configured)
    suggested = int(math.ceil(peak * HEADROOM)) if peak > 0 else 0
    if suggested >= configured:
        return None
    functions = [r for r in resources if r.type == LAMBDA and _serves(pc, r)]
    now = _monthly([*functions, pc], region)[pc.address]
    then = Decimal(0) if suggested == 0 else _monthly(
        [*functions, _with(pc, {"provisioned_concurrent_executions": suggested})], region)[pc.address]
    action = "remove it" if suggested == 0 else f"{suggested} covers the peak with 30 % headroom"
    return WasteItem("unused-provisioned-concurrency", pc.address,
                     f"{int(configured)} provisioned, at most {peak:.1f} in use ({100 * float(share.max()):.0f} % "
                     f"peak utilisation over {_days(utilization):.0f} days): {action}", now - then,
                     {"provisioned_concurrency": int(configured)}, {"provisioned_concurrency": suggested})


def _days(series: MetricSeries) -> float:
    if len(series) < 2:
        return 0.0
    return float((series.times[-1] - series.times[0]) / np.timedelta64(1, "s")) / 86400


def _serves(pc: Resource, fn: Resource) -> bool:
    target = pc.properties.get("function_name")
    return isinstance(target, str) and bool(_name(fn) & {target, target.rsplit(":", 1)[-1]})


def _config_of(endpoint: Resource, resources: Sequence[Resource]) -> Resource:
    wanted = endpoint.properties.get("endpoint_config_name")
    configs = [r for r in resources if r.type == ENDPOINT_CONFIG]
    for r in configs:
        if isinstance(wanted, str) and wanted in _name(r):
            return r
    if len(configs) == 1:
        return configs[0]
    raise PlangateError(f"{endpoint.address}: cannot tell which endpoint configuration it uses")
