"""Turn any supported input into `Resource`s: detection by name or content, or forced with ``fmt``.

The formats are the registry's (`plangate.loaders.formats`; the list, generated from it, is
``docs/input-formats.md``): each is declared once, by its own loader module, with how it is
recognised and read.  Here they are only walked, detected and put together: each file found
read once, a folder format's folders read together, the provenance (`Load`) of all of it.
A loader module is imported only when the registry is first asked, so ``plangate --version``
stays fast.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from plangate.errors import InputError
from plangate.loaders.formats import JSON_SUFFIX, REGISTRY, Input, InputFormat
from plangate.loaders.source import SKIP_DIRS

if TYPE_CHECKING:
    from plangate.model import Load, Resource


def skip_patterns(patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    """``--skip-path`` regular expressions, compiled; a bad one is a usage error."""
    from plangate.errors import PlangateError

    out = []
    for text in patterns:
        try:
            out.append(re.compile(text))
        except re.error as exc:
            raise PlangateError(f"--skip-path: {text!r} is not a regular expression ({exc})") from None
    return tuple(out)


def _skipped(path: Path, skip: Sequence[re.Pattern[str]]) -> bool:
    if not skip:
        return False
    try:
        shown = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        shown = str(path)
    return any(p.search(shown) for p in skip)


def load(path: str | os.PathLike[str], fmt: str | None = None) -> list[Resource]:
    """Resources in one file or directory (`load_all` for the provenance too).  Raises
    `InputError` for bad input."""
    return load_all([path], fmt).resources


def _load_one(path: str | os.PathLike[str], fmt: str | None, skip: Sequence[re.Pattern[str]] = ()) -> Load:
    from plangate.model import Load

    p = Path(path)
    forced = REGISTRY.named(fmt, str(p)) if fmt is not None else None
    if not p.exists():
        raise InputError(str(p), "no such file or directory")
    if p.is_dir():
        recognised: list[Path] = []
        found = _load_dir(p, forced, recognised, skip)
        if not recognised:  # a run that read nothing is not a pass
            wanted = forced.name if forced else _either(list(REGISTRY))
            raise InputError(str(p), f"no recognisable input in this folder (looked for {wanted} input)")
        return found
    return _load_file(p, forced, explicit=True) or Load()


def _either(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def load_all(paths: Iterable[str | os.PathLike[str]], fmt: str | None = None,
             skip_path: Iterable[str] = (), on_input: Callable[[str], None] | None = None) -> Load:
    """Every path's resources and provenance, each input read once (a path named twice, or a
    file inside a folder also named, is read with the first), with cross-resource facts linked
    once for the whole input (Lambda execution roles: `plangate.loaders.roles`).  ``skip_path``
    holds ``--skip-path`` regular expressions for what the folder walks leave out; ``on_input(path)``
    is told when each given path is done (the CLI's progress display)."""
    from plangate.loaders import roles, validate
    from plangate.model import Load

    skip = skip_patterns(skip_path)
    out = Load()
    given = [(os.fspath(path), os.path.realpath(path)) for path in paths]
    taken: list[str] = []
    for index, (path, real) in enumerate(given):
        covering = next((other for i, (other, seen) in enumerate(given) if i != index and (
            (seen == real and i < index) or real.startswith(seen.rstrip(os.sep) + os.sep))), None)
        if covering is not None:
            same = "the same input as" if os.path.realpath(covering) == real else "inside"
            out.notes = (*out.notes, f"{path}: {same} {covering}, read once")
        else:
            taken.append(path)
            out.extend(_load_one(path, fmt, skip))
        if on_input is not None:
            on_input(path)
    out.inputs = tuple(taken)
    validate.check(out.resources)
    roles.link(out.resources)
    _derive_providers(out)
    return out


def _derive_providers(found: Load) -> None:
    """Formats whose loader lists no provider configurations (Pulumi, HCL) get one per
    (stack, provider, region) their resources name, so the provenance is never empty
    (formats that name no cloud provider, Kubernetes, say so with ``derive_providers``)."""
    from plangate.model import ProviderConfig

    listed = {p.stack for p in found.providers}
    cloudless = {name for name, form in REGISTRY.items() if not form.derive_providers}
    derived = dict.fromkeys(ProviderConfig(r.provider, "", r.region, "", r.stack)
                            for r in found.resources if r.stack not in listed and r.source_format not in cloudless)
    found.providers = (*found.providers, *derived)


def _unreadable(exc: OSError) -> None:
    """os.walk skips a folder it cannot list unless told otherwise: a folder that was not read
    must not pass as a folder without findings."""
    raise InputError(str(exc.filename or "?"), f"cannot read directory: {exc.strerror or exc}")


def _load_dir(root: Path, forced: InputFormat | None, recognised: list[Path],
              skip: Sequence[re.Pattern[str]] = ()) -> Load:
    """Resources below ``root``; every file or folder that was an input is added to ``recognised``."""
    from plangate.model import Load

    forms = [forced] if forced is not None else list(REGISTRY.values())
    folder_forms = [f for f in forms if f.folders is not None]
    named = tuple(s for f in forms if f.folders is None for s in f.suffixes)
    offered = (*named, JSON_SUFFIX) if any(f.by_content for f in forms) else named
    folders: dict[str, list[Path]] = {f.name: [] for f in folder_forms}
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=_unreadable):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not _skipped(here / d, skip))
        lowered = {f: f.lower() for f in filenames if not _skipped(here / f, skip)}
        claimed = [f for f in folder_forms if any(low.endswith(f.folder_suffixes) for low in lowered.values())]
        for form in claimed:
            folders[form.name].append(here)
        taken = tuple(s for f in claimed for s in f.folder_suffixes)  # read with their folder
        files.extend(here / name for name, low in sorted(lowered.items())
                     if low.endswith(offered) and not (taken and low.endswith(taken)))
    out = Load()
    plans: dict[str, dict[Path, Load]] = {}  # by folder format: a plan found among its folders' files
    for file in files:
        found = _load_file(file, forced, explicit=False)
        if found is None:
            continue
        recognised.append(file)
        owner = next((f for f in folder_forms if file.parent in folders[f.name] and found.roots
                      and found.roots[0].format == f.planned_by), None)
        if owner is not None:
            plans.setdefault(owner.name, {}).setdefault(file.parent, Load()).extend(found)
        else:
            out.extend(found)
    for form in folder_forms:
        if folders[form.name]:
            recognised.extend(folders[form.name])
            tree = form.folders(folders[form.name])  # root modules evaluated with the modules they call
            out.extend(_plans_of_roots(tree, plans.get(form.name, {})))
    return out


def _plans_of_roots(tree: Load, plans: dict[Path, Load]) -> Load:
    """``tree`` with each root that has its own plan beside its .tf files replaced by that plan:
    the plan holds the values Terraform computed, the .tf files give each resource's file and
    line.  Nothing is counted twice; a plan in a folder that is no root stays its own stack."""
    from plangate.model import Load, Location

    by_root = {Path(r.path): r for r in tree.roots}
    planned = {folder: plan for folder, plan in plans.items() if folder in by_root}
    out = Load()
    for folder, plan in plans.items():
        if folder not in planned:
            out.extend(plan)
    if not planned:
        out.extend(tree)
        return out
    stacks = {str(folder) for folder in planned}
    kept = Load([r for r in tree.resources if r.stack not in stacks],
                roots=tuple(r for r in tree.roots if r.path not in stacks),
                providers=tuple(p for p in tree.providers if p.stack not in stacks), notes=tree.notes)
    out.extend(kept)
    for folder, plan in planned.items():
        lines = {r.address: r.location for r in tree.resources if r.stack == str(folder) and r.location}
        for res in plan.resources:
            res.stack = str(folder)
            where = lines.get(res.address) or lines.get(_without_key(res.address))
            if where is not None:
                res.location = Location(where.file, where.line)
        note = f"the plan of root {folder}: its values are the root's, its .tf files give file and line"
        plan.roots = tuple(dataclasses.replace(r, notes=(*r.notes, note)) for r in plan.roots)
        plan.providers = tuple(dataclasses.replace(p, stack=str(folder)) for p in plan.providers)
        out.extend(plan)
    return out


def _without_key(address: str) -> str:
    """``aws_x.y[0]`` → ``aws_x.y``: an HCL block that was not expanded carries no instance key."""
    return address[: address.rindex("[")] if address.endswith("]") and "[" in address else address


def _load_file(p: Path, forced: InputFormat | None, explicit: bool) -> Load | None:
    """One file's resources and its `Root` (each plan, preview or state its own stack); None
    when, found in a folder (not ``explicit``), it is no input."""
    from plangate.model import Load, Root

    src = Input(p, explicit, forced)
    form = forced or _detect(src)
    if form is None:
        return None
    found = form.read(src)
    if found is None or isinstance(found, Load):
        return found
    if form.file_is_stack:
        for res in found:
            res.stack = res.stack or str(p)
    return Load(found, roots=(Root(str(p), form.name, form.engine() if form.engine else ""),))


def _data_lines(raw: bytes) -> bool:
    """Whether a file that is not one JSON document is JSON Lines whose first value no format
    reads (a DynamoDB import sample, a log beside the configuration): data, not an input.  Engine
    event logs, the JSON Lines plangate reads, were recognised by their bytes before this."""
    import json

    lines = [line for line in raw.splitlines()[:3] if line.strip()]
    try:
        values = [json.loads(line) for line in lines]
    except ValueError:  # not JSON Lines either (JSONDecodeError, bad UTF-8): a broken document
        return False
    return len(values) > 1 and REGISTRY.by_document(values[0]) is None


def _detect(src: Input) -> InputFormat | None:
    """The format of a file: by its name, else by its bytes, else by its JSON document; None
    for a file found in a folder that is none (`InputError` for one named on purpose)."""
    form = REGISTRY.by_name(src.path.name) or REGISTRY.by_bytes(src.raw)
    if form is not None:
        return form
    if not src.explicit and not src.raw.strip():
        return None
    try:
        data = src.data
    except InputError:
        if src.explicit or not _data_lines(src.raw):
            raise  # a broken plan or preview found in a folder is still bad input
        return None
    form = REGISTRY.by_document(data)
    if form is None and src.explicit:
        known = _either([f.name for f in REGISTRY.values() if f.sniff is not None])
        raise InputError(src.file, f"not a document of a format recognised by its content ({known}); "
                                   "use --input-format to say which")
    return form
