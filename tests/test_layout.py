"""The package's layering: the core imports no front-end and no host SDK or analytics library."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

from conftest import ROOT

# Host SDKs and heavy libraries the scan path must not load (DESIGN: performance stance).
FORBIDDEN_ROOTS = ("pulumi", "pulumi_policy", "pulumi_aws", "grpc", "checkov", "sklearn")
CORE = ("model.py", "engine.py", "policy.py", "settings.py", "types.py", "rules", "cost")


def _modules_after(statement: str) -> list[str]:
    script = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))\n"
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(proc.stdout)


def test_importing_the_engine_loads_no_front_end_and_no_sdk():
    loaded = _modules_after("import plangate.engine")
    assert "plangate.engine" in loaded  # the probe saw the import
    assert [m for m in loaded if m.startswith("plangate.frontends")] == []
    assert [m for m in loaded if m.split(".")[0] in FORBIDDEN_ROOTS] == []


def _imported_names(path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_modules_never_import_a_front_end():
    """Not even lazily, inside a function: the dependency runs from front-ends to the core."""
    package = ROOT / "plangate"
    files = [p for name in CORE for p in ([package / name] if name.endswith(".py")
                                          else sorted((package / name).rglob("*.py")))]
    assert len(files) > len(CORE)
    offending = {str(p.relative_to(ROOT)): sorted(n for n in _imported_names(p) if n.startswith("plangate.frontends"))
                 for p in files}
    assert {path: names for path, names in offending.items() if names} == {}
