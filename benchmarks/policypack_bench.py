"""Time the Pulumi policy pack as the CLI runs it, next to a minimal pulumi-policy pack.

The baseline is what any Python pack costs: a pack with as many policies as plangate's (one
per rule), each a ``ResourceValidationPolicy`` whose ``validate`` does nothing, served by
pulumi-policy as every Python pack is (its decoding and per-policy loop included).  Both are
started the way the CLI starts them (``python -u -m pulumi.policy <engine> <dir>``, through
`PolicyPackHarness`) and measured in the same run:

- start: process start to port printed, median of several starts, the packs taking turns;
- Analyze: one gRPC ``Analyze`` per resource over a few thousand resources (every rule
  example in Pulumi form, plus tagged / untagged Lambda, S3 and SageMaker resources with
  unknown and secret values), sent one after another from this process (a separate client
  process, as the engine is); the same requests go to both packs, a block at a time in turn,
  so a slow minute of the shared machine hits both.  Median and p99 of the round trip.

Only the ratios compare; the absolute figures move with the machine.  No assertions.

    .venv/bin/python benchmarks/policypack_bench.py [--starts 5] [--resources 3000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from plangate.frontends.pulumi.harness import PolicyPackHarness, to_pulumi
from plangate.loaders.pulumi_wire import UNKNOWN, secret, to_struct

ROOT = Path(__file__).resolve().parents[1]
PACK = ROOT / "policypack"
BLOCK = 100  # requests per turn
WARM_UP = 200  # untimed requests per pack first: caches, lazy imports, the connection

_TAGS = {"CostCenter": "cc-1042", "Owner": "ml-platform", "Environment": "prod", "Project": "fraud"}

MINIMAL_PACK = '''
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy


def validate(args, report_violation):
    pass


PolicyPack("minimal", [ResourceValidationPolicy(name=f"policy-{{i}}", description="does nothing",
                                                validate=validate, enforcement_level=EnforcementLevel.ADVISORY)
                       for i in range({count})])
'''


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
    out = []
    for arg in args:
        began = time.perf_counter()
        call(arg)
        out.append(time.perf_counter() - began)
    return out


def summary(samples: Sequence[float]) -> tuple[float, float]:
    """(median, p99) in the samples' unit."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--starts", type=int, default=5)
    ap.add_argument("--resources", type=int, default=3000)
    args = ap.parse_args()

    from plangate.rules import RULES

    with tempfile.TemporaryDirectory() as minimal_dir:
        (Path(minimal_dir) / "__main__.py").write_text(MINIMAL_PACK.format(count=len(RULES)), encoding="utf-8")
        dirs = {"plangate": PACK, "minimal": Path(minimal_dir)}

        starts: dict[str, list[float]] = {name: [] for name in dirs}
        for _ in range(args.starts):
            for name, pack_dir in dirs.items():
                with PolicyPackHarness(pack_dir, python=sys.executable) as pack:
                    starts[name].append(pack.startup_seconds or 0.0)

        items = workload(args.resources)
        analyze: dict[str, list[float]] = {name: [] for name in dirs}
        packs = {name: PolicyPackHarness(pack_dir, python=sys.executable) for name, pack_dir in dirs.items()}
        try:
            for pack in packs.values():
                pack.start()
                pack.configure()
            reqs = requests(packs["plangate"], items)  # the same URNs for both packs
            for pack in packs.values():
                timed(pack.analyze_request, reqs[:WARM_UP])
            for at in range(0, len(reqs), BLOCK):
                for name, pack in packs.items():
                    analyze[name] += timed(pack.analyze_request, reqs[at:at + BLOCK])
        finally:
            for pack in packs.values():
                pack.close()

    start_p, start_m = statistics.median(starts["plangate"]), statistics.median(starts["minimal"])
    (med_p, p99_p), (med_m, p99_m) = summary(analyze["plangate"]), summary(analyze["minimal"])
    print(f"policy pack benchmark: {len(items)} Analyze requests, {args.starts} starts each, "
          f"{len(RULES)} policies per pack, Python {sys.version.split()[0]}")
    print(f"  {'':26}{'plangate':>12}{'minimal pack':>14}{'ratio':>9}")
    print(f"  {'start to port, median s':26}{start_p:12.3f}{start_m:14.3f}{start_p / start_m:8.2f}x")
    print(f"  {'Analyze, median ms':26}{med_p * 1e3:12.3f}{med_m * 1e3:14.3f}{med_p / med_m:8.2f}x")
    print(f"  {'Analyze, p99 ms':26}{p99_p * 1e3:12.3f}{p99_m * 1e3:14.3f}{p99_p / p99_m:8.2f}x")
    print("  (minimal pack: the same number of do-nothing ResourceValidationPolicy objects on pulumi-policy)")


if __name__ == "__main__":
    main()
