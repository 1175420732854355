"""The pack as ``pulumi policy publish`` ships it: built by ``policypack/bundle.py`` (``make
pack``), copied away from the repository, its requirements installed into a fresh virtualenv
(plangate from the wheel inside the folder, the Pulumi SDKs from the package index or pip's
cache), then started by the harness with that virtualenv's interpreter, as the CLI starts it.

One module-scoped build and install (under a minute with pip's cache warm); those tests are
marked ``slow``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from plangate.frontends.pulumi.harness import PolicyPackHarness
from plangate.loaders.pulumi_wire import UNKNOWN, secret
from plangate.rules import RULES

INSTALL_TIMEOUT = 900  # seconds; pip with a warm cache takes a few
BUCKET = "aws:s3/bucket:Bucket"
LAMBDA = "aws:lambda/function:Function"
GOOD_TAGS = {"CostCenter": "cc-1042", "Owner": "ml-platform", "Environment": "prod", "Project": "fraud"}
# Requests whose diagnostics must be the same from the copied-out pack and the in-repo one.
REQUESTS = [
    (BUCKET, {"bucket": "logs", "tags": {"Owner": "ml-platform"}}),
    (BUCKET, {"bucket": "logs", "tags": UNKNOWN}),
    (LAMBDA, {"name": "scorer", "tags": {**GOOD_TAGS, "app": "ai-model-inference"},
              "environment": {"variables": {"KEY": secret("s3cr3t")}}}),
    (LAMBDA, {"name": "scorer", "tags": {**GOOD_TAGS, "ai.plangate.dev/risk-tier": "unacceptable"}}),
]


def _env() -> dict[str, str]:
    """This environment without anything that would let the pack find the checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PLANGATE_CONFIG")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


@pytest.fixture(scope="module")
def copied_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    built = tmp_path_factory.mktemp("build") / "policypack"
    proc = subprocess.run([sys.executable, str(ROOT / "policypack" / "bundle.py"), str(built)],
                          capture_output=True, text=True, env=_env(), timeout=INSTALL_TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    pack = tmp_path_factory.mktemp("elsewhere") / "plangate-pack"
    shutil.copytree(built, pack)
    assert not pack.resolve().is_relative_to(ROOT)
    # The virtualenv PulumiPolicy.yaml names, made and filled as the CLI does, in the pack's folder.
    subprocess.run([sys.executable, "-m", "venv", "venv"], cwd=pack, env=_env(), check=True, timeout=120)
    proc = subprocess.run([str(pack / "venv" / "bin" / "python"), "-m", "pip", "install", "--quiet",
                           "-r", "requirements.txt"],
                          cwd=pack, env=_env(), capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return pack


@pytest.mark.slow
def test_the_folder_is_self_contained(copied_pack: Path):
    names = {p.name for p in copied_pack.iterdir()} - {"venv"}
    (wheel,) = [n for n in names if n.endswith(".whl")]
    assert names == {"PulumiPolicy.yaml", "__main__.py", "requirements.txt", wheel}
    requirements = (copied_pack / "requirements.txt").read_text(encoding="utf-8")
    assert "--find-links ." in requirements and "-e " not in requirements and ".." not in requirements
    # plangate is the wheel's copy inside the pack's virtualenv, not the checkout
    where = subprocess.run([str(copied_pack / "venv" / "bin" / "python"), "-c",
                            "import plangate.frontends.pulumi.pack as p; print(p.__file__)"],
                           cwd=copied_pack, env=_env(), capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(copied_pack / "venv") and not Path(where).is_relative_to(ROOT)


@pytest.mark.slow
def test_the_copied_out_pack_gives_the_in_repo_packs_verdicts(copied_pack: Path):
    with PolicyPackHarness(copied_pack, env=_env()) as pack:
        assert pack.python == str(copied_pack / "venv" / "bin" / "python")  # the pack's own virtualenv
        info = pack.get_info()
        assert (info.name, [p.name for p in info.policies]) == ("plangate", [r.slug for r in RULES])
        pack.configure()
        got = [pack.analyze(token, props) for token, props in REQUESTS]
    with PolicyPackHarness(ROOT / "policypack", python=sys.executable, env=_env()) as reference:
        reference.configure()
        expected = [reference.analyze(token, props) for token, props in REQUESTS]
    assert got == expected
    tags = [(d.enforcement, d.message) for d in got[0] if d.policy == "cost-allocation-tags"]
    assert tags == [("mandatory", "missing tags: CostCenter, Environment, Project")]
    assert any(d.policy == "prohibited-ai-risk-tier" and d.enforcement == "mandatory" for d in got[3])


@pytest.mark.slow
def test_a_policy_file_ships_inside_the_pack(tmp_path: Path):
    config = tmp_path / "mine.yaml"
    config.write_text("on_unknown: deny\n", encoding="utf-8")
    out = tmp_path / "pack"
    out.mkdir()
    (out / "stale.txt").write_text("from an earlier build", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(ROOT / "policypack" / "bundle.py"), str(out), "--config", str(config)],
                          capture_output=True, text=True, env=_env(), timeout=INSTALL_TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    assert (out / "plangate.yaml").read_text(encoding="utf-8") == "on_unknown: deny\n"
    assert not (out / "stale.txt").exists()  # the folder is replaced whole
    assert out.stat().st_mode & 0o777 == 0o755


def test_bundle_refuses_bad_arguments_in_one_line(tmp_path: Path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x", encoding="utf-8")
    missing = tmp_path / "missing.yaml"
    for args, names in (([str(not_a_folder)], not_a_folder),
                        ([str(tmp_path / "out"), "--config", str(missing)], missing)):
        proc = subprocess.run([sys.executable, str(ROOT / "policypack" / "bundle.py"), *args],
                              capture_output=True, text=True, env=_env(), timeout=60)
        assert proc.returncode == 2
        assert len(proc.stderr.splitlines()) == 1 and str(names) in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()
