"""Existing OPA policies evaluated over scanned inputs (``plangate scan --rego DIR``).

Every ``*.rego`` file under DIR (``*_test.rego`` left out) is loaded into regorus — Microsoft's
Rego interpreter, through its PyPI binding ``gordon-to-regorus`` (the optional extra ``rego``) —
as Rego v1, or as v0 when it does not parse as v1 (Gatekeeper's library and many conftest
policies are still v0).  Each package's ``deny`` and ``violation`` rules (failures) and
``warn`` rules (warnings) are queried with two kinds of input:

- conftest style: each JSON / YAML document of the scanned files, as it is (a plan JSON, a
  Pulumi preview, a manifest);
- Gatekeeper style: each Kubernetes object the scan loaded, as ``input.review.object`` of an
  AdmissionReview request, with empty ``input.parameters``.

A message is a string, or an object's ``msg``.  Each becomes a `Finding` (rule id ``REGO``,
slug ``<package>.<rule>``) next to plangate's own.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plangate.errors import InputError, PlangateError
from plangate.model import Finding, Location, Outcome, Resource, Severity

INSTALL_HINT = "--rego needs the Rego interpreter: pip install 'plangate[rego]' (gordon-to-regorus)"
#: Rule names queried in every package, and what a message from each means.
RULES = {"deny": Outcome.VIOLATION, "violation": Outcome.VIOLATION, "warn": Outcome.WARNING}
_WHERE = re.compile(r"-->\s*(?P<file>.+?):(?P<line>\d+):(?P<col>\d+)\s*\n(?:.*\n)*?error:\s*(?P<msg>[^\n]+)")
_DOCUMENT_SUFFIXES = (".json", ".yaml", ".yml")


def _regorus() -> Any:
    try:
        import regorus
    except ImportError:
        raise PlangateError(INSTALL_HINT) from None
    return regorus


@dataclass(frozen=True)
class Message:
    package: str  # e.g. kubernetes.admission.ai_policy
    rule: str  # deny | violation | warn
    text: str


class Policies:
    """The Rego modules of a folder (or one file), parsed once."""

    def __init__(self, path: str | os.PathLike[str]):
        regorus = _regorus()
        root = Path(path)
        if root.is_file():
            files = [root]
        elif root.is_dir():
            files = sorted(p for p in root.rglob("*.rego") if not p.name.endswith("_test.rego"))
        else:
            raise InputError(str(path), "--rego: no such file or folder")
        if not files:
            raise InputError(str(path), "--rego: no .rego files in this folder")
        self.engine = regorus.Engine()
        for file in files:
            self._add(regorus, file)
        self.packages = sorted(p.removeprefix("data.") for p in self.engine.get_packages())

    def _add(self, regorus: Any, file: Path) -> None:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(str(file), f"cannot read: {exc}") from None
        try:
            self.engine.add_policy(str(file), text)
            return
        except RuntimeError as v1_error:
            first = v1_error
        probe = regorus.Engine()  # not v1: try v0 on its own first, so a bad file leaves no trace
        probe.set_rego_v0(True)
        try:
            probe.add_policy(str(file), text)
        except RuntimeError as v0_error:
            # v1 syntax (`if`, `contains`, `import rego.v1`) means the v1 message is the one to show
            v1_style = re.search(r"\bimport\s+rego\.v1\b|\bif\s*\{|\bcontains\b", text)
            raise _syntax_error(file, first if v1_style else v0_error) from None
        self.engine.set_rego_v0(True)  # regorus keeps one mode per engine: v0 files are parsed in it
        try:
            self.engine.add_policy(str(file), text)
        except RuntimeError as exc:
            raise _syntax_error(file, exc) from None
        finally:
            self.engine.set_rego_v0(False)

    def messages(self, document: Any) -> list[Message]:
        """Every deny / violation / warn message the policies give for ``input = document``."""
        self.engine.set_input_json(json.dumps(document, default=str))
        out = []
        for package in self.packages:
            for rule in RULES:
                result = json.loads(self.engine.eval_query_as_json(f"data.{package}.{rule}"))
                for row in result.get("result", ()):
                    for expr in row.get("expressions", ()):
                        out += [Message(package, rule, text) for text in _texts(expr.get("value"))]
        return out


def _texts(value: Any) -> Iterator[str]:
    items = value if isinstance(value, list) else [value] if value not in (None, True, False) else []
    for item in items:
        if isinstance(item, dict):
            msg = item.get("msg", item.get("message"))
            yield msg if isinstance(msg, str) else json.dumps(item, sort_keys=True)
        elif isinstance(item, str):
            yield item
        else:
            yield json.dumps(item, sort_keys=True)


def _syntax_error(file: Path, exc: Exception) -> InputError:
    text = str(exc)
    match = _WHERE.search(text)
    if match:
        return InputError(str(file), f"Rego syntax error: {match['msg'].strip()}", int(match["line"]),
                          int(match["col"]))
    first = next((line.strip() for line in text.splitlines() if line.strip()), "cannot parse")
    return InputError(str(file), f"Rego syntax error: {first}")


# --- the inputs ----------------------------------------------------------------------------------

def documents(paths: Sequence[str]) -> Iterator[tuple[str, int, Any]]:
    """(file, document number, document) for every JSON / YAML document under ``paths``."""
    import yaml

    for path in paths:
        for file in _files(Path(path)):
            try:
                text = file.read_text(encoding="utf-8")
                if file.suffix == ".json":
                    docs = [json.loads(text)]
                else:
                    docs = [d for d in yaml.safe_load_all(text) if d is not None]
            except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
                raise InputError(str(file), f"--rego: cannot read as {file.suffix[1:].upper()}: "
                                            f"{str(exc).splitlines()[0]}") from None
            for index, doc in enumerate(docs):
                yield str(file), index, doc


def _files(path: Path) -> Iterable[Path]:
    if path.is_file():
        return [path] if path.suffix in _DOCUMENT_SUFFIXES else []
    if not path.is_dir():
        return []
    return sorted(p for p in path.rglob("*") if p.suffix in _DOCUMENT_SUFFIXES and p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(path).parts))


def k8s_object(res: Resource) -> dict[str, Any]:
    """The manifest a Kubernetes `Resource` was loaded from (the loader's pod_metadata left out)."""
    return {k: v for k, v in res.properties.items() if k != "pod_metadata"}


def findings(policies: Policies, paths: Sequence[str], resources: Sequence[Resource]) -> list[Finding]:
    """The policies' messages over the scanned files (conftest style) and Kubernetes objects
    (Gatekeeper style), as findings; the same message for the same object is reported once."""
    from plangate.interop.admission import review

    out: list[Finding] = []
    seen: set[tuple[str, str, str, str]] = set()

    def add(address: str, resource_type: str, location: Location | None, messages: list[Message]) -> None:
        for m in messages:
            key = (address, m.package, m.rule, m.text)
            if key in seen:
                continue
            seen.add(key)
            outcome = RULES[m.rule]
            severity = Severity.HIGH if outcome is Outcome.VIOLATION else Severity.MEDIUM
            out.append(Finding("REGO", f"{m.package}.{m.rule}", severity, outcome, address, resource_type,
                               m.text, location))

    k8s = [r for r in resources if r.source_format == "k8s"]
    for file, index, doc in documents(paths):
        res = _k8s_match(doc, file, k8s)
        address = res.address if res else (file if index == 0 else f"{file}#{index + 1}")
        location = res.location if res else Location(file)
        add(address, res.type if res else "document", location, policies.messages(doc))
    for res in k8s:
        add(res.address, res.type, res.location, policies.messages(review(k8s_object(res))))
    return out


def _k8s_match(doc: Any, file: str, k8s: Sequence[Resource]) -> Resource | None:
    """The loaded object a document is, so both inputs report under the same address."""
    if not isinstance(doc, dict):
        return None
    for res in k8s:
        if res.location and res.location.file == file and k8s_object(res) == doc:
            return res
    return None
