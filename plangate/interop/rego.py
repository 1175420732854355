"""Existing OPA policies evaluated over scanned inputs (``plangate scan --rego DIR``).

Every ``*.rego`` file under DIR (``*_test.rego`` left out) is loaded into regorus — Microsoft's
Rego interpreter, through its PyPI binding ``gordon-to-regorus`` (the optional extra ``rego``) —
as Rego v1, or as v0 when it does not parse as v1 (Gatekeeper's library and many conftest
policies are still v0).  Gatekeeper ConstraintTemplates in DIR's YAML files (what
``plangate export gatekeeper`` writes) add their Rego when no ``.rego`` file holds that
package, and Gatekeeper Constraints (in DIR or among the scanned files) give their template's
package its ``input.parameters``.

Each package's rules are evaluated together (``data.<package>``); the ``deny``,
``violation`` and ``warn`` rules, or conftest's ``deny_<name>`` … forms, give failures and
warnings.  The inputs:

- each Kubernetes object the scan loaded gets ONE document that three conventions read at
  once (`policy_input`): the AdmissionReview v1 request an API server sends a webhook
  (``input.request``), Gatekeeper's (``input.review``, the same request, and
  ``input.parameters``), and the object itself at the top level, as conftest gives it
  (``input.kind``, ``input.metadata``, ``input.spec``).  The conventions collide on the
  top-level ``apiVersion`` / ``kind``: they are the object's (conftest policies test
  ``input.kind == "Deployment"``; AdmissionReview policies read ``input.request.kind``).  An
  object that has its own top-level ``request``, ``review`` or ``parameters`` (a
  StorageClass's ``parameters``) is evaluated a second time as it is, so conftest policies
  still see it;
- every other JSON / YAML document of the scanned files (a plan JSON, a Pulumi preview), as
  it is.

A message is a string, or an object's ``msg``.  Each becomes a `Finding` (rule id ``REGO``,
slug ``<package>.<rule>``) next to plangate's own.  A policy file whose package gave no result
at all — no rule, helper rules included, with a value other than false or empty — on any
input is named in a warning: most often it reads an input plangate does not give.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plangate.errors import InputError, PlangateError, first_line
from plangate.model import Finding, Location, Outcome, Resource, Severity

INSTALL_HINT = "--rego needs the Rego interpreter: pip install 'plangate[rego]' (gordon-to-regorus)"
#: Rule names that report, and what a message from each means (``deny_<name>`` … as well).
RULES = {"deny": Outcome.VIOLATION, "violation": Outcome.VIOLATION, "warn": Outcome.WARNING}
_REPORTING = re.compile(r"(?P<base>deny|violation|warn)(?:_\w+)?")
#: The top-level keys the admission conventions own in `policy_input`.
ENVELOPE = ("request", "review", "parameters")
#: Gatekeeper ``enforcementAction`` values that report without refusing.
_WARN_ACTIONS = ("warn", "dryrun")
_WHERE = re.compile(r"-->\s*(?P<file>.+?):(?P<line>\d+):(?P<col>\d+)\s*\n(?:.*\n)*?error:\s*(?P<msg>[^\n]+)")
_PACKAGE = re.compile(r"^\s*package\s+([\w.]+)", re.MULTILINE)
_DOCUMENT_SUFFIXES = (".json", ".yaml", ".yml")
_CONSTRAINTS_GROUP = "constraints.gatekeeper.sh/"
_TEMPLATES_GROUP = "templates.gatekeeper.sh/"


def _regorus() -> Any:
    try:
        import regorus
    except ImportError:
        raise PlangateError(INSTALL_HINT) from None
    return regorus


@dataclass(frozen=True)
class Message:
    package: str  # e.g. kubernetes.admission.ai_policy
    rule: str  # deny | violation | warn, or deny_<name> …
    text: str
    outcome: Outcome = Outcome.VIOLATION


@dataclass(frozen=True)
class Evaluation:
    """What the policies gave for one input: the messages, and the packages that gave any result."""

    messages: list[Message]
    live: frozenset[str]


@dataclass(frozen=True)
class Constraint:
    """A Gatekeeper Constraint: its template's kind, its parameters, which objects it matches."""

    name: str
    kind: str
    parameters: Mapping[str, Any]
    match: Mapping[str, Any]
    action: str
    file: str

    def matches(self, obj: Mapping[str, Any]) -> bool:
        """Gatekeeper's ``spec.match``: kinds (with API groups), namespaces, excludedNamespaces,
        name and labelSelector.matchLabels.  The parts listed by `unsupported` are not
        evaluated: the constraint is applied as if they matched (a gate would rather deny
        too much than pass silently), and the scan says so."""
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), Mapping) else {}
        group = str(obj.get("apiVersion", "")).rpartition("/")[0]
        kinds = self.match.get("kinds") or [{"apiGroups": ["*"], "kinds": ["*"]}]
        if not any(_listed(group, k.get("apiGroups") or ["*"]) and _listed(obj.get("kind"), k.get("kinds") or ["*"])
                   for k in kinds if isinstance(k, Mapping)):
            return False
        namespace = meta.get("namespace") or ""
        if self.match.get("namespaces") and not _globbed(namespace, self.match["namespaces"]):
            return False
        if _globbed(namespace, self.match.get("excludedNamespaces") or []):
            return False
        if self.match.get("name") and not fnmatch.fnmatchcase(str(meta.get("name", "")), str(self.match["name"])):
            return False
        wanted = (self.match.get("labelSelector") or {}).get("matchLabels") or {}
        labels = meta.get("labels") if isinstance(meta.get("labels"), Mapping) else {}
        return all(labels.get(k) == v for k, v in wanted.items())

    def unsupported(self) -> list[str]:
        """The parts of ``spec.match`` plangate does not evaluate (so it does not guess)."""
        selector = self.match.get("labelSelector") or {}
        return ([f"match.{k}" for k in ("namespaceSelector", "scope", "source") if self.match.get(k)]
                + (["match.labelSelector.matchExpressions"] if selector.get("matchExpressions") else []))


def _listed(value: Any, allowed: Iterable[Any]) -> bool:
    return any(a == "*" or a == value for a in allowed)


def _globbed(value: str, patterns: Iterable[Any]) -> bool:
    """Gatekeeper's namespace patterns: exact, or a prefix ending in ``*``."""
    return any(value == p or (isinstance(p, str) and p.endswith("*") and value.startswith(p[:-1])) for p in patterns)


def constraint(doc: Any, file: str) -> Constraint | None:
    """``doc`` as a Gatekeeper Constraint, or None when it is not one."""
    if not (isinstance(doc, dict) and str(doc.get("apiVersion", "")).startswith(_CONSTRAINTS_GROUP)
            and isinstance(doc.get("kind"), str)):
        return None
    spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    params, match = spec.get("parameters"), spec.get("match")
    return Constraint(str(meta.get("name", "")), doc["kind"], params if isinstance(params, dict) else {},
                      match if isinstance(match, dict) else {}, str(spec.get("enforcementAction", "deny")), file)


def _is_template(doc: Any) -> bool:
    return (isinstance(doc, dict) and str(doc.get("apiVersion", "")).startswith(_TEMPLATES_GROUP)
            and doc.get("kind") == "ConstraintTemplate")


class Policies:
    """The Rego modules of a folder (or one file), parsed once, and the Gatekeeper Constraints
    beside them."""

    def __init__(self, path: str | os.PathLike[str]):
        regorus = _regorus()
        root = Path(path)
        if root.is_file():
            files, yamls = ([root], []) if root.suffix == ".rego" else ([], [root])
        elif root.is_dir():
            files = sorted(p for p in root.rglob("*.rego") if not p.name.endswith("_test.rego"))
            yamls = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
        else:
            raise InputError(str(path), "--rego: no such file or folder")
        self.engine = regorus.Engine()
        self.files: dict[str, str] = {}  # policy file → its package
        for file in files:
            self.files[str(file)] = self._add(regorus, str(file), _read(file))
        self.constraints: list[Constraint] = []
        for file in yamls:
            self._add_gatekeeper(regorus, file)
        if not self.files:
            raise InputError(str(path), "--rego: no .rego files (or ConstraintTemplates) in this folder")
        self.packages = sorted(p.removeprefix("data.") for p in self.engine.get_packages())

    def _add_gatekeeper(self, regorus: Any, file: Path) -> None:
        """Constraints, and the Rego of ConstraintTemplates whose package no .rego file holds
        (gatekeeper-library folders carry both ``src.rego`` and ``template.yaml``)."""
        import yaml

        try:
            docs = list(yaml.safe_load_all(_read(file)))
        except yaml.YAMLError as exc:
            raise InputError(str(file), f"--rego: cannot read as YAML: {first_line(exc)}") from None
        for index, doc in enumerate(docs):
            found = constraint(doc, str(file))
            if found is not None:
                self.constraints.append(found)
            elif _is_template(doc):
                for target_index, target in enumerate((doc.get("spec") or {}).get("targets") or []):
                    for lib_index, text in enumerate([target.get("rego"), *(target.get("libs") or [])]):
                        match = _PACKAGE.search(text) if isinstance(text, str) else None
                        if match and match[1] not in self.files.values():
                            where = f"{file}#{index + 1}.targets[{target_index}]" + (
                                f".libs[{lib_index - 1}]" if lib_index else ".rego")
                            self.files[where] = self._add(regorus, where, text)

    def _add(self, regorus: Any, file: str, text: str) -> str:
        """Add one module (v1, else v0); its package."""
        try:
            return str(self.engine.add_policy(file, text)).removeprefix("data.")
        except RuntimeError as v1_error:
            first = v1_error
        probe = regorus.Engine()  # not v1: try v0 on its own first, so a bad file leaves no trace
        probe.set_rego_v0(True)
        try:
            probe.add_policy(file, text)
        except RuntimeError as v0_error:
            # v1 syntax (`if`, `contains`, `import rego.v1`) means the v1 message is the one to show
            v1_style = re.search(r"\bimport\s+rego\.v1\b|\bif\s*\{|\bcontains\b", text)
            raise _syntax_error(file, first if v1_style else v0_error) from None
        self.engine.set_rego_v0(True)  # regorus keeps one mode per engine: v0 files are parsed in it
        try:
            return str(self.engine.add_policy(file, text)).removeprefix("data.")
        except RuntimeError as exc:
            raise _syntax_error(file, exc) from None
        finally:
            self.engine.set_rego_v0(False)

    def constrained(self, constraints: Iterable[Constraint]) -> list[tuple[Constraint, str | None]]:
        """Each constraint with its template's package: the one named after its kind in lower
        case (Gatekeeper's convention, and ``plangate export gatekeeper``'s), or None."""
        by_name = {p.rsplit(".", 1)[-1]: p for p in self.packages}
        return [(c, by_name.get(c.kind.lower())) for c in constraints]

    def evaluate(self, document: Any, packages: Iterable[str] | None = None,
                 action: str = "deny") -> Evaluation:
        """Every package's (or ``packages``') messages for ``input = document``, and which
        packages gave any result; ``action`` is the Gatekeeper enforcementAction in force."""
        self.engine.set_input_json(json.dumps(document, default=str))
        messages, live = [], set()
        for package in self.packages if packages is None else packages:
            try:
                result = json.loads(self.engine.eval_query_as_json(f"data.{package}"))
            except RuntimeError as exc:
                first = first_line(exc, "error")
                raise PlangateError(f"--rego: data.{package} fails to evaluate: {first}") from None
            for row in result.get("result", ()):
                for expr in row.get("expressions", ()):
                    rules = expr.get("value")
                    if not isinstance(rules, dict):
                        continue
                    own = {k: v for k, v in rules.items() if f"{package}.{k}" not in self.packages}
                    if any(v not in (None, False, [], {}) for v in own.values()):
                        live.add(package)
                    for rule, value in sorted(own.items()):
                        reporting = _REPORTING.fullmatch(rule)
                        if reporting:
                            outcome = RULES[reporting["base"]]
                            if action in _WARN_ACTIONS:
                                outcome = Outcome.WARNING
                            messages += [Message(package, rule, text, outcome) for text in _texts(value)]
        return Evaluation(messages, frozenset(live))

    def messages(self, document: Any) -> list[Message]:
        """Every reporting rule's message the policies give for ``input = document``."""
        return self.evaluate(document).messages


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(file), f"cannot read: {exc}") from None


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


def _syntax_error(file: str, exc: Exception) -> InputError:
    text = str(exc)
    match = _WHERE.search(text)
    if match:
        return InputError(file, f"Rego syntax error: {match['msg'].strip()}", int(match["line"]),
                          int(match["col"]))
    first = first_line(text, "cannot parse")
    return InputError(file, f"Rego syntax error: {first}")


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
                                            f"{first_line(exc)}") from None
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
    """The manifest a Kubernetes `Resource` was loaded from (the loader's pod_metadata left out;
    a Secret's values stay redacted, so no policy message can carry them)."""
    return {k: v for k, v in res.properties.items() if k != "pod_metadata"}


def policy_input(obj: Mapping[str, Any], parameters: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The one input document for a Kubernetes object: the object at the top level (conftest),
    ``request`` (an AdmissionReview v1's) and ``review`` + ``parameters`` (Gatekeeper's).

    >>> doc = policy_input({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "m"}})
    >>> doc["kind"], doc["request"]["kind"], doc["review"] is doc["request"], doc["parameters"]
    ('Deployment', {'group': 'apps', 'version': 'v1', 'kind': 'Deployment'}, True, {})
    """
    from plangate.interop.admission import review

    gatekeeper = review(obj, parameters)
    return {**obj, "request": gatekeeper["review"], **gatekeeper}


def _is_object(doc: Any) -> bool:
    """A document the Kubernetes loader reads as an object (or a List of them)."""
    return isinstance(doc, dict) and isinstance(doc.get("apiVersion"), str) and isinstance(doc.get("kind"), str)


@dataclass
class Report:
    """The policies' findings over the scanned inputs, and what the scan should warn about."""

    findings: list[Finding] = field(default_factory=list)
    silent: list[str] = field(default_factory=list)  # policy files whose package gave no result
    warnings: list[str] = field(default_factory=list)


def findings(policies: Policies, paths: Sequence[str], resources: Sequence[Resource]) -> Report:
    """The policies' messages over the Kubernetes objects (`policy_input`) and the other
    documents of the scanned files, as findings; the same message for the same object is
    reported once."""
    report = Report()
    seen: set[tuple[str, str, str, str]] = set()
    live: set[str] = set()

    def add(address: str, resource_type: str, location: Location | None, evaluation: Evaluation) -> None:
        live.update(evaluation.live)
        for m in evaluation.messages:
            key = (address, m.package, m.rule, m.text)
            if key in seen:
                continue
            seen.add(key)
            severity = Severity.HIGH if m.outcome is Outcome.VIOLATION else Severity.MEDIUM
            report.findings.append(Finding("REGO", f"{m.package}.{m.rule}", severity, m.outcome, address,
                                           resource_type, m.text, location))

    docs = list(documents(paths))
    k8s = [r for r in resources if r.source_format == "k8s"]
    k8s_files = {r.location.file for r in k8s if r.location}
    found = [c for c in (constraint(doc, file) for file, _, doc in docs) if c is not None]
    packages_of = policies.constrained([*policies.constraints, *found])
    report.warnings += _constraint_warnings(packages_of, policies.constraints)
    constrained = {p for _, p in packages_of if p is not None}
    free = [p for p in policies.packages if p not in constrained]
    inputs = len(k8s)
    for file, index, doc in docs:
        if file in k8s_files and _is_object(doc):
            continue  # the loader's object: evaluated below, as all three conventions expect
        inputs += 1
        add(file if index == 0 else f"{file}#{index + 1}", "document", Location(file), policies.evaluate(doc))
    for res in k8s:
        obj = k8s_object(res)
        add(res.address, res.type, res.location, policies.evaluate(policy_input(obj), free))
        if set(obj) & set(ENVELOPE):  # its own field hides under the envelope: conftest sees it as it is
            add(res.address, res.type, res.location, policies.evaluate(obj, free))
        for c, package in packages_of:
            if package is not None and c.matches(obj):
                add(res.address, res.type, res.location,
                    policies.evaluate(policy_input(obj, c.parameters), [package], c.action))
    report.silent = sorted(f for f, package in policies.files.items() if package not in live)
    report.warnings += [f"{f}: no rule of package {policies.files[f]} gave a result on any of the {inputs} "
                        "inputs: does it read what --rego gives (input.request, input.review, or the "
                        "document itself)?" for f in report.silent]
    return report


def _constraint_warnings(packages_of: Iterable[tuple[Constraint, str | None]],
                         beside_policies: Sequence[Constraint]) -> list[str]:
    """A constraint given with the policies but without its template is not silently dropped;
    one among the scanned files is also just an object (a repository's Gatekeeper setup)."""
    out = []
    for c, package in packages_of:
        if package is None and any(c is given for given in beside_policies):
            out.append(f"{c.file}: constraint {c.kind}/{c.name}: no Rego package named {c.kind.lower()} "
                       "(its template's); it is not applied")
        elif c.unsupported():
            out.append(f"{c.file}: constraint {c.kind}/{c.name}: {', '.join(c.unsupported())} not evaluated; "
                       "applied as if they matched")
    return out
