"""python-hcl2 as the oracle for `plangate.loaders.hcl.syntax`: the same `Parsed` shape, built
from python-hcl2 8's serialised output and Lark parse tree (labels and lines come from the
tree: the serialised dict does not say how many labels a block has, and python-hcl2's
``with_meta`` option emits no lines)."""

from __future__ import annotations

from typing import Any

import hcl2

from plangate.loaders.hcl.syntax import Block, Parsed

_OPTIONS = hcl2.SerializationOptions(with_comments=False, explicit_blocks=False,
                                     preserve_scientific_notation=False)


def parse(text: str) -> Parsed:
    """Raises whatever python-hcl2 raises on invalid input."""
    tree = hcl2.parses_to_tree(text)
    data = hcl2.serialize(hcl2.transform(tree, discard_comments=True), serialization_options=_OPTIONS)
    seen: dict[str, int] = {}
    blocks: list[Block] = []
    attributes: dict[str, Any] = {}
    body = next((c for c in tree.children if getattr(c, "data", None) == "body"), None)
    for node in body.children if body is not None else ():
        kind_of = getattr(node, "data", None)
        if kind_of == "attribute":
            name = str(node.children[0].children[0])
            attributes[name] = data.get(name)
        if kind_of != "block":
            continue
        head = [c for c in node.children if hasattr(c, "data")]
        kind = str(head[0].children[0])
        label_count = next(i for i, c in enumerate(head) if c.data == "body") - 1
        index = seen.get(kind, 0)
        seen[kind] = index + 1
        entry = data[kind][index]
        labels: list[str] = []
        for _ in range(label_count):
            (label, entry), = entry.items()
            labels.append(label)
        blocks.append(Block(kind, tuple(labels), entry, node.meta.line))
    return Parsed(blocks, attributes)
