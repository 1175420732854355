"""What plangate's external checks add to a Checkov run: the same real inputs, with and
without ``--external-checks-dir hcl_checks``.  Target: under 10 % overhead.

    .venv/bin/python benchmarks/checkov_overhead.py [--runs 5] [--plan-resources 1000]

Inputs: the corpus plans the conformance test uses (one Checkov run over all of them), a plan
of ``--plan-resources`` real corpus resource changes (`plan_builder`), and a multi-module HCL
tree assembled from our fixtures.  Prints the median wall time of ``--runs`` runs each
(process start to exit, Checkov's start-up included, as CI pays it) and the overhead.  Runs
with and without alternate, so drift in the machine's speed falls on both sides; a single
Checkov run varies by about ±0.5 s here, so small inputs need several runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from checkov_inputs import (  # noqa: E402
    CHECKOV, checkov_command, checkov_plan, corpus_plans, hcl_tree, require, timed,
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--plan-resources", type=int, default=1000)
    ap.add_argument("--stacks", type=int, default=20, help="root modules in the HCL tree")
    args = ap.parse_args()
    require(CHECKOV, "run `make .venv-checkov/.installed`")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        plan = checkov_plan(args.plan_resources, work / "plan.json")
        tree = hcl_tree(work / "tree", args.stacks)
        inputs = [
            ("corpus plans", [a for f in corpus_plans() for a in ("-f", str(f))]
             + ["--framework", "terraform_plan"]),
            (f"{args.plan_resources:,}-resource plan", ["-f", str(plan), "--framework",
                                                      "terraform_plan"]),
            (f"HCL tree ({args.stacks} stacks)", ["-d", str(tree), "--framework", "terraform"]),
        ]
        print(f"Checkov {CHECKOV}, median of {args.runs} runs each")
        print(f"{'input':<28} {'without':>9} {'with ours':>10} {'overhead':>9}")
        for name, checkov_args in inputs:
            pairs = [(timed(checkov_command(checkov_args, ours=False), work)[0],
                      timed(checkov_command(checkov_args, ours=True), work)[0])
                     for _ in range(args.runs)]
            without = statistics.median(p[0] for p in pairs)
            with_ours = statistics.median(p[1] for p in pairs)
            overhead = (with_ours - without) / without * 100
            print(f"{name:<28} {without:>8.2f}s {with_ours:>9.2f}s {overhead:>8.1f}%"
                  f"{'' if overhead < 10 else '  (over the 10 % target)'}")


if __name__ == "__main__":
    main()
