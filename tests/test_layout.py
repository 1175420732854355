"""The package's layering, over every module: imports point down, never sideways or up.

`LAYERS` lists plangate's top-level modules and packages from the bottom up (``plangate`` is
the package's own ``__init__``).  A module may import its own unit (the same package or
module) and any unit of a lower layer; never a unit of its own layer or a higher one.  Every
import counts: lazy ones inside functions and ``TYPE_CHECKING`` ones too, since a lazy import
is still a dependency.  docs/architecture.md draws the same list.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "plangate"

LAYERS: tuple[tuple[str, ...], ...] = (
    # the vocabulary: errors, the resource model and findings, typed settings, canonical types, waivers
    ("plangate", "errors", "extras", "model", "settings", "types", "waiver"),
    # small readers over the vocabulary: safe writes, notes loaders leave for rules, plan values
    ("atomic", "notes", "values"),
    # inputs: IaC -> Resource; billing and metric data -> the lake
    ("loaders", "lake"),
    # the cost model: priced types, prices, usage, estimates
    ("cost",),
    # the rules, declared once (with their Checkov ids, assurance tiers and stack context)
    ("rules",),
    # the policy file over the rules; the rule catalogue as text
    ("policy", "rule_catalogue"),
    # the one-pass engine; an AWS Organizations tag policy read as PG-TAG-001's settings
    ("engine", "tagpolicy"),
    # what runs on the engine's findings or the lake: analytics, the audit log, exports and imports
    ("analytics", "audit", "interop"),
    # responsible-AI assurance (its statistics reuse analytics' degenerate-data checks)
    ("assurance",),
    # renderers for every output
    ("report",),
    # the scan's CI knobs; the host tools' front-ends (the pack records previews in the audit log)
    ("gate", "frontends"),
    # one thin module per subcommand, and `python -m plangate`
    ("cli",),
    ("__main__",),
)

#: Imports that break the rule, each with why and until when (the Pulumi wire format's, from
#: loaders/ up to frontends/, went when it moved beside its loader).  Keep this empty.
ALLOWED_UPWARD: set[tuple[str, str]] = set()

# Host SDKs and heavy libraries the scan path must not load (DESIGN: performance stance).
FORBIDDEN_ROOTS = ("pulumi", "pulumi_policy", "pulumi_aws", "grpc", "checkov", "sklearn")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _unit(module: str) -> str:
    """``plangate.rules.base`` -> ``rules``; ``plangate`` -> ``plangate``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _imports(module: str) -> Iterator[str]:
    """Every plangate module ``module`` imports, wherever the statement is."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name.split(".")[0] == "plangate")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join([*parts[:len(parts) - node.level + 1], *([base] if base else [])])
            if base.split(".")[0] != "plangate":
                continue
            for alias in node.names:  # `from plangate import engine` imports the module plangate.engine
                yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base


def _layer_of() -> dict[str, int]:
    return {unit: level for level, units in enumerate(LAYERS) for unit in units}


def test_every_module_has_a_layer():
    """A new top-level module or package is placed in `LAYERS` (and the docs), not left out."""
    listed = [unit for units in LAYERS for unit in units]
    assert len(listed) == len(set(listed))
    assert sorted({_unit(m) for m in MODULES}) == sorted(listed)
    assert len(MODULES) > 150  # the walk saw the whole package


def test_imports_point_down():
    level = _layer_of()
    offending = sorted(
        (module, target) for module in MODULES for target in _imports(module)
        if _unit(target) != _unit(module) and level[_unit(target)] >= level[_unit(module)]
        and (module, target) not in ALLOWED_UPWARD)
    assert offending == []


def test_the_rule_sees_real_edges():
    """The walk resolves the import forms the package uses (a check that sees nothing passes)."""
    assert "plangate.rules.base" in set(_imports("plangate.policy"))
    assert "plangate.engine" in set(_imports("plangate.cli.scan"))  # `from plangate import engine, …`
    assert "plangate.rules.checkov_ids" in set(_imports("plangate.frontends.checkov.suppressions"))  # lazy


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one node of a graph given as node -> targets."""
    modules = set(edges)
    order: list[str] = []
    seen: set[str] = set()
    for start in sorted(modules):  # Kosaraju, iteratively: finish order, then the reversed graph
        if start in seen:
            continue
        seen.add(start)
        stack = [(start, iter(sorted(edges[start])))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                order.append(node)
                stack.pop()
            elif child not in seen:
                seen.add(child)
                stack.append((child, iter(sorted(edges[child]))))
    reverse: dict[str, set[str]] = {m: set() for m in modules}
    for m, targets in edges.items():
        for t in targets:
            reverse[t].add(m)
    groups, assigned = [], set()
    for node in reversed(order):
        if node in assigned:
            continue
        group, todo = [], [node]
        assigned.add(node)
        while todo:
            current = todo.pop()
            group.append(current)
            for other in reverse[current] - assigned:
                assigned.add(other)
                todo.append(other)
        if len(group) > 1:
            groups.append(sorted(group))
    return groups


def test_the_cycle_search():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({**graph, "c": set()}) == []


#: The core: what `import plangate.engine` stands on, the rule catalogue beside it.
CORE = ("plangate", "errors", "extras", "model", "settings", "types", "waiver", "atomic", "notes", "values",
        "cost", "rules", "policy", "rule_catalogue", "engine")


def test_the_core_has_no_import_cycle():
    """Not even through lazy or type-only imports (policy <-> rules.base <-> rules.context was one)."""
    core = {m for m in MODULES if _unit(m) in CORE}
    assert {"plangate.policy", "plangate.rules.base", "plangate.rules.context"} <= core
    assert _cycles({m: {t for t in _imports(m) if t in core and t != m} for m in core}) == []


def _modules_after(statement: str) -> list[str]:
    script = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))\n"
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(proc.stdout)


def test_importing_the_engine_loads_no_front_end_and_no_sdk():
    loaded = _modules_after("import plangate.engine")
    assert "plangate.engine" in loaded  # the probe saw the import
    assert [m for m in loaded if m.startswith("plangate.frontends")] == []
    assert [m for m in loaded if m.split(".")[0] in FORBIDDEN_ROOTS] == []
