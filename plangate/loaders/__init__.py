"""Turn any supported input into `Resource`s: detection by content, or forced with ``fmt``.

| format           | input                                                        |
|------------------|--------------------------------------------------------------|
| ``tfplan``       | ``terraform show -json plan.out``                            |
| ``hcl``          | a directory (or file) of Terraform ``.tf`` sources           |
| ``pulumi-preview`` | ``pulumi preview --json`` (or an engine event log, JSON lines) |
| ``pulumi-state`` | ``pulumi stack export`` / checkpoint files                   |
| ``k8s``          | Kubernetes / KServe YAML, multi-document                     |

Each format module is imported only when needed, so ``plangate --version`` stays fast.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plangate.errors import InputError
from plangate.loaders.source import decode, has_bom, parse_json, read_bytes

if TYPE_CHECKING:
    from plangate.model import Load, Resource

FORMATS = ("tfplan", "hcl", "pulumi-preview", "pulumi-state", "k8s")
_SKIP_DIRS = {".git", ".terraform", "node_modules", ".venv", "__pycache__", ".pulumi"}
_YAML = (".yaml", ".yml")


def sniff_json(data: Any) -> str | None:
    """Which format a parsed JSON document is, or None."""
    if isinstance(data, dict):
        if "resource_changes" in data or "planned_values" in data or (
            "format_version" in data and "terraform_version" in data
        ):
            return "tfplan"
        if "steps" in data and isinstance(data.get("steps"), list):
            return "pulumi-preview"
        if "deployment" in data or "checkpoint" in data or "latest" in data:
            return "pulumi-state"
        if "apiVersion" in data and "kind" in data:
            return "k8s"
    return None


def _looks_like_event_log(raw: bytes) -> bool:
    head = raw.lstrip()[:200]
    return head.startswith(b'{"sequence"') or b'"timestamp"' in head.split(b"\n", 1)[0]


def _may_be_manifest(raw: bytes) -> bool:
    """Whether YAML bytes could hold a Kubernetes object: every object names its ``apiVersion``
    and ``kind``, so a file without both words holds none (checked on the text when a BOM says
    UTF-16 / UTF-32), and a folder's other YAML files (CI workflows, OpenAPI documents) are
    skipped without loading PyYAML."""
    text = raw
    if has_bom(raw):
        try:
            text = decode(raw, "").encode("utf-8")
        except InputError:
            return True  # the manifest reader names the problem
    return b"apiVersion" in text and b"kind" in text


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
    if fmt is not None and fmt not in FORMATS:
        raise InputError(str(p), f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if not p.exists():
        raise InputError(str(p), "no such file or directory")
    if p.is_dir():
        recognised: list[Path] = []
        found = _load_dir(p, fmt, recognised, skip)
        if not recognised:  # a run that read nothing is not a pass
            wanted = f"{fmt} input" if fmt else ".tf sources, plan / preview / state JSON or Kubernetes YAML"
            raise InputError(str(p), f"no recognisable input in this folder (looked for {wanted})")
        return found
    return _load_file(p, fmt, explicit=True) or Load()


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
    (stack, provider, region) their resources name, so the provenance is never empty."""
    from plangate.model import ProviderConfig

    listed = {p.stack for p in found.providers}
    derived = dict.fromkeys(ProviderConfig(r.provider, "", r.region, "", r.stack)
                            for r in found.resources if r.stack not in listed and r.source_format != "k8s")
    found.providers = (*found.providers, *derived)


def _unreadable(exc: OSError) -> None:
    """os.walk skips a folder it cannot list unless told otherwise: a folder that was not read
    must not pass as a folder without findings."""
    raise InputError(str(exc.filename or "?"), f"cannot read directory: {exc.strerror or exc}")


def _load_dir(root: Path, fmt: str | None, recognised: list[Path], skip: Sequence[re.Pattern[str]] = ()) -> Load:
    """Resources below ``root``; every file or .tf folder that was an input is added to ``recognised``."""
    from plangate.model import Load

    tf_dirs: list[Path] = []
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=_unreadable):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not _skipped(here / d, skip))
        filenames = [f for f in filenames if not _skipped(here / f, skip)]
        terraform = fmt in (None, "hcl") and any(f.endswith((".tf", ".tf.json")) for f in filenames)
        if terraform:
            tf_dirs.append(here)
        for name in sorted(filenames):
            if terraform and name.endswith(".tf.json"):
                continue  # Terraform configuration in JSON syntax, read with the folder's .tf files
            if name.endswith(".json") and fmt not in ("hcl", "k8s"):
                files.append(here / name)
            elif name.endswith(_YAML) and fmt in (None, "k8s"):
                files.append(here / name)
    out = Load()
    plans: dict[Path, Load] = {}  # plan JSON found in a Terraform folder, by folder
    for file in files:
        found = _load_file(file, fmt, explicit=False)
        if found is None:
            continue
        recognised.append(file)
        if file.parent in tf_dirs and found.roots and found.roots[0].format == "tfplan":
            plans.setdefault(file.parent, Load()).extend(found)
        else:
            out.extend(found)
    if tf_dirs:
        from plangate.loaders import hcl

        recognised.extend(tf_dirs)
        tree = hcl.load(tf_dirs)  # root modules evaluated with the modules they call
        out.extend(_plans_of_roots(tree, plans))
    else:
        for plan in plans.values():
            out.extend(plan)
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


# Top-level keys that show a JSON document really is the format it was forced to be.
_FORMAT_KEYS = {
    "tfplan": ("resource_changes", "planned_values", "prior_state", "format_version", "terraform_version"),
    "pulumi-preview": ("steps", "changeSummary"),
}


def _load_file(p: Path, fmt: str | None, explicit: bool) -> Load | None:
    """One file's resources (each plan, preview or state its own stack); None when, found in a
    folder (not ``explicit``), it is no input."""
    from plangate.model import Load, Root

    found = _read_file(p, fmt, explicit)
    if found is None or isinstance(found, Load):
        return found

    kind = found[0].source_format if found else (fmt or "")
    if kind in ("pulumi-preview", "pulumi-state"):
        for res in found:
            res.stack = res.stack or str(p)
    return Load(found, roots=(Root(str(p), kind),))


def _read_file(p: Path, fmt: str | None, explicit: bool) -> Load | list[Resource] | None:
    file = str(p)
    suffix = p.suffix.lower()
    if fmt == "hcl" or (fmt is None and suffix == ".tf"):
        from plangate.loaders import hcl

        return hcl.load_file(p)
    raw = read_bytes(p)
    if fmt == "k8s" or (fmt is None and suffix in _YAML):
        if not explicit and not _may_be_manifest(raw):
            return None
        from plangate.loaders import k8s

        found = k8s.from_bytes(raw, file, strict=explicit)
        return found if found or explicit else None
    if fmt == "pulumi-preview" and _looks_like_event_log(raw):
        from plangate.loaders import pulumi

        return pulumi.from_event_log(raw, file)
    if fmt is None and _looks_like_event_log(raw) and raw.count(b"\n") > 1:
        from plangate.loaders import pulumi

        return pulumi.from_event_log(raw, file)
    if not raw.strip():
        if not explicit:
            return None
        raise InputError(file, "file is empty")
    if raw.startswith(b"[command]"):
        raise InputError(
            file,
            "this is the setup-terraform wrapper's output ([command] and ::set-output lines), "
            "not plan JSON: set terraform_wrapper: false or redirect `terraform show -json` itself",
            1,
        )
    data = parse_json(raw, file)
    kind = fmt or sniff_json(data)
    if kind is None:
        if not explicit:
            return None
        raise InputError(
            file,
            "not a Terraform plan (terraform show -json), Pulumi preview (--json) or "
            "stack export, or Kubernetes manifest; use --input-format to say which",
        )
    keys = _FORMAT_KEYS.get(kind)
    if keys and fmt and not (isinstance(data, dict) and any(k in data for k in keys)):
        raise InputError(file, f"not {kind} input: none of {', '.join(keys)} is present")
    if kind == "tfplan":
        from plangate.loaders import tfplan

        return tfplan.read(data, file, raw)
    if kind == "pulumi-preview":
        from plangate.loaders import pulumi

        return pulumi.from_preview(data, file)
    if kind == "pulumi-state":
        from plangate.loaders import pulumi

        return pulumi.from_state(data, file)
    from plangate.loaders import k8s

    return k8s.from_objects(data if isinstance(data, list) else [data], file)
