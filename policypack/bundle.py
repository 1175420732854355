"""Build the self-contained policy pack folder that ``pulumi policy publish`` ships (``make pack``).

    python policypack/bundle.py out/policypack [--config plangate.yaml]

The folder holds this pack's ``PulumiPolicy.yaml`` and ``__main__.py``, a plangate wheel
built from this checkout, and ``requirements.txt``: this folder's requirements (plangate by
version, the pulumi-policy pin) after a ``--find-links .`` line, which pip reads relative to
the requirements file, so the pack's virtualenv installs plangate from the wheel beside it
and the Pulumi SDKs from the package index.  Nothing in it refers back to the repository.
With ``--config``, that file goes in as ``plangate.yaml``, which the pack reads beside itself.

The wheel is built by ``pip wheel --no-deps`` in an isolated build environment (setuptools
from the package index or pip's cache, as ``pyproject.toml`` asks) from a copy of the
package sources, so the checkout gets no ``build/`` or ``*.egg-info``.  The output folder is
replaced whole: it is written beside its final place and renamed into it.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SOURCES = ("pyproject.toml", "README.md", "plangate")  # what the wheel is built from
PACK_FILES = ("PulumiPolicy.yaml", "__main__.py")


def build_wheel(into: Path) -> Path:
    """A plangate wheel built from the checkout into ``into``; returns its path."""
    with tempfile.TemporaryDirectory(prefix="plangate-wheel-") as scratch:
        src = Path(scratch) / "src"
        src.mkdir()
        for name in SOURCES:
            path = ROOT / name
            if path.is_dir():
                shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copy2(path, src / name)
        proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                               "--disable-pip-version-check", "--wheel-dir", str(into), str(src)],
                              capture_output=True, text=True, cwd=scratch)
        if proc.returncode:
            raise SystemExit(f"bundle: pip wheel failed: {proc.stderr.strip() or proc.stdout.strip()}")
    (wheel,) = into.glob("plangate-*.whl")
    return wheel


def requirements(wheel: Path) -> str:
    """This folder's requirements with the wheel's folder as a place to find plangate."""
    ours = (HERE / "requirements.txt").read_text(encoding="utf-8")
    return (f"# Built by policypack/bundle.py: plangate comes from {wheel.name} in this folder.\n"
            f"--find-links .\n{ours}")


def bundle(out: Path, config: Path | None = None) -> Path:
    """Write the pack folder at ``out`` (replacing it); returns ``out``."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    staging.chmod(0o755)  # mkdtemp's 0700 would follow the folder into the published pack
    try:
        for name in PACK_FILES:
            shutil.copy2(HERE / name, staging / name)
        if config is not None:
            shutil.copy2(config, staging / "plangate.yaml")
        wheel = build_wheel(staging)
        (staging / "requirements.txt").write_text(requirements(wheel), encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="the pack folder to write (replaced if it exists)")
    ap.add_argument("--config", type=Path, help="a plangate.yaml to ship inside the pack")
    args = ap.parse_args()
    if args.config is not None and not args.config.is_file():
        print(f"bundle: {args.config}: not a readable file", file=sys.stderr)
        return 2
    if args.out.exists() and not args.out.is_dir():
        print(f"bundle: {args.out}: exists and is not a folder; the pack is a folder", file=sys.stderr)
        return 2
    print(bundle(args.out, args.config))
    return 0


if __name__ == "__main__":
    sys.exit(main())
