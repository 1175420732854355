"""`plangate evidence`: controls checked in a period with their results and framework mappings;
the DSSE envelope verifies with in-toto's own API and fails after a one-byte change."""

from __future__ import annotations

import base64
import json

import pytest
from conftest import EXAMPLES
from in_toto.models.metadata import Metadata, SignatureVerificationError

from plangate.audit import evidence, keys, log
from plangate.cli import main
from plangate.rules import BY_ID

PLAN = EXAMPLES / "terraform-plan" / "plan.json"
POLICY = EXAMPLES / "plangate.yaml"


@pytest.fixture
def audited(tmp_path, monkeypatch, capsys):
    keyfile = tmp_path / "k.pem"
    keys.generate(str(keyfile))
    monkeypatch.setenv("PLANGATE_AUDIT_KEY", str(keyfile))
    audit = tmp_path / "audit.jsonl"
    for _ in range(3):
        main(["scan", str(PLAN), "-c", str(POLICY), "-f", "json", "--audit-log", str(audit)])
    main(["cost", str(PLAN), "-c", str(POLICY), "--audit-log", str(audit)])
    main(["audit", "checkpoint", str(audit)])
    capsys.readouterr()
    return audit, keyfile


def test_evidence_counts_controls_and_maps_frameworks(audited, tmp_path, capsys):
    audit, _ = audited
    out = tmp_path / "e.json"
    assert main(["evidence", str(audit), "-f", "json", "-o", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["decisions"] == {"cost": 1, "scan": 3}
    entries = [r for r in log.Log.read(str(audit)).records()]
    scans = [e["record"]["result"] for e in entries if e["record"]["command"] == "scan"]
    by_id = {c["id"]: c for c in doc["controls"]}
    for rid in scans[0]["rules"]:
        c = by_id[rid]
        violations = sum(1 for s in scans for f in s["findings"] if f["rule"] == rid and f["outcome"] == "violation")
        assert c["findings"]["violation"] >= violations  # cost's budget findings add to PG-BUD-*
        rule = BY_ID[rid]
        assert c["nist_ai_rmf"] == [s.strip() for s in rule.frameworks.nist_ai_rmf.split(",") if s.strip()]
        assert c["eu_ai_act"] == [s.strip() for s in rule.frameworks.eu_ai_act.split(",") if s.strip()]
        assert c["decisions_checked"] >= 3
    rai = by_id["PG-RAI-001"]
    assert "GOVERN" in doc["by_nist_ai_rmf_function"] and "Art. 11" in doc["by_eu_ai_act_article"]
    assert "PG-RAI-001" in doc["by_nist_ai_rmf_function"]["GOVERN"]["controls"]
    assert rai["decisions_passed"] + rai["decisions_with"]["violation"] >= 3
    assert doc["audit_log"]["tree_size"] == 4 and doc["period"]["first_entry"] == 0
    assert main(["evidence", str(audit)]) == 0
    md = capsys.readouterr().out
    assert "| PG-RAI-001 |" in md and "## EU AI Act articles" in md


def test_the_period_filters_entries(audited, capsys):
    audit, _ = audited
    assert main(["evidence", str(audit), "--until", "2000-01-01"]) == 2
    assert "no decisions" in capsys.readouterr().err
    assert main(["evidence", str(audit), "--since", "2000-01-01", "-f", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["period"]["last_entry"] == 3


def test_evidence_from_a_broken_log_is_refused(audited, capsys):
    audit, _ = audited
    ls = audit.read_bytes().split(b"\n")
    del ls[1]
    audit.write_bytes(b"\n".join(ls))
    assert main(["evidence", str(audit)]) == 1
    assert "evidence refused" in capsys.readouterr().err


def test_dsse_envelope_verifies_with_in_toto_and_fails_after_a_one_byte_change(audited, tmp_path):
    audit, keyfile = audited
    env_path = tmp_path / "evidence.dsse.json"
    assert main(["evidence", str(audit), "-f", "dsse", "-o", str(env_path)]) == 0
    public = evidence.public_key_dict(keys.load_public(keys.public_path(str(keyfile))))

    env = Metadata.load(str(env_path))  # in-toto's own loader and verifier
    env.verify_signature(public)
    stmt = json.loads(env.payload)
    assert stmt["_type"] == "https://in-toto.io/Statement/v1"
    assert stmt["predicateType"] == evidence.PREDICATE_TYPE
    from plangate.audit.record import file_digest

    assert stmt["subject"][0] == {"name": audit.name, "digest": {"sha256": file_digest(str(audit))}}
    assert stmt["subject"][1]["digest"]["sha256"] == log.Log.read(str(audit)).checkpoints[-1]["root"]

    data = json.loads(env_path.read_text())
    payload = bytearray(base64.b64decode(data["payload"]))
    payload[payload.index(b'"scan":') + 7] ^= 1  # one byte of the statement
    data["payload"] = base64.b64encode(bytes(payload)).decode()
    env_path.write_text(json.dumps(data))
    with pytest.raises(SignatureVerificationError):
        Metadata.load(str(env_path)).verify_signature(public)


def test_dsse_signed_with_another_key_fails(audited, tmp_path):
    audit, keyfile = audited
    other = tmp_path / "other.pem"
    keys.generate(str(other))
    env_path = tmp_path / "e.json"
    assert main(["evidence", str(audit), "-f", "dsse", "--key", str(other), "-o", str(env_path)]) == 0
    public = evidence.public_key_dict(keys.load_public(keys.public_path(str(keyfile))))
    with pytest.raises(SignatureVerificationError):
        Metadata.load(str(env_path)).verify_signature(public)
