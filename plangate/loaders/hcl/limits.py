"""Resource limits, checked on the source before tfparse is asked to expand anything.

tfparse expands ``count`` and ``for_each`` without a ceiling (its time grows with the square
of the instances: 3.3 s at 2,000, 11.4 s at 4,000, and ``count = 100000000000`` never
returns).  A count or collection written as a literal, or as a variable whose default /
tfvars value is a literal, is checked here first: a negative count, more than
`MAX_INSTANCES` instances of one block, or more than `MAX_TOTAL` in a root, is bad input
(`InputError`, naming file and line).  Counts only tfparse can compute are left to it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from plangate.errors import InputError

#: Instances of one resource or module block (count, or for_each elements).
MAX_INSTANCES = 10_000
#: Instances of all the blocks of one root module's folders.
MAX_TOTAL = 100_000

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_VARIABLE = re.compile(r"\$\{var\.([A-Za-z_][\w-]*)\}")
_RANGE = re.compile(r"\$\{\s*(?:toset\(\s*)?range\(\s*(\d+)\s*\)\s*\)?\s*\}")


def check(root: Path, declared: dict) -> None:
    """Raise `InputError` when a block of ``root``'s folder (or of the local modules it calls)
    asks for more instances than the limits allow."""
    from plangate.loaders.hcl.evaluate import folder_blocks

    total = 0
    seen: set[Path] = set()
    todo = [root.resolve()]
    while todo:
        folder = todo.pop()
        if folder in seen or not folder.is_dir():
            continue
        seen.add(folder)
        blocks = folder_blocks(folder, declared)
        for key, block in blocks.items():
            if key[0] not in ("resource", "module"):
                continue
            for meta in ("count", "for_each"):
                if meta in block.body:
                    n = _instances(meta, block.body[meta], blocks)
                    where = block.location
                    if n is not None and n < 0:
                        raise InputError(where.file, f"{'.'.join(key[1:])}: count = {n} is negative", where.line)
                    if n is not None and n > MAX_INSTANCES:
                        raise InputError(where.file, f"{'.'.join(key[1:])}: {meta} makes {n} instances, more than "
                                         f"the limit of {MAX_INSTANCES:,} per block", where.line)
                    total += n or 0
            source = block.body.get("source") if key[0] == "module" else None
            if isinstance(source, str) and source[1:].startswith(("./", "../")):
                todo.append((folder / source.strip('"')).resolve())
        if total > MAX_TOTAL:
            raise InputError(str(root), f"the configuration makes more than {MAX_TOTAL:,} resource instances")


def _instances(meta: str, raw: Any, blocks: dict) -> int | float | None:
    """The instances a literal count / collection (or a variable's literal default) makes."""
    if isinstance(raw, str) and (m := _VARIABLE.fullmatch(raw)):
        variable = blocks.get(("variable", m[1]))
        raw = variable.body.get("default") if variable is not None else None
    if meta == "count":
        if isinstance(raw, bool):
            return None
        if isinstance(raw, (int, float)):
            return raw
        text = raw[2:-1].strip() if isinstance(raw, str) and raw.startswith("${") else None
        return float(text) if text and _NUMBER.fullmatch(text) else None
    if isinstance(raw, str) and (m := _RANGE.fullmatch(raw)):
        return int(m[1])
    return len(raw) if isinstance(raw, (list, dict)) else None
