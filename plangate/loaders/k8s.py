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

Parsing (`plangate.loaders.k8s_yaml`, imported only when YAML is read) uses libyaml
(``yaml.CSafeLoader``) when PyYAML has it.  Documents are composed
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

import reprlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from plangate.errors import InputError
from plangate.loaders.formats import Input, input_format
from plangate.loaders.source import decode, has_bom
from plangate.model import REDACTED, Location, Resource
from plangate.types import snake

SOURCE_FORMAT = "k8s"
PROVIDER = "kubernetes"

#: Where each pod controller keeps its pod template's metadata (the admission exports read it too).
POD_TEMPLATE_PATHS: dict[str, tuple[str, ...]] = {
    **{kind: ("spec", "template", "metadata") for kind in (
        "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController")},
    "CronJob": ("spec", "jobTemplate", "spec", "template", "metadata"),
}

_NO_OBJECTS = "no Kubernetes objects (apiVersion and kind) found"
_short = reprlib.Repr()
_short.maxstring = _short.maxother = 80


# ------------------------------------------------------------------------------ public API


def from_bytes(raw: bytes, file: str, strict: bool) -> list[Resource]:
    """Objects in a (multi-document) YAML file; ``strict``: the file must hold at least one."""
    text = decode(raw, file)
    resources: list[Resource] = []
    found = False
    from plangate.loaders.k8s_yaml import documents  # PyYAML: loaded only when YAML is read

    for doc in documents(text, file):
        if is_object(doc.value):
            found = True
            resources.extend(_expand(doc, file))
    if strict and not found:
        raise InputError(file, _NO_OBJECTS)
    return resources


def from_objects(objs: list[Any], file: str) -> list[Resource]:
    """Objects already parsed (JSON manifests, Checkov's view of one); others are skipped."""
    resources: list[Resource] = []
    for number, value in enumerate(objs, 1):
        if is_object(value):
            resources.extend(_expand(Document(number, None, value, []), file))
    return resources


@dataclass(slots=True)
class Document:
    """One document of a manifest file (or one object of a JSON one)."""

    number: int  # 1-based position in the file
    line: int | None  # where its content starts
    value: Any
    item_lines: list[int]  # where each item of a List starts


# ------------------------------------------------------------------------------ objects


def is_object(value: Any) -> bool:
    """Whether a parsed value is a Kubernetes object: a mapping naming its ``apiVersion`` and ``kind``."""
    return (isinstance(value, dict) and isinstance(value.get("apiVersion"), str)
            and isinstance(value.get("kind"), str) and bool(value["kind"]))


def _expand(doc: Document, file: str) -> Iterator[Resource]:
    obj = doc.value
    items = obj.get("items")
    if obj["kind"] == "List" and isinstance(items, list):
        lines = doc.item_lines
        for index, item in enumerate(items):
            if is_object(item):
                line = lines[index] if index < len(lines) else doc.line
                yield _resource(item, file, line, f"{doc.number}.{index + 1}")
        return
    yield _resource(obj, file, doc.line, str(doc.number))


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


# ------------------------------------------------------------------------------ input format


def may_be_manifest(raw: bytes) -> bool:
    """Whether YAML bytes could hold a Kubernetes object: every object names its ``apiVersion``
    and ``kind``, so a file without both words holds none (checked on the text when a BOM says
    UTF-16 / UTF-32), and a folder's other YAML files (CI workflows, OpenAPI documents) are
    skipped without loading PyYAML."""
    text = raw
    if has_bom(raw):
        try:
            text = decode(raw, "").encode("utf-8")
        except InputError:
            return True  # the manifest reader names the problem
    return b"apiVersion" in text and b"kind" in text


def _is_manifest(data: Any) -> bool:
    """an object with `apiVersion` and `kind`"""
    return isinstance(data, dict) and "apiVersion" in data and "kind" in data


@input_format(SOURCE_FORMAT, "Kubernetes / KServe manifests: YAML (multi-document), or a JSON object",
              suffixes=(".yaml", ".yml"), sniff=_is_manifest, derive_providers=False)
def read_input(src: Input) -> list[Resource] | None:
    if src.parsed:  # a JSON document recognised by its keys
        data = src.data
        return from_objects(data if isinstance(data, list) else [data], src.file)
    if not src.explicit and not may_be_manifest(src.raw):
        return None
    found = from_bytes(src.raw, src.file, strict=src.explicit)
    return found if found or src.explicit else None
