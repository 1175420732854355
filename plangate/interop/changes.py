"""``plangate scan --changed-since REF``: only the roots and manifests a change touched.

The change is what ``git diff --name-only`` lists between the merge base of REF and HEAD and the
working tree (so a pull request's commits and any uncommitted edits).  Of the files under the
scanned paths:

- a changed ``.tf`` file stands for its folder, a Terraform root — unless that folder is a local
  module (``source = "./…"`` or ``"../…"``) called from another folder under the scanned paths:
  then the callers are scanned instead, up to the roots that call nobody's module;
- a changed plan / preview JSON or manifest YAML stands for itself.

Deleted files are left out.  A REF git does not know is a `PlangateError` (exit 2).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

from plangate.errors import PlangateError

_DOCUMENTS = (".json", ".yaml", ".yml")
_LOCAL_SOURCE = re.compile(r'\bsource\s*=\s*"(\.\.?/[^"]*)"')


def _git(args: Sequence[str], cwd: Path) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise PlangateError(f"--changed-since: cannot run git: {exc}") from None
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or ["git failed"])[-1]
        raise PlangateError(f"--changed-since: {detail.removeprefix('fatal: ')}")
    return done.stdout


def changed_files(ref: str, cwd: str | os.PathLike[str] = ".") -> list[Path]:
    """Absolute paths of the files changed since the merge base of ``ref`` and HEAD."""
    where = Path(cwd).resolve()
    if ref.startswith("-"):
        raise PlangateError(f"--changed-since: {ref!r} is not a git revision")
    top = Path(_git(["rev-parse", "--show-toplevel"], where).strip())
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], where)
    except PlangateError:
        raise PlangateError(f"--changed-since: {ref!r} is not a revision this repository knows") from None
    base = _git(["merge-base", ref, "HEAD"], where).strip()
    names = _git(["diff", "--name-only", "-z", base], where).split("\0")
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top).split("\0")
    return sorted({(top / n).resolve() for n in (*names, *untracked) if n})


def targets(ref: str, paths: Sequence[str]) -> list[str]:
    """The scan paths ``--changed-since ref`` narrows ``paths`` to (possibly none)."""
    scanned = [Path(p).resolve() for p in paths]
    cwd = next((p if p.is_dir() else p.parent for p in scanned if p.exists()), Path.cwd())
    out: set[Path] = set()
    callers = _module_callers(p for p in scanned if p.is_dir())
    for file in changed_files(ref, cwd):
        if not file.is_file() or not any(file == s or s in file.parents for s in scanned):
            continue
        if file.suffix == ".tf":
            out |= _roots(file.parent, callers)
        elif file.suffix in _DOCUMENTS:
            out.add(file)
    return [_shown(p) for p in sorted(out)]


def _module_callers(folders: Iterable[Path]) -> dict[Path, set[Path]]:
    """Local module folder → the folders whose .tf files call it."""
    callers: dict[Path, set[Path]] = {}
    for folder in folders:
        for tf in folder.rglob("*.tf"):
            if any(part.startswith(".") for part in tf.relative_to(folder).parts):
                continue
            try:
                text = tf.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            for source in _LOCAL_SOURCE.findall(text):
                callers.setdefault((tf.parent / source).resolve(), set()).add(tf.parent.resolve())
    return callers


def _roots(folder: Path, callers: dict[Path, set[Path]], seen: frozenset[Path] = frozenset()) -> set[Path]:
    if folder not in callers or folder in seen:
        return {folder}
    return {root for caller in callers[folder] for root in _roots(caller, callers, seen | {folder})}


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)
