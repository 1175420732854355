"""Plan findings on their source line: each plan resource's location moved from the plan JSON
(often one line, often not committed) to the ``.tf`` file and line of its resource block.

The plan names no folder, so the root module is found by what it declares: the first folder
(the plan's own, then folders its name spells — ``example__beta.plan.json`` → ``example/beta``,
``two_roots.batch.plan.json`` → ``two_roots/batch`` — then the folders below the plan's and
below the repository root) whose blocks hold every root-level resource and module call of the
plan (or, failing one, the folder that holds most of them).  Module calls are followed through
the ``source`` of each ``module`` block while it is a local path inside the repository root, and
into the folder ``terraform init`` downloaded a registry or git module to (the root's
``.terraform/modules``, as the HCL scan reads it: `plangate.loaders.hcl.blocks.called_folder`).
The configuration files are read by the HCL loader's parser (`plangate.loaders.hcl.blocks`:
the source blocks and lines the HCL path uses, without the evaluator), so a plain scan stays
light.  A resource
whose block cannot be found keeps the plan's location, and the plan's notes say so (see
`to_source`).  Pulumi previews keep theirs: they name no source line.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator
from pathlib import Path

from plangate.errors import PlangateError
from plangate.loaders.source import SKIP_DIRS
from plangate.model import Load, Location, Resource

#: How many folders the search for a plan's root module reads at most.
MAX_FOLDERS = 400
_KEY = r'\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\]'
_MODULE = re.compile(rf"module\.([A-Za-z_][A-Za-z0-9_-]*)(?:{_KEY})?\.")
_INSTANCE = re.compile(rf"{_KEY}$")
_PLAN_SUFFIXES = (".json", ".plan", ".tfplan")


def repo_root_of(path: Path) -> Path:
    """The git top level of ``path``'s folder (the nearest one holding ``.git``), else the folder."""
    folder = path.parent.resolve() if not path.is_dir() else path.resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


def split_address(address: str) -> tuple[list[str], str] | None:
    """``module.a[0].module.b.aws_x.y["k"]`` → (["a", "b"], "aws_x.y"); None for data sources."""
    modules = []
    rest = address
    while (m := _MODULE.match(rest)) is not None:
        modules.append(m.group(1))
        rest = rest[m.end():]
    if rest.startswith("data."):
        return None
    return modules, _INSTANCE.sub("", rest)


class _Tree:
    """The folders of one repository as the HCL reader reads them, each read once."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        self._read: dict[Path, tuple[dict[str, Location], dict[str, dict]] | None] = {}
        self._manifests: dict = {}  # the module manifests read, `called_folder`'s memo

    def blocks(self, folder: Path) -> tuple[dict[str, Location], dict[str, dict]] | None:
        """(resource address → block location, module name → its block's body) of ``folder``;
        None when it holds no readable configuration."""
        key = folder.resolve()
        if key not in self._read:
            self._read[key] = self._parse(folder)
        return self._read[key]

    @staticmethod
    def _parse(folder: Path) -> tuple[dict[str, Location], dict[str, dict]] | None:
        from plangate.loaders.hcl import is_config_file
        from plangate.loaders.hcl.blocks import declared_blocks

        try:
            if not folder.is_dir() or not any(is_config_file(n) for n in os.listdir(folder)):
                return None
            blocks = declared_blocks(folder)
        except (PlangateError, OSError):  # a file the parser cannot read: no lines from it
            return None
        lines = {f"{b.labels[0]}.{b.labels[1]}": b.location
                 for b in blocks if b.kind == "resource" and len(b.labels) == 2}
        return lines, {b.labels[0]: b.body for b in blocks if b.kind == "module" and b.labels}

    def inside(self, folder: Path) -> bool:
        return folder.resolve().is_relative_to(self.root)

    def module_folder(self, root: Path, chain: list[str]) -> Path | None:
        """The folder of the module ``chain`` called from the root module ``root``."""
        from plangate.loaders.hcl.blocks import called_folder, local_source

        folder = root
        for name in chain:
            found = self.blocks(folder)
            body = found[1].get(name) if found else None
            try:
                called = called_folder(root, folder, name, body, self._manifests) if body is not None else None
            except PlangateError:  # a module manifest it cannot read: no lines from it
                called = None
            if called is None or not self.inside(Path(called)):
                return None  # a registry or git module not downloaded: its source is not in this repository
            source = local_source(body)  # a local path as written, relative like the root's
            folder = Path(os.path.normpath(folder / source)) if source is not None else Path(called)
        return folder


def _candidates(plan: Path, tree: _Tree) -> Iterator[Path]:
    here = plan.parent
    yield here
    stem = plan.name
    while stem.endswith(_PLAN_SUFFIXES):
        stem = stem[: stem.rindex(".")]
    for separator in ("__", "."):
        if separator in stem:
            yield here.joinpath(*stem.split(separator))
    yield here / stem
    for top in (here, tree.root):
        yield from _below(top)


def _below(top: Path) -> Iterator[Path]:
    """Folders under ``top``, breadth first, in name order."""
    queue = [top]
    while queue:
        folder = queue.pop(0)
        try:
            names = sorted(e.name for e in os.scandir(folder) if e.is_dir() and e.name not in SKIP_DIRS)
        except OSError:
            continue
        children = [folder / n for n in names]
        yield from children
        queue.extend(children)


def _root_module(plan: Path, resources: list[Resource], tree: _Tree) -> Path | None:
    """The folder whose blocks declare every root-level resource and module the plan has."""
    wanted_resources, wanted_modules = set(), set()
    for res in resources:
        parts = split_address(res.address)
        if parts is None:
            continue
        if parts[0]:
            wanted_modules.add(parts[0][0])
        else:
            wanted_resources.add(parts[1])
    wanted = len(wanted_resources) + len(wanted_modules)
    seen: set[Path] = set()
    best, best_score = None, 0.5  # a folder with a block gone since the plan still beats none
    for folder in _candidates(plan, tree):
        key = folder.resolve() if folder.exists() else folder
        if key in seen or not tree.inside(folder):
            continue
        seen.add(key)
        if len(seen) > MAX_FOLDERS:
            break
        found = tree.blocks(folder)
        if not found:
            continue
        score = (len(wanted_resources & found[0].keys()) + len(wanted_modules & found[1].keys())) / max(wanted, 1)
        if score == 1:
            return folder
        if score > best_score:
            best, best_score = folder, score
    return best


def to_source(load: Load, repo_root: Path | None = None) -> Load:
    """``load`` with every plan resource located on its ``.tf`` block when one is found.
    Resources already on a ``.tf`` file (a plan inside its root, `plangate.loaders`) are left
    as they are.  What stays on the plan is said in the plan's `Root` notes, and, when the root
    module was found but some blocks were not, or ``repo_root`` was given (a surprise either way),
    in a load note the CLI prints; a plan that came without its sources stays quiet on stderr."""
    by_plan: dict[str, list[Resource]] = {}
    for res in load.resources:
        if res.source_format == "tfplan" and res.location and not res.location.file.endswith((".tf", ".tf.json")):
            by_plan.setdefault(res.location.file, []).append(res)
    loud, quiet = [], {}
    for file, resources in by_plan.items():
        plan = Path(file)
        tree = _Tree(repo_root or repo_root_of(plan))
        root = _root_module(plan, resources, tree)
        missed = [r for r in resources if root is None or not _locate(r, root, tree)]
        if not missed:
            quiet[file] = f"findings point at the .tf blocks of root module {root}"
            continue
        where = f"no folder under {tree.root} declares its root module" if root is None else f"root module {root}"
        quiet[file] = note = (f"{len(missed)} of {len(resources)} resources keep the plan's location, their "
                              f"resource block was not found ({where}), e.g. {missed[0].address}")
        if root is not None or repo_root is not None:  # asked for, or partly found: worth a line
            loud.append(f"{file}: {note}")
    load.roots = tuple(dataclasses.replace(r, notes=(*r.notes, quiet[r.path])) if r.path in quiet else r
                       for r in load.roots)
    load.notes = (*load.notes, *loud)
    return load


def _locate(res: Resource, root: Path, tree: _Tree) -> bool:
    parts = split_address(res.address)
    if parts is None:
        return False
    folder = tree.module_folder(root, parts[0])
    found = tree.blocks(folder) if folder is not None else None
    where = found[0].get(parts[1]) if found else None
    if where is None:
        return False
    res.location = Location(where.file, where.line)
    return True
