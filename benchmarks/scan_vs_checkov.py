"""`plangate scan` against Checkov with plangate's checks, on the same inputs, in one run.
A comparison only: the 20×-Checkov target is withdrawn (issue 20).  The HCL figures that
count are in benchmarks/hcl_parse.py: plangate ÷ tfparse and ``terraform plan`` ÷ plangate.

    .venv/bin/python benchmarks/scan_vs_checkov.py [--resources 10000] [--stacks 40]
                                                   [--tree DIR ...] [--runs 3] [--checkov-runs 1]

Inputs: the 10,000-resource plan built from real corpus plans (`plan_builder.build_plan`,
plus the ``planned_values`` Checkov reads); a multi-module tree assembled from our fixtures
(`checkov_inputs.hcl_tree`, ``--stacks`` root modules: small files, nearly every resource in
the rules' scope); and each real Terraform tree given with ``--tree``.  Real trees are other
projects' code, so none is committed (and ``../shared/corpus`` holds none); the figures in
the notes come from these, checked out at the commit named:

    git clone https://github.com/terraform-aws-modules/terraform-aws-lambda  # 23d00f7d
    git clone https://github.com/terraform-aws-modules/terraform-aws-eks     # bef29c4d

Checkov runs twice per input: as CI runs it (its built-in checks and ours), and with
``--check`` limited to ours (parsing and graph building, which dominate, remain).  Wall times
are process start to exit, CPU times the process's user + system time (tfparse's Go threads
included), both medians; on a loaded machine the CPU ratio is the steadier figure.  plangate
runs from `.venv`, Checkov from `.venv-checkov`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from checkov_inputs import (  # noqa: E402
    CHECKOV,
    PLANGATE,
    checkov_command,
    checkov_plan,
    cpu_timed,
    hcl_tree,
    require,
)

OURS_ONLY = ["--check", "CKV_PG_*,CKV_K8S_PG_*"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--resources", type=int, default=10_000)
    ap.add_argument("--stacks", type=int, default=40, help="root modules in the HCL tree")
    ap.add_argument("--tree", type=Path, action="append", default=[],
                    help="a real Terraform tree to add (repeatable)")
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
        cases.append((f"HCL tree from fixtures, {args.stacks} stacks", [str(tree)],
                      ["-d", str(tree), "--framework", "terraform"]))
        for real in args.tree:
            if not real.is_dir():
                raise SystemExit(f"--tree {real}: not a directory")
            files = list(real.rglob("*.tf"))
            size = sum(f.stat().st_size for f in files) / 1e3
            cases.append((f"real tree {real.name} ({len(files)} .tf files, {size:.0f} kB)",
                          [str(real)], ["-d", str(real), "--framework", "terraform"]))
        for name, scan_args, checkov_args in cases:
            scan = medians([str(PLANGATE), "scan", *scan_args, "--format", "json",
                            "--output", str(work / "scan.json")], work, args.runs)
            full = medians(checkov_command(checkov_args, ours=True), work, args.checkov_runs)
            ours = medians(checkov_command([*checkov_args, *OURS_ONLY], ours=True), work,
                           args.checkov_runs)
            print(f"{name}:              wall (median)   CPU (median)")
            print(f"  plangate scan                      {scan[0]:8.2f}s  {scan[1]:8.2f}s")
            for label, (wall, cpu) in (("checkov, built-ins + ours ", full), ("checkov, --check ours only", ours)):
                print(f"  {label}         {wall:8.2f}s  {cpu:8.2f}s  ratio wall {wall / scan[0]:6.1f}x, "
                      f"CPU {cpu / scan[1]:6.1f}x")


def medians(command: list[str], cwd: Path, runs: int) -> tuple[float, float]:
    """Median wall and median CPU seconds: on a shared machine the CPU time is the steadier one."""
    import statistics

    times = [cpu_timed(command, cwd) for _ in range(runs)]
    return statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)


if __name__ == "__main__":
    main()
