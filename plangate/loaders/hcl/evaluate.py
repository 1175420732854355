"""One Terraform root module evaluated as ``terraform plan`` would, with tfparse.

tfparse's known defects (what it does: `plangate.loaders.hcl`) are corrected or detected here, each covered by a test:

- it does not load ``terraform.tfvars`` / ``*.auto.tfvars`` and reads ``vars_paths`` relative to the root:
  `blocks.tfvars_files` passes them, in Terraform's order, as names relative to the root;
- a value only known after apply comes back as a fake UUID (the id tfparse gave the referenced block, or a fresh one),
  as a ``{"__attribute__": …}`` reference, as the ``${…}`` text of the template, or as null: any UUID absent from the
  source (a block id never is in it), any such reference or template text, and a null whose source expression reads a
  resource, data source or module output (or a root variable nobody set), mark the path unknown; a data source's
  attributes come back invented (``"current-region"``): values read from ``data.*`` are unknown (only the plan, which
  reads the data source, knows them);
- a module whose inputs include an apply-time value (a ``random_*`` attribute) never settles, and later local module
  calls of the root come back without resources, as do the instances past the 32 it evaluates of one module's calls: a
  local module call whose folder declares resources but that produced none is reported as a ``terraform_module_call``
  (PG-GOV-002 names it), never passed in silence;
- a local module folder it cannot parse is dropped without a word: one it returned nothing from (``count = 0``,
  ``create = false``) is parsed alone by tfparse, for its syntax diagnostic;
- provider ``default_tags`` are not merged: they are merged here (`plangate.loaders.tags`), per provider alias,
  following module ``providers = {…}`` maps, for the AWS types that have ``tags_all`` (`plangate.types.TAGGABLE`);
- a ``count`` / ``for_each`` over values only known after apply is guessed: such a block stays one `Resource` whose
  `Instances` number is None ("instances unknown");
- the last block the last ``dynamic`` before a ``lifecycle`` block makes is dropped (three give two, one gives none):
  such a block type is unknown unless tfparse returned as many blocks as its ``for_each`` can make
  (`_Scope.most_items`);
- ``override.tf`` blocks come back as separate objects: they are merged into the block they override, as Terraform does;
  data sources come back like resources: they are dropped;
- what Terraform refuses in a value, a local's too (used or not), comes back as a value: ``upper(var.x)`` or
  ``"q-${var.x}"`` with x null as null or ``"q-"``, a name alone as null; the root is rejected (`_Scope.refused`).

Values computed from ``sensitive`` variables or outputs (through locals and module inputs too) are redacted
(`plangate.model.redact`) and their paths secret, as in a plan; ``sensitive(…)``: unknown.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from plangate.errors import InputError
from plangate.loaders.hcl import blocks, evaluator_version, limits, run, syntax
from plangate.loaders.hcl.blocks import MODULE_CALL, NAMED, SOURCE_FORMAT, Declared, folder_blocks, is_override
from plangate.loaders.source import decode, read_bytes
from plangate.loaders.tags import UNKNOWN_DEFAULTS, DefaultTags, OwnTags, clean_tags, ignoring, merge
from plangate.model import ONE, Instances, Location, ProviderConfig, Resource, comparable, redact
from plangate.types import TAGGABLE, is_aws_region

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_META_ARGUMENTS = frozenset({"count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection",
                             "dynamic"})
_NOT_VALUES = _META_ARGUMENTS | {"__tfmeta", "id"}  # of a block: its id is tfparse's, written over any configured
# The last two steps of a resource address, after any module steps: TYPE.NAME and an optional key.
_ADDRESS = re.compile(r'^((?:module\.[^.\[]+(?:\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?\.)*)([^.\[]+)\.([^.\[]+)(\[.*\])?$')
_MODULE_STEP = re.compile(r'module\.([^.\[]+)(?:\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?')
_INSTANCE_KEY = re.compile(r'\[(?:"(?:[^"\\]|\\.)*"|\d+)\]')
_LAST_KEY = re.compile(_INSTANCE_KEY.pattern + "$")
# References inside an expression's source: var.x, local.x, data.T.N, module.M, T.N (a resource).
_REFERENCE = re.compile(
    r"(?<![\w.\"-])(?:(var|local)\.([A-Za-z_][\w-]*)|(data)\.[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*|(module)\.[A-Za-z_][\w-]*"
    r"|([a-z][a-z0-9]*_[\w-]*)\.([A-Za-z_][\w-]*)((?:\[\d+\]|\[\"[^\"]*\"\])?)(?:\.([A-Za-z_][\w-]*))?)")
_NAMES = ("local", "var", "resource", "output")  # what `derivations` looks through to the expressions behind them
_NOTHING: frozenset[str] = frozenset()
# tfparse evaluates these now, or from its own process's directory; only the plan knows path.cwd (where
# Terraform was started, before any -chdir) and abspath's base
_APPLY_TIME_CALL = re.compile(r"(?<![\w.])(?:(?:timestamp|bcrypt|abspath)\(|path\.cwd\b)")
_EACH = re.compile(r"(?<![\w.])(?:each\.(?:key|value)|count\.index)\b")  # what one instance reads of its own
_READS_FILE = re.compile(r"(?<![\w.])(?:file|templatefile|filebase64|filesha256|filemd5)\(")
# A call given a variable or local as an argument of its own (nothing before it holds a call); the functions that may
# take or give null (as Terraform 1.11.4's console says); what Terraform may never evaluate (`_Scope.refused`)
_NAME_ARGUMENT = re.compile(r'(?<![\w.:])([a-z][a-z0-9_]*)\((?:(?:"(?:[^"\\]|\\.)*"|[^()"])*?,)?'
                            r"\s*(var|local)\.([\w-]+)\s*[,)]")
_NULL_PASSING = frozenset({"coalesce", "lookup", "tostring", "tonumber", "tobool", "tolist", "toset", "tomap", "type",
                           "sensitive", "nonsensitive", "issensitive", "ephemeralasnull", "merge", "jsonencode",
                           "yamlencode", "format", "formatlist"})
_UNEVALUATED = re.compile(r"\?|%\{|[\[{]\s*for\s|(?<![\w.])(?:try|can)\(")  # a branch, a for's body, caught errors
# What reads only a collection's shape: length(x), length(keys(x)); {for k, v in x : k => v if cond} (the
# cond in group 7); x as the whole expression or a whole branch of it (a for_each: its keys make the instances).
_FOR_OBJECT = re.compile(  # ${{for k, v in x : key => value if cond}}
    r"\$\{\{\s*for\s+(\w+)\s*(?:,\s*(\w+)\s*)?in\s+(.+?)\s*:\s*([\w.]+)\s*=>(.*?)(?:\sif\s([^{}]*))?\}\}", re.S)
_SHAPE_READ = re.compile(r"length\(\s*(?:keys\(\s*)?(var|local)\.([\w-]+)\s*\)?\s*\)"
                         r"|for\s+(\w+)\s*,\s*(\w+)\s+in\s+(var|local)\.([\w-]+)\s*:\s*\3\s*=>\s*\4\s*(?:if\b([^{}]*))?(?=\})"
                         r"|(?:^\$\{|[?:])\s*(var|local)\.([\w-]+)\s*(?=:|\}$)")


def evaluated(root: Path, data: dict[str, Any], declared: Declared | None = None,
              providers: list[ProviderConfig] | None = None) -> list[Resource]:
    """The resources in tfparse's evaluation ``data`` of the root at ``root``, defects corrected;
    its provider configurations (alias and known region) are added to ``providers``."""
    ev = _Evaluation(Path(root), data, {} if declared is None else declared)
    read = {os.path.dirname(os.path.abspath(path)) for path in ev.files.values()}
    for folder, declares in limits.module_folders(ev.root, ev._blocks):
        if declares and folder not in read:  # tfparse drops a module it cannot parse, silently
            run.check_syntax(folder, run.evaluate(folder, []))
    out = ev.resources()
    if providers is not None:
        providers.extend(ProviderConfig(name, alias, region, module, str(root))
                         for (module, name, alias), region in ev.regions.items())
    return out


@dataclass(slots=True)
class _Entry:
    """One object tfparse returned (a resource instance, module instance, provider, …)."""

    kind: str  # resource | data | module | provider | locals | variable | …
    label: str  # the type for resources
    path: str  # its address
    file: str  # relative to the root
    line: int | None
    body: dict[str, Any]


class _Evaluation:
    def __init__(self, root: Path, data: dict[str, Any], declared: Declared):
        self.root, self._blocks = root, declared
        self.entries = list(_entries(data))
        self.files = {f: str(root / f) for f in {e.file for e in self.entries}}  # as tfparse names them
        self._folders: dict[str, Path | None] = {"": root}
        self.modules = {e.path: e for e in self.entries if e.kind == "module"}
        self.locals = {}
        for e in (e for e in self.entries if e.kind == "locals"):
            self.locals.setdefault(_module_of(e), {}).update(e.body)
        self.variables = {(module.rstrip("."), name): e.body for e in self.entries if e.kind == "variable"
                          for module, _, name in [e.path.rpartition("variable.")]}  # by (module, name)
        self.outputs = {e.path: e.body for e in self.entries if e.kind == "output"}
        self.by_address: dict[str, dict[str, Any]] = {}
        self.providers: dict[tuple[str, str, str], DefaultTags | None] = {}
        self.regions: dict[tuple[str, str, str], str] = {}  # provider configurations' regions ("": not known)
        self._derived: dict[tuple[str, str, str], frozenset[str]] = {}  # by (module, kind, name)
        self._guessed: dict[str, tuple[str, str] | None] = {}
        self.instances = Counter((_parent(p), _module_path(p)) for p in self.modules)  # by (its caller, path)
        self.evaluated = {p for e in self.entries  # the module instances tfparse returned anything below
                          for p in list(_module_prefixes(e.path))[:-1 if e.kind == "module" else None]}

    def resources(self) -> list[Resource]:
        for e in (e for e in self.entries if e.kind == "locals"):  # Terraform evaluates each local, used or not
            scope, source = _Scope(self, _module_of(e), {}), self._source(e, ("locals",)) or {}
            with self._reading(e):  # the first value Terraform refuses (`_Scope.refused`), at its local's line
                for name in (n for n in e.body if n in source):
                    if why := next(filter(None, map(scope.refused, _expressions(source[name]))), None):
                        raise Rejected(why, (name,))
        merged = self._merged("resource", lambda e: e.path)
        self.by_address.update((e.path, e.body) for e in merged)
        for e in self._merged("provider", self._provider_key):  # an override.tf's credentials, main.tf's region
            key = self._provider_key(e)
            source = self._source(e, ("provider", *key[1:]))  # its own block: an alias's too
            with self._reading(e):
                self.providers[key], self.regions[key] = self._settings(e, source)
        out: list[Resource] = []
        collapsed: set[str] = set()
        made = Counter("{}{}.{}".format(*_split(e.path)) for e in merged)  # instances tfparse made of each block
        for e in merged:
            module, rtype, name, key = _split(e.path)
            base = f"{module}{rtype}.{name}"
            source = self._source(e, ("resource", rtype, name))
            meta = _Scope(self, module.rstrip("."), source).guessed(e.body, source, made[base], key[:1] == "[")
            instances = ONE if meta is None else Instances(meta, None)
            guessed = self._guessed_module(module.rstrip(".")) if instances.known else None
            if guessed is not None:  # a module call whose count / for_each only apply knows
                meta, prefix = guessed
                instances = Instances(meta, None)
                base = _module_path(prefix) + base[len(prefix):]
            keys = self._unexpanded_keys(e, module, source) if guessed is None and not key and made[base] == 1 else None
            if keys is not None:  # tfparse made one unindexed instance of a for_each whose keys are known: one a key
                out.extend(self._resource(e, f"{base}[{json.dumps(k)}]", rtype, module, source, ONE, False)
                           for k in keys)
            elif instances.known:
                out.append(self._resource(e, e.path, rtype, module, source, ONE))
            elif base not in collapsed:  # one resource stands for all the guessed instances
                collapsed.add(base)
                out.append(self._resource(e, base, rtype, module, source, instances))
        out.extend(self._module_calls(out))
        return out

    def _resource(self, e: _Entry, address: str, rtype: str, module: str, source: Any,
                  instances: Instances, own_instance: bool = True) -> Resource:
        scope = _Scope(self, module.rstrip("."), source if isinstance(source, dict) else {})
        scope.own_instance = own_instance and instances.known  # else each.* / count.index is not this one's
        with self._reading(e):
            properties = scope.fields(e.body, (), source, _NOT_VALUES)
        for block_type, for_each in _dynamic_blocks(source):
            # tfparse drops the last block of the last `dynamic` before a lifecycle block: the blocks it returned
            # are all there were only when no more could have been made
            got, written = properties.get(block_type), source.get(block_type)
            made = (len(got) if isinstance(got, list) else 0) - (len(written) if isinstance(written, list) else 0)
            if "lifecycle" in source and ((most := scope.most_items(for_each)) is None or made < most) \
                    or not scope.known_expression(for_each):
                properties.pop(block_type, None)
                scope.unknown = {p for p in scope.unknown if p[0] != block_type} | {(block_type,)}
        if rtype == "aws_lambda_function":  # as the provider plans it: one unknown value, the whole map
            for whole in {u[:3] for u in scope.unknown if len(u) > 3 and u[0] == "environment" and u[2] == "variables"}:
                scope.unknown = {u for u in scope.unknown if u[:3] != whole} | {whole}
                envs = properties.get("environment")
                if isinstance(envs, list) and len(envs) > int(whole[1]) and isinstance(envs[int(whole[1])], dict):
                    envs[int(whole[1])].pop("variables", None)
        notes = [] if instances.known else [f"{instances.why} over values only known after apply: {address} stands "
                                            "for all its instances, instances unknown"]
        provider, alias = _provider_ref(e.body.get("provider"), rtype)
        config = self._provider_for(module.rstrip("."), provider, alias)
        defaults = self.providers.get(config) if config and rtype in TAGGABLE else None
        # a value only known after apply makes the provider plan the whole map unknown (a value only the plan
        # knows, a data source's or an each.* HCL could not expand, leaves the other keys)
        whole = ("tags",) in scope.unknown or any(p[0] == "tags" for p in scope.unknown) \
            and "computed" in self.derivations(module.rstrip("."), _at(source, "tags"))
        own = OwnTags(clean_tags(properties.get("tags")), *scope.tag_keys(), known=not whole)
        tags = merge(own, defaults)
        notes.extend(tags.notes)
        return Resource(type=rtype, address=address, source_format=SOURCE_FORMAT, properties=properties, tags=tags.tags,
            unknown=frozenset(".".join(p) for p in scope.unknown) | tags.unknown,
            secret=frozenset(".".join(p) for p in scope.secret) | tags.secret,
            location=Location(self.files[e.file], e.line), action="create", provider=provider,
            module=module.rstrip("."), notes=tuple(notes), instances=instances, stack=str(self.root),
            region=self.regions.get(config, "") if config else "")

    @contextlib.contextmanager
    def _reading(self, e: _Entry) -> Iterator[None]:
        """`Rejected` for a value read within the block (`_Scope.value`: the value's path), at its attribute's line."""
        try:
            yield
        except Rejected as rejection:
            why, path = rejection.args
            file = self.root / e.file
            raise Rejected(why, Location(str(file), _attribute_line(file, e.line, path[0]))) from None

    def _unexpanded_keys(self, e: _Entry, module: str, source: Any) -> list[str] | None:
        """The keys of a for_each tfparse made one unindexed instance of: its own value's when they are known at
        plan time, else those of a map written out with literal keys; None when neither is known."""
        value, written = e.body.get("for_each"), source.get("for_each") if isinstance(source, dict) else None
        if (keys := _evaluated_keys("for_each", value)) is not None \
                and _Scope(self, module.rstrip("."), source).known_keys(written):
            return keys
        return _instance_keys("for_each", self.written(module.rstrip("."), written)[1]) or None

    def _guessed_module(self, module: str) -> tuple[str, str] | None:
        """(meta-argument, module instance path) of the outermost module call on ``module``'s path whose ``count`` /
        ``for_each`` reads values only known after apply; once a module instance (asked for each of its resources)."""
        if module not in self._guessed:
            self._guessed[module] = None
            for prefix in _module_prefixes(module):
                call = self.modules.get(prefix)
                made = self.instances[_parent(prefix), _module_path(prefix)]
                if call and (meta := _Scope(self, _parent(prefix), {}).guessed(call.body, self._call_source(call), made,
                                                                                prefix.endswith("]"))):
                    self._guessed[module] = meta, prefix
                    break
        return self._guessed[module]

    def _merged(self, kind: str, key: Any) -> list[_Entry]:
        """The entries of one kind, those with the same ``key(entry)`` merged as Terraform merges override files'
        blocks into the block they override: each attribute, and each nested block type as a whole, replaces it."""
        groups: dict[Any, list[_Entry]] = {}
        for e in (e for e in self.entries if e.kind == kind):
            groups.setdefault(key(e), []).append(e)
        out = []
        for entries in groups.values():
            first, *rest = sorted(entries, key=lambda e: is_override(os.path.basename(e.file)))
            body = {**first.body, **{k: v for e in rest for k, v in e.body.items() if k not in ("__tfmeta", "id")}}
            out.append(_Entry(first.kind, first.label, first.path, first.file, first.line, body))
        return out

    def _module_calls(self, resources: list[Resource]) -> Iterator[Resource]:
        expanded = {m for r in resources for m in _module_prefixes(r.module)}  # and the calls they are under
        for path, e in self.modules.items():
            source = e.body.get("source")
            location = Location(self.files[e.file], e.line)
            folder = self._folder(path)
            if path in expanded or folder is not None and self._guessed_module(path) is not None:
                continue  # expanded, or one resource per block stands for a guessed module count
            if folder is None:  # not a local module, and `terraform init` did not fetch it: tfparse read nothing
                yield self._unexpanded(path, source if isinstance(source, str) else "", location)
            elif not folder.is_dir():
                yield self._unexpanded(path, source, location, (f"the module folder {source} is not there, so its "
                                                                "resources were not checked",))
            elif any(k[0] in ("resource", "module") for k in folder_blocks(folder, self._blocks)) \
                    and not self._zero_instances(e, folder):
                yield self._unexpanded(path, source, location, (
                    f"{evaluator_version()} returned no resources for this local module call (its inputs may depend on "
                    "values only known after apply, or it is past the 32 instances tfparse evaluates of one "
                    "module's calls): its resources were not checked; scan the plan JSON",))
        yield from self._blocks_without_entries()

    def _unexpanded(self, path: str, source: str, location: Location, notes: tuple[str, ...] = ()) -> Resource:
        """The one resource that stands for a module call whose resources were not checked."""
        return Resource(MODULE_CALL, path, SOURCE_FORMAT, properties={"name": _MODULE_STEP.findall(path)[-1],
                        "source": source}, location=location, provider="terraform", module=_parent(path),
                        stack=str(self.root), notes=notes)

    def _blocks_without_entries(self) -> Iterator[Resource]:
        """Module and resource blocks of the root and of each expanded local module that tfparse returned
        nothing for (a missing folder, a call it dropped, a count it took as zero from a value it
        invented): never a silent pass.  A count / for_each known at plan time may rightly make nothing."""
        made = {_LAST_KEY.sub("", p) for p in (*self.by_address, *self.modules)}  # blocks with an instance
        for prefix in ("", *self.modules):
            folder = self._folder(prefix)
            for key, block in folder_blocks(folder, self._blocks).items() if folder is not None else ():
                meta = next((m for m in ("count", "for_each") if m in block.body), None)
                path = ".".join(filter(None, (prefix, "module" if key[0] == "module" else "", *key[1:])))
                if key[0] not in ("module", "resource") or path in made or key[0] == "resource" and meta is None:
                    continue
                scope = _Scope(self, prefix, block.body)
                named = NAMED.fullmatch(str(block.body[meta])) if meta else None
                if named and scope.settled(*named.groups()) is None:
                    raise Rejected(f"{meta} = {named[0][2:-1]}, which is null: Terraform refuses it", block.location)
                if key[0] == "module":  # its source, unquoted
                    if not (meta and scope.known_expression(block.body[meta])):
                        yield self._unexpanded(path, str(block.body.get("source") or '""')[1:-1], block.location)
                    continue
                # the branch a known condition takes: tfparse expanded it before it read the module output, so a
                # condition known now may have made nothing there; a name tfparse knows now, not empty, likewise
                keys = _instance_keys(meta, scope.branch(block.body[meta]))
                final = scope._named(*named.groups()) if named and (named[1] == "local" or prefix) else None
                if keys is None and final and scope.known_value(final) and scope.known_keys(block.body[meta]):
                    keys = _evaluated_keys(meta, final)
                if keys is None and scope.known_expression(block.body[meta]):
                    continue
                # each configured value unknown (tfparse gave none): one resource a key, else one for all
                file = self.files.setdefault(block.location.file, block.location.file)
                entry = _Entry("resource", key[1], path, file, block.location.line,
                               {k: v if k == "provider" else {"__attribute__": k} for k, v in block.body.items()})
                module = prefix and prefix + "."
                yield from (self._resource(entry, f"{path}[{json.dumps(k)}]", key[1], module, block.body, ONE, False)
                            for k in keys) if keys is not None else [
                    self._resource(entry, path, key[1], module, block.body, Instances(meta, None))]

    def _zero_instances(self, call: _Entry, folder: Path) -> bool:
        """Whether a module call made nothing because every block of its folder has a ``count`` or ``for_each``
        known at plan time, and each made zero instances (the ``create = false`` pattern, whatever its other
        inputs), or is a module call that made nothing so: nothing planned, nothing unexpanded.  Never an instance
        tfparse left unevaluated (past the 32 it evaluates of one module's calls: the module docstring), for which
        it returns nothing, not even the variables, locals and outputs its folder declares."""
        declared, parent = folder_blocks(folder, self._blocks), _parent(call.path)
        if call.path not in self.evaluated and (any(k[0] in ("variable", "locals", "output") for k in declared)
                                                or sum(n for (p, _), n in self.instances.items() if p == parent) > 32):
            return False
        scope = _Scope(self, call.path, {})
        blocks = [(k, b) for k, b in declared.items() if k[0] in ("resource", "module")]
        return all(any(m in b.body and scope.known_expression(b.body[m]) for m in ("count", "for_each"))
                   or k[0] == "module" and (inner := self.modules.get(f"{call.path}.module.{k[1]}")) is not None
                   and (sub := self._folder(inner.path)) is not None and self._zero_instances(inner, sub)
                   for k, b in blocks)

    def _provider_key(self, e: _Entry) -> tuple[str, str, str]:
        alias = e.body.get("alias")
        return _module_path(_module_of(e)), e.label, alias if isinstance(alias, str) else ""

    def _settings(self, e: _Entry, source: Any) -> tuple[DefaultTags | None, str]:
        """A provider configuration's default tags, and its region when it is known at plan time (else "")."""
        scope = _Scope(self, _module_of(e), {})
        region = comparable(scope.value(e.body.get("region"), ("region",), _at(source, "region")))
        region = region if is_aws_region(region) else ""  # a secret region still prices; unknown: ""
        block = e.body.get("default_tags")
        block = block[-1] if isinstance(block, list) and block else block  # one block: Terraform refuses two
        if not isinstance(block, dict):
            return None, region
        value = scope.value(block.get("tags"), ("tags",), _at(_at(source, "default_tags"), "tags"))
        if value is _UNKNOWN or not isinstance(value, (dict, type(None))):
            return UNKNOWN_DEFAULTS, region
        ignore = e.body.get("ignore_tags") if isinstance(e.body.get("ignore_tags"), dict) else {}  # keys it never sets
        lists = [scope.value(ignore.get(k), (k,), _at(_at(source, "ignore_tags"), k)) for k in ("keys", "key_prefixes")]
        return ignoring(DefaultTags(clean_tags(value), *scope.tag_keys()), *lists), region

    def _provider_for(self, module: str, name: str, alias: str) -> tuple[str, str, str] | None:
        """The provider configuration a resource in ``module`` uses, following the ``providers``
        maps of the module calls up to the root (None: Terraform's implicit empty one)."""
        while True:  # up to the root: each step leaves one module call
            key = (_module_path(module), name, alias)
            if key in self.providers or not module:
                return key if key in self.providers else None
            call = self.modules.get(module)
            mapping = self._providers_map(call) if call else {}
            local = name if not alias else f"{name}.{alias}"
            if local in mapping:
                name, alias = mapping[local]
            elif alias:
                return None  # an aliased provider is never inherited implicitly
            module = _parent(module)

    def _providers_map(self, call: _Entry) -> dict[str, tuple[str, str]]:
        """``providers = { aws = aws.eu }`` of a module call, read from its source (tfparse
        evaluates the references to null)."""
        mapping = _at(self._call_source(call), "providers")
        mapping = mapping if isinstance(mapping, dict) else {}
        targets = {str(k).strip('"'): _provider_ref(v, "") for k, v in mapping.items()}  # keys quoted or not
        return {local: target for local, target in targets.items() if target[0]}

    def derivations(self, module: str, source: Any, through: tuple[str, ...] = _NAMES) -> frozenset[str]:
        """What an expression of ``module`` reads, directly or through the names in ``through`` (locals, module
        inputs and outputs, other resources' attributes): "data", a data source (tfparse invents its attributes,
        and whatever is computed from them); "computed", an attribute the provider sets at apply; "sensitive", a
        sensitive variable or output; "unset", a root variable without a value.  A literal reads none."""
        if isinstance(source, str) and "${" not in source or not isinstance(source, (str, dict, list)):
            return _NOTHING
        texts = list(_expressions(source))
        found = {"data"} if any(_APPLY_TIME_CALL.search(text) for text in texts) else set()
        for kind, name, rtype, rname, _, attr in _references(texts):
            if kind == "data":
                found.add("data")
            elif kind in through:  # a resource attribute by TYPE.NAME.ATTR
                found |= self._named_derivations(module, kind, f"{rtype}.{rname}.{attr}" if rtype else name)
        for called, output in (m for t in texts for m in _MODULE_OUTPUT.findall(t)) if "output" in through else ():
            found |= self._named_derivations(module, "module", f"{called}.{output}")
        return frozenset(found)

    def key_reads(self, module: str, source: Any, depth: int = 0, attrs: tuple | None = None) -> frozenset[str]:
        """`derivations` of what decides a collection's keys (``attrs``: its values' attributes), not its values:
        ``{for k, v in x : k => … if c}``: x's keys, c, and x's values' ``a`` if c reads ``v.a``; a name: its value."""
        module, source = self.written(module, source) if depth < 32 else (module, source)  # a cycle: Terraform's error
        if isinstance(source, (dict, list)):  # a literal: its keys (a list's length is written), or its values' attrs
            items = [_at(v, a) for v in (source.values() if isinstance(source, dict) else source) for a in attrs or ()]
            return frozenset().union(*(self.derivations(module, x) for x in (items if attrs is not None else [
                k for k in source if isinstance(source, dict)])))
        if isinstance(source, str) and source[2:3] in ("[", "{"):  # a collection written in the expression
            with contextlib.suppress(syntax.SyntaxProblem):
                if len(inline := syntax.arguments(source[2:-1])) == 1 and isinstance(inline[0], (list, dict)):
                    return self.key_reads(module, inline[0], depth + 1, attrs)
        if (parts := syntax.conditional(source)) is not None:
            return self.derivations(module, f"${{{parts[0]}}}").union(
                *(self.key_reads(module, f"${{{part}}}", depth + 1, attrs) for part in parts[1:]))
        if attrs is not None or not (loop := _FOR_OBJECT.fullmatch(source) if isinstance(source, str) else None):
            return self.derivations(module, source) if attrs != () else _NOTHING
        coll, reads = f"${{{loop[3]}}}", f"{loop[4]} {loop[6] or ''}"  # the collection; the keys' and condition's text
        keys = self.key_reads(module, coll, depth + 1) if loop[2] and loop[4] == loop[1] else _NOTHING
        uses = tuple(u[1:] for u in re.findall(rf"\b{loop[2] or loop[1]}\b(\.\w+)?", reads))  # v.a read ("": v)
        values = self.key_reads(module, coll, depth + 1, uses) if all(uses) else self.derivations(module, coll)
        return keys | values | self.derivations(module, f"${{{reads}}}")

    def written(self, module: str, source: Any) -> tuple[str, Any]:
        """(module, source form) of what ``${local.x}`` or a module's ``${var.x}`` is set to, followed through
        such names; else (``module``, ``source``)."""
        for _ in range(32):  # a cycle is a Terraform error
            named = NAMED.fullmatch(source) if isinstance(source, str) else None
            if named and named[1] == "local" and (folder := self._folder(module)) is not None:
                block = folder_blocks(folder, self._blocks).get(("locals",))
                source = block.body.get(named[2]) if block else None
            elif named and named[1] == "var" and module:  # a module's variable is its caller's argument
                module, source = _parent(module), _at(self._call_source(self.modules[module]), named[2])
            else:
                break
        return module, source

    given = cached_property(lambda self: set(blocks.root_values(self.root)))  # root variables var files or env set

    def _named_derivations(self, module: str, kind: str, name: str) -> frozenset[str]:
        """`derivations` of a local, variable, module output (``M.OUT``) or resource attribute: memoised."""
        key = (module, kind, name)
        if key not in self._derived:
            self._derived[key] = _NOTHING  # a cycle (a Terraform error) stops here
            self._derived[key] = frozenset(self._definition_derivations(module, kind, name))
        return self._derived[key]

    def _definition_derivations(self, module: str, kind: str, name: str) -> set[str] | frozenset[str]:
        folder = self._folder(module)
        if kind in ("local", "resource") and folder is not None:  # the expression it is set to
            *labels, attr = name.split(".") if kind == "resource" else (name,)  # TYPE.NAME.ATTR
            block = folder_blocks(folder, self._blocks).get(("resource", *labels) if labels else ("locals",))
            if block is None:
                return _NOTHING
            # an attribute the configuration does not set: the provider sets it at apply
            unset = bool(labels) and (attr in ("id", "None") or attr not in block.body)
            return ({"computed"} if unset else set()) | self.derivations(module, _at(block.body, attr))
        if kind == "var":
            declared = self.variables.get((module, name))
            declared = declared if isinstance(declared, dict) else {}
            found = {"sensitive"} if declared.get("sensitive") is True else set()
            if declared and not module and "default" not in declared and name not in self.given:
                found.add("unset")
            if module and folder is not None:  # a module's variable is its caller's argument
                found |= self.derivations(_parent(module), _at(self._call_source(self.modules[module]), name))
            return found
        if kind == "module":
            called, output = name.split(".", 1)
            inner = _module_path(f"{module}.module.{called}" if module else f"module.{called}")
            path = next((p for p in self.modules if _module_path(p) == inner), None)
            block = folder_blocks(folder, self._blocks).get(("output", output)) \
                if path is not None and (folder := self._folder(path)) is not None else None
            if block is not None:
                return ({"sensitive"} if block.body.get("sensitive") is True else set()) \
                    | self.derivations(path, block.body.get("value"))
        return _NOTHING

    def _folder(self, module: str) -> Path | None:
        """A module instance's folder (None: neither local nor downloaded, `blocks.called_folder`)."""
        if module not in self._folders:
            call = self.modules.get(module)
            caller = os.path.dirname(self.files[call.file]) if call else ""
            found = call and blocks.called_folder(self.root, caller, _MODULE_STEP.findall(module)[-1],
                                                  self._call_source(call) or {}, self._blocks)
            self._folders[module] = Path(found) if found else None
        return self._folders[module]

    def _call_source(self, call: _Entry) -> Any:
        """A module call's body in source form."""
        return self._source(call, ("module", _MODULE_STEP.findall(call.path)[-1]))

    def _source(self, e: _Entry, key: tuple[str, ...]) -> Any:
        block = folder_blocks(os.path.dirname(self.files[e.file]), self._blocks).get(key)
        return block.body if block is not None else None

    @cached_property
    def source_text(self) -> str:
        """Every configuration and variable file tfparse read, for the "absent from the source" test."""
        folders = {os.path.dirname(os.path.normpath(path)) for path in self.files.values()} | {str(self.root)}
        paths = [Path(f) / e.name for f in folders if os.path.isdir(f) for e in os.scandir(f)
                 if e.is_file() and e.name.endswith((".tf", ".tf.json", ".tfvars", ".tfvars.json"))]
        return "\n".join(decode(read_bytes(path), str(path)) for path in sorted(paths))

    def fake(self, text: str) -> bool:
        """Whether a string carries a tfparse stand-in: a UUID the source does not hold (an apply-time value,
        a block's id), or what ``sensitive(…)`` gives."""
        return text == "(sensitive value)" or any(m.group() not in self.source_text for m in _UUID.finditer(text))


class Rejected(Exception):
    """What ``terraform plan`` refuses, found in tfparse's evaluation: (why, a `Location` or the value's path)."""


_UNKNOWN: Any = object()  # a value tfparse could not know: left out of the properties, its path recorded


class _Scope:
    """Reads tfparse's values for one block: unknown and secret paths, what references are known."""

    def __init__(self, ev: _Evaluation, module: str, source: dict[str, Any]):
        self.ev, self.module = ev, module
        self.iterators = {label for label, _ in _dynamic_blocks(source)}
        self.unknown: set[tuple[str, ...]] = set()
        self.secret: set[tuple[str, ...]] = set()
        self.own_instance = True  # values read through each.* / count.index are this instance's

    def value(self, value: Any, path: tuple[str, ...], source: Any) -> Any:
        """The value at ``path`` as a plan would hold it, or _UNKNOWN (``path`` recorded);
        ``source`` is the expression that produced it, in source form (None when not known)."""
        if isinstance(value, dict):
            if "__attribute__" in value or "__name__" in value or not value and {"data", "computed", "unset"} \
                    & self.ev.derivations(self.module, source):  # tfparse's {} for what it could not compute
                reference = str(value.get("__attribute__"))
                declared = self.ev.variables.get((self.module, reference[4:])) if reference.startswith("var.") else None
                if isinstance(declared, dict) and "default" in declared and declared["default"] is None:
                    return None  # tfparse leaves a variable whose default is null unresolved
                self.unknown.add(path)
                return _UNKNOWN
            if "__tfmeta" in value:  # one nested block: plan JSON holds blocks as lists
                return [self.fields(value, path + ("0",), source, _NOT_VALUES)]  # `_at` reads a block's list
            out = self.fields(value, path, source)
            if isinstance(source, str) and "sensitive" in self.ev.derivations(self.module, source):
                self.secret.add(path)  # a whole map from a sensitive value: its keys are secret too, as in a plan
                return redact(out)
            return out
        if isinstance(value, list):
            if value and all(isinstance(v, dict) and "__tfmeta" in v for v in value):
                return [self.fields(v, (*path, str(i)), None, _NOT_VALUES) for i, v in enumerate(value)]
            # a literal list's element has its own expression; a computed list, the whole one
            own = isinstance(source, list) and len(source) == len(value)
            got = [self.value(v, (*path, str(i)), source[i] if own else _at(source, i)) for i, v in enumerate(value)]
            return [None if item is _UNKNOWN else item for item in got]
        derived = self.ev.derivations(self.module, source)
        declared = self.ev.variables.get((self.module, named[2])) if value is None and self.module and (
            named := NAMED.fullmatch(str(source))) and named[1] == "var" else None
        if isinstance(declared, dict) and declared.get("nullable") is False:  # given null, Terraform takes the default
            value = declared.get("default")
        # a template tfparse left or a stand-in it wrote; data source attributes it invents ("current-region" for
        # aws_region.name) and resource attributes the configuration does not set (``id``): Terraform reads the
        # first at plan time and the second at apply, so only the plan (or apply) knows them; null for a file
        if isinstance(value, str) and ("${" in value or "%{" in value or self.ev.fake(value)) or {"data", "computed",
                "unset"} & derived or value is None and isinstance(source, str) and _READS_FILE.search(source) \
                or not self.own_instance and isinstance(source, str) and _EACH.search(source):
            self.unknown.add(path)
            return _UNKNOWN
        if value is not None and "sensitive" in derived:
            self.secret.add(path)  # computed from a sensitive variable: secret, as in a plan
            return redact(value)
        # tfparse writes null for some values it cannot know (data source attributes, references in .tf.json): a
        # null read from a resource, data source or module output; a null computed from variables and locals is real
        if value is None and source is not None and ("unset" in derived or any(
                kind in ("data", "module") or kind == "resource" and rtype not in self.iterators
                for kind, _, rtype, *_ in _references(source))):
            if (known := self.resolve(source)) is not _UNKNOWN:
                return known
            self.unknown.add(path)
            return _UNKNOWN
        if (why := self.refused(source)) is not None:
            raise Rejected(why, path)
        return value

    def refused(self, source: Any) -> str | None:
        """Why ``terraform plan`` refuses an expression (source form) tfparse evaluated anyway, else None: a name alone,
        a function that needs a value called on a `settled` null, a settled null or collection in a string template.
        Only what Terraform surely evaluates is read: a conditional's condition; no for, directive, try or can."""
        if isinstance(source, str) and source[:1] not in '"$':  # in source form, only a name alone starts otherwise
            return f"{source}: a name alone is no value (Terraform: Invalid reference)"
        if not isinstance(source, str) or "${" not in source[1:] and (source[:1] == '"' or "(" not in source):
            return None  # a string with no template, one name or an operation: nothing Terraform could refuse here
        text = f"${{{parts[0]}}}" if "?" in source and (parts := syntax.conditional(source)) else source
        if _UNEVALUATED.search(text):
            return None
        for m in _NAME_ARGUMENT.finditer(text):
            if m[1] not in _NULL_PASSING and self.settled(m[2], m[3]) is None:
                call = m[0] if m[0][-1] == ")" else f"{m[0][:-1].rstrip()}, …)"
                return f"{call} with {m[2]}.{m[3]} null: a function called on null (Invalid function argument)"
        for m in NAMED.finditer(text, 1):  # alone in its string, a value keeps its type
            value = self.settled(m[1], m[2]) if text[m.start() - 1] + text[m.end():m.end() + 1] != '""' else _UNKNOWN
            if what := "null" if value is None else "a collection" if isinstance(value, (dict, list)) else "":
                return f"{m[0]} is {what} in a string template (Invalid template interpolation value)"
        return None

    def settled(self, kind: str, name: str) -> Any:
        """tfparse's ``var.NAME`` / ``local.NAME`` here if null or a collection in every plan, else _UNKNOWN: not set by
        a variable file, not non-nullable, read from no data source, resource, module output or unset variable."""
        value, reference = self._named(kind, name, _UNKNOWN), f"${{{kind}.{name}}}"
        if value is not None and not isinstance(value, (dict, list)) or not self.known_value(value):
            return _UNKNOWN  # a string, number or bool, or a value tfparse could not know
        declared = self.ev.variables.get((self.module, name), {}) if kind == "var" else {}
        elsewhere = kind == "var" and not self.module and name in self.ev.given or declared.get("nullable") is False
        reads = {k for k, *_ in _references(self.ev.written(self.module, reference)[1])}  # followed through names
        derived = {"data", "computed", "unset"} & self.ev.derivations(self.module, reference)
        return _UNKNOWN if elsewhere or derived or {"data", "module", "resource"} & reads else value

    def tag_keys(self) -> tuple[frozenset[str], frozenset[str]]:
        """The keys of the ``tags`` map read so far whose value is unknown, and those whose value is secret."""
        return tuple(frozenset(p[1] for p in paths if len(p) == 2 and p[0] == "tags")
                     for paths in (self.unknown, self.secret))

    def fields(self, body: dict[str, Any], path: tuple[str, ...], source: Any,
               skip: frozenset[str] = frozenset()) -> dict[str, Any]:
        """The known values of an object or a nested block below ``path``, less the keys in ``skip``."""
        got = {k: self.value(sub, (*path, str(k)), _at(source, k)) for k, sub in body.items() if k not in skip}
        return {k: value for k, value in got.items() if value is not _UNKNOWN}

    def known_value(self, value: Any) -> bool:
        """Whether tfparse's value holds no reference, template or stand-in (`fake`) it could not resolve."""
        if isinstance(value, (dict, list)):  # a map's keys too
            items = [*value, *value.values()] if isinstance(value, dict) else value
            return "__attribute__" not in value and all(map(self.known_value, items))
        return not isinstance(value, str) or "${" not in value and not self.ev.fake(value)

    def most_items(self, source: Any) -> int | None:
        """The most elements a collection expression (source form) can have, where that is clear without Terraform: one
        written out (`_written`), ``local.x`` or ``var.x`` as evaluated, and a conditional between such; else None."""
        if (parts := syntax.conditional(source)):
            bounds = [self.most_items(f"${{{b}}}") for b in parts[1:]]
            return None if None in bounds else max(b for b in bounds if b is not None)
        if (written := _written(source)) is not None:
            return len(written)
        reference = NAMED.fullmatch(source) if isinstance(source, str) else None
        value = self._named(*reference.groups()) if reference else None
        return len(value) if isinstance(value, (list, dict)) and self.known_value(value) else None

    def guessed(self, values: dict[str, Any], source: Any, made: int | None = None, keyed: bool = False) -> str | None:
        """The ``count`` / ``for_each`` of a block (tfparse's ``values``, ``source`` in source form) whose value
        tfparse had to guess, else None; one over a module output unless tfparse ``made`` as many instances as it
        says (it expands before it reads module outputs: one instance whatever the count, none for a for_each), or
        ``keyed`` the instances of a for_each whose keys are known though its values are not (`known_keys`)."""
        for meta in ("count", "for_each") if isinstance(source, dict) else ():
            if meta == "for_each" and keyed and meta in source and self.known_keys(source[meta]):
                continue  # tfparse left the map unresolved (a value is apply-time) but keyed the instances
            if meta == "count" and values.get(meta) is None and meta in source \
                    and (chosen := _instance_keys(meta, self.branch(source[meta]))) is not None and len(chosen) == made:
                continue  # tfparse left the count, and made as many as the branch a known condition takes
            value = values.get(meta)
            keys = list(value) if isinstance(value, dict) and "__attribute__" not in value else value  # not values
            expanded = made is not None and made == (len(keys) if isinstance(keys, list) else keys)
            # a count tfparse knows now but did not make as many of: it expanded before it read a module output, or
            # holds the count as a string ("2" from an untyped variable, which Terraform converts) and made one
            short = not expanded and type(value) in (int, str)
            if meta in source and (value is None or not self.known_value(keys) or short
                                   or not self.known_expression(source[meta], outputs=expanded)):
                return meta
        return None

    def known_keys(self, source: Any) -> bool:
        """Whether a collection's keys are known at plan time (its values may be apply-time)."""
        return not {"data", "unset", "computed"} & self.ev.key_reads(self.module, source)

    def known_expression(self, source: Any, outputs: bool = False) -> bool:
        """Whether an expression (source form) reads only values known at plan time; a collection
        read only for its shape (``length(x)``, ``{for k, v in x : k => v if …}``) needs only that known;
        a module output (only with ``outputs``) needs its value computed from no resource attribute."""
        source = _SHAPE_READ.sub(self._shape_read, source) if isinstance(source, str) else source
        # an apply-time value read directly (a map's values behind a name may be: only its keys count)
        if {"unset", "data"} & self.ev.derivations(self.module, source) \
                or "computed" in self.ev.derivations(self.module, source, ("resource",)):
            return False
        for kind, name, *_ in _references(source):
            if kind == "module" and not (outputs and "computed" not in self.ev.derivations(self.module, source)):
                return False
            if (kind == "local" or (kind == "var" and self.module)) and not self.known_value(self._named(kind, name)):
                return False
        return True

    def _shape_read(self, m: re.Match[str]) -> str:
        """A `_SHAPE_READ` match less the collection: its shape known (and read from no data source), a ``for``'s
        condition not reading its values."""
        kind, name = m[1] or m[5] or m[8], m[2] or m[6] or m[9]
        value = self._named(kind, name)
        if not (m[1] and isinstance(value, list) or isinstance(value, dict) and self.known_value(list(value))) \
                or m[4] and re.search(rf"\b{m[4]}\b", m[7] or "") \
                or {"data", "unset"} & self.ev.key_reads(self.module, f"${{{kind}.{name}}}"):
            return m[0]
        return m[7] or ("0" if m[1] else "")

    def branch(self, source: Any) -> Any:
        """The branch ``${COND ? A : B}`` takes (source form, a name followed to what it is set to) when COND is a
        local or module output whose value tfparse computed from values known at plan time, else None: tfparse
        expands count and for_each before it reads module outputs, and leaves a local reading one unresolved when
        the call passes a null."""
        parts = syntax.conditional(source)
        ref = re.fullmatch(r"local\.([\w-]+)|module\.[\w-]+\.[\w-]+", parts[0]) if parts else None
        if ref is None or {"data", "unset", "computed"} & self.ev.derivations(self.module, f"${{{parts[0]}}}"):
            return None
        cond = self._named("local", ref[1]) if ref[1] else {"__attribute__": ref[0]}
        # a module output tfparse left unresolved here ({"__attribute__": "module.M.OUT"}): its value now
        out = _MODULE_OUTPUT.fullmatch(str(cond.get("__attribute__"))) if isinstance(cond, dict) else None
        found = self.ev.outputs.get(f"{self.module}.module.{out[1]}.output.{out[2]}".lstrip(".")) if out else None
        cond = found.get("value", cond) if isinstance(found, dict) else cond
        with contextlib.suppress(syntax.SyntaxProblem):
            got = syntax.arguments(parts[1] if cond is True else parts[2]) if isinstance(cond, bool) else []
            return self.ev.written(self.module, got[0])[1] if len(got) == 1 else None  # a name: what it is set to
        return None

    def _named(self, kind: str, name: str, absent: Any = None) -> Any:
        """tfparse's ``local.NAME`` / ``var.NAME`` here (a variable no call sets: its default), else ``absent``."""
        if kind == "local":
            return self.ev.locals.get(self.module, {}).get(name, absent)
        call = self.ev.modules.get(self.module) if self.module else None
        if call is not None and name in call.body:
            return call.body[name]
        declared = self.ev.variables.get((self.module, name))
        return declared.get("default", absent) if isinstance(declared, dict) else absent

    def resolve(self, source: Any) -> Any:
        """The value of an expression that is one reference to a known resource attribute
        (``"${aws_x.y.name}"``, as .tf.json files write them), else _UNKNOWN."""
        text = source[1:-1] if isinstance(source, str) and source[:1] == source[-1:] == '"' else source
        refs = list(_references(text)) if isinstance(text, str) and text[:2] == "${" and text[-1:] == "}" else []
        if len(refs) != 1 or refs[0][0] != "resource" or text[2:-1].strip() != "{2}.{3}{4}.{5}".format(*refs[0]):
            return _UNKNOWN
        _, _, rtype, rname, index, attr = refs[0]
        address = f"{self.module}.{rtype}.{rname}" if self.module else f"{rtype}.{rname}"
        # `aws_x.y` without an index where tfparse wrote `aws_x.y[0]`
        target = self.ev.by_address.get(address + index) or (None if index else self.ev.by_address.get(f"{address}[0]"))
        value = target.get(attr) if target is not None else None
        return value if value is not None and self.known_value(value) and not isinstance(value, (dict, list)) \
            else _UNKNOWN


_MODULE_OUTPUT = re.compile(r"(?<![\w.\"-])module\.([A-Za-z_][\w-]*)(?:\[[^\]]*\])?\.([A-Za-z_][\w-]*)")


def _expressions(source: Any) -> Iterator[str]:
    """Every string with an expression in a source-form value, object keys included."""
    if isinstance(source, (dict, list, tuple)):  # a map's (key, value) pairs in order
        for sub in source.items() if isinstance(source, dict) else source:
            yield from _expressions(sub)
    elif isinstance(source, str) and "${" in source:
        yield source


def _entries(data: dict[str, Any]) -> Iterator[_Entry]:
    for label, items in data.items():
        for item in items if isinstance(items, list) else ():
            meta = item.get("__tfmeta") if isinstance(item, dict) else None
            if isinstance(meta, dict) and isinstance(path := meta.get("path"), str):  # resources and data name kind
                line = meta.get("line_start")
                yield _Entry(str(meta.get("type") or label), str(meta.get("label") or label), path,
                             str(meta.get("filename") or ""), line if isinstance(line, int) else None, item)


def _split(address: str) -> tuple[str, str, str, str]:
    """``module.a["k"].aws_x.y[0]`` → (``module.a["k"].``, ``aws_x``, ``y``, ``[0]``)."""
    match = _ADDRESS.match(address)
    if match is None:
        raise InputError(address, "tfparse returned an address plangate cannot read")
    return match[1], match[2], match[3], match[4] or ""


def _module_of(e: _Entry) -> str:
    """The module path of a provider or locals entry (``module.a.provider.aws``, ``module.a.locals``)."""
    return e.path.rsplit(e.kind if e.kind == "locals" else "provider.", 1)[0].rstrip(".")


def _module_path(module: str) -> str:
    return _INSTANCE_KEY.sub("", module)


def _module_prefixes(module: str) -> Iterator[str]:
    parts = [m.group() for m in _MODULE_STEP.finditer(module)]
    yield from (".".join(parts[:i]) for i in range(1, len(parts) + 1))


def _parent(module: str) -> str:
    return ".".join(m.group() for m in list(_MODULE_STEP.finditer(module))[:-1])


def _at(source: Any, key: Any) -> Any:
    """The source-form expression below ``key`` (a nested block's first body), or None; below
    an expression (``merge(…)``) it is the whole expression, which produced every part."""
    source = source[0] if isinstance(source, list) and len(source) == 1 else source
    if isinstance(source, dict):
        return source.get(key)
    return source if isinstance(source, str) and "${" in source else None


_WRITTEN = re.compile(r"\$\{\s*(?:toset\((.*)\)|([\[{].*))\s*\}", re.S)


def _written(source: Any) -> Any:
    """The list or map a collection expression (source form) writes out, ``toset(…)`` of one too, else None."""
    inner = _WRITTEN.fullmatch(source) if isinstance(source, str) else None
    with contextlib.suppress(syntax.SyntaxProblem):
        got = syntax.arguments(inner[1] or inner[2]) if inner else [source]
        return got[0] if len(got) == 1 and isinstance(got[0], (list, dict)) else None
    return None


def _instance_keys(meta: str, written: Any) -> list[Any] | None:
    """The keys of the instances a count or for_each written out (source form) makes, else None."""
    if meta == "count":
        return list(range(written)) if type(written) is int and 0 <= written <= limits.MAX_INSTANCES else None
    keys = _written(written)
    return None if keys is None or any(not isinstance(k, str) or k[:2] == "${" or (k[:1] != '"' and isinstance(
        keys, list)) for k in keys) else list(dict.fromkeys(blocks.unquote(k) for k in keys))


def _evaluated_keys(meta: str, value: Any) -> list[Any] | None:
    """The keys of the instances a count or for_each as tfparse evaluated it makes (a set, which it gives as a
    list: each element once), else None."""
    if meta == "count":
        return _instance_keys(meta, value)
    keyed = isinstance(value, (dict, list)) and "__attribute__" not in value and all(isinstance(k, str) for k in value)
    return list(dict.fromkeys(value)) if keyed else None


def _dynamic_blocks(source: Any) -> Iterator[tuple[str, Any]]:
    """(block type, its for_each source) of each ``dynamic`` block in a body."""
    raw = source.get("dynamic") if isinstance(source, dict) else None
    for entry in raw if isinstance(raw, list) else ():
        if isinstance(entry, dict):
            for label, body in entry.items():
                settings = body[0] if isinstance(body, list) and body else body
                yield label.strip('"'), settings.get("for_each") if isinstance(settings, dict) else None


_PROVIDER_REF = re.compile(r"\$\{([A-Za-z][\w-]*)(?:\.([A-Za-z][\w-]*))?\}")


def _provider_ref(raw: Any, rtype: str) -> tuple[str, str]:
    """(provider name, alias) of ``provider = aws.west`` as tfparse or the source writes it."""
    if isinstance(raw, dict):  # {"__attribute__": "aws.west"}
        raw = "${" + raw["__attribute__"] + "}" if isinstance(raw.get("__attribute__"), str) else None
    match = _PROVIDER_REF.fullmatch(raw) if isinstance(raw, str) else None
    return (match[1], match[2] or "") if match else (rtype.split("_", 1)[0], "")


def _references(source: Any) -> Iterable[tuple[str, str, str, str, str, str | None]]:
    """(kind, var/local name, resource type, name, index, attribute) of every reference in a
    source-form expression (see `syntax`; ``.tf.json`` strings are templates)."""
    for text in _expressions(source):
        for m in _REFERENCE.finditer(text):
            if m[1]:
                yield m[1], m[2], "", "", "", None
            elif m[3] or m[4]:
                yield m[3] or m[4], "", "", "", "", None
            elif m[5] and m[5] not in ("each", "count", "path", "terraform", "self"):
                yield "resource", "", m[5], m[6], m[7] or "", m[8]


def _attribute_line(path: Path, start: int | None, key: str) -> int | None:
    """The line of ``key = …`` in the block that starts at line ``start`` of ``path``, else ``start``."""
    lines = decode(read_bytes(path), str(path)).splitlines()[start - 1:] if start else []
    pattern = re.compile(rf"\s*{re.escape(key)}\s*=(?!=)")
    return next((start + i for i, text in enumerate(lines) if pattern.match(text)), start)
