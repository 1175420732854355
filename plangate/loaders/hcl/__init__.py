"""Terraform HCL (``.tf``, ``.tf.json``) → `Resource`s, converging on what ``terraform plan`` says.

Two engines, one answer shape:

- `evaluate` (the evaluator): tfparse, trivy's Go evaluator, with its known defects corrected
  (see `plangate.loaders.hcl.evaluate`): modules expanded with their callers' arguments,
  ``count`` / ``for_each`` / ``dynamic`` expanded, addresses exactly as a plan writes them.
- `reader` (the fallback, and the single-file reader): plangate's own reader, which evaluates
  only what is certain without Terraform and never expands modules.  It runs where tfparse is
  not installed or refuses a tree; `engine` says which one runs (a refused root's resources
  carry a note), and the scan report lists it with the inputs.

`load_tree` splits a scanned folder into root modules: a folder that a scanned folder calls as
a local module (``source = "./…"``) is evaluated through that call, with the caller's arguments,
not on its own; a folder no scanned folder calls is its own root (variable defaults and its
own tfvars).  Each root is its own stack (`Resource.stack`) for stack rules.

tfparse is imported lazily, inside `evaluate`: importing plangate.engine never loads it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from plangate.model import Load, Resource

# The reader's names, re-exported; imported on first use, so that starting a scan (`warm_up`)
# does not wait for the reader and the data model to load.
_FROM_READER = ("MODULE_CALL", "SOURCE_FORMAT", "UNKNOWN", "Configuration", "ModuleCall", "load_dir", "load_file",
                "module_calls", "read_dir", "read_file")


def __getattr__(name: str) -> Any:
    if name in _FROM_READER:
        from plangate.loaders.hcl import reader

        return getattr(reader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["MODULE_CALL", "SOURCE_FORMAT", "UNKNOWN", "Configuration", "ModuleCall", "load_dir", "load_file",
           "module_calls", "read_dir", "read_file", "load_tree", "roots", "lanes", "engine", "provider_region",
           "READER"]

#: The engine name of the fallback reader.
READER = "plangate HCL reader"
#: Set PLANGATE_HCL_ENGINE=reader to force the fallback (e.g. to compare the two).
_FORCE = "PLANGATE_HCL_ENGINE"
_SKIP_DIRS = {".git", ".terraform", "node_modules", ".venv", "__pycache__", ".pulumi"}


def is_config_file(name: str) -> bool:
    """Whether Terraform reads ``name`` as configuration (hidden and editor files are skipped)."""
    return name.endswith((".tf", ".tf.json")) and not name.startswith((".", "#"))


def load(folders: Iterable[Path]) -> Load:
    """The Terraform folders found in one scan as a `Load`: each root module with the engine
    that evaluated it, and the resources of all of them (each root its own stack)."""
    from plangate.model import Load, Root

    folders = [Path(f) for f in folders]
    resources = list(load_tree(folders))
    evaluator = engine()
    refused = {r.stack for r in resources if any(n.startswith(f"read by the {READER}") for n in r.notes)}
    found = roots(folders)
    return Load(resources, roots=tuple(
        Root(str(root), "hcl", f"{READER} (refused by the evaluator, see the notes)"
             if str(root) in refused else evaluator) for root in found))


def load_tree(folders: Iterable[Path]) -> Iterator[Resource]:
    """Resources of the Terraform folders found in one scan, root module by root module."""
    folders = [Path(f) for f in folders]
    declared: dict = {}
    found = roots(folders, declared)
    loaded: dict[int, list[Resource]] = {}
    for i, evaluation in _evaluations(found, declared):  # each root as soon as tfparse is done with it
        loaded[i] = _load_root(found[i], folders, declared, evaluation)
    for i in range(len(found)):
        yield from loaded[i]


def roots(folders: list[Path], declared: dict | None = None) -> list[Path]:
    """The folders no other scanned folder calls as a local module, in the given order."""
    declared = {} if declared is None else declared
    called: set[str] = set()
    for folder in folders:
        for source in _local_module_sources(folder, declared):
            called.add(os.path.normpath(folder.resolve() / source))
    return [f for f in folders if os.path.normpath(f.resolve()) not in called]


def warm_up(folders: list[Path]) -> None:
    """Prepare the evaluator for these Terraform folders ahead of need: start tfparse's worker
    processes (`workers.prestart`) when they look like two root modules or more; else load
    tfparse here, so its Go runtime initialises on a thread of its own (about 20 ms, outside
    the GIL) while the caller goes on importing."""
    if os.environ.get(_FORCE) == "reader":
        return
    if len(_likely_roots(folders)) >= 2:
        from plangate.loaders.hcl import workers

        workers.prestart()
        return
    try:
        import tfparse  # noqa: F401
    except ImportError:
        pass  # `engine` says so in the report


# A local module source, found by text alone: `source = "./…"` or `"../…"`.
_LOCAL_SOURCE_TEXT = re.compile(r'\bsource\s*=\s*"(\.\.?/[^"]*)"')


def _likely_roots(folders: list[Path]) -> list[Path]:
    """The folders no other one calls as a local module, judged from the text of their files
    (no parsing: this only decides whether to start workers early; `roots` decides the split)."""
    called: set[str] = set()
    for folder in folders:
        try:
            names = [e.name for e in os.scandir(folder) if is_config_file(e.name)]
        except OSError:
            continue
        for name in names:
            try:
                text = (folder / name).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            for source in _LOCAL_SOURCE_TEXT.findall(text):
                called.add(os.path.normpath(folder.resolve() / source))
    return [f for f in folders if os.path.normpath(f.resolve()) not in called]


def engine() -> str:
    """The engine `load_tree` uses here: the evaluator when tfparse is installed and not switched
    off, else the reader and why.  A root tfparse refuses is read by the reader too, and its
    resources say so in a note."""
    if os.environ.get(_FORCE) == "reader":
        return f"{READER} ({_FORCE}=reader)"
    import importlib.util

    if importlib.util.find_spec("tfparse") is None:
        return f"{READER} (tfparse is not installed)"
    from plangate.loaders.hcl import evaluate

    return evaluate.engine()


def provider_region(folder: Path) -> str | None:
    """The region of the default (unaliased) AWS provider of the root modules below ``folder``,
    when it is a literal or a variable's literal default and all roots agree; else None."""
    from plangate.loaders.hcl.evaluate import folder_blocks

    declared: dict = {}
    folders = sorted({p.parent for pattern in ("*.tf", "*.tf.json") for p in Path(folder).rglob(pattern)})
    found: set[str] = set()
    for root in roots(folders, declared):
        blocks = folder_blocks(root, declared)
        provider = blocks.get(("provider", "aws"))
        raw = provider.body.get("region") if provider is not None and "alias" not in provider.body else None
        if isinstance(raw, str) and raw.startswith("${var.") and raw.endswith("}"):
            variable = blocks.get(("variable", raw[6:-1]))
            raw = variable.body.get("default") if variable is not None else None
        if isinstance(raw, str) and len(raw) > 2 and raw[0] == raw[-1] == '"' and "${" not in raw:
            found.add(raw[1:-1])
    return found.pop() if len(found) == 1 else None


def _evaluations(found: list[Path], declared: dict) -> Iterable[tuple[int, object]]:
    """``(index, tfparse's evaluation or its refusal)`` of each root as it finishes; None each
    when the reader is forced."""
    if os.environ.get(_FORCE) == "reader":
        return [(i, None) for i in range(len(found))]
    from plangate.loaders.hcl import evaluate, workers

    requests = [(root, evaluate.tfvars_files(root)) for root in found]
    return workers.evaluations(requests, weight=lambda root: _weight(root, declared))


def lanes(folders: Iterable[Path]) -> tuple[str, int]:
    """How `load_tree` evaluates these folders' root modules now: ``("threads" | "processes",
    count)`` (see `plangate.loaders.hcl.workers.lanes`)."""
    from plangate.loaders.hcl import workers

    declared: dict = {}
    found = roots([Path(f) for f in folders], declared)
    return workers.lanes(len(found), sum(_weight(r, declared) for r in found))


def _weight(root: Path, declared: dict) -> int:
    """A root's rough evaluation cost, to start heavy roots first: the bytes of its own
    configuration and of each local module call's folder (tfparse evaluates a module per call)."""
    size = _config_bytes(root)
    for source in _local_module_sources(root, declared):
        size += _config_bytes(root.resolve() / source)
    return size


def _config_bytes(folder: Path) -> int:
    try:
        return sum(e.stat().st_size for e in os.scandir(folder) if is_config_file(e.name) and e.is_file())
    except OSError:
        return 0


def _load_root(root: Path, folders: list[Path], declared: dict, evaluation: object) -> list[Resource]:
    from plangate.loaders.hcl import evaluate, tfparse_run

    note = ""
    if isinstance(evaluation, dict):
        return evaluate.evaluated(root, evaluation, declared)
    if isinstance(evaluation, tfparse_run.Refused) and "not installed" not in str(evaluation):
        note = f"read by the {READER}, not evaluated: {evaluation}"
    # The fallback reads each folder on its own, as plangate always did: the root, and the
    # scanned folders it calls (their resources are not expanded with the caller's arguments).
    out: list[Resource] = []
    from plangate.loaders.hcl.reader import read_dir

    for folder in [root, *_called_folders(root, folders, declared)]:
        for res in read_dir(folder).with_module_calls():
            res.stack = str(root)
            if note:
                res.notes = (*res.notes, note)
            out.append(res)
    return out


def _called_folders(root: Path, folders: list[Path], declared: dict) -> list[Path]:
    """Scanned folders ``root`` calls as local modules, directly or through other calls."""
    by_path = {os.path.normpath(f.resolve()): f for f in folders}
    seen: list[Path] = []
    todo = [root]
    while todo:
        folder = todo.pop()
        for source in _local_module_sources(folder, declared):
            target = by_path.get(os.path.normpath(folder.resolve() / source))
            if target is not None and target not in seen and target != root:
                seen.append(target)
                todo.append(target)
    return seen


def _local_module_sources(folder: Path, declared: dict) -> list[str]:
    from plangate.loaders.hcl.evaluate import folder_blocks

    sources = []
    for key, block in folder_blocks(folder, declared).items():
        raw = block.body.get("source") if key[0] == "module" else None
        if isinstance(raw, str) and len(raw) >= 2 and raw[0] == raw[-1] == '"':
            value = raw[1:-1]
            if value.startswith(("./", "../")):
                sources.append(value)
    return sources
