"""plangate's HCL scan against tfparse's own evaluation and against ``terraform plan``, on
the same root modules, in one run.

For each root of ../shared/corpus/hcl-real/ (real public roots, SOURCES.md) and of
tests/fixtures/hcl_plan/ (or each ``--tree`` given): the median of ``--runs`` of
``plangate.loaders.hcl.load_tree`` (the HCL path of ``plangate scan``), of
``tfparse.load_from_path`` alone on the same root, and one ``terraform init`` + ``plan`` +
``show -json`` offline (tests/loaders/terraform_oracle.py; skipped when the CLI or the
provider mirror is absent).  Prints, per tree with its size (files, bytes): plangate ÷ tfparse
(target ≤ 1.3×; ``pre/tfp``: the source checks that run before tfparse — parsing every file, the
roots, the limits, what Terraform rejects — plus tfparse, ÷ tfparse: the rest of plangate's time is
the corrections of ``hcl/evaluate.py``) and terraform ÷ plangate (target ≥ 10×).

    .venv/bin/python benchmarks/hcl_parse.py [--tree DIR ...] [--runs 3] [--no-terraform]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "loaders"))
import terraform_oracle  # noqa: E402

from plangate.loaders.hcl import blocks, is_config_file, limits, load_tree, roots, split, syntax  # noqa: E402

REAL = ROOT.parent / "shared" / "corpus" / "hcl-real"


def trees() -> list[Path]:
    real = [p.parent / p.name.removesuffix(".plan.json").replace("__", "/") for p in sorted(REAL.glob("*/*.plan.json"))]
    return [*real, *(r for case in terraform_oracle.cases() for r in terraform_oracle.roots(case))]


def median_seconds(fns: list[Callable[[], object]], runs: int) -> list[float]:
    """The median wall time of each of ``fns``, run in turn ``runs`` times: on a shared machine
    both sides then see the same load (run one after the other, a burst of load skews one side)."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for fn, spent in zip(fns, times):
            start = time.perf_counter()
            fn()
            spent.append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def source_checks(tree: Path) -> None:
    """What the scan does before tfparse is asked: parse every file, split the roots, check the limits and
    what Terraform rejects (`load_tree`'s first half, with a fresh parse memo)."""
    declared: dict = {}
    for root in split([tree], declared)[0]:
        limits.check(root, declared)
        limits.rejected(root, declared)


def config_files(tree: Path) -> list[Path]:
    """The configuration files the scan reads: those of each root folder and of the local module folders its
    roots call (``../modules/x`` outside the tree included)."""
    folders = {Path(folder).resolve() for root in roots([tree]) for folder, _ in limits.module_folders(root, {})}
    return sorted(p for folder in folders for p in folder.iterdir() if p.is_file() and is_config_file(p.name))


def parse_seconds(files: list[Path], runs: int) -> tuple[float, float, int]:
    """(plangate's parser, python-hcl2's parse to its dict, bytes) on the ``.tf`` files given: why `syntax` is ours."""
    import hcl2

    texts = [p.read_text(encoding="utf-8") for p in files if p.name.endswith(".tf")]
    ours, theirs = median_seconds([lambda: [syntax.parse(t) for t in texts], lambda: [hcl2.loads(t) for t in texts]],
                                  runs)
    return ours, theirs, sum(len(t.encode()) for t in texts)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tree", action="append", type=Path, help="a root module (default: the corpora)")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--no-terraform", action="store_true")
    args = p.parse_args(argv)
    import tfparse

    no_terraform = args.no_terraform or terraform_oracle.unavailable()
    print(f"{'tree':60} {'files':>5} {'bytes':>8} {'plangate':>9} {'tfparse':>8} {'pg/tfp':>7} {'pre/tfp':>7} "
          f"{'terraform':>9} {'tf/pg':>6}")
    ratios: list[tuple[float, float, float, float]] = []  # plangate, tfparse, terraform, source checks seconds
    parsed: set[Path] = set()
    for tree in [t.resolve() for t in args.tree] if args.tree else trees():
        found = roots([tree])
        # tfparse called as plangate calls it (run.evaluate): the same roots, options and variable files
        ours, theirs, checks = median_seconds([lambda t=tree: load_tree([t]), lambda r=found: [tfparse.load_from_path(
            str(x), stop_on_hcl_error=True, allow_downloads=False, vars_paths=blocks.tfvars_files(x)) for x in r],
            lambda t=tree: source_checks(t)], args.runs)
        if no_terraform:
            plan = float("nan")
        else:
            # a root is copied with its repository or fixture case: its modules are reached through ../
            home = next((h for h in (REAL, terraform_oracle.FIXTURES) if tree.is_relative_to(h)), None)
            case = home / tree.relative_to(home).parts[0] if home is not None else tree
            start = time.perf_counter()
            try:
                terraform_oracle.plan(case, tree)
                plan = time.perf_counter() - start
            except RuntimeError as exc:  # e.g. a root whose data source needs the STS stand-in
                print(f"  terraform: {str(exc).splitlines()[0][:100]}", file=sys.stderr)
                plan = float("nan")
        read = config_files(tree)
        parsed.update(read)
        files, nbytes = len(read), sum(p.stat().st_size for p in read)
        name = str(tree.relative_to(REAL) if tree.is_relative_to(REAL) else tree.relative_to(ROOT))
        print(f"{name[-60:]:60} {files:5} {nbytes:8} {ours:8.3f}s {theirs:7.3f}s {ours / theirs:6.2f}x "
              f"{(checks + theirs) / theirs:6.2f}x {plan:8.2f}s {plan / ours:5.1f}x", flush=True)
        ratios.append((ours, theirs, plan, checks))
    pg_tfp = statistics.median(o / t for o, t, *_ in ratios)
    total = sum(o for o, *_ in ratios) / sum(t for _, t, *_ in ratios)
    pre = statistics.median((c + t) / t for _, t, _, c in ratios)
    planned = [p / o for o, _, p, _ in ratios if p == p]  # nan: not planned
    print(f"\n{len(ratios)} trees: plangate / tfparse median {pg_tfp:.2f}x (total time {total:.2f}x; the source "
          f"checks before tfparse alone, plus tfparse: {pre:.2f}x); "
          + (f"terraform / plangate median {statistics.median(planned):.0f}x" if planned else "terraform not run"))
    ours, hcl2, nbytes = parse_seconds(sorted(parsed), args.runs)
    print(f"parsing their {nbytes / 1e6:.2f} MB of .tf files: plangate's parser {nbytes / 1e6 / ours:.2f} MB/s, "
          f"python-hcl2 {nbytes / 1e6 / hcl2:.2f} MB/s ({hcl2 / ours:.0f}x slower)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
