"""plangate's HCL reader (`plangate.loaders.hcl_syntax`) against python-hcl2 on the same files,
and the evaluator's share of loading a tree.

Parses every ``.tf`` file below the inputs with both (text already in memory, median of
``--runs``) and prints throughput and the ratio.  Then loads each tree as ``plangate scan``
does (`plangate.loaders.load`: roots split, modules expanded by tfparse, defects corrected)
and prints how much of that time tfparse's own evaluation takes, next to the reader alone.
Inputs: the multi-module tree assembled from our fixtures (`checkov_inputs.hcl_tree`) and each
real tree given with ``--tree`` (see scan_vs_checkov.py for the ones the notes quote).

    .venv/bin/python benchmarks/hcl_parse.py [--tree DIR ...] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests" / "loaders"))
import hcl_oracle  # noqa: E402
from checkov_inputs import hcl_tree  # noqa: E402

from plangate.loaders import hcl_syntax  # noqa: E402


def seconds(parse: Callable[[str], object], texts: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        for text in texts:
            parse(text)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tree", type=Path, action="append", default=[])
    ap.add_argument("--stacks", type=int, default=40)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        inputs = [(f"tree from fixtures ({args.stacks} stacks)", hcl_tree(Path(tmp) / "tree", args.stacks))]
        inputs += [(real.name, real) for real in args.tree]
        for name, root in inputs:
            texts = [p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.tf"))]
            size = sum(len(t) for t in texts) / 1e6
            ours = seconds(hcl_syntax.parse, texts, args.runs)
            theirs = seconds(hcl_oracle.parse, texts, args.runs)
            print(f"{name}: {len(texts)} files, {size:.2f} MB")
            print(f"  hcl_syntax   {ours:7.3f} s  {size / ours:6.2f} MB/s")
            print(f"  python-hcl2  {theirs:7.3f} s  {size / theirs:6.2f} MB/s   ratio {theirs / ours:5.1f}x")
            evaluator_share(root, args.runs)


def evaluator_share(root: Path, runs: int) -> None:
    """Median time to load ``root`` with the evaluator on one thread, tfparse's part of it, the
    same load with the lanes `load` picks (`plangate.loaders.hcl.workers`; `plangate scan` also
    prestarts workers, see scan_vs_checkov.py), and the reader alone."""
    import os

    import tfparse

    from plangate.loaders import hcl, load
    from plangate.loaders.hcl import workers

    inner = tfparse.load_from_path
    spent: list[float] = []

    def timed(*args, **kwargs):
        began = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            spent[-1] += time.perf_counter() - began

    def with_env(name: str, value: str, work: Callable[[], object]) -> object:
        old = os.environ.get(name)
        os.environ[name] = value
        try:
            return work()
        finally:
            if old is None:
                del os.environ[name]
            else:
                os.environ[name] = old

    totals, shares = [], []
    tfparse.load_from_path = timed
    try:
        for _ in range(runs):
            spent.append(0.0)
            began = time.perf_counter()
            found = with_env(workers.WORKERS, "0", lambda: load(root))
            totals.append(time.perf_counter() - began)
            shares.append(spent[-1])
    finally:
        tfparse.load_from_path = inner
    folders = sorted({p.parent for pattern in ("*.tf", "*.tf.json") for p in root.rglob(pattern)})
    found_roots = hcl.roots(folders)
    kind, count = hcl.lanes(folders)
    lanes = seconds(lambda _: load(root), [""], runs)
    reader = seconds(lambda _: with_env("PLANGATE_HCL_ENGINE", "reader", lambda: load(root)), [""], runs)
    total, share = statistics.median(totals), statistics.median(shares)
    print(f"  load (evaluator, one thread)  {total:7.3f} s  {len(found)} resources; tfparse {share:7.3f} s "
          f"= {100 * share / total:4.1f}% of it")
    print(f"  load (evaluator, {count} {kind:9s}) {lanes:7.3f} s  {len(found_roots)} roots; "
          f"speed-up {total / lanes:4.2f}x over one thread")
    print(f"  load (reader)                 {reader:7.3f} s  ratio evaluator (one thread) / reader "
          f"{total / reader:5.1f}x")


if __name__ == "__main__":
    main()
