"""Time `plangate scan` on a 10,000-resource plan built from real corpus plans.

Prints wall time (median of runs, process start to exit), resources per second, peak RSS,
and `plangate --version` start-up.  Targets: scan under 1 s and 300 MB; --version under 0.2 s.

    .venv/bin/python benchmarks/scan_large_plan.py [--resources 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plan_builder import write_plan  # noqa: E402
from processes import installed_env  # noqa: E402

PLANGATE = str(Path(sys.executable).with_name("plangate"))


def run(cmd: list[str]) -> tuple[float, int, float]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=installed_env())
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({code}): {err.strip()}")
    return wall, code, usage.ru_maxrss / 1024  # ru_maxrss is KiB on Linux


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--resources", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plan = write_plan(args.resources, Path(tmp) / "plan.json")
        size = plan.stat().st_size
        scans = [run([PLANGATE, "scan", str(plan), "--format", "json", "-o", str(Path(tmp) / "r.json")])
                 for _ in range(args.runs)]
        versions = [run([PLANGATE, "--version"]) for _ in range(args.runs)]
    wall = statistics.median(s[0] for s in scans)
    rss = max(s[2] for s in scans)
    print(f"plan: {args.resources:,} resources, {size / 1e6:.1f} MB (built from real corpus plans)")
    print(f"plangate scan: median {wall:.3f} s over {args.runs} runs "
          f"(min {min(s[0] for s in scans):.3f}, max {max(s[0] for s in scans):.3f}); "
          f"{args.resources / wall:,.0f} resources/s; peak RSS {rss:.0f} MiB "
          f"[targets: < 1 s, < 300 MB]")
    print(f"plangate --version: median {statistics.median(v[0] for v in versions):.3f} s "
          f"[target: < 0.2 s]")


if __name__ == "__main__":
    main()
