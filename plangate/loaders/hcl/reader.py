"""Terraform HCL sources (``.tf``) → `Resource`s, without running Terraform.

One directory is one Terraform module (`load_dir`; the dispatcher walks sub-directories
itself); `load_file` reads a single ``.tf`` file on its own.  What is read:

- Every ``resource "TYPE" "NAME"`` block becomes a `Resource` with address ``TYPE.NAME``,
  action ``create`` and the file and line of the block.  With ``count`` / ``for_each`` the
  address stays ``TYPE.NAME`` (one resource stands for all its instances) and a note says so;
  a literal ``count = 0`` or an empty literal ``for_each`` creates nothing, so gives nothing.
- Properties are the block's attributes, nested blocks as lists of objects as in Terraform's
  plan JSON (``tracing_config: [{"mode": "Active"}]``).  Meta-arguments (``count``,
  ``for_each``, ``provider``, ``depends_on``, ``lifecycle``, provisioners) are not properties.
- Values are evaluated only as far as is certain without Terraform: literals; ``var.x`` whose
  value is literal (a ``default``, or ``terraform.tfvars`` / ``*.auto.tfvars``, which Terraform
  always loads and which win over defaults); ``local.x`` whose value comes out literal the same
  way; templates whose interpolations are such references to strings, numbers or booleans.
  Everything else (resource attributes, ``module.*``, ``data.*``, function calls such as
  ``merge(…)``, conditionals, ``for`` expressions, ``%{}`` directives, ``dynamic`` blocks) is
  *unknown*: its dotted path (list indexes are path parts, as in the plan loader:
  ``tracing_config.0.mode``) goes into ``Resource.unknown`` and the value is left out of
  ``properties`` (an unknown list element is kept as ``None`` so indexes stay right).
  ``tags = merge(local.common, {Name = "x"})`` makes ``tags`` unknown; a literal ``tags`` map
  with one interpolated value makes only ``tags.<Key>`` unknown.
- Values of ``sensitive`` variables are replaced by `REDACTED` and their paths are secret.
- ``Resource.tags`` are the effective tags: the ``default_tags`` of the resource's provider
  configuration (``provider = aws.west`` picks the aliased one) merged under the resource's
  own ``tags``; an own tag set to ``""`` overrides the default with ``""``.  Default tag
  values that are unknown make ``tags.<Key>`` unknown; a ``default_tags`` map that is itself an
  expression makes ``tags`` unknown.
- Module calls are not expanded (their resources live in another directory, with inputs this
  loader cannot evaluate).  They are reported apart from resources: `read_dir` / `read_file`
  return a `Configuration` holding both, so one parse serves callers that want both, and
  `module_calls` gives the `ModuleCall` list alone, e.g. for a finding that says "tags come
  from module x, not checked".  `load_dir` / `load_file` return the resources only.
- ``override.tf`` / ``*_override.tf`` files are merged into the blocks they override, as
  Terraform does; ``.tf.json`` files are not read.

Parsing is `hcl_syntax` (our own reader of HCL native syntax; python-hcl2, the reference
parser, is 30 to 60 times slower and is kept as the oracle of the tests).  A file that is not
valid HCL raises `InputError` naming the file, line and column; duplicate resources,
variables, locals, modules and providers raise `InputError` too, as Terraform refuses them.
Values arrive in python-hcl2's serialised form (see `hcl_syntax`): quoted strings and heredocs
in source form, other expressions as ``${source}``; the evaluator below decodes them.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "main.tf").write_text('''
... provider "aws" {
...   default_tags { tags = { Team = "ml" } }
... }
... resource "aws_sqs_queue" "q" {
...   name = "jobs"
...   tags = { Owner = var.owner }
... }
... ''')
>>> [(r.address, r.tags, sorted(r.unknown), str(r.location)) for r in load_dir(d)]  # doctest: +ELLIPSIS
[('aws_sqs_queue.q', {'Team': 'ml'}, ['tags.Owner'], '...main.tf:5')]
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from plangate.errors import InputError
from plangate.loaders import hcl_syntax
from plangate.loaders.source import decode, path_error, read_bytes
from plangate.loaders.tags import NO_DEFAULTS, UNKNOWN_DEFAULTS, DefaultTags, EffectiveTags, OwnTags, clean_tags, merge
from plangate.model import ONE, REDACTED, Instances, Location, Resource

SOURCE_FORMAT = "hcl"

# Terraform meta-arguments: how Terraform manages the resource, not the resource's data.
_META_ARGUMENTS = frozenset(
    {"count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection"}
)

# Variable values Terraform loads by itself, in this order (later wins), after defaults.
_TFVARS = ("terraform.tfvars", "terraform.tfvars.json")
_AUTO_TFVARS = (".auto.tfvars", ".auto.tfvars.json")

Path_ = tuple[str, ...]  # a property path, one part per key / list index


class _UnknownType:
    """The value of an expression only Terraform can evaluate."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = _UnknownType()
_MISSING = object()


class ModuleCall(NamedTuple):
    """A ``module "name" { source = … }`` block: recorded, not expanded."""

    name: str
    source: str
    location: Location


@dataclass(frozen=True, slots=True)
class Configuration:
    """What one directory (or file) declares that plangate reads."""

    resources: list[Resource]
    module_calls: list[ModuleCall]

    def with_module_calls(self) -> list[Resource]:
        """Resources, then one ``terraform_module_call`` resource per module call, so a
        rule can say that the module's resources were not checked."""
        calls = [
            Resource(MODULE_CALL, f"module.{c.name}", "hcl", properties={"name": c.name, "source": c.source},
                     location=c.location, provider="terraform")
            for c in self.module_calls
        ]
        return [*self.resources, *calls]


#: The canonical type of a module call in the resource list the scanner sees.
MODULE_CALL = "terraform_module_call"


# ------------------------------------------------------------------------------ public API


def load_dir(path: Path) -> list[Resource]:
    """Resources declared by the ``.tf`` files of one directory (not its sub-directories)."""
    return read_dir(path).resources


def load_file(path: Path) -> list[Resource]:
    """Resources declared by one ``.tf`` file; only its own variables and locals are known."""
    return read_file(path).resources


def module_calls(path: Path) -> list[ModuleCall]:
    """The module calls of a directory, or of a single file."""
    p = Path(path)
    return (read_dir(p) if p.is_dir() else read_file(p)).module_calls


def read_dir(path: Path) -> Configuration:
    """Resources and module calls of one directory, from one parse of its files."""
    directory = Path(path)
    return _configuration(declared_blocks(directory), _tfvars(directory))


def declared_blocks(path: Path) -> list[SourceBlock]:
    """The blocks of one directory's ``.tf`` files in source form (see `hcl_syntax`), override
    files merged: what the evaluator compares its values with.  Labels are unquoted."""
    directory = Path(path)
    names = _tf_files(directory)
    blocks = [b for n in names if not _is_override(n) for b in _parse_file(directory / n).blocks]
    for name in (n for n in names if _is_override(n)):
        _apply_overrides(blocks, _parse_file(directory / name).blocks)
    return blocks


def read_file(path: Path) -> Configuration:
    """Resources and module calls of one ``.tf`` file on its own."""
    return _configuration(_parse_file(Path(path)).blocks, {})


# ------------------------------------------------------------------------------ parsing


@dataclass(slots=True)
class _Block:
    kind: str  # resource, variable, locals, provider, module, …
    labels: tuple[str, ...]
    body: dict[str, Any]  # serialised body (source-form strings, see hcl_syntax)
    location: Location


#: A block as declared (kind, unquoted labels, source-form body, location).
SourceBlock = _Block


@dataclass(slots=True)
class _Parsed:
    blocks: list[_Block]
    attributes: dict[str, Any]  # top-level attributes: only meaningful in .tfvars files


def _tf_files(directory: Path) -> list[str]:
    try:
        entries = sorted(e.name for e in os.scandir(directory) if e.is_file())
    except OSError as exc:
        raise path_error(directory, exc, "list") from None
    # Terraform ignores hidden files and editor backups (``.x.tf``, ``x.tf~``, ``#x.tf#``).
    return [n for n in entries if n.endswith(".tf") and not n.startswith((".", "#"))]


def _is_override(name: str) -> bool:
    return name == "override.tf" or name.endswith("_override.tf")


def _parse_file(path: Path) -> _Parsed:
    file = str(path)
    return _parse_text(decode(read_bytes(path), file), file)


def _parse_text(text: str, file: str) -> _Parsed:
    try:
        parsed = hcl_syntax.parse(text)
    except hcl_syntax.SyntaxProblem as problem:
        raise InputError(file, f"invalid HCL: {problem.reason}", problem.line, problem.column) from None
    blocks = [_Block(b.kind, tuple(_unquote(label) for label in b.labels), b.body, Location(file, b.line))
              for b in parsed.blocks]
    return _Parsed(blocks, parsed.attributes)


def _unquote(label: str) -> str:
    if len(label) >= 2 and label[0] == label[-1] == '"':
        return _decode_escapes(label[1:-1])
    return label


def _apply_overrides(blocks: list[_Block], overrides: Iterable[_Block]) -> None:
    """Merge override-file blocks into the blocks they name, as Terraform does: each
    attribute, and each nested block type as a whole, replaces the original's."""
    by_key = {(b.kind, b.labels): b for b in blocks if b.kind != "locals"}
    for block in overrides:
        if block.kind == "locals":
            for name, value in block.body.items():
                owner = next((b for b in blocks if b.kind == "locals" and name in b.body), None)
                if owner is None:
                    blocks.append(_Block("locals", (), {name: value}, block.location))
                else:
                    owner.body = {**owner.body, name: value}
            continue
        original = by_key.get((block.kind, block.labels))
        if original is not None:
            original.body = {**original.body, **block.body}


def _tfvars(directory: Path) -> dict[str, Any]:
    """Raw variable values from the files Terraform loads automatically (later wins)."""
    files = [n for n in _TFVARS if (directory / n).is_file()]
    try:
        auto = sorted(e.name for e in os.scandir(directory)
                      if e.is_file() and e.name.endswith(_AUTO_TFVARS))
    except OSError:
        auto = []
    values: dict[str, Any] = {}
    for name in files + auto:
        path = directory / name
        file = str(path)
        text = decode(read_bytes(path), file)
        if name.endswith(".json"):
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise InputError(file, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
            if isinstance(data, dict):
                values.update({k: _Json(v) for k, v in data.items()})
        else:
            values.update(_parse_text(text, file).attributes)
    return values


@dataclass(frozen=True, slots=True)
class _Json:
    """A value from a ``.tfvars.json`` file: plain JSON, not HCL source form."""

    value: Any


# ------------------------------------------------------------------------------ evaluation


@dataclass(slots=True)
class _Known:
    """A value known before apply; ``unknown`` / ``secret`` are paths relative to it."""

    value: Any
    unknown: frozenset[Path_] = frozenset()
    secret: frozenset[Path_] = frozenset()


class _Scope:
    """What ``var.*`` and ``local.*`` stand for in one module (locals evaluated lazily)."""

    def __init__(self, variables: dict[str, _Known | None], local_exprs: dict[str, Any]):
        self.variables = variables
        self.local_exprs = local_exprs
        self.locals: dict[str, _Known | None] = {}
        self._evaluating: set[str] = set()

    def lookup(self, root: str, name: str) -> _Known | None:
        if root == "var":
            return self.variables.get(name)
        if name in self.locals:
            return self.locals[name]
        if name not in self.local_exprs or name in self._evaluating:
            return None  # undeclared, or a cycle Terraform would refuse
        self._evaluating.add(name)
        try:
            known = _evaluate(self.local_exprs[name], self)
        finally:
            self._evaluating.discard(name)
        self.locals[name] = known
        return known


_EMPTY_SCOPE = _Scope({}, {})


def _evaluate(raw: Any, scope: _Scope) -> _Known | None:
    """A whole expression as a `_Known` (None when the value itself is unknown)."""
    ev = _Evaluator(scope)
    value = ev.value(raw, ())
    if value is UNKNOWN:
        return None
    return _Known(value, frozenset(ev.unknown), frozenset(ev.secret))


# A reference this loader can follow: var.x / local.x, then .attr, ["key"] or [0] steps.
_REFERENCE = re.compile(r"(var|local)\.([A-Za-z_][\w-]*)((?:\.[A-Za-z_][\w-]*|\[\d+\]|\[\"[^\"\\]*\"\])*)")
_STEP = re.compile(r"\.([A-Za-z_][\w-]*)|\[(\d+)\]|\[\"([^\"\\]*)\"\]")
# Where a template's literal text stops: escapes, $${ / %%{ escapes, ${ and %{.
_TEMPLATE_MARK = re.compile(r"\\|\$\$\{|%%\{|\$\{|%\{")
_HEREDOC_MARK = re.compile(r"\$\$\{|%%\{|\$\{|%\{")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z][\w.-]*)\r?\n")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


class _Evaluator:
    """Evaluates serialised values (see hcl_syntax), collecting unknown and secret paths."""

    def __init__(self, scope: _Scope):
        self.scope = scope
        self.unknown: set[Path_] = set()
        self.secret: set[Path_] = set()

    def value(self, raw: Any, path: Path_) -> Any:
        """The value of ``raw`` at ``path``, or UNKNOWN (the caller records ``path``)."""
        if raw is None or isinstance(raw, (bool, int, float)):
            return raw
        if isinstance(raw, _Json):
            return copy.deepcopy(raw.value)
        if isinstance(raw, dict):
            return self._object(raw, path)
        if isinstance(raw, list):
            return self._list(raw, path)
        if isinstance(raw, str):
            if len(raw) >= 2 and raw[0] == raw[-1] == '"':
                return self._string(raw[1:-1], path)
            if raw.startswith("${") and raw.endswith("}"):
                return self._expression(raw[2:-1], path)
        return UNKNOWN  # a bare identifier: only valid where Terraform reads it itself

    def _object(self, raw: dict[str, Any], path: Path_) -> Any:
        keys = [self._key(k) for k in raw]
        if any(k is None for k in keys):
            return UNKNOWN  # a computed key: even the set of keys is unknown
        out: dict[str, Any] = {}
        for key, sub in zip(keys, raw.values()):
            assert key is not None
            value = self.value(sub, (*path, key))
            if value is UNKNOWN:
                self.unknown.add((*path, key))
            else:
                out[key] = value
        return out

    def _list(self, raw: list[Any], path: Path_) -> list[Any]:
        out = []
        for index, sub in enumerate(raw):
            value = self.value(sub, (*path, str(index)))
            if value is UNKNOWN:
                self.unknown.add((*path, str(index)))
                value = None  # keeps the other elements at their indexes
            out.append(value)
        return out

    def _key(self, raw: str) -> str | None:
        if raw.startswith("${") or (len(raw) >= 2 and raw[0] == raw[-1] == '"'):
            key = _Evaluator(self.scope).value(raw, ())
            if isinstance(key, (int, float)) and not isinstance(key, bool):
                return _number_text(key)
            return key if isinstance(key, str) and key is not REDACTED else None
        return raw  # an identifier key

    def _string(self, inner: str, path: Path_) -> Any:
        heredoc = _HEREDOC.match(inner)
        if heredoc:
            return self._template(_heredoc_text(inner, heredoc), path, escapes=False)
        return self._template(inner, path, escapes=True)

    def _expression(self, expr: str, path: Path_) -> Any:
        expr = expr.strip().strip("~").strip()  # "${~ x ~}": whitespace strip markers
        while expr.startswith("(") and expr.endswith(")") and _REFERENCE.fullmatch(expr[1:-1].strip()):
            expr = expr[1:-1].strip()
        match = _REFERENCE.fullmatch(expr)
        if not match:
            return UNKNOWN
        known = self.scope.lookup(match[1], match[2])
        if known is None:
            return UNKNOWN
        found = _traverse(known, _steps(match[3]))
        if found is None:
            return UNKNOWN
        self.unknown.update((*path, *rel) for rel in found.unknown)
        self.secret.update((*path, *rel) for rel in found.secret)
        return copy.deepcopy(found.value) if isinstance(found.value, (dict, list)) else found.value

    def _template(self, text: str, path: Path_, escapes: bool) -> Any:
        """A quoted string or heredoc: literal text, escapes and ``${ref}`` interpolations."""
        whole = _single_interpolation(text)
        if whole is not None:
            return self._expression(whole, path)  # "${var.x}" is var.x, of any type
        marks = _TEMPLATE_MARK if escapes else _HEREDOC_MARK
        parts: list[str] = []
        secret = False
        pos = 0
        while True:
            match = marks.search(text, pos)
            if match is None:
                parts.append(text[pos:])
                break
            parts.append(text[pos:match.start()])
            mark = match.group()
            if mark == "\\":
                decoded, pos = _escape(text, match.start())
                parts.append(decoded)
            elif mark in ("$${", "%%{"):
                parts.append(mark[1:])
                pos = match.end()
            elif mark == "%{":
                return UNKNOWN  # a template directive (if / for)
            else:
                end = _closing_brace(text, match.end())
                if end < 0:
                    return UNKNOWN
                piece = self._interpolation(text[match.end():end])
                if piece is UNKNOWN:
                    return UNKNOWN
                text_piece, piece_secret = piece
                parts.append(text_piece)
                secret = secret or piece_secret
                pos = end + 1
        if secret:
            self.secret.add(path)
            return REDACTED
        return "".join(parts)

    def _interpolation(self, expr: str) -> Any:
        """(text, secret) of one ``${…}`` inside a larger template, or UNKNOWN."""
        sub = _Evaluator(self.scope)
        value = sub._expression(expr, ())
        if value is UNKNOWN or sub.unknown:
            return UNKNOWN
        secret = bool(sub.secret)
        if isinstance(value, str):
            return value, secret
        if isinstance(value, bool):
            return ("true" if value else "false"), secret
        if isinstance(value, (int, float)):
            return _number_text(value), secret
        return UNKNOWN  # null, lists and maps cannot be interpolated


def _steps(text: str) -> list[str | int]:
    return [m[1] or (int(m[2]) if m[2] else m[3]) for m in _STEP.finditer(text)]


def _traverse(known: _Known, steps: list[str | int]) -> _Known | None:
    """The part of ``known`` below ``steps``; None when it is unknown or absent."""
    value = known.value
    walked: Path_ = ()
    for step in steps:
        if walked in known.unknown:
            return None
        if isinstance(value, dict) and isinstance(step, str) and step in value:
            value = value[step]
        elif isinstance(value, list) and isinstance(step, int) and step < len(value):
            value = value[step]
        else:
            return None  # Terraform would refuse it; either way nothing is known
        walked = (*walked, str(step))
    if walked in known.unknown:
        return None
    depth = len(walked)
    unknown = frozenset(p[depth:] for p in known.unknown if p[:depth] == walked)
    secret = frozenset(p[depth:] for p in known.secret if p[:depth] == walked)
    if any(walked[:i] in known.secret for i in range(depth)):
        secret = frozenset({()})  # inside a secret value
    return _Known(value, unknown, secret)


def _single_interpolation(text: str) -> str | None:
    """The expression when the template is exactly one ``${…}`` and nothing else."""
    if not text.startswith("${"):
        return None
    end = _closing_brace(text, 2)
    return text[2:end] if end == len(text) - 1 else None


def _closing_brace(text: str, start: int) -> int:
    """Index of the ``}`` closing an interpolation opened just before ``start`` (-1 if none);
    braces inside quoted strings within the expression do not count."""
    depth = 1
    i = start
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i = _string_end(text, i + 1)
            if i < 0:
                return -1
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _string_end(text: str, start: int) -> int:
    """Index of the quote closing a string that starts at ``start`` (-1 if none)."""
    i = start
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == '"':
            return i
        if text.startswith("${", i):
            i = _closing_brace(text, i + 2)
            if i < 0:
                return -1
        i += 1
    return -1


def _escape(text: str, at: int) -> tuple[str, int]:
    """The character an escape at ``at`` stands for, and the index after it."""
    kind = text[at + 1: at + 2]
    if kind in _ESCAPES:
        return _ESCAPES[kind], at + 2
    width = {"u": 4, "U": 8}.get(kind)
    if width:
        digits = text[at + 2: at + 2 + width]
        if len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
            code = int(digits, 16)
            if code <= 0x10FFFF and not 0xD800 <= code < 0xE000:
                return chr(code), at + 2 + width
    return text[at: at + 2], at + 2  # Terraform rejects other escapes; keep them visible


def _decode_escapes(text: str) -> str:
    """A quoted literal without interpolation (a block label) as its value."""
    out = _Evaluator(_EMPTY_SCOPE)._template(text, (), escapes=True)
    return out if isinstance(out, str) else text


def _heredoc_text(inner: str, opening: re.Match[str]) -> str:
    """A heredoc's content: the lines between the markers, each ending in a newline;
    ``<<-`` removes the indentation the lines share."""
    lines = inner[opening.end():].replace("\r\n", "\n").split("\n")[:-1]  # last: the marker
    if opening[1] == "-":
        indents = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
        cut = min(indents, default=0)
        lines = [line[cut:] for line in lines]
    return "".join(line + "\n" for line in lines)


def _number_text(value: int | float) -> str:
    """A number as Terraform writes it into a string (``3``, ``3.5``, not ``3.0``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ------------------------------------------------------------------------------ the module


def _configuration(blocks: list[_Block], tfvars: dict[str, Any]) -> Configuration:
    _check_unique(blocks)
    scope = _scope(blocks, tfvars)
    providers = dict(_provider_defaults(blocks, scope))
    resources: list[Resource] = []
    calls: list[ModuleCall] = []
    for block in blocks:
        if block.kind == "resource" and len(block.labels) == 2:
            resource = _resource(block, scope, providers)
            if resource is not None:
                resources.append(resource)
        elif block.kind == "module" and len(block.labels) == 1:
            source = _Evaluator(scope).value(block.body.get("source"), ("source",))
            calls.append(ModuleCall(block.labels[0], source if isinstance(source, str) else "",
                                    block.location))
    return Configuration(resources, calls)


def _check_unique(blocks: list[_Block]) -> None:
    """Terraform refuses a second resource, module, provider, variable or local of a name."""
    first: dict[tuple[str, ...], Location] = {}
    for block in blocks:
        if block.kind == "locals":
            keys = [("local", name) for name in block.body]
        elif block.kind == "provider" and len(block.labels) == 1:
            alias = _Evaluator(_EMPTY_SCOPE).value(block.body.get("alias"), ())
            keys = [("provider", block.labels[0], alias if isinstance(alias, str) else "")]
        elif block.kind in ("resource", "module", "variable"):
            keys = [(block.kind, *block.labels)]
        else:
            continue
        for key in keys:
            if key in first:
                what = {"local": "local value", "provider": "provider configuration"}.get(
                    key[0], key[0])
                name = ".".join(k for k in key[1:] if k)
                raise InputError(block.location.file,
                                 f'duplicate {what} "{name}" (first declared at {first[key]})',
                                 block.location.line)
            first[key] = block.location


def _scope(blocks: list[_Block], tfvars: dict[str, Any]) -> _Scope:
    variables: dict[str, _Known | None] = {}
    local_exprs: dict[str, Any] = {}
    for block in blocks:
        if block.kind == "variable" and len(block.labels) == 1:
            name = block.labels[0]
            variables[name] = _variable(block.body, tfvars.get(name, _MISSING))
        elif block.kind == "locals":
            local_exprs.update(block.body)
    return _Scope(variables, local_exprs)


def _variable(body: dict[str, Any], assigned: Any) -> _Known | None:
    """A variable's value when it is literal: a tfvars assignment, else its default."""
    raw = assigned if assigned is not _MISSING else body.get("default", _MISSING)
    if raw is _MISSING:
        return None  # set at plan time (-var, TF_VAR_…): unknown here
    known = _evaluate(raw, _EMPTY_SCOPE)  # defaults and tfvars cannot refer to anything
    if known is None or known.unknown:
        return None
    if _Evaluator(_EMPTY_SCOPE).value(body.get("sensitive"), ()) is True:
        value, paths = _redact(known.value, ())
        return _Known(value, frozenset(), frozenset(paths))
    return known


def _redact(value: Any, path: Path_) -> tuple[Any, list[Path_]]:
    """Every leaf replaced by REDACTED (map keys stay: tag rules need to see them)."""
    if isinstance(value, dict):
        out, paths = {}, []
        for key, sub in value.items():
            out[key], sub_paths = _redact(sub, (*path, key))
            paths += sub_paths
        return out, paths
    if isinstance(value, list):
        items, paths = [], []
        for index, sub in enumerate(value):
            item, sub_paths = _redact(sub, (*path, str(index)))
            items.append(item)
            paths += sub_paths
        return items, paths
    return REDACTED, [path]


def _provider_defaults(blocks: list[_Block], scope: _Scope) -> Iterable[tuple[tuple[str, str], DefaultTags]]:
    """(provider name, alias or "") → its default_tags, for providers that declare them."""
    for block in blocks:
        if block.kind != "provider" or len(block.labels) != 1:
            continue
        alias = _Evaluator(scope).value(block.body.get("alias"), ())
        key = (block.labels[0], alias if isinstance(alias, str) else "")
        settings = block.body.get("default_tags")
        if not isinstance(settings, list):
            continue
        defaults = NO_DEFAULTS
        for setting in settings:
            if isinstance(setting, dict) and "tags" in setting:
                defaults = _default_tags(setting["tags"], scope)
        yield key, defaults


def _default_tags(raw: Any, scope: _Scope) -> DefaultTags:
    ev = _Evaluator(scope)
    value = ev.value(raw, ())
    if value is UNKNOWN or not isinstance(value, (dict, type(None))):
        return UNKNOWN_DEFAULTS
    return DefaultTags(clean_tags(value),
                       frozenset(p[0] for p in ev.unknown if p),
                       frozenset(p[0] for p in ev.secret if p))


def _resource(block: _Block, scope: _Scope,
              providers: dict[tuple[str, str], DefaultTags]) -> Resource | None:
    rtype, name = block.labels
    address = f"{rtype}.{name}"
    body = block.body
    notes: list[str] = []
    instances = ONE
    for meta in ("count", "for_each"):
        if meta in body:
            value = _Evaluator(scope).value(body[meta], ())
            if value in (0, [], {}) and not isinstance(value, bool):
                return None  # a literal zero count / empty for_each creates nothing
            notes.append(f"{meta}: {address} stands for all its instances, checked as one")
            instances = Instances(meta, _how_many(meta, value))
    ev = _Evaluator(scope)
    properties: dict[str, Any] = {}
    for key, raw in body.items():
        if key in _META_ARGUMENTS or key == "dynamic":
            continue
        value = ev.value(raw, (key,))
        if value is UNKNOWN:
            ev.unknown.add((key,))
        else:
            properties[key] = value
    for block_type in _dynamic_block_types(body.get("dynamic")):
        # how many blocks a `dynamic` makes depends on its for_each: unknown here
        properties.pop(block_type, None)
        ev.unknown = {p for p in ev.unknown if p[0] != block_type} | {(block_type,)}
    provider, alias = _provider_ref(body.get("provider"), rtype)
    defaults = providers.get((provider, alias))
    merged = _effective_tags(properties, ev, defaults)
    notes.extend(merged.notes)
    return Resource(
        type=rtype,
        address=address,
        source_format=SOURCE_FORMAT,
        properties=properties,
        tags=merged.tags,
        unknown=frozenset(".".join(p) for p in ev.unknown) | merged.unknown,
        secret=frozenset(".".join(p) for p in ev.secret) | merged.secret,
        location=block.location,
        action="create",
        provider=provider,
        notes=tuple(notes),
        instances=instances,
    )


def _how_many(meta: str, value: Any) -> int | None:
    """The number of instances a literal ``count`` / ``for_each`` makes; None when unknown."""
    if meta == "count":
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
    if isinstance(value, (dict, list)) and not any(v is UNKNOWN for v in value):
        return len(value if isinstance(value, dict) else set(map(repr, value)))
    return None


def _dynamic_block_types(raw: Any) -> list[str]:
    if not isinstance(raw, list):
        return []
    return [_unquote(label) for entry in raw if isinstance(entry, dict) for label in entry]


_PROVIDER_REF = re.compile(r"\$\{([A-Za-z][\w-]*)(?:\.([A-Za-z][\w-]*))?\}")


def _provider_ref(raw: Any, rtype: str) -> tuple[str, str]:
    """(provider name, alias or "") of ``provider = aws.west``; the type's prefix without it."""
    match = _PROVIDER_REF.fullmatch(raw) if isinstance(raw, str) else None
    if match:
        return match[1], match[2] or ""
    return rtype.split("_", 1)[0], ""


def _effective_tags(properties: dict[str, Any], ev: _Evaluator, defaults: DefaultTags | None) -> EffectiveTags:
    """Own tags (as evaluated) over the provider's default tags."""
    own = OwnTags(clean_tags(properties.get("tags")),
                  frozenset(p[1] for p in ev.unknown if len(p) == 2 and p[0] == "tags"),
                  frozenset(p[1] for p in ev.secret if len(p) == 2 and p[0] == "tags"),
                  known=("tags",) not in ev.unknown)
    return merge(own, defaults)
