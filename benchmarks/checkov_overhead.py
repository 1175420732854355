"""What plangate's external checks add to a Checkov run: the same real inputs, with and
without ``--external-checks-dir hcl_checks``.  Target: under 10 % overhead.

    .venv/bin/python benchmarks/checkov_overhead.py [--runs 5] [--plan-resources 1000]
                                                    [--tree DIR ...] [--tree-runs 3]

Inputs: the corpus plans the conformance test uses (one Checkov run over all of them), a plan
of ``--plan-resources`` real corpus resource changes (`plan_builder`), a multi-module HCL
tree assembled from our fixtures (not a real tree: small files in which nearly every resource
is in the rules' scope, so our checks' share is as large as it gets), and each real Terraform
tree given with ``--tree`` (``--tree-runs`` runs each: Checkov takes minutes on one; see
scan_vs_checkov.py for the trees the notes quote).  Prints the median wall time of ``--runs`` runs each
(process start to exit, Checkov's start-up included, as CI pays it), the median CPU time
and the overhead in CPU time: wall time on this shared machine varies by ±0.5 s from run to
run, CPU time much less.  Runs with and without alternate, so drift falls on both sides.  The
last column is the share of one profiled run (cProfile, with ours) spent importing and
running plangate's checks (Checkov's own handling of their records comes on top).
"""

from __future__ import annotations

import argparse
import pstats
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from checkov_inputs import (  # noqa: E402
    CHECKOV,
    checkov_command,
    checkov_plan,
    corpus_plans,
    cpu_timed,
    hcl_tree,
    require,
    timed,
)


def share_in_our_checks(checkov_args: list[str], work: Path) -> float:
    """Fraction of a cProfile'd Checkov run spent in hcl_checks/plangate_checks.py."""
    python = CHECKOV.with_name("python")
    profile = work / "checkov.prof"
    command = [str(python), "-m", "cProfile", "-o", str(profile), "-m", "checkov.main",
               *checkov_command(checkov_args, ours=True)[1:]]
    timed(command, work)
    stats = pstats.Stats(str(profile))
    total = max(entry[3] for entry in stats.stats.values())  # the outermost cumulative time
    ours = sum(entry[3] for (file, _, name), entry in stats.stats.items()
               if file.endswith("plangate_checks.py") and name in ("<module>", "run"))
    return ours / total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--plan-resources", type=int, default=1000)
    ap.add_argument("--stacks", type=int, default=20, help="root modules in the HCL tree")
    ap.add_argument("--tree", type=Path, action="append", default=[], help="a real Terraform tree")
    ap.add_argument("--tree-runs", type=int, default=3)
    args = ap.parse_args()
    require(CHECKOV, "run `make .venv-checkov/.installed`")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        plan = checkov_plan(args.plan_resources, work / "plan.json")
        tree = hcl_tree(work / "tree", args.stacks)
        inputs = [
            ("corpus plans", [a for f in corpus_plans() for a in ("-f", str(f))]
             + ["--framework", "terraform_plan"], args.runs),
            (f"{args.plan_resources:,}-resource plan", ["-f", str(plan), "--framework",
                                                      "terraform_plan"], args.runs),
            (f"fixture tree ({args.stacks} stacks)", ["-d", str(tree), "--framework", "terraform"],
             args.runs),
        ]
        inputs += [(real.name[-28:], ["-d", str(real), "--framework", "terraform"], args.tree_runs)
                   for real in args.tree]
        print(f"Checkov {CHECKOV}, median of {args.runs} runs each ({args.tree_runs} on real trees)")
        print(f"{'input':<28} {'wall without':>12} {'with ours':>10} {'CPU without':>12} "
              f"{'with ours':>10} {'overhead':>9} {'in our checks':>14}")
        for name, checkov_args, count in inputs:
            runs = [(cpu_timed(checkov_command(checkov_args, ours=False), work),
                     cpu_timed(checkov_command(checkov_args, ours=True), work))
                    for _ in range(count)]
            wall = [statistics.median(r[side][0] for r in runs) for side in (0, 1)]
            cpu = [statistics.median(r[side][1] for r in runs) for side in (0, 1)]
            overhead = (cpu[1] - cpu[0]) / cpu[0] * 100
            share = share_in_our_checks(checkov_args, work) * 100
            print(f"{name:<28} {wall[0]:>11.2f}s {wall[1]:>9.2f}s {cpu[0]:>11.2f}s "
                  f"{cpu[1]:>9.2f}s {overhead:>8.1f}% {share:>13.1f}%"
                  f"{'' if overhead < 10 else '  (over the 10 % target)'}")


if __name__ == "__main__":
    main()
