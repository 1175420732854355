"""Time the Pulumi policy pack as the CLI runs it: start-up, and Analyze per resource.

- start: process start to port printed (``python -u -m pulumi.policy <engine> policypack``),
  median of several starts; target under 1.0 s.
- Analyze: one gRPC ``Analyze`` per resource over a few thousand resources (every rule
  example in Pulumi form, plus tagged / untagged Lambda, S3 and SageMaker resources with
  unknown and secret values), sent one after another from this process (a separate client
  process, as the engine is), median and p99 of the round trip; target median under 0.5 ms.
  Printed beside it: the CPU this client's thread spends per call (grpc's Python client;
  the engine's Go client costs less), the transport floor (``GetPluginInfo``, an empty RPC
  on the same channel), the same two round trips with the pack on pulumi-policy's own
  ``grpc.server`` (``PLANGATE_PACK_SERVER=grpc``, see plangate.pack_server), and the handler
  alone, in-process, for plangate's handler and for pulumi-policy's own per-policy loop
  (what the pack would cost without the request handler, see plangate.pulumi_pack).
- The same Analyze and floor round trips from a native client
  (``policypack_native_client.cc``, grpc C++, standing in for the engine's Go client), on
  both servers, when ``g++`` and grpc++ (Debian: ``libgrpc++-dev``) are installed; skipped
  with a note otherwise.

Latency on a small VM moves by a third from one minute to the next, so the two servers run
side by side (one pack process each) and take turns, a block of requests at a time; only
figures from the same run compare.  No assertions: figures and the comparison with the
targets are printed.

    .venv/bin/python benchmarks/policypack_bench.py [--starts 7] [--resources 3000]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google.protobuf import empty_pb2

from plangate.testing import UNKNOWN, PolicyPackHarness, secret, to_pulumi, to_struct

ROOT = Path(__file__).resolve().parents[1]
PACK = ROOT / "policypack"
START_TARGET_S = 1.0
ANALYZE_TARGET_MS = 0.5
_EMPTY = empty_pb2.Empty()

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


def timed(call: Callable[[Any], Any], args: Sequence[Any], cpu: list[float] | None = None,
          warm_up: int = 200) -> list[float]:
    """Wall time of each call, after ``warm_up`` untimed calls; with ``cpu``, also this
    thread's CPU time per call (read outside the wall-clock window)."""
    for arg in args[:warm_up]:  # caches, lazy imports, connection
        call(arg)
    out = []
    for arg in args:
        cpu_began = time.thread_time()
        began = time.perf_counter()
        call(arg)
        out.append(time.perf_counter() - began)
        if cpu is not None:
            cpu.append(time.thread_time() - cpu_began)
    return out


SERVERS = ("loop", "grpc")  # plangate.pack_server.LoopServer; pulumi-policy's own grpc.server
BLOCK = 100  # requests per turn: the servers take turns, so a slow minute of the VM hits both


@dataclass
class Samples:
    """Per-call seconds, for one server."""

    analyze: list[float] = field(default_factory=list)
    client_cpu: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    native_analyze: list[float] = field(default_factory=list)
    native_floor: list[float] = field(default_factory=list)


def round_trips(items: Sequence[tuple[str, dict[str, Any]]], native: Path | None
                ) -> tuple[dict[str, Samples], list[Any]]:
    """Both servers' samples, and the requests.  One pack per server, started together; the
    requests go in blocks of `BLOCK`, each block to every server in turn: ``Analyze`` then
    ``GetPluginInfo`` from this process, then both from the native client if ``native``."""
    from plangate.pack_server import SERVER_ENV

    samples = {server: Samples() for server in SERVERS}
    with contextlib.ExitStack() as stack:
        packs = {server: stack.enter_context(PolicyPackHarness(PACK, python=sys.executable, env={SERVER_ENV: server}))
                 for server in SERVERS}
        reqs: list[Any] = []
        for pack in packs.values():
            pack.configure()
            reqs = requests(pack, items)  # the same URNs for every pack
            timed(pack.analyze_request, reqs[:200], warm_up=0)
            timed(functools.partial(_plugin_info, pack), reqs[:200], warm_up=0)
        work = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        for at in range(0, len(reqs), BLOCK):
            block = reqs[at:at + BLOCK]
            for server, pack in packs.items():
                got = samples[server]
                got.analyze += timed(pack.analyze_request, block, got.client_cpu, warm_up=0)
                got.floor += timed(functools.partial(_plugin_info, pack), block, warm_up=0)
                if native:
                    analyze, floor = native_round_trips(native, pack.port, block, work)
                    got.native_analyze += analyze
                    got.native_floor += floor
    return samples, reqs


def _plugin_info(pack: PolicyPackHarness, _: Any) -> Any:
    """The floor: ``GetPluginInfo``, an empty request, on the pack's channel."""
    return pack._stub.GetPluginInfo(_EMPTY)


NATIVE_SOURCE = Path(__file__).with_name("policypack_native_client.cc")


def build_native_client(into: Path) -> tuple[Path | None, str]:
    """The native client built into ``into``, or None and why not."""
    if not shutil.which("g++") or not shutil.which("pkg-config"):
        return None, "needs g++ and pkg-config"
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "grpc++"], capture_output=True, text=True)
    if flags.returncode:
        return None, "needs grpc++ (Debian: apt-get install libgrpc++-dev)"
    binary = into / "policypack_native_client"
    built = subprocess.run(["g++", "-O2", "-std=c++17", str(NATIVE_SOURCE), "-o", str(binary), *flags.stdout.split()],
                           capture_output=True, text=True)
    if built.returncode:
        return None, f"build failed: {built.stderr.strip().splitlines()[-1:]}"
    return binary, ""


def native_round_trips(client: Path, port: int | None, reqs: Sequence[Any], work: Path
                       ) -> tuple[list[float], list[float]]:
    """Seconds per ``Analyze`` and per ``GetPluginInfo`` from the native client, after 50
    untimed calls of each (a new process, a new connection)."""
    batch = work / "requests.bin"
    batch.write_bytes(b"".join(struct.pack("<I", len(body)) + body for body in (r.SerializeToString() for r in reqs)))
    out = subprocess.run([str(client), f"127.0.0.1:{port}", str(batch), "50"], capture_output=True, text=True,
                         check=True)
    analyze: list[float] = []
    floor: list[float] = []
    for line in out.stdout.splitlines():
        method, ms = line.split()
        (analyze if method.endswith("/Analyze") else floor).append(float(ms) / 1e3)
    return analyze, floor


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
    with tempfile.TemporaryDirectory() as build:
        native, why_not = build_native_client(Path(build))
        samples, reqs = round_trips(items, native)
    ours, theirs = in_process_handlers(reqs)
    handler, sdk_loop = summary(ours), summary(theirs)
    loop, sdk_server = samples["loop"], samples["grpc"]
    analyze = summary(loop.analyze)

    def verdict(value: float, target: float) -> str:
        return "meets" if value < target else "MISSES"

    def figures(values: Sequence[float]) -> str:
        median, p99 = summary(values)
        return f"median {median:.3f} ms  p99 {p99:.3f} ms"

    print(f"policy pack benchmark ({len(items)} resources, {args.starts} starts, Python {sys.version.split()[0]})")
    print(f"  start to port       median {start:.3f} s  (min {min(starts):.3f}, max {max(starts):.3f})"
          f"   target < {START_TARGET_S} s: {verdict(start, START_TARGET_S)}")
    print(f"  Analyze over gRPC   {figures(loop.analyze)}"
          f"   target median < {ANALYZE_TARGET_MS} ms: {verdict(analyze[0], ANALYZE_TARGET_MS)}")
    print(f"    of which this client's CPU (grpc Python client)  {figures(loop.client_cpu)}")
    print(f"  gRPC floor (empty GetPluginInfo)  {figures(loop.floor)}")
    print(f"  on pulumi-policy's grpc.server, same run: Analyze {figures(sdk_server.analyze)},"
          f"  floor median {summary(sdk_server.floor)[0]:.3f} ms")
    if native:
        native_analyze = summary(loop.native_analyze)[0]
        print(f"  native client (grpc C++): Analyze {figures(loop.native_analyze)},"
              f"  floor median {summary(loop.native_floor)[0]:.3f} ms"
              f"   target median < {ANALYZE_TARGET_MS} ms: {verdict(native_analyze, ANALYZE_TARGET_MS)}")
        print(f"    on pulumi-policy's grpc.server, same run: Analyze {figures(sdk_server.native_analyze)},"
              f"  floor median {summary(sdk_server.native_floor)[0]:.3f} ms")
    else:
        print(f"  native client (grpc C++): skipped, {why_not}")
    print(f"  handler in-process  median {handler[0]:.3f} ms  p99 {handler[1]:.3f} ms"
          f"   target median < {ANALYZE_TARGET_MS} ms: {verdict(handler[0], ANALYZE_TARGET_MS)}")
    print(f"  pulumi-policy's per-policy loop, same servicer  median {sdk_loop[0]:.3f} ms"
          f"  p99 {sdk_loop[1]:.3f} ms  ({sdk_loop[0] / handler[0]:.1f}x the plangate handler)")


if __name__ == "__main__":
    main()
