"""The policy pack records each preview's decision when $PLANGATE_AUDIT_LOG is set: run as the
Pulumi CLI runs it (the harness), one entry per AnalyzeStack with every finding, and no
secret value."""

from __future__ import annotations

import json
import sys

from conftest import ROOT

from plangate.audit import keys, log
from plangate.frontends.pulumi.harness import PolicyPackHarness, StackResource
from plangate.loaders.pulumi_wire import secret
from plangate.rules import RULES

PACK = ROOT / "policypack"
LAMBDA = "aws:lambda/function:Function"
SECRET = "pack-secret-value-991"


def test_a_preview_is_one_verified_decision(tmp_path):
    audit, keyfile = tmp_path / "audit.jsonl", tmp_path / "k.pem"
    key = keys.generate(str(keyfile))
    env = {"PLANGATE_AUDIT_LOG": str(audit), "PLANGATE_AUDIT_KEY": str(keyfile), "PLANGATE_CONFIG": "",
           "PLANGATE_AUDIT_CHECKPOINT_EVERY": "1"}
    props = {"name": "scorer", "tags": {"app": "ai-model-inference", "Owner": secret(SECRET)},
             "environment": {"variables": {"API_KEY": secret(SECRET)}}}
    with PolicyPackHarness(PACK, python=sys.executable, env=env) as pack:
        pack.configure({})
        resource_diags = pack.analyze(LAMBDA, props)
        stack_diags = pack.analyze_stack([StackResource(LAMBDA, props, name="scorer")])
    assert resource_diags, "the resource is meant to fail some rules"
    assert SECRET not in audit.read_text()
    report = log.verify(str(audit), public_key=key.public_key())
    assert report.intact and report.entries == 1 and report.checkpoints == 1, report.summary()
    [entry] = [json.loads(x) for x in audit.read_text().splitlines() if '"kind":"entry"' in x]
    rec = entry["record"]
    assert rec["command"] == "pulumi-policy-pack" and rec["inputs"][0]["resources"] == 1
    findings = rec["result"]["findings"]
    assert len(findings) == len(resource_diags) + len(stack_diags)  # one recorded finding per diagnostic
    assert sorted(f["rule"] for f in findings) == sorted(
        next(r for r in RULES if r.slug == d.policy).id for d in [*resource_diags, *stack_diags])
    assert set(rec["result"]["rules"]) >= {f["rule"] for f in findings}
