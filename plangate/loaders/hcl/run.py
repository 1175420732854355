"""tfparse's evaluation of the root modules of one scan, side by side when that pays.

Each root is one ``tfparse.load_from_path``.  Two roots or more whose configuration weighs
`WORTH_PROCESSES` bytes or more run in a standard `concurrent.futures.ProcessPoolExecutor` (one
process a core, at most one a root), created and shut down within the call.  Its processes start
with Go's collector set to ``GOGC=off`` and ``GOMEMLIMIT=512MiB`` (unless the user's environment
sets either: theirs win): tfparse's Go runtime reads them only when its process starts, and at Go's
default its collector takes a large share of the CPU on module-heavy trees (terraform-aws-lambda's
``examples/build-package``: 1.53 s wall / 2.1 s CPU at Go's default, 1.21 s / 1.3 s with these).
Smaller trees run in this process: starting processes (about 50 ms) costs more than it saves there.
``PLANGATE_HCL_WORKERS=N`` forces N processes for two roots or more (0: this process).
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from plangate.errors import InputError
from plangate.loaders.source import decode, read_bytes

#: The variable that forces the process count (0: evaluate in this process).
WORKERS = "PLANGATE_HCL_WORKERS"
#: Below this much configuration (bytes; a local module's folder counted once per call) the
#: roots run in this process.  Measured: terraform-aws-apigateway-v2 (0.24 MB by this count)
#: is 0.05 s slower in processes; terraform-aws-lambda (4.6 MB) 1.8x faster.
WORTH_PROCESSES = 1_000_000
GO_SETTINGS = {"GOGC": "off", "GOMEMLIMIT": "512MiB"}


# tfparse's first diagnostic: "…: main.tf:2,10-3,1: Invalid expression; Expected …, and 1 other diagnostic(s)"
_DIAGNOSTIC = re.compile(r"([^\s:]+\.tf(?:vars)?):(\d+),(\d+)[-\d,]*: ([^;]+); (.*?)(?:, and \d+ other diagnostic.*)?$")


class Refused(Exception):
    """tfparse refused a root module; the reason is its first line."""


def check_syntax(folder: Path, evaluation: dict[str, Any] | Refused) -> None:
    """Raise `InputError` (file, line, column) when tfparse refused ``folder`` over the syntax of
    an HCL file Terraform reads: our parser checks blocks, brackets and strings, and leaves the
    rest of an expression's syntax (an operator without operand, …) to tfparse."""
    found = _DIAGNOSTIC.search(str(evaluation)) if isinstance(evaluation, Refused) else None
    if found is not None and not found[1].rsplit("/", 1)[-1].startswith((".", "#")):  # files Terraform skips
        file, line, column, summary, detail = found.groups()
        raise InputError(str(Path(folder) / file), f"invalid HCL: {summary}: {detail}", int(line), int(column))


def evaluate(root: Path | str, vars_paths: list[str]) -> dict[str, Any] | Refused:
    """tfparse's raw evaluation of the root module at ``root``, or why it refused it."""
    import tfparse

    # terraform.workspace as Terraform takes it here: TF_WORKSPACE, else what `terraform workspace select` recorded
    file = Path(root, os.environ.get("TF_DATA_DIR") or ".terraform", "environment")
    name = os.environ.get("TF_WORKSPACE") or (decode(read_bytes(file), str(file)) if file.is_file() else "")
    try:
        data = tfparse.load_from_path(str(root), stop_on_hcl_error=True, allow_downloads=False, vars_paths=vars_paths,
                                      workspace_name=name.strip() or "default")
    except tfparse.ParseError as exc:
        lines = str(exc).strip().splitlines()
        return Refused(f"tfparse refused it: {lines[0][:300] if lines else '(no message)'}")
    except RecursionError:
        return Refused("tfparse output is nested too deeply")
    return data if isinstance(data, dict) else Refused("tfparse returned no configuration")


def processes(roots: int, weight: int) -> int:
    """How many processes evaluate ``roots`` root modules of ``weight`` bytes (0: this one)."""
    if roots < 2:
        return 0
    if (raw := os.environ.get(WORKERS, "").strip()).isdigit():
        return min(int(raw), roots)
    # the cores this process may use (macOS and Windows have no affinity: all of them)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return min(cores, roots) if cores > 1 and weight >= WORTH_PROCESSES else 0


def evaluations(requests: Sequence[tuple[Path, list[str]]], weight: int) -> list[dict[str, Any] | Refused]:
    """tfparse's evaluation (or refusal) of each ``(root, vars_paths)``, in order."""
    if not (count := processes(len(requests), weight)):
        return [evaluate(root, paths) for root, paths in requests]
    # "spawn": a fork would copy a Go runtime that may already run in this process; the new
    # processes read Go's settings from the environment they start with (all start within the block)
    unset = {k: v for k, v in GO_SETTINGS.items() if k not in os.environ}
    os.environ.update(unset)
    try:
        with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("spawn")) as pool:
            return list(pool.map(evaluate, [str(root) for root, _ in requests], [paths for _, paths in requests]))
    finally:
        for k in unset:
            os.environ.pop(k, None)
