"""Terraform HCL (``.tf``, ``.tf.json``) → `Resource`s, converging on what ``terraform plan`` says.

One evaluator: tfparse (trivy's Go HCL evaluator) evaluates each root module, with the modules it calls, ``count`` /
``for_each`` / ``dynamic``, locals and Terraform's functions, and writes addresses as a plan does (`run`).  plangate
adds only what tfparse lacks, from one parser of the source (`blocks`, `syntax`): source blocks and lines, the
corrections and unknowns of `evaluate`, and the resource limits (`limits`), checked before tfparse is asked.  A root
tfparse refuses is reported as not checked (PG-GOV-002, with tfparse's reason), never read by a second evaluator.
Scanning HCL needs tfparse (``pip install 'plangate[hcl]'``).

tfparse is imported lazily, inside `run`: importing plangate.engine never loads it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from plangate.errors import InputError
from plangate.loaders.hcl.blocks import MODULE_CALL, SOURCE_FORMAT, folder_blocks, is_config_file, local_source
from plangate.loaders.source import read_bytes

if TYPE_CHECKING:
    from plangate.model import Load, Location, Resource

__all__ = ["MODULE_CALL", "SOURCE_FORMAT", "is_config_file", "load", "load_file", "load_tree", "roots"]

#: What a user without tfparse is told.
NEEDS_TFPARSE = "scanning Terraform HCL needs tfparse: pip install 'plangate[hcl]' (or scan the plan JSON)"


def load(folders: Iterable[Path]) -> Load:
    """The Terraform folders found in one scan as a `Load`: each root module with the engine
    that evaluated it, and the resources of all of them."""
    from plangate.model import Load, Root

    folders = [Path(f) for f in folders]
    providers, declared = [], {}  # the roots' provider configurations; the folders' blocks, parsed once for the scan
    resources = load_tree(folders, providers, declared)
    refused = {r.stack: r.notes[:1] for r in resources if r.type == MODULE_CALL and r.address == _REFUSED}
    return Load(resources, roots=tuple(Root(str(root), "hcl", evaluator_version(), refused.get(str(root), ()))
                                       for root in roots(folders, declared)), providers=tuple(providers))


def load_tree(folders: Iterable[Path], providers: list | None = None, declared: dict | None = None) -> list[Resource]:
    """Resources of the Terraform folders found in one scan, root module by root module (and their provider
    configurations, added to ``providers`` when given; ``declared``: the scan's memo, `blocks.folder_blocks`)."""
    from plangate.loaders.hcl import blocks, evaluate, limits, run

    folders = [Path(f) for f in folders]
    try:
        import tfparse  # noqa: F401  (once loaded, a dict lookup: find_spec searched sys.path every scan)
    except ImportError:
        raise InputError(str(folders[0]) if folders else "HCL", NEEDS_TFPARSE) from None
    declared = {} if declared is None else declared
    found, modules = split(folders, declared)
    out = [_refused(f, "module folder called by no scanned root: not checked", address=_UNCALLED) for f in modules]
    for root in found:
        limits.check(root, declared)  # before tfparse is asked to expand anything
    rejected = {root: limits.rejected(root, declared) for root in found}
    requests = [(root, blocks.tfvars_files(root)) for root in found if rejected[root] is None]
    files = {b.location.file for folder in declared.values() for b in folder.values()}  # one root: no processes
    weight = sum(os.path.getsize(f) for f in files) if len(requests) > 1 else 0
    evaluations = iter(run.evaluations(requests, weight))
    for root in found:
        if rejected[root] is not None:
            out.append(_rejected(root, *rejected[root]))
            continue
        evaluation = next(evaluations)
        if isinstance(evaluation, run.Refused):
            run.check_syntax(root, evaluation)
            out.append(_refused(root, str(evaluation)))
            continue
        try:
            out.extend(evaluate.evaluated(root, evaluation, declared, providers))
        except evaluate.Rejected as rejection:
            out.append(_rejected(root, *rejection.args))
    return out


def load_file(path: Path) -> list[Resource]:
    """The resources one ``.tf`` file declares, evaluated as part of its folder's module (as
    Terraform reads it), with the module calls it makes."""
    if not (path := Path(path)).is_file():
        read_bytes(path)  # the reading error, worded as for every input
    mine = os.path.abspath(path)
    return [r for r in load_tree([path.parent]) if r.location and os.path.abspath(r.location.file) == mine]


def roots(folders: list[Path], declared: dict | None = None) -> list[Path]:
    """The root modules among the scanned folders, in the given order: those no other scanned folder calls as a
    local module (``source = "./…"``: evaluated through that call, with the caller's arguments), and that are not
    shaped like a module (`split`).  Each is its own stack (`Resource.stack`): variable defaults, its own tfvars."""
    return split(folders, {} if declared is None else declared)[0]


def split(folders: list[Path], declared: dict) -> tuple[list[Path], list[Path]]:
    """(root modules, module folders no scanned root calls).  Terraform never plans the second
    on their own: below a ``modules`` folder, or with a required variable and no provider or
    backend block.  The folder the scan was named by (the one all others are inside) is a root."""
    top = os.path.commonpath([os.path.abspath(f) for f in folders]) if folders else None
    found, modules = [], []
    called = {target for folder in folders for key, block in folder_blocks(folder, declared).items()
              if key[0] == "module" and (source := local_source(block.body)) is not None
              and (target := os.path.abspath(folder / source)) != os.path.abspath(folder)}  # calling itself: a root
    for folder in (f for f in folders if os.path.abspath(f) not in called):
        path = os.path.abspath(folder)
        blocks = folder_blocks(folder, declared)
        required = any(k[0] == "variable" and "default" not in b.body for k, b in blocks.items())
        runs = any(k[0] == "provider" or (k[0] == "terraform" and "backend" in b.body) for k, b in blocks.items())
        module = path != top and ("modules" in os.path.relpath(path, top).split(os.sep)[:-1] or (required and not runs))
        (modules if module else found).append(folder)
    # every folder called by another is a cycle (Terraform refuses it): the first is still scanned, to say so
    return found or [f for f in folders[:1] if f not in modules], modules


@cache
def evaluator_version() -> str:
    """The evaluator's name and version, for the report's inputs."""
    from importlib.metadata import PackageNotFoundError, version

    with contextlib.suppress(PackageNotFoundError):
        return f"tfparse {version('tfparse')}"
    return "tfparse"


# The address of the one resource that stands for a root tfparse refused; a module folder no root calls.
_REFUSED, _UNCALLED = "(root module)", "(module folder)"


def _refused(root: Path, why: str, where: Location | None = None, address: str = _REFUSED) -> Resource:
    from plangate.model import Location, Resource

    return Resource(MODULE_CALL, address, SOURCE_FORMAT, properties={"name": root.name, "source": str(root)},
                    location=where or Location(str(root)), provider="terraform", stack=str(root),
                    notes=(why if address != _REFUSED else f"{why}: nothing in this root module was checked; fix "
                           "the configuration or scan the plan JSON",))


def _rejected(root: Path, why: str, where: Location) -> Resource:
    line = f":{where.line}" if where.line else ""
    return _refused(root, f"Terraform rejects this configuration: {where.file}{line}: {why}", where)
