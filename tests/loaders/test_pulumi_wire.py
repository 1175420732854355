"""Pulumi's wire form (`plangate.loaders.pulumi_wire`): the engine's markers and the one
Struct <-> dict conversion, shared by the Pulumi loader, the policy pack and its harness."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT

from plangate.loaders import pulumi_wire as wire


def test_struct_round_trip_keeps_markers_and_whole_numbers():
    props = {"name": "scorer", "memorySize": 1024, "timeout": 2.5, "publish": True, "layers": ["a", 3],
             "role": wire.UNKNOWN, "environment": {"variables": {"KEY": wire.secret("s3cr3t")}}, "kms": None}
    back = wire.from_struct(wire.to_struct(props))
    assert back == props
    assert type(back["memorySize"]) is int and type(back["layers"][1]) is int  # 1024.0 on the wire
    assert wire.is_secret(back["environment"]["variables"]["KEY"]) and not wire.is_secret(back["role"])


def test_wire_and_the_loader_import_no_sdk():
    """The loader reads the markers from `pulumi_wire`; neither may pull in protobuf, grpc or pulumi."""
    script = ("import sys\n"
              "import plangate.loaders.pulumi_wire, plangate.loaders.pulumi\n"
              "roots = ('google', 'grpc', 'pulumi', 'pulumi_policy')\n"
              "heavy = sorted(m for m in sys.modules if m.split('.')[0] in roots)\n"
              "print(','.join(heavy))\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert proc.stdout.strip() == ""


MARKERS = (wire.UNKNOWN, wire.SIG_KEY, wire.SECRET_SIG, wire.ASSET_SIG, wire.ARCHIVE_SIG,
           wire.RESOURCE_REF_SIG, wire.OUTPUT_SIG)


def test_wire_markers_are_defined_once():
    """Pulumi's markers have one home: no other module of the package assigns them (a
    docstring may still show one in an example document)."""
    markers = "|".join(MARKERS)
    defined = re.compile(rf"^\s*\w+\s*(?::[^=]+)?=\s*[\"']({markers})[\"']", re.M)
    defining = {str(path.relative_to(ROOT)): len(defined.findall(path.read_text(encoding="utf-8")))
                for path in (ROOT / "plangate").rglob("*.py")}
    assert {path: n for path, n in defining.items() if n} == {"plangate/loaders/pulumi_wire.py": len(MARKERS)}
