"""Terraform HCL (``.tf``, ``.tf.json``) → `Resource`s, converging on what ``terraform plan`` says.

One evaluator: tfparse (trivy's Go HCL evaluator) evaluates each root module, with the modules
it calls, ``count`` / ``for_each`` / ``dynamic``, locals and Terraform's functions, and writes
addresses as a plan does (`run`).  plangate adds only what tfparse lacks, from one parser of
the source (`blocks`, `syntax`): source blocks and lines, the corrections and unknowns of
`evaluate`, and the resource limits (`limits`), checked before tfparse is asked.  A root
tfparse refuses is reported as not checked (PG-GOV-002, with tfparse's reason), never read
by a second evaluator.  Scanning HCL needs tfparse (``pip install 'plangate[hcl]'``).

`roots` splits a scanned folder into root modules: a folder that a scanned folder calls as a
local module (``source = "./…"``) is evaluated through that call, with the caller's
arguments, not on its own; a folder no scanned folder calls is its own root (variable
defaults and its own tfvars).  Each root is its own stack (`Resource.stack`).

tfparse is imported lazily, inside `run`: importing plangate.engine never loads it.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from plangate.errors import InputError
from plangate.loaders.hcl.blocks import MODULE_CALL, SOURCE_FORMAT, check_vars_file, is_config_file

if TYPE_CHECKING:
    from plangate.model import Load, Resource

__all__ = ["MODULE_CALL", "SOURCE_FORMAT", "engine", "is_config_file", "load", "load_file", "load_tree", "roots"]

#: What a user without tfparse is told.
NEEDS_TFPARSE = "scanning Terraform HCL needs tfparse: pip install 'plangate[hcl]' (or scan the plan JSON)"


def load(folders: Iterable[Path]) -> Load:
    """The Terraform folders found in one scan as a `Load`: each root module with the engine
    that evaluated it, and the resources of all of them."""
    from plangate.model import Load, Root

    folders = [Path(f) for f in folders]
    resources = load_tree(folders)
    found = roots(folders, {})
    refused = {r.stack for r in resources if r.type == MODULE_CALL and r.address == _REFUSED}
    return Load(resources, roots=tuple(
        Root(str(root), "hcl", engine(), ("tfparse refused it: not checked",) if str(root) in refused else ())
        for root in found))


def load_tree(folders: Iterable[Path]) -> list[Resource]:
    """Resources of the Terraform folders found in one scan, root module by root module."""
    from plangate.loaders.hcl import evaluate, limits, run

    folders = [Path(f) for f in folders]
    if importlib.util.find_spec("tfparse") is None:
        raise InputError(str(folders[0]) if folders else "HCL", NEEDS_TFPARSE)
    declared: dict = {}
    found = roots(folders, declared)
    for root in found:
        limits.check(root, declared)  # before tfparse is asked to expand anything
    requests = [(root, evaluate.tfvars_files(root)) for root in found]
    for root, names in requests:
        for name in names:
            check_vars_file(root / name)
    weight = sum(_config_bytes(f) for f in {Path(os.path.normpath(k)) for k in declared})
    out: list[Resource] = []
    for root, evaluation in zip(found, run.evaluations(requests, weight), strict=True):
        if isinstance(evaluation, run.Refused):
            out.append(_refused(root, str(evaluation)))
        else:
            out.extend(evaluate.evaluated(root, evaluation, declared))
    return out


def load_file(path: Path) -> list[Resource]:
    """The resources one ``.tf`` file declares, evaluated as part of its folder's module (as
    Terraform reads it), with the module calls it makes."""
    path = Path(path)
    if not path.is_file():
        from plangate.loaders.source import read_bytes

        read_bytes(path)  # the reading error, worded as for every input
    mine = os.path.normpath(path.resolve())
    return [r for r in load_tree([path.parent]) if r.location is not None
            and os.path.normpath(Path(r.location.file).resolve()) == mine]


def roots(folders: list[Path], declared: dict | None = None) -> list[Path]:
    """The folders no other scanned folder calls as a local module, in the given order."""
    from plangate.loaders.hcl.evaluate import folder_blocks

    declared = {} if declared is None else declared
    called: set[str] = set()
    for folder in folders:
        for key, block in folder_blocks(folder, declared).items():
            raw = block.body.get("source") if key[0] == "module" else None
            if isinstance(raw, str) and raw[1:].startswith(("./", "../")):
                called.add(os.path.normpath(folder.resolve() / raw.strip('"')))
    return [f for f in folders if os.path.normpath(f.resolve()) not in called]


@cache
def engine() -> str:
    """The evaluator's name and version, for the report's inputs."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"tfparse {version('tfparse')}"
    except PackageNotFoundError:
        return "tfparse"


# The address of the one resource that stands for a root tfparse refused.
_REFUSED = "(root module)"


def _refused(root: Path, why: str) -> Resource:
    from plangate.model import Location, Resource

    return Resource(MODULE_CALL, _REFUSED, SOURCE_FORMAT, properties={"name": root.name, "source": str(root)},
                    location=Location(str(root)), provider="terraform", stack=str(root),
                    notes=(f"{why}: nothing in this root module was checked; fix the configuration or scan "
                           "the plan JSON",))


def _config_bytes(folder: Path) -> int:
    try:
        return sum(e.stat().st_size for e in os.scandir(folder) if is_config_file(e.name) and e.is_file())
    except OSError:
        return 0
