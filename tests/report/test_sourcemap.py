"""Plan findings on their source line: every finding of a plan that came with its ``.tf``
sources points at the file and line of its resource block.  The expected place is computed
here from the ``.tf`` text alone (a regex for ``resource "type" "name"`` and for the ``source``
of ``module "name"`` blocks), not with the reader the scanner uses."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import CORPUS, EXAMPLES, FIXTURES, needs_corpus

from plangate.cli import main
from plangate.report.sourcemap import split_address

TODAY = ["--today", "2026-11-28"]
FIXTURE_PLANS = sorted((FIXTURES / "hcl_plan").glob("*.plan.json"))
CORPUS_PLANS = sorted((CORPUS / "hcl-real").glob("*/*.plan.json")) if CORPUS.is_dir() else []


def _root_of(plan: Path) -> Path:
    """Where a plan's root module is, by the naming both folders use: ``a__b.plan.json`` is
    ``a/b``, ``two_roots.batch.plan.json`` is ``two_roots/batch``."""
    stem = plan.name.removesuffix(".plan.json")
    return plan.parent.joinpath(*re.split(r"__|\.", stem))


def _tf_texts(folder: Path) -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.tf"))}


def _module_source(folder: Path, name: str) -> str:
    pattern = re.compile(rf'^module\s+"{re.escape(name)}"\s*\{{(.*?)^\}}', re.S | re.M)
    for text in _tf_texts(folder).values():
        if m := pattern.search(text):
            return re.search(r'^\s*source\s*=\s*"([^"]+)"', m.group(1), re.M).group(1)
    raise AssertionError(f"no module {name} in {folder}")


def _block(folder: Path, address: str) -> tuple[Path, int]:
    rtype, name = address.split(".", 1)
    pattern = re.compile(rf'^resource\s+"{re.escape(rtype)}"\s+"{re.escape(name)}"\s*\{{', re.M)
    for path, text in _tf_texts(folder).items():
        if m := pattern.search(text):
            return path, text.count("\n", 0, m.start()) + 1
    raise AssertionError(f"no block {address} in {folder}")


def expected_place(root: Path, address: str) -> tuple[Path, int]:
    """A local source's folder, or the one ``terraform init`` recorded for the call's key in the root's
    .terraform/modules/modules.json (the downloaded_module case)."""
    modules, resource = split_address(address)
    folder = root
    manifest = root / ".terraform" / "modules" / "modules.json"
    downloaded = {m["Key"]: m["Dir"] for m in json.loads(manifest.read_text())["Modules"]} if manifest.is_file() else {}
    for i, name in enumerate(modules):
        source = _module_source(folder, name)
        local = source.startswith(("./", "../"))
        folder = Path(os.path.normpath(folder / source)) if local else root / downloaded[".".join(modules[:i + 1])]
    return _block(folder, resource)


def _findings(plan: Path, tmp_path: Path, *args: str) -> list[dict]:
    out = tmp_path / "r.json"
    assert main(["scan", str(plan), "-f", "json", "-o", str(out), *TODAY, *args]) in (0, 1)
    return json.loads(out.read_text())["findings"]


def _resource_addresses(plan: Path) -> set[str]:
    changes = json.loads(plan.read_text())["resource_changes"]
    return {c["address"] for c in changes if c.get("mode") == "managed"}


def _check(plan: Path, tmp_path: Path) -> int:
    root = _root_of(plan)
    findings = [f for f in _findings(plan, tmp_path) if f["address"] in _resource_addresses(plan)]
    for f in findings:
        path, line = expected_place(root, f["address"])
        assert (Path(f["file"]).resolve(), f["line"]) == (path.resolve(), line), f
    return len(findings)


@pytest.mark.parametrize("plan", FIXTURE_PLANS, ids=[p.name for p in FIXTURE_PLANS])
def test_fixture_plan_findings_are_on_their_resource_blocks(plan, tmp_path):
    _check(plan, tmp_path)


def test_the_fixture_plans_have_findings_to_place(tmp_path):
    assert sum(_check(plan, tmp_path) for plan in FIXTURE_PLANS) >= 20


@needs_corpus
@pytest.mark.parametrize("plan", CORPUS_PLANS, ids=[f"{p.parent.name}/{p.name}" for p in CORPUS_PLANS])
def test_corpus_plan_findings_are_on_their_resource_blocks(plan, tmp_path):
    _check(plan, tmp_path)


def test_a_plan_without_its_sources_keeps_its_own_lines_quietly(tmp_path, capsys):
    plan = tmp_path / "plan.json"
    shutil.copy(EXAMPLES / "terraform-plan" / "plan.json", plan)
    findings = _findings(plan, tmp_path)
    assert findings and all(f["file"] == str(plan) and f["line"] > 1 for f in findings)
    assert capsys.readouterr().err.count("\n") == 1  # the summary line only


def test_a_block_that_is_gone_keeps_the_plan_location_and_says_so(tmp_path, capsys):
    tree = tmp_path / "repo"
    shutil.copytree(FIXTURES / "hcl_plan" / "expressions", tree / "expressions")
    plan = tree / "expressions.plan.json"
    shutil.copy(FIXTURES / "hcl_plan" / "expressions.plan.json", plan)
    main_tf = tree / "expressions" / "main.tf"
    main_tf.write_text(main_tf.read_text().replace('resource "aws_sagemaker_endpoint" "layout"',
                                                   'resource "aws_sagemaker_endpoint" "renamed"'))
    findings = _findings(plan, tmp_path, "--repo-root", str(tree))
    gone = [f for f in findings if f["address"] == "aws_sagemaker_endpoint.layout"]
    kept = [f for f in findings if f["address"] != "aws_sagemaker_endpoint.layout"]
    assert gone and all(f["file"] == str(plan) and f["line"] > 1 for f in gone)
    assert kept and all(f["file"] == str(main_tf) for f in kept)
    err = capsys.readouterr().err
    assert (f"{plan}: 1 of 10 resources keep the plan's location, their resource block was not found "
            f"(root module {tree / 'expressions'}), e.g. aws_sagemaker_endpoint.layout") in err


def test_a_repo_root_without_the_plan_s_sources_says_so(tmp_path, capsys):
    plan = tmp_path / "plan.json"
    shutil.copy(EXAMPLES / "terraform-plan" / "plan.json", plan)
    (tmp_path / "elsewhere").mkdir()
    findings = _findings(plan, tmp_path, "--repo-root", str(tmp_path / "elsewhere"))
    assert findings and all(f["file"] == str(plan) for f in findings)
    err = capsys.readouterr().err
    assert f"{plan}: 8 of 8 resources keep the plan's location" in err
    assert f"no folder under {tmp_path / 'elsewhere'} declares its root module" in err


def test_a_repo_root_that_is_no_folder_is_bad_input(tmp_path, capsys):
    plan = FIXTURES / "hcl_plan" / "counts.plan.json"
    assert main(["scan", str(plan), "--repo-root", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert "--repo-root: not a folder" in err and err.count("\n") == 1


def test_addresses_split_into_module_calls_and_block():
    assert split_address('module.a[0].module.b["x.y"].aws_s3_bucket.z["k"]') == (["a", "b"], "aws_s3_bucket.z")
    assert split_address("aws_s3_bucket.z") == ([], "aws_s3_bucket.z")
    assert split_address("module.a.data.aws_region.here") is None


def test_a_broken_module_manifest_leaves_the_plan_lines_and_the_scan_runs(tmp_path):
    tree = tmp_path / "repo"
    shutil.copytree(FIXTURES / "hcl_plan" / "downloaded_module", tree / "downloaded_module")
    plan = tree / "downloaded_module.plan.json"
    shutil.copy(FIXTURES / "hcl_plan" / "downloaded_module.plan.json", plan)
    (tree / "downloaded_module" / ".terraform" / "modules" / "modules.json").write_text("{not json")
    findings = _findings(plan, tmp_path, "--repo-root", str(tree))
    assert findings and all(f["file"] == str(plan) for f in findings)  # the plan's own lines: nothing to follow
