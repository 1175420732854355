"""``plangate scan --changed-since REF`` on a temporary git repository with two roots."""

from __future__ import annotations

import json
import subprocess

import pytest

from plangate.cli import main

BUCKET = 'resource "aws_s3_bucket" "{name}" {{\n  bucket = "{name}"\n}}\n'


def _git(repo, *args) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=repo,
                          check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / "infra" / "a").mkdir(parents=True)
    (tmp_path / "infra" / "b").mkdir()
    (tmp_path / "modules" / "store").mkdir(parents=True)
    (tmp_path / "k8s").mkdir()
    (tmp_path / "infra" / "a" / "main.tf").write_text(BUCKET.format(name="alpha"))
    (tmp_path / "infra" / "b" / "main.tf").write_text(
        BUCKET.format(name="beta") + 'module "store" {\n  source = "../../modules/store"\n}\n')
    (tmp_path / "modules" / "store" / "main.tf").write_text(BUCKET.format(name="store"))
    (tmp_path / "k8s" / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\n")
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "base")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _addresses(capsys, *args) -> set[str]:
    assert main(["scan", *args, "-f", "json", "--soft-fail"]) == 0
    report = json.loads(capsys.readouterr().out)
    return {f["address"] for f in report["findings"]}


def test_only_the_changed_root_is_scanned(repo, capsys):
    base = _git(repo, "rev-parse", "HEAD")
    assert {"aws_s3_bucket.alpha", "aws_s3_bucket.beta"} <= _addresses(capsys, "infra")
    (repo / "infra" / "a" / "main.tf").write_text(BUCKET.format(name="alpha") + BUCKET.format(name="gamma"))
    _git(repo, "commit", "-q", "-am", "change a")
    got = _addresses(capsys, "infra", "k8s", "--changed-since", base)
    assert {"aws_s3_bucket.alpha", "aws_s3_bucket.gamma"} <= got
    assert not any("beta" in a or "Pod/" in a for a in got), got


def test_a_changed_local_module_scans_its_caller(repo, capsys):
    base = _git(repo, "rev-parse", "HEAD")
    (repo / "modules" / "store" / "main.tf").write_text(BUCKET.format(name="store2"))
    got = _addresses(capsys, "infra", "modules", "--changed-since", base)  # uncommitted edits count
    assert any("beta" in a for a in got) and not any("alpha" in a for a in got), got


def test_a_changed_manifest(repo, capsys):
    base = _git(repo, "rev-parse", "HEAD")
    (repo / "k8s" / "new.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: batch}\n")
    got = _addresses(capsys, "infra", "k8s", "--changed-since", base)
    assert got and all(a == "Pod/batch" for a in got), got


def test_nothing_changed(repo, capsys):
    assert main(["scan", "infra", "--changed-since", "HEAD", "-f", "json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["findings"] == []
    assert "nothing under the scanned paths changed since HEAD" in captured.err


def test_bad_ref_is_one_line_exit_2(repo, capsys):
    assert main(["scan", "infra", "--changed-since", "no-such-branch"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'no-such-branch'" in err and "Traceback" not in err
