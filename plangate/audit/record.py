"""What one decision puts in the audit log: the command, digests of its inputs, the plangate
and rule versions, and the result — never secret values.

Secret values never reach a record: loaders replace them with ``[secret]`` before any rule
sees them (`plangate.model.REDACTED`), findings' messages are built from those resources, and
inputs are recorded as SHA-256 digests, never contents.  `scan_result` / `cost_result` keep
only ids, addresses, outcomes, those messages and waiver reasons.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plangate.errors import InputError
from plangate.loaders.source import SKIP_DIRS

if TYPE_CHECKING:
    from plangate.engine import ScanResult
    from plangate.model import Finding
    from plangate.rules.base import Rule



def file_digest(path: str | os.PathLike[str]) -> str:
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as exc:
        raise InputError(str(path), f"cannot read to digest it: {exc.strerror or exc}") from None


def tree_digest(path: str | os.PathLike[str]) -> tuple[str, int]:
    """SHA-256 over ``relative/path NUL sha256 LF`` of every file under ``path``, sorted by path
    (tool caches such as .git and .terraform skipped), and the number of files."""
    root = Path(path)
    files: list[tuple[str, str]] = []
    for folder, dirs, names in os.walk(root, onerror=_raise_walk_error):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in names:
            full = Path(folder, name)
            if full.is_file():
                files.append((full.relative_to(root).as_posix(), file_digest(full)))
    h = hashlib.sha256()
    for rel, digest in sorted(files):
        h.update(rel.encode() + b"\0" + digest.encode() + b"\n")
    return h.hexdigest(), len(files)


def _raise_walk_error(exc: OSError) -> None:
    raise InputError(str(exc.filename), f"cannot read to digest it: {exc.strerror or exc}")


def input_digests(paths: Iterable[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for p in paths:
        if os.path.isdir(p):
            digest, count = tree_digest(p)
            out.append({"path": str(p), "type": "tree", "sha256": digest, "files": count})
        else:
            out.append({"path": str(p), "type": "file", "sha256": file_digest(p)})
    return out


def rule_versions(rules: Iterable[Rule]) -> dict[str, str]:
    """``{rule id: "<plangate version>+<12 hex of the SHA-256 of the rule's source module>"}``:
    a rule edited in a working tree changes its version even before a release does."""
    from plangate import __version__

    by_file: dict[str, str] = {}
    out: dict[str, str] = {}
    for r in rules:
        fn = r.check or r.check_stack
        module = sys.modules.get(getattr(fn, "__module__", ""))
        source = getattr(module, "__file__", None)
        if source and source not in by_file:
            try:
                by_file[source] = hashlib.sha256(Path(source).read_bytes()).hexdigest()[:12]
            except OSError:
                by_file[source] = "unreadable"
        out[r.id] = f"{__version__}+{by_file.get(source or '', 'builtin')}"
    return out


def finding_record(f: Finding) -> dict[str, Any]:
    out = {"rule": f.rule_id, "address": f.address, "type": f.resource_type, "outcome": f.outcome.value,
           "message": str(f.message)}
    if f.waiver:
        out["waiver"] = f.waiver
    return out


def findings_result(findings: Sequence[Finding], rules: Sequence[Rule], exit_code: int) -> dict[str, Any]:
    outcomes = Counter(f.outcome.value for f in findings)
    return {
        "exit_code": exit_code,
        "rules": rule_versions(rules),
        "outcomes": dict(sorted(outcomes.items())),
        "findings": [finding_record(f) for f in findings],
        "waivers_used": [{"rule": f.rule_id, "address": f.address, "reason": f.waiver}
                         for f in findings if f.outcome.value == "waived"],
    }


def policy_inputs(config: str | None) -> list[str]:
    """The policy file a command read: ``-c`` when given, else ./plangate.yaml when it exists
    (as `plangate.policy.load` resolves it)."""
    from plangate.policy import DEFAULT_FILE

    if config:
        return [config]
    return [DEFAULT_FILE] if Path(DEFAULT_FILE).is_file() else []


def scan_inputs(result: ScanResult) -> list[str]:
    source = result.policy.source
    return [*result.inputs, *([source] if Path(source).is_file() else [])]


def scan_result(result: ScanResult) -> dict[str, Any]:
    """The record of a `plangate scan`: enabled rules with versions, outcomes, findings, waivers used."""
    out = findings_result(result.findings, result.rules, result.exit_code)
    out["resources"] = len(result.resources)
    return out


def cost_inputs(args: Any) -> list[str]:
    """What `plangate cost` read: its paths, the baseline, usage file, price table and policy."""
    extra = [getattr(args, name, None) for name in ("compare_to", "usage_file", "prices")]
    return [*args.paths, *(e for e in extra if e), *policy_inputs(getattr(args, "config", None))]


def cost_result(findings: Sequence[Finding], exit_code: int, monthly: Any = None,
                config: str | None = None) -> dict[str, Any]:
    """The record of a `plangate cost`: the budget rules evaluated (those `plangate cost`
    runs: the enabled PG-BUD-* rules of the policy) and their findings."""
    from plangate import policy
    from plangate.rules import RULES

    rules = [r for r in policy.load(config, RULES).enabled() if r.id.startswith("PG-BUD-")]
    out = findings_result(findings, rules, exit_code)
    if monthly is not None:
        out["monthly_cost"] = str(monthly)
    return out


def append_decision(path: str, *, command: str, inputs: Sequence[str], result: Mapping[str, Any],
                    key_file: str | None = None) -> int:
    """Append one decision to the audit log at ``path``; returns its entry number.  Signs a
    checkpoint every so often when a key is configured (``key_file`` or ``$PLANGATE_AUDIT_KEY``)."""
    from plangate import __version__
    from plangate.audit import keys, log

    record = {"command": command, "plangate_version": __version__, "inputs": input_digests(inputs),
              "result": dict(result)}
    kp = keys.key_path(key_file)
    key = keys.load_private(kp) if kp else None
    return log.append(path, [record], key=key)[0]
