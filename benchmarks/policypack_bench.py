"""Time the Pulumi policy pack as the CLI runs it: start-up, and Analyze per resource.

- start: process start to port printed (``python -u -m pulumi.policy <engine> policypack``),
  median of several starts; target under 1.0 s.
- Analyze: one gRPC ``Analyze`` per resource over a few thousand resources (every rule
  example in Pulumi form, plus tagged / untagged Lambda, S3 and SageMaker resources with
  unknown and secret values), median and p99; target median under 0.5 ms.  Printed beside it:
  the transport floor (``GetPluginInfo``, an empty RPC on the same channel), and the handler
  alone, in-process, for plangate's handler and for pulumi-policy's own per-policy loop
  (what the pack would cost without the request handler, see plangate.pulumi_pack).

No assertions: figures and the comparison with the targets are printed.

    .venv/bin/python benchmarks/policypack_bench.py [--starts 7] [--resources 3000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable, Sequence

from plangate.testing import UNKNOWN, PolicyPackHarness, secret, to_pulumi, to_struct

ROOT = Path(__file__).resolve().parents[1]
PACK = ROOT / "policypack"
START_TARGET_S = 1.0
ANALYZE_TARGET_MS = 0.5

_TAGS = {"CostCenter": "cc-1042", "Owner": "ml-platform", "Environment": "prod", "Project": "fraud"}


def workload(count: int) -> list[tuple[str, dict[str, Any]]]:
    """``count`` (type token, props) pairs: rule examples and synthetic inference resources."""
    from plangate.rules import RULES

    base: list[tuple[str, dict[str, Any]]] = []
    for rule in RULES:
        for example in rule.examples:
            for res in example.build():
                try:
                    base.append(to_pulumi(res))
                except ValueError:
                    continue  # a Terraform-only shape
    for i in range(20):
        tags = {**_TAGS, "app": "ai-model-inference"} if i % 2 else {"Owner": "x"}
        base += [
            ("aws:lambda/function:Function", {"name": f"fn{i}", "runtime": "python3.12", "memorySize": 1024,
                                              "role": UNKNOWN, "tags": tags,
                                              "environment": {"variables": {"KEY": secret("s3cr3t")}}}),
            ("aws:s3/bucket:Bucket", {"bucket": f"b{i}", "tags": UNKNOWN if i % 3 == 0 else tags}),
            ("aws:sagemaker/endpoint:Endpoint", {"name": f"ep{i}", "endpointConfigName": UNKNOWN, "tags": tags}),
        ]
    return [base[i % len(base)] for i in range(count)]


def requests(pack: PolicyPackHarness, items: Sequence[tuple[str, dict[str, Any]]]) -> list[Any]:
    from pulumi.runtime.proto import analyzer_pb2

    return [analyzer_pb2.AnalyzeRequest(type=token, properties=to_struct(props), name=f"r{i}",
                                        urn=pack.urn(token, f"r{i}"),
                                        options=analyzer_pb2.AnalyzerResourceOptions())
            for i, (token, props) in enumerate(items)]


def timed(call: Callable[[Any], Any], args: Sequence[Any]) -> list[float]:
    for arg in args[:200]:  # warm-up: caches, lazy imports, connection
        call(arg)
    out = []
    for arg in args:
        began = time.perf_counter()
        call(arg)
        out.append(time.perf_counter() - began)
    return out


def summary(samples: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1e3, ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1e3


def in_process_handlers(reqs: Sequence[Any]) -> tuple[list[float], list[float]]:
    """The plangate handler and pulumi-policy's own loop, called directly on one servicer."""
    import pulumi_policy as pp
    from pulumi_policy import policy as sdk

    from plangate import pulumi_pack
    from plangate.policy import defaults
    from plangate.rules import RULES

    policy = defaults(RULES)
    pulumi_pack._STATE.base = policy
    servicer = sdk._PolicyAnalyzerServicer(pulumi_pack.PACK_NAME, "0.0.1", pulumi_pack.build_policies(policy),
                                           pp.EnforcementLevel.ADVISORY)
    ours = timed(lambda r: servicer.Analyze(r, None), reqs)
    sdk_loop = sdk._PolicyAnalyzerServicer.Analyze.__wrapped__  # the SDK's method, before install()
    theirs = timed(lambda r: sdk_loop(servicer, r, None), reqs)
    return ours, theirs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--starts", type=int, default=7)
    ap.add_argument("--resources", type=int, default=3000)
    args = ap.parse_args()

    starts = []
    for _ in range(args.starts):
        with PolicyPackHarness(PACK, python=sys.executable) as pack:
            starts.append(pack.startup_seconds or 0.0)
    start = statistics.median(starts)

    items = workload(args.resources)
    with PolicyPackHarness(PACK, python=sys.executable) as pack:
        pack.configure()
        reqs = requests(pack, items)
        analyze = summary(timed(pack.analyze_request, reqs))
        from google.protobuf import empty_pb2

        floor = summary(timed(lambda _: pack._stub.GetPluginInfo(empty_pb2.Empty()), reqs))
    ours, theirs = in_process_handlers(reqs)
    handler, sdk_loop = summary(ours), summary(theirs)

    def verdict(value: float, target: float) -> str:
        return "meets" if value < target else "MISSES"

    print(f"policy pack benchmark ({len(items)} resources, {args.starts} starts, Python {sys.version.split()[0]})")
    print(f"  start to port       median {start:.3f} s  (min {min(starts):.3f}, max {max(starts):.3f})"
          f"   target < {START_TARGET_S} s: {verdict(start, START_TARGET_S)}")
    print(f"  Analyze over gRPC   median {analyze[0]:.3f} ms  p99 {analyze[1]:.3f} ms"
          f"   target median < {ANALYZE_TARGET_MS} ms: {verdict(analyze[0], ANALYZE_TARGET_MS)}")
    print(f"  gRPC floor (empty GetPluginInfo)  median {floor[0]:.3f} ms  p99 {floor[1]:.3f} ms")
    print(f"  handler in-process  median {handler[0]:.3f} ms  p99 {handler[1]:.3f} ms"
          f"   target median < {ANALYZE_TARGET_MS} ms: {verdict(handler[0], ANALYZE_TARGET_MS)}")
    print(f"  pulumi-policy's per-policy loop, same servicer  median {sdk_loop[0]:.3f} ms"
          f"  p99 {sdk_loop[1]:.3f} ms  ({sdk_loop[0] / handler[0]:.1f}x the plangate handler)")


if __name__ == "__main__":
    main()
