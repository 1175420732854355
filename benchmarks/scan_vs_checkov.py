"""`plangate scan` against Checkov with plangate's checks, on the same inputs, in one run.
Target: plangate at least 50× faster on both.

    .venv/bin/python benchmarks/scan_vs_checkov.py [--resources 10000] [--stacks 40]
                                                   [--runs 3] [--checkov-runs 1]

Inputs: the 10,000-resource plan built from real corpus plans (`plan_builder.build_plan`,
plus the ``planned_values`` Checkov reads), and the largest multi-module Terraform tree we can
assemble from our fixtures (`checkov_inputs.hcl_tree`; the corpus holds no real third-party
tree).  Checkov runs twice per input: as CI runs it (its built-in checks and ours), and with
``--check`` limited to ours (parsing and graph building, which dominate, remain).  Wall times
are process start to exit (medians); plangate runs from `.venv`, Checkov from `.venv-checkov`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from checkov_inputs import (  # noqa: E402
    CHECKOV, PLANGATE, checkov_command, checkov_plan, hcl_tree, median_time, require,
)

OURS_ONLY = ["--check", "CKV_PG_*,CKV_K8S_PG_*"]


def _hcl_loader_present() -> bool:
    return (Path(__file__).resolve().parents[1] / "plangate" / "loaders" / "hcl.py").exists()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--resources", type=int, default=10_000)
    ap.add_argument("--stacks", type=int, default=40, help="root modules in the HCL tree")
    ap.add_argument("--runs", type=int, default=3, help="plangate runs (median)")
    ap.add_argument("--checkov-runs", type=int, default=1, help="Checkov runs (median)")
    args = ap.parse_args()
    require(CHECKOV, "run `make .venv-checkov/.installed`")
    require(PLANGATE, "run `make .venv/.installed`")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        plan = checkov_plan(args.resources, work / "plan.json")
        tree = hcl_tree(work / "tree", args.stacks)
        cases = [(f"{args.resources:,}-resource plan", [str(plan)],
                  ["-f", str(plan), "--framework", "terraform_plan"])]
        if _hcl_loader_present():
            cases.append((f"HCL tree, {args.stacks} stacks", [str(tree)],
                          ["-d", str(tree), "--framework", "terraform"]))
        else:
            print("HCL tree: skipped, plangate's HCL loader (plangate/loaders/hcl.py) is absent")
        for name, scan_args, checkov_args in cases:
            scan = median_time([str(PLANGATE), "scan", *scan_args, "--format", "json",
                                "--output", str(work / "scan.json")], work, args.runs)
            full = median_time(checkov_command(checkov_args, ours=True), work,
                               args.checkov_runs)
            ours = median_time(checkov_command([*checkov_args, *OURS_ONLY], ours=True), work,
                               args.checkov_runs)
            print(f"{name}:")
            print(f"  plangate scan                      {scan:8.2f}s")
            print(f"  checkov, built-ins + ours          {full:8.2f}s  ratio {full / scan:6.1f}x")
            print(f"  checkov, --check ours only         {ours:8.2f}s  ratio {ours / scan:6.1f}x"
                  f"{'' if ours / scan >= 50 else '  (under the 50x target)'}")


if __name__ == "__main__":
    main()
