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


# -- secrets at every depth ---------------------------------------------------------------

MARK = "ZZSEKRET"  # put inside every value hidden below: it must reach no output


def _marked(value: Any) -> Any:
    """``value`` carrying the marker somewhere a renderer could show it (a key and a text)."""
    if isinstance(value, dict):
        return {**value, f"{MARK}key": f"{MARK}value"}
    if isinstance(value, list):
        return [*value, f"{MARK}item"]
    if isinstance(value, str):
        return f"{value}{MARK}"
    return value


def _sensitive_tree(path: tuple) -> Any:
    tree: Any = True
    for step in reversed(path):
        tree = [False] * step + [tree] if isinstance(step, int) else {step: tree}
    return tree


def _outputs(tmp_path: Path, target: Path, capsys) -> list[tuple[int, str]]:
    runs = [["scan", str(target), "-f", fmt] for fmt in ("table", "json", "sarif", "junit", "markdown")]
    runs += [["cost", str(target), "-f", fmt] for fmt in ("table", "json", "infracost-json", "markdown")]
    out = []
    for args in runs:
        code = main(args)
        captured = capsys.readouterr()
        out.append((code, captured.out + captured.err))
        if code == 2:
            assert captured.err.count("\n") == 1 and "Traceback" not in captured.err, captured.err
    return out


@pytest.mark.parametrize("example", ["terraform-plan/plan.json", "pulumi/preview.json"])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_secret_at_any_depth_never_reaches_an_output(tmp_path, capsys, example, data) -> None:
    from plangate.frontends.pulumi.wire import SECRET_SIG, SIG_KEY

    doc = json.loads((EXAMPLES / example).read_text(encoding="utf-8"))
    if example.startswith("pulumi"):
        steps = [i for i, s in enumerate(doc["steps"]) if isinstance(s.get("newState"), dict)]
        index = data.draw(st.sampled_from(steps))
        inputs = doc["steps"][index]["newState"]["inputs"]
        path = data.draw(st.sampled_from(_paths(inputs)[1:] or [()]))
        node = inputs
        for step in path:
            node = node[step]
        wrapped = {SIG_KEY: SECRET_SIG, "value": _marked(node)}
        doc["steps"][index]["newState"]["inputs"] = _replace(inputs, path, wrapped)
    else:
        changes = [i for i, c in enumerate(doc["resource_changes"]) if isinstance(c["change"].get("after"), dict)]
        index = data.draw(st.sampled_from(changes))
        change = doc["resource_changes"][index]["change"]
        path = data.draw(st.sampled_from(_paths(change["after"])[1:] or [()]))
        node = change["after"]
        for step in path:
            node = node[step]
        change["after"] = _replace(change["after"], path, _marked(node))
        change["after_sensitive"] = _sensitive_tree(path) if path else True
    target = tmp_path / Path(example).name
    target.write_text(json.dumps(doc), encoding="utf-8")
    for code, text in _outputs(tmp_path, target, capsys):
        assert code in (0, 1, 2)
        assert MARK not in text, text[text.index(MARK) - 200: text.index(MARK) + 50]
