"""Mutated plans, previews, manifests and HCL: plangate exits 0, 1 or 2 — never a traceback.

Exit 3 (internal error) or an escaping exception fails these tests: a crash found here is a
bug to fix in a loader or rule, not an expected outcome.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plangate.cli import main

json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                      st.text(max_size=20))
json_value = st.recursive(json_leaf, lambda kids: st.one_of(
    st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=10), kids, max_size=4)),
    max_leaves=12)


def _paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, prefix + (i,))
    return out


def _replace(doc: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(doc, dict):
        return {**doc, head: _replace(doc[head], rest, value)}
    copy = list(doc)
    copy[head] = _replace(doc[head], rest, value)
    return copy


def _scan(tmp_path: Path, name: str, content: bytes) -> int:
    target = tmp_path / name
    target.write_bytes(content)
    return main(["scan", str(target), "--format", "json", "--output", str(tmp_path / "out.json")])


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("example", ["terraform-plan/plan.json", "pulumi/preview.json"])
@FUZZ
@given(data=st.data())
def test_mutated_json_inputs(tmp_path, example, data):
    doc = json.loads((EXAMPLES / example).read_text())
    for _ in range(data.draw(st.integers(1, 3))):
        paths = _paths(doc)
        path = paths[data.draw(st.integers(0, len(paths) - 1))]
        doc = _replace(doc, path, data.draw(json_value))
    assert _scan(tmp_path, "input.json", json.dumps(doc).encode()) in (0, 1, 2)


def _mutate_bytes(data, raw: bytes) -> bytes:
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(raw)))
        op = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        chunk = data.draw(st.binary(min_size=1, max_size=6) | st.sampled_from(
            [b"{", b"}", b"[", b'"', b":", b"\n", b"- ", b"${", b"---\n", b"  ", b"\xff", b"\x00"]))
        if op == "insert":
            raw = raw[:pos] + chunk + raw[pos:]
        elif op == "delete":
            raw = raw[:pos] + raw[pos + len(chunk):]
        else:
            raw = raw[:pos] + chunk + raw[pos + len(chunk):]
    return raw


@pytest.mark.parametrize("example,name", [
    ("kubernetes/inference.yaml", "input.yaml"),
    ("terraform-hcl/main.tf", "main.tf"),
    ("terraform-plan/plan.json", "plan.json"),
])
@FUZZ
@given(data=st.data())
def test_mutated_text_inputs(tmp_path, example, name, data):
    raw = _mutate_bytes(data, (EXAMPLES / example).read_bytes())
    assert _scan(tmp_path, name, raw) in (0, 1, 2)
