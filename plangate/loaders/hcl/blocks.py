"""The blocks a Terraform folder declares, in source form: what tfparse's evaluation loses
(source lines, the expression behind each value, module sources, locals) is read here, from
one parser (`plangate.loaders.hcl.syntax` for ``.tf``, `json` for ``.tf.json``).

Values are in python-hcl2's serialised form (see `syntax`): quoted strings and heredocs in source form, other
expressions as ``${source}``; ``.tf.json`` strings are quoted the same way. Override files (``override.tf``,
``*_override.tf``) are merged into the blocks they override, as Terraform does.  A file that is not valid HCL or JSON
raises `InputError` with its line.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plangate.errors import InputError
from plangate.loaders.hcl import syntax
from plangate.loaders.source import decode, path_error, read_bytes
from plangate.model import Location

SOURCE_FORMAT = "hcl"
#: The type of a module call the scan could not expand, in the resource list rules see.
MODULE_CALL = "terraform_module_call"
_TFVARS = ("terraform.tfvars", "terraform.tfvars.json")
_AUTO_TFVARS = (".auto.tfvars", ".auto.tfvars.json")
#: A variable or local as the whole expression (source form): ``${var.x}``, ``${local.x}``.
NAMED = re.compile(r"\$\{(var|local)\.([A-Za-z_][\w-]*)\}")


@dataclass(slots=True)
class SourceBlock:
    kind: str  # resource, data, variable, locals, provider, module, output, …
    labels: tuple[str, ...]  # unquoted
    body: dict[str, Any]  # source form
    location: Location


def is_config_file(name: str) -> bool:
    """Whether Terraform reads ``name`` as configuration (hidden and editor files are skipped)."""
    return name.endswith((".tf", ".tf.json")) and not name.startswith((".", "#"))


def declared_blocks(folder: Path) -> list[SourceBlock]:
    """Every block of one folder's configuration files, override files merged."""
    try:
        names = sorted(e.name for e in os.scandir(folder) if e.is_file() and is_config_file(e.name))
    except OSError as exc:
        raise path_error(folder, exc, "list") from None
    blocks = [block for name in names if not is_override(name) for block in _file_blocks(folder / name)]
    _check_unique(blocks)
    for name in (n for n in names if is_override(n)):
        _apply_overrides(blocks, _file_blocks(folder / name))
    return blocks


Declared = dict[str, dict[tuple[str, ...], SourceBlock]]  # by absolute folder path


def folder_blocks(folder: Path | str, declared: Declared) -> dict[tuple[str, ...], SourceBlock]:
    """The blocks a folder declares in source form, by (kind, *labels); parsed once per scan
    (``declared`` is the scan's memo)."""
    key = os.path.abspath(folder)
    if key not in declared:
        declared[key] = found = {}
        for block in declared_blocks(Path(folder)) if os.path.isdir(key) else ():
            if block.kind == "locals" and ("locals",) in found:  # one namespace, many blocks
                found["locals",].body.update(block.body)
            else:
                found.setdefault(block_key(block), block)
    return declared[key]


def block_key(block: SourceBlock) -> tuple[str, ...]:
    """(kind, *labels), and a provider's alias: each configuration of a provider is its own block."""
    if block.kind != "provider":
        return (block.kind, *block.labels)
    alias = block.body.get("alias")
    return (block.kind, *block.labels, unquote(alias) if isinstance(alias, str) else "")


def local_source(body: dict[str, Any]) -> str | None:
    """The folder a module block's ``source = "./…"`` names, None when it is not a local path."""
    source = body.get("source")
    return source.strip('"') if isinstance(source, str) and source[1:].startswith(("./", "../")) else None


def called_folder(root: Path | str, folder: Path | str, name: str, body: dict, declared: Declared) -> str | None:
    """The absolute folder of ``module "name"`` (``body`` in source form) in ``folder``: a local path's, else the one
    ``terraform init`` downloaded it to, found as tfparse finds it (by key in the root's manifest: "x.y" is module "y"
    of module "x"); None when neither.  ``declared`` keeps the manifest's entries, as blocks, under its path."""
    if (source := local_source(body)) is not None:
        return os.path.abspath(os.path.join(folder, source))
    manifest = os.path.join(os.path.abspath(root), ".terraform", "modules", "modules.json")
    if manifest not in declared:
        declared[manifest] = _downloaded(manifest) if os.path.isfile(manifest) else {}
    caller = next((k[1] for k, b in declared[manifest].items() if b.body["dir"] == os.path.abspath(folder)), None)
    called = declared[manifest].get(("module", f"{caller}.{name}".lstrip("."))) if caller is not None else None
    return called.body["dir"] if called else None


def _downloaded(manifest: str) -> dict[tuple[str, ...], SourceBlock]:
    root, where = os.path.dirname(os.path.dirname(os.path.dirname(manifest))), Location(manifest)
    try:  # the root's key is ""; a Dir is joined to the root as tfparse joins it (an absolute one too)
        return {("module", k): SourceBlock("module", (k,), {"dir": os.path.abspath(root + "/" + d)}, where)
                for k, d in [("", "."), *((m["Key"], m["Dir"]) for m in _parsed(Path(manifest))["Modules"])]}
    except (TypeError, KeyError):
        raise InputError(manifest, "not a module manifest (a Modules list, each with a Key and a Dir)") from None


def _check_unique(blocks: list[SourceBlock]) -> None:
    """Terraform rejects a second block of one name (tfparse keeps one of them silently)."""
    first: dict[tuple, Location] = {}
    for b in (b for b in blocks if b.kind in ("provider", "resource", "data", "module", "variable", "output")):
        key = block_key(b)  # a provider's alias: "" for its default configuration
        if key in first:
            what = f'provider configuration "{".".join(filter(None, key[1:]))}"' if b.kind == "provider" \
                else f'{b.kind} "{".".join(b.labels)}"'
            raise InputError(b.location.file, f"duplicate {what} (first declared at {first[key]})", b.location.line)
        first[key] = b.location


def is_override(name: str) -> bool:
    """Whether Terraform reads the configuration file ``name`` as an override file."""
    stem = name.removesuffix(".json").removesuffix(".tf")
    return stem == "override" or stem.endswith("_override")


def _file_blocks(path: Path) -> list[SourceBlock]:
    if path.name.endswith(".tf.json"):  # one object, not an array of them
        return [block for kind, named in _members(path, [_parsed(path)], "the file") if kind in _JSON_LABELS
                for block in _json_blocks(path, kind, (), named, _JSON_LABELS[kind])]
    return [SourceBlock(b.kind, tuple(unquote(label) for label in b.labels), b.body, Location(str(path), b.line))
            for b in _parsed(path).blocks]


def tfvars_files(root: Path) -> list[str]:
    """The variable files Terraform loads by itself, in its order (later wins), relative to root."""
    try:
        names = sorted(e.name for e in os.scandir(root) if e.is_file())
    except OSError as exc:
        raise path_error(root, exc, "list") from None
    return [n for n in _TFVARS if n in names] + [n for n in names if n.endswith(_AUTO_TFVARS)]


def root_values(root: Path) -> dict[str, list[Any]]:
    """What Terraform and tfparse give each root variable besides its default, in source form and order (the last wins):
    ``TF_VAR_name`` where it reads as one expression, then each of `tfvars_files` (`InputError` for an invalid one)."""
    found: dict[str, list[Any]] = {}
    for name in [k for k in os.environ if k.startswith("TF_VAR_")]:  # keys alone: decoding every value costs more
        with contextlib.suppress(syntax.SyntaxProblem):
            if len(got := syntax.arguments(os.environ[name])) == 1:
                found[name[7:]] = got
    for path in (root / name for name in tfvars_files(root)):
        parsed = _parsed(path)
        values = parsed.attributes if isinstance(parsed, syntax.Parsed) else _objects(path, [parsed], "the file")[0]
        for name, value in values.items():
            found.setdefault(name, []).append(value)
    return found


def _parsed(path: Path) -> Any:
    """A ``.json`` file's document or an HCL file's `syntax.Parsed`; `InputError` when invalid."""
    text = decode(read_bytes(path), str(path))
    try:
        return json.loads(text) if path.name.endswith(".json") else syntax.parse(text)
    except json.JSONDecodeError as exc:
        raise InputError(str(path), f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except syntax.SyntaxProblem as problem:
        raise InputError(str(path), f"invalid HCL: {problem.reason}", problem.line, problem.column) from None


def unquote(label: str) -> str:
    if len(label) >= 2 and label[0] == label[-1] == '"':
        try:  # not contextlib.suppress: called for every label of every block, where it is measurably slower
            return json.loads(label) if "\\" in label else label[1:-1]
        except json.JSONDecodeError:
            return label[1:-1]
    return label


def _apply_overrides(blocks: list[SourceBlock], overrides: list[SourceBlock]) -> None:
    """Each attribute, and each nested block type as a whole, replaces the original's."""
    by_key = {block_key(b): b for b in blocks if b.kind != "locals"}  # a provider's alias too
    for block in overrides:
        if block.kind == "locals":  # one namespace (`folder_blocks`), later blocks' values replacing earlier ones'
            blocks.append(block)
            continue
        if (original := by_key.get(block_key(block))) is None and block.kind != "terraform":
            raise InputError(block.location.file, f'{block.kind} "{".".join(block.labels)}" overrides no block '
                             "(Terraform refuses an override file's block without its original)", block.location.line)
        if original is not None:
            original.body = {**original.body, **block.body}


_JSON_LABELS = {"resource": 2, "data": 2, "module": 1, "provider": 1, "variable": 1, "output": 1, "locals": 0}


def _json_blocks(path: Path, kind: str, labels: tuple[str, ...], value: Any, more: int) -> list[SourceBlock]:
    """The blocks below ``kind`` and ``labels`` in a ``.tf.json`` file, ``more`` labels still to read."""
    what = " ".join([kind, *(f'"{label}"' for label in labels)])
    if more:
        return [b for name, body in _members(path, value, what)
                for b in _json_blocks(path, kind, (*labels, name), body, more - 1)]
    return [SourceBlock(kind, labels, _json_source(one), Location(str(path))) for one in _objects(path, value, what)]


def _members(path: Path, value: Any, what: str) -> list[tuple[str, Any]]:
    return [item for one in _objects(path, value, what) for item in one.items()]


def _objects(path: Path, value: Any, what: str) -> list[dict[str, Any]]:
    """The object, or array of objects, Terraform's JSON syntax needs for ``what``; anything else
    is `InputError` (Terraform refuses it, and tfparse's Go code crashes or guesses on it)."""
    for one in value if isinstance(value, list) else [value]:
        if not isinstance(one, dict):
            kind = {type(None): "null", list: "an array", str: "a string", bool: "true or false"}.get(type(one))
            raise InputError(str(path), f"{what}: Terraform's JSON needs an object here, not {kind or 'a number'}")
    return value if isinstance(value, list) else [value]


def _json_source(value: Any) -> Any:
    """A JSON body with its strings in source form (quoted templates)."""
    if isinstance(value, dict):
        return {k: _json_source(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_source(v) for v in value]
    if isinstance(value, str):
        return f'"{value}"'
    return value
