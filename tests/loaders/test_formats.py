"""The input-format registry: a format is one declaration, and everything that lists formats
(detection, the CLI's --input-format, docs/input-formats.md, a load's roots) follows from it.

A toy format, registered here as a new loader module would register itself, is read by
`load_all` and by `plangate scan` without any list edited by hand, and is gone afterwards."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT

from plangate import loaders
from plangate.cli import main
from plangate.errors import InputError
from plangate.loaders import formats
from plangate.loaders.formats import REGISTRY, Input, input_format
from plangate.model import Location, Resource, Root

TOY = "toy-inventory"


@pytest.fixture()
def toy_format() -> Iterator[str]:
    """A CSV inventory (address,type,tags with tags as k=v;k=v), declared as a loader module
    declares its format; unregistered afterwards, so the registry is as found."""

    def is_inventory(raw: bytes) -> bool:
        """a CSV whose header is address,type,tags"""
        return raw.startswith(b"address,type,tags\n")

    @input_format(TOY, "an inventory CSV (address,type,tags)", suffixes=(".inventory",), sniff_bytes=is_inventory)
    def read_inventory(src: Input) -> list[Resource]:
        rows = list(csv.reader(io.StringIO(src.raw.decode())))
        if rows[:1] != [["address", "type", "tags"]]:
            raise InputError(src.file, "not an inventory: the header is address,type,tags")
        return [Resource(rtype, address, TOY, tags=dict(kv.split("=", 1) for kv in tags.split(";") if kv),
                         location=Location(src.file, line))
                for line, (address, rtype, tags) in enumerate(rows[1:], 2)]

    try:
        yield TOY
    finally:
        REGISTRY.remove(TOY)


INVENTORY = ("address,type,tags\n"
             "aws_sqs_queue.jobs,aws_sqs_queue,CostCenter=cc-1;Owner=ml;Environment=prod;Project=fraud\n"
             "aws_s3_bucket.logs,aws_s3_bucket,Owner=ml\n")


def _inventory(folder: Path, name: str = "infra.inventory") -> Path:
    path = folder / name
    path.write_text(INVENTORY)
    return path


def test_a_registered_format_is_detected_and_read_by_load_all(toy_format, tmp_path):
    path = _inventory(tmp_path)
    found = loaders.load_all([path])
    assert found.resources == [
        Resource("aws_sqs_queue", "aws_sqs_queue.jobs", TOY, location=Location(str(path), 2),
                 tags={"CostCenter": "cc-1", "Owner": "ml", "Environment": "prod", "Project": "fraud"}),
        Resource("aws_s3_bucket", "aws_s3_bucket.logs", TOY, tags={"Owner": "ml"}, location=Location(str(path), 3)),
    ]
    assert found.roots == (Root(str(path), TOY),)
    assert found.inputs == (str(path),)


def test_a_registered_format_is_found_in_a_folder_by_name_and_by_its_bytes(toy_format, tmp_path):
    by_name = _inventory(tmp_path)
    by_bytes = _inventory(tmp_path, "other.json")  # a .json file a walk offers: its bytes say what it is
    (tmp_path / "notes.txt").write_text("not an input")
    found = loaders.load_all([tmp_path])
    assert found.roots == (Root(str(by_name), TOY), Root(str(by_bytes), TOY))  # in name order
    assert [(r.address, r.location) for r in found.resources] == [
        ("aws_sqs_queue.jobs", Location(str(by_name), 2)), ("aws_s3_bucket.logs", Location(str(by_name), 3)),
        ("aws_sqs_queue.jobs", Location(str(by_bytes), 2)), ("aws_s3_bucket.logs", Location(str(by_bytes), 3))]


def test_a_registered_format_can_be_forced_and_is_a_cli_choice(toy_format, tmp_path, monkeypatch, capsys):
    path = tmp_path / "inventory.txt"  # no name it claims: forced
    path.write_text(INVENTORY)
    assert [r.address for r in loaders.load(path, TOY)] == ["aws_sqs_queue.jobs", "aws_s3_bucket.logs"]
    monkeypatch.chdir(tmp_path)  # no plangate.yaml: the default policy
    code = main(["scan", str(path), "--input-format", TOY, "-f", "json", "--today", "2026-01-01"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["inputs"] == [str(path)] and doc["summary"]["resources"] == 2
    failing = sorted((f["rule_id"], f["address"], f["message"], f["line"]) for f in doc["findings"]
                     if f["outcome"] == "violation")
    assert failing == [("PG-TAG-001", "aws_s3_bucket.logs", "missing tags: CostCenter, Environment, Project", 3)]
    assert code == 1
    assert TOY in formats.markdown()


def test_a_name_is_registered_once(toy_format):
    with pytest.raises(ValueError, match="registered twice"):
        REGISTRY.add(REGISTRY[TOY])


def test_without_the_toy_format_its_files_are_no_input(tmp_path, capsys):
    path = _inventory(tmp_path)
    assert TOY not in REGISTRY
    with pytest.raises(InputError, match="invalid JSON"):  # a file of no name a format claims is sniffed as JSON
        loaders.load(path)
    with pytest.raises(SystemExit) as exited:
        main(["scan", str(path), "--input-format", TOY])
    assert exited.value.code == 2
    assert f"invalid choice: '{TOY}'" in capsys.readouterr().err


def test_the_cli_choices_and_the_docs_are_the_registry():
    names = ["tfplan", "hcl", "pulumi-preview", "pulumi-state", "k8s"]  # the shipped ones, in detection order
    assert list(REGISTRY) == names
    from plangate.cli.common import _InputFormats

    assert list(_InputFormats()) == names
    doc = formats.markdown()
    assert [line.split("`")[1] for line in doc.splitlines() if line.startswith("| `")] == names


def test_generated_docs_are_current():
    assert formats.DOC.read_text(encoding="utf-8") == formats.markdown(), "regenerate with: python -m plangate.loaders"


def test_detection_order_does_not_depend_on_which_loader_was_imported_first():
    script = ("import plangate.loaders.k8s, plangate.loaders.pulumi\n"
              "from plangate.loaders.formats import REGISTRY\nprint(*REGISTRY)\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert proc.stdout.split() == list(REGISTRY)


def test_asking_the_registry_and_building_the_parser_load_nothing_heavy():
    """Detection needs every format's declaration; it must not load PyYAML, the HCL loader or
    tfparse (a plan scan would pay for them), and building the CLI parser loads no loader."""
    script = ("import sys\n"
              "from plangate.cli import parser\n"
              "parser(['scan'])\n"
              "print(sorted(m for m in sys.modules if m.startswith('plangate.loaders')))\n"
              "from plangate.loaders.formats import REGISTRY\n"
              "list(REGISTRY)\n"
              "print(sorted(m for m in ('yaml', 'tfparse', 'plangate.loaders.hcl', 'plangate.loaders.k8s_yaml')"
              " if m in sys.modules))\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert proc.stdout.splitlines() == ["[]", "[]"]


def test_forced_kubernetes_reads_json_manifests_in_a_folder(tmp_path):
    manifest = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "ml"}}
    (tmp_path / "cfg.json").write_text(json.dumps(manifest))
    (tmp_path / "package.json").write_text('{"name": "web"}')
    for fmt in (None, "k8s"):
        found = loaders.load_all([tmp_path], fmt)
        assert [(r.type, r.address) for r in found.resources] == [("kubernetes_config_map", "ConfigMap/ml/cfg")], fmt
        assert found.roots == (Root(str(tmp_path / "cfg.json"), "k8s"),)


def test_a_tf_file_named_alone_records_the_engine_that_read_it(tmp_path):
    """Its root says which evaluator read it, as the roots of a scanned folder do (the JSON
    report's ``hcl_engine`` reads it from there)."""
    from importlib.metadata import version

    tf = tmp_path / "main.tf"
    tf.write_text('resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n')
    found = loaders.load_all([tf])
    assert [(r.address, r.location) for r in found.resources] == [("aws_sqs_queue.q", Location(str(tf), 1))]
    assert found.roots == (Root(str(tf), "hcl", f"tfparse {version('tfparse')}"),)
    assert found.engines("hcl") == loaders.load_all([tmp_path]).engines("hcl")
