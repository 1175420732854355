"""Kubernetes manifests (multi-document YAML, or objects already parsed from JSON) → `Resource`s.

Every document that is a mapping with ``apiVersion`` and ``kind`` is one `Resource`
(``kind: List`` documents are expanded into their items):

- ``type`` is ``kubernetes_`` + the kind in snake_case (``StatefulSet`` →
  ``kubernetes_stateful_set``, ``InferenceService`` → ``kubernetes_inference_service``);
  ``address`` is ``Kind/namespace/name``, or ``Kind/name`` when the manifest names no
  namespace (``metadata.generateName`` stands in for a missing name, then ``#<n>``: the
  document's number in the file, ``#<n>.<i>`` for the i-th item of a List);
  ``provider`` is ``kubernetes`` and ``location`` the file and the line where the object starts.
- ``labels`` / ``annotations`` are ``metadata.labels`` / ``metadata.annotations`` as
  str → str (null → ``""``, other non-strings through ``str()``, booleans as YAML writes them).
- ``properties`` is the manifest itself, keys in camelCase: that is Kubernetes' canonical
  spelling (the API, ``kubectl`` and every policy engine use it), so it is not snake-cased as
  Terraform-style properties are.  Pod controllers (Deployment, StatefulSet, DaemonSet,
  ReplicaSet, ReplicationController, Job, CronJob) also get ``properties["pod_metadata"] =
  {"labels": {…}, "annotations": {…}}`` from their pod template (``spec.template.metadata``;
  ``spec.jobTemplate.spec.template.metadata`` for a CronJob), since the pods are what
  Kubecost allocates by and what Kyverno's autogen checks.  Pods, KServe InferenceServices
  (which have no pod template) and other kinds get no ``pod_metadata``.
- ``Secret`` objects have their ``data`` / ``stringData`` values replaced by `REDACTED`.

Other documents are skipped: empty ones always; non-mappings and mappings without
``apiVersion`` / ``kind`` when scanning a directory (``strict=False``, e.g. ``Pulumi.yaml``);
when a file named on purpose (``strict=True``) holds no Kubernetes object at all, that is an
`InputError`.  Bad YAML (template placeholders such as ``{docker_username}`` included) is an
`InputError` with the line and column of the problem.

Parsing uses libyaml (``yaml.CSafeLoader``) when PyYAML has it.  Documents are composed
into nodes (which carry their start line at no extra cost) and turned into Python values by
a small converter rather than PyYAML's constructor, which is several times slower;
YAML 1.1 scalars (null, booleans, numbers) still go through PyYAML's own functions, while
timestamps and ``!!binary`` stay text, as Kubernetes' YAML → JSON conversion keeps them, and
tags PyYAML does not know (``!Ref``) are read by node kind instead of failing the file.
Aliases are expanded into copies, so values are plain trees; recursive aliases and alias
bombs are refused before anything is built.

>>> [(r.type, r.address, r.labels, r.properties["pod_metadata"]) for r in from_bytes(b'''
... apiVersion: apps/v1
... kind: Deployment
... metadata: {name: web, namespace: prod, labels: {team: ml}}
... spec:
...   template:
...     metadata: {labels: {app: web}}
... ''', "web.yaml", strict=True)]
[('kubernetes_deployment', 'Deployment/prod/web', {'team': 'ml'}, {'labels': {'app': 'web'}, 'annotations': {}})]
"""

from __future__ import annotations

import re
import reprlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from plangate.errors import InputError
from plangate.loaders.source import decode
from plangate.model import REDACTED, Location, Resource
from plangate.types import snake

SOURCE_FORMAT = "k8s"
PROVIDER = "kubernetes"

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVED: dict[str, str] = {}  # plain scalar → its implicit YAML tag


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The safe loader, minus per-node work the safe schema never needs.

    Resolving a plain scalar's implicit type (null? bool? int?) is a handful of regular
    expressions in Python, run for every key and value although the same few strings repeat
    in every manifest, so the answer is memoised; the safe schema has no path resolvers, so
    the per-node calls that track the path are skipped.
    """

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is ScalarNode and implicit[0]:
            tag = _RESOLVED.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(value) <= 64 and len(_RESOLVED) < 50_000:  # bounded: values are user data
                    _RESOLVED[value] = tag
            return tag
        return super().resolve(kind, value, implicit)


#: Where each pod controller keeps its pod template's metadata (the admission exports read it too).
POD_TEMPLATE_PATHS: dict[str, tuple[str, ...]] = {
    **{kind: ("spec", "template", "metadata") for kind in (
        "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController")},
    "CronJob": ("spec", "jobTemplate", "spec", "template", "metadata"),
}

_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
# YAML 1.1 scalars PyYAML constructs the way Kubernetes reads them; other scalars stay text.
_SCALARS = {
    tag: SafeConstructor.yaml_constructors[tag]
    for tag in ("tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                "tag:yaml.org,2002:float")
}
# Aliases may repeat a node any number of times (a "billion laughs" file); more expanded
# nodes than this, and more than 10 per character of input, is refused.
_MAX_EXPANDED = 1_000_000

_NO_OBJECTS = "no Kubernetes objects (apiVersion and kind) found"
_PLACEHOLDER = re.compile(r"\{\{.*?\}\}|(?<![$\w])\{\s*[A-Za-z_][\w.-]*\s*\}")
_short = reprlib.Repr()
_short.maxstring = _short.maxother = 80


# ------------------------------------------------------------------------------ public API


def from_bytes(raw: bytes, file: str, strict: bool) -> list[Resource]:
    """Objects in a (multi-document) YAML file; ``strict``: the file must hold at least one."""
    text = decode(raw, file)
    resources: list[Resource] = []
    found = False
    for doc in _documents(text, file):
        if _is_object(doc.value):
            found = True
            resources.extend(_expand(doc, file))
    if strict and not found:
        raise InputError(file, _NO_OBJECTS)
    return resources


def from_objects(objs: list[Any], file: str) -> list[Resource]:
    """Objects already parsed (JSON manifests, Checkov's view of one); others are skipped."""
    resources: list[Resource] = []
    for number, value in enumerate(objs, 1):
        if _is_object(value):
            resources.extend(_expand(_Document(number, None, value, []), file))
    return resources


# ------------------------------------------------------------------------------ YAML


@dataclass(slots=True)
class _Document:
    number: int  # 1-based position in the file
    line: int | None  # where its content starts
    value: Any
    item_lines: list[int]  # where each item of a List starts


def _documents(text: str, file: str) -> list[_Document]:
    may_alias = "*" in text  # no "*" anywhere: no alias, nothing can be expanded
    construct = _construct if "<<" in text else _construct_plain  # "<<": maybe a merge key
    docs: list[_Document] = []
    loader = None
    try:
        loader = _Loader(text)  # the pure-Python reader checks characters right here
        while loader.check_node():
            node = loader.get_node()
            if may_alias:
                _check_aliases(node, len(text), file)
            try:
                value = construct(node, loader)
            except TypeError:  # a list or mapping used as a mapping key
                raise _problem("a mapping key is a list or a mapping (Kubernetes keys are "
                               "strings)", _complex_key(node), text, file) from None
            # only a List's item lines are needed from the nodes: keeping whole node trees
            # alive until the file is read doubled the time spent in the cyclic GC
            items = _item_lines(node) if _is_object(value) and value["kind"] == "List" else []
            docs.append(_Document(len(docs) + 1, node.start_mark.line + 1, value, items))
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, text, file) from None
    except yaml.YAMLError as exc:  # the reader's: bad characters, with a position only
        position = getattr(exc, "position", None)
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else None
        raise InputError(file, f"invalid YAML: {str(exc).splitlines()[0]}", line) from None
    except RecursionError:
        raise InputError(file, "invalid YAML: nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()
    return docs


def _scalar(node: Node, loader: Any) -> Any:
    """A scalar node's value: strings as they are (the common case, kept fast), other tags by PyYAML's resolver."""
    if node.tag == _STR:
        return node.value
    make = _SCALARS.get(node.tag)
    return make(loader, node) if make is not None else node.value


def _construct(node: Node, loader: Any) -> Any:
    """A composed node as plain Python values (see the module docstring for why not PyYAML's
    constructor).  Aliased nodes are built once per use, so the result is a tree."""
    cls = node.__class__
    if cls is ScalarNode:
        return _scalar(node, loader)
    if cls is MappingNode:
        if any(key.tag == _MERGE for key, _ in node.value):
            loader.flatten_mapping(node)  # `<<: *defaults`, with PyYAML's own checks
        return {_construct(k, loader): _construct(v, loader) for k, v in node.value}
    return [_construct(v, loader) for v in node.value]


def _construct_plain(node: Node, loader: Any) -> Any:
    """`_construct` for text without merge keys."""
    cls = node.__class__
    if cls is ScalarNode:
        return _scalar(node, loader)
    if cls is MappingNode:
        return {_construct_plain(k, loader): _construct_plain(v, loader) for k, v in node.value}
    return [_construct_plain(v, loader) for v in node.value]


def _check_aliases(root: Node, text_size: int, file: str) -> None:
    """Refuse recursive aliases and alias bombs before anything is built from them."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def expanded(node: Node) -> int:
        if node.__class__ is ScalarNode:
            return 1
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise InputError(file, "invalid YAML: an alias refers to a node that contains it",
                             node.start_mark.line + 1)
        open_nodes.add(key)
        if node.__class__ is MappingNode:
            total = 1 + sum(expanded(k) + expanded(v) for k, v in node.value)
        else:
            total = 1 + sum(expanded(v) for v in node.value)
        open_nodes.discard(key)
        sizes[key] = total
        return total

    if expanded(root) > max(_MAX_EXPANDED, 10 * text_size):
        raise InputError(file, "invalid YAML: aliases expand to too many values",
                         root.start_mark.line + 1)


def _complex_key(root: Node) -> Any:
    """Where the first mapping key that is a list or a mapping starts."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if not isinstance(key, ScalarNode):
                    return key.start_mark
                stack.append(value)
        elif isinstance(node, SequenceNode):
            stack.extend(reversed(node.value))
    return root.start_mark


def _yaml_error(exc: yaml.MarkedYAMLError, text: str, file: str) -> InputError:
    problem = exc.problem or exc.context or "malformed document"
    return _problem(problem, exc.problem_mark or exc.context_mark, text, file)


def _problem(problem: str, mark: Any, text: str, file: str) -> InputError:
    """``invalid YAML`` at ``mark``, with a hint when the line holds a template placeholder
    (``{name}``, ``{{ .Values.x }}``): such files are templates, not manifests yet."""
    if mark is None:
        return InputError(file, f"invalid YAML: {problem}")
    lines = text.splitlines()
    source = lines[mark.line] if mark.line < len(lines) else ""
    placeholder = _PLACEHOLDER.search(source)
    if placeholder:
        problem += (f" (line has a template placeholder, {placeholder.group()}: "
                    "render the template first)")
    return InputError(file, f"invalid YAML: {problem}", mark.line + 1, mark.column + 1)


# ------------------------------------------------------------------------------ objects


def _is_object(value: Any) -> bool:
    return (isinstance(value, dict) and isinstance(value.get("apiVersion"), str)
            and isinstance(value.get("kind"), str) and bool(value["kind"]))


def _expand(doc: _Document, file: str) -> Iterator[Resource]:
    obj = doc.value
    items = obj.get("items")
    if obj["kind"] == "List" and isinstance(items, list):
        lines = doc.item_lines
        for index, item in enumerate(items):
            if _is_object(item):
                line = lines[index] if index < len(lines) else doc.line
                yield _resource(item, file, line, f"{doc.number}.{index + 1}")
        return
    yield _resource(obj, file, doc.line, str(doc.number))


def _item_lines(node: Node) -> list[int]:
    if not isinstance(node, MappingNode):
        return []
    for key, value in node.value:
        if key.value == "items" and isinstance(value, SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def manifest_resource(obj: dict[str, Any], file: str, line: int | None, number: str) -> Resource:
    """One Kubernetes object (a mapping with ``kind``) as a `Resource`; the Pulumi loader uses
    it for ``kubernetes:*`` resources, whose inputs are the manifest."""
    return _resource(obj, file, line, number)


def _resource(obj: dict[str, Any], file: str, line: int | None, number: str) -> Resource:
    kind = obj["kind"]
    meta = obj.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    name = meta.get("name") or meta.get("generateName") or f"#{number}"
    namespace = meta.get("namespace")
    address = f"{kind}/{namespace}/{name}" if namespace else f"{kind}/{name}"
    notes: list[str] = []
    labels = _string_map(meta.get("labels"), "metadata.labels", notes)
    annotations = _string_map(meta.get("annotations"), "metadata.annotations", notes)
    properties = dict(obj)  # shallow: pod_metadata is added without touching the caller's
    secret: frozenset[str] = frozenset()
    if kind == "Secret":
        secret = _redact_secret(properties)
    template = POD_TEMPLATE_PATHS.get(kind)
    if template is not None:
        pod_meta = _dig(obj, template)
        properties["pod_metadata"] = {
            "labels": _string_map(pod_meta.get("labels"), "pod template labels", notes),
            "annotations": _string_map(pod_meta.get("annotations"), "pod template annotations",
                                       notes),
        }
    return Resource(
        type="kubernetes_" + snake(kind),
        address=address,
        source_format=SOURCE_FORMAT,
        properties=properties,
        labels=labels,
        annotations=annotations,
        secret=secret,
        location=Location(file, line),
        provider=PROVIDER,
        notes=tuple(notes),
    )


def _dig(obj: Any, path: tuple[str, ...]) -> dict[str, Any]:
    for key in path:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj if isinstance(obj, dict) else {}


def _string_map(value: Any, what: str, notes: list[str]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        notes.append(f"{what} is not a map, so it was read as empty")
        return {}
    return {k if isinstance(k, str) else _text(k): _text(v) for k, v in value.items()}


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return _short.repr(value)  # a list or map (invalid here): bounded, whatever its size


def _redact_secret(properties: dict[str, Any]) -> frozenset[str]:
    """Replace a Secret's values by REDACTED (keys stay); the paths that were secret."""
    paths: list[str] = []
    for part in ("data", "stringData"):
        values = properties.get(part)
        if isinstance(values, dict):
            properties[part] = {k: REDACTED for k in values}
            paths += [f"{part}.{k}" for k in values]
    return frozenset(paths)
