"""Kubernetes manifests as YAML documents (`plangate.loaders.k8s`'s parser): nodes composed by
PyYAML (libyaml when present), turned into plain values by a small converter, each document
with the line it starts on.  Imported only when a YAML file is read, so detecting formats and
scanning plans never loads PyYAML.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from plangate.errors import InputError, first_line
from plangate.loaders.k8s import Document, is_object

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

_PLACEHOLDER = re.compile(r"\{\{.*?\}\}|(?<![$\w])\{\s*[A-Za-z_][\w.-]*\s*\}")


def documents(text: str, file: str) -> list[Document]:
    """The documents of a manifest file, in order; `InputError` with line and column for bad YAML."""
    may_alias = "*" in text  # no "*" anywhere: no alias, nothing can be expanded
    construct = _construct if "<<" in text else _construct_plain  # "<<": maybe a merge key
    docs: list[Document] = []
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
            items = _item_lines(node) if is_object(value) and value["kind"] == "List" else []
            docs.append(Document(len(docs) + 1, node.start_mark.line + 1, value, items))
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, text, file) from None
    except yaml.YAMLError as exc:  # the reader's: bad characters, with a position only
        position = getattr(exc, "position", None)
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else None
        raise InputError(file, f"invalid YAML: {first_line(exc)}", line) from None
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


def _item_lines(node: Node) -> list[int]:
    if not isinstance(node, MappingNode):
        return []
    for key, value in node.value:
        if key.value == "items" and isinstance(value, SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []
