"""What cost estimation adds to the 10,000-resource scan.  Prints figures; asserts nothing.

The plan is the one `scan_large_plan.py` uses (benchmarks/plan_builder.py: real corpus plan
resources copied into modules).  Measured three ways, medians over --runs:

1. in process: `engine.evaluate` with the default policy vs the same policy with budget
   rules configured (a stack ceiling, a per-Project ceiling, a per-resource ceiling and an
   increase limit), on the same loaded resources: the difference is the cost model's share;
2. in process: `estimate()` alone on those resources (what the budget rules share);
3. end to end: `plangate scan` as a process with and without the budgets.

Target: the budget rules add under 0.3 s to the scan.

    .venv/bin/python benchmarks/cost_bench.py [--resources 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plan_builder import write_plan  # noqa: E402
from processes import median_time  # noqa: E402
from scan_large_plan import PLANGATE, run  # noqa: E402

BUDGETS = """rules:
  monthly-budget:
    stack: 1000
    tags:
      Project: {"*": 500}
  resource-monthly-ceiling:
    max_monthly: 100
  monthly-cost-increase:
    max_increase: 200
"""



def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--resources", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    from plangate import engine, loaders, policy
    from plangate.rules import RULES

    with tempfile.TemporaryDirectory() as tmp:
        plan = write_plan(args.resources, Path(tmp) / "plan.json")
        config = Path(tmp) / "budgets.yaml"
        config.write_text(BUDGETS)
        empty = Path(tmp) / "none.yaml"
        empty.write_text("rules: {}\n")
        resources = loaders.load(plan)
        plain, budgets = policy.load(empty, RULES), policy.load(config, RULES)

        def with_budgets() -> None:  # each evaluation is a new scan: a fresh estimate
            engine.evaluate(resources, budgets)

        base = median_time(lambda: engine.evaluate(resources, plain), args.runs)
        costed = median_time(with_budgets, args.runs)

        from plangate.cost import estimate, prices, usage

        table = prices.load()
        est_time = median_time(lambda: estimate.estimate(resources, usage.NO_USAGE, table), args.runs)
        est = estimate.estimate(resources, usage.NO_USAGE, table)

        # The increase rule with a baseline plan: loading the second plan is the loader's cost,
        # pricing and comparing it is the cost model's; both are shown.
        with_base = Path(tmp) / "baseline.yaml"
        with_base.write_text(BUDGETS + f"    baseline: {plan}\n")
        based = policy.load(with_base, RULES)
        start = time.perf_counter()
        loaders.load(plan)
        baseline_load = time.perf_counter() - start

        def with_baseline() -> None:
            engine.evaluate(resources, based)

        compared = median_time(with_baseline, args.runs)

        scans = [run([PLANGATE, "scan", str(plan), "-c", str(empty), "-f", "json", "-o", str(Path(tmp) / "a.json")])
                 for _ in range(args.runs)]
        budget_scans = [run([PLANGATE, "scan", str(plan), "-c", str(config), "-f", "json",
                             "-o", str(Path(tmp) / "b.json")]) for _ in range(args.runs)]

    counts = {s: len(est.with_status(s)) for s in ("priced", "free", "not-priced")}
    print(f"plan: {args.resources:,} resources from real corpus plans "
          f"({counts['priced']:,} priced, {counts['free']:,} free, {counts['not-priced']:,} not priced)")
    print(f"engine.evaluate in process: {base:.3f} s without budgets, {costed:.3f} s with four budget "
          f"rules: +{costed - base:.3f} s [target: < 0.3 s]")
    print(f"with a baseline plan for the increase rule: +{compared - base:.3f} s over no budgets "
          f"(estimate + compare of both plans), plus {baseline_load:.3f} s to load the baseline plan once")
    print(f"estimate() alone: {est_time:.3f} s for {args.resources:,} resources "
          f"({est_time / args.resources * 1e6:.1f} us per resource)")
    plain_wall = statistics.median(s[0] for s in scans)
    budget_wall = statistics.median(s[0] for s in budget_scans)
    print(f"plangate scan (process, median of {args.runs}): {plain_wall:.3f} s without budgets, "
          f"{budget_wall:.3f} s with: +{budget_wall - plain_wall:.3f} s "
          f"(includes importing the cost model and reading the price table)")


if __name__ == "__main__":
    main()
