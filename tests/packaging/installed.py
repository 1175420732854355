"""What the installed-plangate tests share: the wheel built from this checkout, venvs outside the
repository with it installed (pip configured as the environment configures it: its index, its
find-links), the environment a user's shell would give a command, and the README's commands."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

CONSTRAINTS = ROOT / "constraints.txt"
# What a source distribution of plangate holds (pyproject's packages and package data); the rest
# of the checkout (fixtures, corpora, .venv) is no part of what users install.
SOURCES = ("pyproject.toml", "README.md", "constraints.txt", "plangate")
_PIP = ("--disable-pip-version-check", "--quiet")


def copy_sources(target: Path, extra: tuple[str, ...] = ()) -> Path:
    """This checkout's package sources (as `git archive` would give them) in ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for name in (*SOURCES, *extra):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(src, target / name)
    return target


def run(argv, **kw) -> subprocess.CompletedProcess:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=kw.pop("timeout", 900), **kw)
    assert done.returncode == 0, f"{argv}\n{done.stdout}\n{done.stderr}"
    return done


def build_wheel(tmp: Path) -> Path:
    src = copy_sources(tmp / "src")
    run([sys.executable, "-m", "pip", "wheel", *_PIP, "--no-deps", "-w", str(tmp / "dist"), str(src)], cwd=tmp)
    (wheel,) = (tmp / "dist").glob("plangate-*.whl")
    return wheel


def user_env(venv: Path | None) -> dict[str, str]:
    """A user's shell: the venv's bin first on PATH (or none), nothing of this checkout or of the
    test environment (no PYTHONPATH, no VIRTUAL_ENV, no PLANGATE_*), pip's own configuration kept."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "VIRTUAL_ENV", "PLANGATE_", "PYTEST", "COV_"))}
    path = [p for p in env.get("PATH", "").split(os.pathsep)
            if p and not Path(p).resolve().is_relative_to(ROOT) and Path(p).resolve() != Path(sys.executable).parent]
    if venv is not None:
        env["VIRTUAL_ENV"] = str(venv)
        path.insert(0, str(venv / "bin"))
    env["PATH"] = os.pathsep.join(path)
    env["COLUMNS"] = "120"
    return env


def make_venv(where: Path, *install: str) -> Path:
    """A venv at ``where`` with ``install`` pip-installed under constraints.txt (cwd outside the repo)."""
    run([sys.executable, "-m", "venv", str(where)], cwd=where.parent)
    if install:
        run([str(where / "bin" / "python"), "-m", "pip", "install", *_PIP, "--no-compile", "-c", str(CONSTRAINTS),
             *install], cwd=where.parent, env=user_env(where))
    return where  # --no-compile above: the .pyc of pyspark alone take a minute to write


def readme_commands(text: str) -> list[list[str]]:
    """The ``plangate …`` lines of each ```sh block of the README, per block, as written."""
    blocks = re.findall(r"^```sh\n(.*?)^```", text, flags=re.M | re.S)
    found = [[line for line in block.splitlines() if line.startswith("plangate ")] for block in blocks]
    return [lines for lines in found if lines]
