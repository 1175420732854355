"""Resource limits and what Terraform rejects, checked on the source before tfparse is asked.

tfparse expands ``count`` and ``for_each`` without a ceiling (its time grows with the square of the instances: 3.3 s at
2,000, 11.4 s at 4,000, and ``count = 100000000000`` never returns). A count or collection written as a literal, as a
local whose value is one, or as a variable whose default, variable file or ``TF_VAR_name`` value or module argument (a
caller's variable or local passed on too) is a literal, is checked here first, at the largest of them: a negative count,
more than `MAX_INSTANCES` instances of one block, or more than `MAX_TOTAL` in a root, is bad input (`InputError`, naming
file and line). Counts only tfparse can compute are left to it.

`rejected` finds what ``terraform plan`` refuses and tfparse evaluates anyway (so a verdict would rest on a
configuration that never runs): an argument the module declares no variable for, a required module variable not given, a
quoted type constraint (``type = "string"``).  The root is then reported not checked.  A type constraint Terraform does
not accept at all is found here too: tfparse's Go code crashes the whole process on one (`type_problem`), and so is a
module that calls itself, on which it recurses for ever.  (A local module folder with no configuration file is not among
them: Terraform 1.11 plans it as an empty module.)
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from plangate.errors import InputError
from plangate.loaders.hcl import syntax
from plangate.loaders.hcl.blocks import NAMED, called_folder, folder_blocks, root_values

#: Instances of one resource or module block (count, or for_each elements).
MAX_INSTANCES = 10_000
#: Instances of all the blocks of one root module's folders.
MAX_TOTAL = 100_000

_RANGE = re.compile(r"\$\{\s*(?:toset\(\s*)?range\(\s*(\d+)\s*\)\s*\)?\s*\}")


def check(root: Path, declared: dict) -> None:
    """Raise `InputError` when a block of ``root``'s folder (or of the modules it calls, `module_folders`)
    asks for more instances than the limits allow, with any value its variables may be given."""
    folders = list(module_folders(root, declared))
    given = _given(root, folders, declared)
    total = 0
    for folder, blocks in folders:
        for key, block in blocks.items():
            for meta in ("count", "for_each") if key[0] in ("resource", "module") else ():
                where, found = block.location, [0]
                for value in _possible(block.body.get(meta), blocks, given[folder]) if meta in block.body else ():
                    n = _instances(meta, value) or 0
                    why = f"count = {n} is negative" if n < 0 else f"{meta} makes {n} instances, more than the " \
                        f"limit of {MAX_INSTANCES:,} per block" if n > MAX_INSTANCES else None
                    if why is not None:
                        raise InputError(where.file, f"{'.'.join(key[1:])}: {why}", where.line)
                    found.append(n)
                total += max(found)
        if total > MAX_TOTAL:
            raise InputError(str(root), f"the configuration makes more than {MAX_TOTAL:,} resource instances")


def _given(root: Path, folders: list[tuple[Path, dict]], declared: dict) -> dict[str, dict[str, list[Any]]]:
    """The literal values each folder's variables may be given: the root's by its variable files and environment, a
    module's by each call's arguments (a caller's variable passed on: its values)."""
    given = {folder: root_values(root) if folder == folders[0][0] else {} for folder, _ in folders}
    for folder, blocks in folders:
        for key, block in blocks.items():
            callee = given.get(called_folder(root, folder, key[1], block.body, declared) or "") \
                if key[0] == "module" else None
            for argument, raw in block.body.items() if callee is not None else ():
                callee.setdefault(argument, []).extend(_possible(raw, blocks, given[folder]))
    return given


def _possible(raw: Any, blocks: dict, given: dict[str, list[Any]], seen: frozenset = frozenset()) -> list[Any]:
    """The literal values an expression may have: itself, a local's, a variable's (given or default)."""
    match = NAMED.fullmatch(raw) if isinstance(raw, str) else None
    if match is None:
        return [raw]
    kind, name = match.groups()
    block = blocks.get(("locals",) if kind == "local" else ("variable", name))
    body = block.body if block is not None else {}
    if kind == "local":
        return _possible(body[name], blocks, given, seen | {raw}) if name in body and raw not in seen else []
    return [*given.get(name, []), *([body["default"]] if "default" in body else [])]


_META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})


def rejected(root: Path, declared: dict) -> tuple[str, Any] | None:
    """(Terraform's objection, the block's location) for the first block of ``root`` or of
    the modules it calls that ``terraform plan`` rejects, else None."""
    for folder, blocks in module_folders(root, declared):
        for key, block in blocks.items():
            where, body = block.location, block.body
            why = type_problem(body["type"], where.file) if key[0] == "variable" and "type" in body else None
            if why is not None:
                return f'variable "{key[1]}": {why}', where
            called = called_folder(root, folder, key[1], body, declared) if key[0] == "module" else None
            source = str(body.get("source"))[1:-1]
            if called is None or not os.path.isdir(called):
                continue  # no module folder; a missing one is reported per call, with the caller's path
            if folder in {f for f, _ in module_folders(called, declared)}:  # tfparse recurses for ever
                return f'module "{key[1]}": {source} calls this module again (Terraform recurses without end)', where
            variables = {k[1]: b for k, b in folder_blocks(called, declared).items() if k[0] == "variable"}
            for name in body:
                if name not in _META and name not in variables:
                    return (f'module "{key[1]}": an argument "{name}" is not expected here ({source} declares '
                            "no such variable)", where)
            for name, variable in variables.items():
                if "default" not in variable.body and name not in body:
                    return f'module "{key[1]}": the argument "{name}" is required ({source} gives it no default)', where
    return None


def module_folders(root: Path | str, declared: dict) -> Iterator[tuple[str, dict]]:
    """(absolute folder path, its blocks) of ``root`` and of every module folder it calls (local, or downloaded by
    ``terraform init``: `called_folder`), once each."""
    seen: set[str] = set()  # absolute paths as strings: this walk runs three times a root
    todo = [os.path.abspath(root)]
    while todo:
        folder = todo.pop()
        if folder in seen or not os.path.isdir(folder):
            continue
        seen.add(folder)
        blocks = folder_blocks(folder, declared)
        yield folder, blocks
        todo.extend(called for key, block in blocks.items()
                    if key[0] == "module" and (called := called_folder(root, folder, key[1], block.body, declared)))


def _instances(meta: str, raw: Any) -> int | float | None:
    """The instances a literal count / collection makes (None: not a literal)."""
    if meta == "count":  # `syntax` reads a number written out as a number, never as ${…}
        return raw if isinstance(raw, (int, float)) and not isinstance(raw, bool) else None
    if isinstance(raw, str) and (m := _RANGE.fullmatch(raw)):
        return int(m[1])
    return len(raw) if isinstance(raw, (list, dict)) else None


_TYPE_CALL = re.compile(r"\$\{\s*(list|set|map|tuple|object|optional)\s*\((.*)\)\s*\}", re.S)
_NAME = re.compile(r"[A-Za-z_][\w-]*")


def type_problem(raw: Any, file: str) -> str | None:
    """Why Terraform refuses a variable's ``type`` (source form; ``.tf.json`` writes it as a
    string), else None.  Types are as Terraform 1.11 takes them (tests/loaders/test_hcl_types.py)."""
    in_json = file.endswith(".json")
    if isinstance(raw, str) and raw[:1] == '"' and not in_json:
        return f"type = {raw} is a quoted type (write it unquoted)"
    text = raw[1:-1] if in_json and isinstance(raw, str) else None
    with contextlib.suppress(syntax.SyntaxProblem):
        found = syntax.arguments(text) if text is not None else [raw]
        if len(found) == 1 and _type(found[0], top=True):
            return None
    if text is None:
        text = (raw[2:-1] if raw.startswith("${") else raw) if isinstance(raw, str) else json.dumps(raw)
    return f"type = {' '.join(text.split())[:80]} is not a type constraint (Invalid type specification)"


def _type(value: Any, top: bool = False, attribute: bool = False) -> bool:
    """Whether a value in source form is a type: a primitive, ``list`` / ``set`` / ``map`` of one
    type (bare ``list`` and ``map`` alone), ``tuple([…])``, ``object({…})`` (an ``attribute``:
    or ``optional(type[, default])``, the default a literal: read without variables or calls)."""
    if value in ("string", "number", "bool", "any") or (top and value in ("list", "map")):
        return True
    call = _TYPE_CALL.fullmatch(value) if isinstance(value, str) else None
    args = syntax.arguments(call[2]) if call else []
    if call is None or not 1 <= len(args) <= (2 if call[1] == "optional" else 1):
        return False
    if call[1] == "tuple":
        return isinstance(args[0], list) and all(map(_type, args[0]))
    if call[1] == "object":
        return isinstance(args[0], dict) and all(_NAME.fullmatch(k) and _type(v, attribute=True)
                                                 for k, v in args[0].items())
    return (call[1] != "optional" or attribute) and _type(args[0]) and all(map(_literal, args[1:]))


def _literal(value: Any) -> bool:
    if isinstance(value, dict):
        return all(not k.startswith("${") and _literal(v) for k, v in value.items())
    return all(map(_literal, value)) if isinstance(value, list) else not isinstance(value, str) or value[:1] == '"'
