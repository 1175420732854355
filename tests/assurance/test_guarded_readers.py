"""Every JSON / YAML reader of the assurance and audit commands has the plan loader's guards:
JSON nested 10^5 deep and 5,000-digit integers (YAML too: nesting, long integers, unbuildable
values) are one line of bad input naming the file (exit 2), never an internal error."""

from __future__ import annotations

import json

import pytest

from plangate.audit import keys, log
from plangate.cli import main

DEEP = b"[" * 100_000 + b"]" * 100_000
LONG_INT = b'{"share_of_drifted_features": ' + b"7" * 5000 + b"}"
DEEP_YAML = b"a: " + b"[" * 100_000 + b"]" * 100_000
LONG_INT_YAML = b"a: " + b"7" * 5000


def _capture_line(body: bytes) -> bytes:
    return body + b"\n"


@pytest.fixture
def signed_log(tmp_path):
    key = keys.generate(str(tmp_path / "key.pem"))
    path = tmp_path / "audit.jsonl"
    log.append(path, [{"command": "scan", "n": i} for i in range(3)], key=key, every=3)
    return path


def _argv(reader: str, bad, tmp_path, signed_log) -> list[str]:
    if reader == "drift --current":
        (tmp_path / "reference.csv").write_text("feature_0\n1\n2\n3\n")
        return ["drift", "--reference", str(tmp_path / "reference.csv"), "--current", str(bad)]
    if reader == "audit verify --checkpoint":
        return ["audit", "verify", str(signed_log), "--checkpoint", str(bad)]
    if reader == "audit check":
        return ["audit", "check", str(bad)]
    if reader == "assure --drift":
        return ["assure", "--model-id", "m", "--risk-tier", "high", "--drift", str(bad)]
    if reader == "assure --fairness":
        return ["assure", "--model-id", "m", "--risk-tier", "high", "--fairness", str(bad)]
    assert reader == "assure --model-card"
    return ["assure", "--model-id", "m", "--risk-tier", "high", "--model-card", str(bad)]


READERS = ["drift --current", "audit verify --checkpoint", "audit check", "assure --drift", "assure --fairness",
           "assure --model-card"]
BAD = {"nested 10^5 deep": (DEEP, "nested too deeply"),
       "a 5,000-digit integer": (LONG_INT, "a number with more digits than plangate reads (4300 at most)")}


@pytest.mark.parametrize("what", BAD)
@pytest.mark.parametrize("reader", READERS)
def test_json_readers_refuse_what_the_plan_loader_refuses(tmp_path, signed_log, capsys, reader, what):
    content, says = BAD[what]
    bad = tmp_path / ("current.jsonl" if reader == "drift --current" else "bad.json")
    bad.write_bytes(content + (b"\n" if reader == "drift --current" else b""))
    assert main(_argv(reader, bad, tmp_path, signed_log)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith(f"plangate: error: {bad}") and says in err and "internal error" not in err


@pytest.mark.parametrize("content,says", [(DEEP_YAML, "the model card: invalid YAML: exceeded maximum nesting depth"),
                                          (LONG_INT_YAML, "the model card: invalid YAML: a number with more digits"),
                                          (b"model_details: {name: m}\ndate: 2026-13-45\n", "invalid YAML value")])
def test_a_yaml_model_card_is_guarded_too(tmp_path, signed_log, capsys, content, says):
    card = tmp_path / "card.yaml"
    card.write_bytes(content)
    assert main(_argv("assure --model-card", card, tmp_path, signed_log)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"plangate: error: {card}") and says in err


def test_a_deep_card_the_parser_reads_is_judged_not_crashed(tmp_path, signed_log, capsys):
    card = tmp_path / "card.json"
    card.write_text(json.dumps({"model_details": {"name": "m"}, "considerations": [[[]]]}).replace(
        "[[[]]]", "[" * 900 + "]" * 900))
    code = main([*_argv("assure --model-card", card, tmp_path, signed_log), "-f", "json"])
    captured = capsys.readouterr()
    assert (code, captured.err) == (1, "")
    messages = [f["message"] for f in json.loads(captured.out)["findings"] if f["rule_id"] == "PG-ASR-004"]
    schema_error = "considerations: " + "[" * 200  # jsonschema's message (the value first), cut at 200
    assert messages == [f"model card {card} does not follow the Model Card Toolkit schema: {schema_error}"]


def test_a_capture_line_names_its_line(tmp_path, signed_log, capsys):
    good = {"captureData": {"endpointInput": {"data": "1.0", "encoding": "CSV", "observedContentType": "text/csv"}}}
    current = tmp_path / "current.jsonl"
    current.write_bytes(json.dumps(good).encode() + b"\n" + DEEP + b"\n")
    assert main(_argv("drift --current", current, tmp_path, signed_log)) == 2
    assert capsys.readouterr().err == f"plangate: error: {current}:2: invalid JSON: nested too deeply\n"


@pytest.mark.parametrize("name", ["card.yaml", "card.json"])
def test_a_file_that_is_not_a_card_is_refused_without_echoing_it(tmp_path, capsys, name):
    """Any text is a YAML string: a private key given as the card must not reach a report or the log."""
    keys.generate(str(tmp_path / "key.pem"))
    card = tmp_path / name
    card.write_bytes((tmp_path / "key.pem").read_bytes() if name.endswith(".yaml") else b'"just a string"')
    audit = tmp_path / "audit.jsonl"
    assert main(["assure", "--model-id", "m", "--risk-tier", "high", "--model-card", str(card),
                 "--audit-log", str(audit)]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", f"plangate: error: {card}: the model card: expected an object of "
                                                "Model Card Toolkit fields, got text\n")
    assert not audit.exists()


@pytest.mark.parametrize("number,says", [(b"7" * 5000, "a number with more digits than plangate reads (4300 at most)")])
def test_the_plan_loader_shares_the_guards(tmp_path, capsys, number, says):
    plan = tmp_path / "plan.json"
    plan.write_bytes(b'{"format_version": "1.2", "planned_values": {"root_module": {"resources": [{"address": '
                     b'"aws_instance.a", "type": "aws_instance", "values": {"count": ' + number + b"}}]}}}")
    assert main(["scan", str(plan)]) == 2
    assert capsys.readouterr().err == f"plangate: error: {plan}: invalid JSON: {says}\n"
