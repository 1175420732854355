"""What plangate imports is what it declares: every third-party import in plangate/ (read from
the source with `ast`) is a core dependency or in an extra of pyproject.toml; `plangate.extras`
(the table the CLI's missing-extra message reads) equals pyproject; constraints.txt (what a
user gets) agrees with the development lock; and a command whose extra is absent exits 2 with
one line naming it, while a module no extra provides is still a bug (exit 3)."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib

import pytest
import yaml
from conftest import ROOT

from plangate import extras

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
NOT_RUNTIME = {"dev"}  # test tools, not a capability


def _name(requirement: str) -> str:
    """A requirement's distribution name, normalised as PEP 503 does."""
    return re.sub(r"[-_.]+", "-", re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement).group(1)).lower()


def _names(requirements) -> set[str]:
    return {_name(r) for r in requirements}


def _pins(path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"{path.name}: {line!r} is not an exact pin"
            pins[_name(name)] = version.strip()
    return pins


def _third_party_imports(*folders: str) -> dict[str, set[str]]:
    """Top-level module -> the files under these folders importing it (absolute imports only)."""
    found: dict[str, set[str]] = {}
    for path in sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.partition(".")[0]
                if top not in sys.stdlib_module_names and top not in ("plangate", "components"):
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_import_is_declared():
    imports = _third_party_imports("plangate")
    assert {"yaml", "duckdb", "tfparse", "cryptography"} <= imports.keys()  # the walk sees real imports
    declared = _names(PYPROJECT["dependencies"]) | {
        name for extra, reqs in PYPROJECT["optional-dependencies"].items() if extra not in NOT_RUNTIME
        for name in _names(reqs)}
    unmapped = {module: files for module, files in imports.items() if module not in extras.DISTRIBUTIONS}
    assert unmapped == {}, "add these to plangate.extras.DISTRIBUTIONS and to an extra"
    undeclared = {module: extras.DISTRIBUTIONS[module] for module in imports
                  if _name(extras.DISTRIBUTIONS[module]) not in declared}
    assert undeclared == {}
    # components/ (the governed Pulumi components: the `components` extra) is the one other user
    assert set(extras.DISTRIBUTIONS) == set(imports) | set(_third_party_imports("components")), "a stale entry"


def test_extras_table_equals_pyproject():
    assert _names(PYPROJECT["dependencies"]) == _names(extras.CORE)
    in_pyproject = {extra: _names(reqs) for extra, reqs in PYPROJECT["optional-dependencies"].items()
                    if extra not in NOT_RUNTIME}
    assert in_pyproject == {extra: _names(dists) for extra, dists in extras.EXTRAS.items()}
    assert in_pyproject["all"] == set().union(*(names for extra, names in in_pyproject.items() if extra != "all"))
    assert _names(extras.CORE) <= in_pyproject["all"] | _names(extras.CORE)
    assert "tfparse" in _names(PYPROJECT["dependencies"])  # the HCL evaluator is in the default install
    assert set(extras.COMMANDS.values()) <= set(extras.EXTRAS)
    from plangate.cli import COMMANDS

    assert set(extras.COMMANDS) <= set(COMMANDS)


@pytest.mark.parametrize("module,command,extra", [
    ("duckdb", "ingest", "lake"),
    ("duckdb", "forecast", "analytics"),  # the command's own extra, which has the lake in it
    ("sklearn.ensemble", "anomalies", "analytics"),
    ("pyspark.sql", "anomalies", "spark"),  # --engine spark: not in analytics, so the module's extra
    ("cryptography", "audit", "audit"),
    ("cryptography", "scan", "audit"),  # scan --audit-log with a signing key
    ("scipy", "drift", "assure"),
    ("regorus", "scan", "rego"),
    ("tfparse", None, "hcl"),
    ("plangate_nonexistent", "scan", None),
])
def test_extra_for(module, command, extra):
    assert extras.extra_for(module, command) == extra


def test_install_hint():
    assert extras.install_hint("duckdb", "ingest") == "`plangate ingest` needs duckdb: pip install 'plangate[lake]'"
    assert extras.install_hint("google.protobuf") == "plangate needs protobuf: pip install 'plangate[pulumi]'"
    assert extras.install_hint("no_such_module", "scan") is None


def test_constraints_agree_with_the_lock():
    constraints, lock = _pins(ROOT / "constraints.txt"), _pins(ROOT / "requirements.txt")
    assert {name: (version, lock[name]) for name, version in constraints.items()
            if name in lock and lock[name] != version} == {}
    runtime = _names(PYPROJECT["dependencies"]) | _names(PYPROJECT["optional-dependencies"]["all"])
    assert runtime - constraints.keys() == set(), "constraints.txt must pin every runtime dependency"


def test_pre_commit_hook_pins_what_constraints_pin():
    hook = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())[0]
    pins = {_name(dep): dep.partition("==")[2] for dep in hook["additional_dependencies"]}
    constraints = _pins(ROOT / "constraints.txt")
    assert "tfparse" in pins  # the hook runs the HCL evaluator
    assert {name: version for name, version in pins.items() if constraints.get(name) != version} == {}


# A fresh interpreter in which these modules cannot be imported, as if their extra were not installed.
_HIDDEN = """
import sys
hidden = set(sys.argv[1].split(","))
class Hide:
    def find_spec(self, name, path=None, target=None):
        if any(name == h or name.startswith(h + ".") for h in hidden):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Hide())
from plangate.cli import main
raise SystemExit(main(sys.argv[2:]))
"""


def _without(modules: str, *argv: str, cwd) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PLANGATE_DEBUG", "PLANGATE_AUDIT_KEY")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-c", _HIDDEN, modules, *argv], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("hidden,argv,line", [
    ("duckdb", ["ingest", "{data}/focus/focus_1_0_sample_1000.csv", "--lake", "lake.duckdb"],
     "plangate: error: `plangate ingest` needs duckdb: pip install 'plangate[lake]'"),
    ("cryptography", ["audit", "keygen", "key.pem"],
     "plangate: error: `plangate audit` needs cryptography: pip install 'plangate[audit]'"),
    ("numpy,pyarrow,scipy", ["drift", "--reference", "{data}/drift_shift/california_housing_reference.csv",
                             "--current", "{data}/drift_shift/california_housing_analysis.csv"],
     "plangate: error: `plangate drift` needs {module}: pip install 'plangate[assure]'"),
    ("sklearn", ["anomalies", "--metric", "{data}/nab/realAWSCloudwatch/ec2_cpu_utilization_5f5533.csv"],
     "plangate: error: `plangate anomalies` needs scikit-learn: pip install 'plangate[analytics]'"),
])
def test_a_missing_extra_is_exit_2_naming_it(hidden, argv, line, tmp_path):
    from conftest import DATA

    if not DATA.is_dir():
        pytest.skip(f"the shared data is not checked out at {DATA}")
    done = _without(hidden, *(a.format(data=DATA) for a in argv), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    stderr = done.stderr.strip()
    assert "\n" not in stderr and "Traceback" not in stderr
    assert any(stderr == line.format(module=extras.DISTRIBUTIONS[m]) for m in hidden.split(",")), stderr


def test_a_missing_module_no_extra_provides_is_a_bug(tmp_path):
    """plangate's own module missing is not the user's to install: exit 3, as any bug."""
    done = _without("plangate.rules", "rules", cwd=tmp_path)
    assert done.returncode == 3, done.stderr
    assert done.stderr.startswith("plangate: internal error: ModuleNotFoundError") and "pip install" not in done.stderr
