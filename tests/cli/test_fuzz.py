"""Mutated plans, previews, manifests and HCL: plangate exits 0, 1 or 2 — never a traceback.

Exit 3 (internal error) or an escaping exception fails these tests: a crash found here is a
bug to fix in a loader or rule, not an expected outcome.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plangate.cli import main

json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                      st.text(max_size=20))
json_value = st.recursive(json_leaf, lambda kids: st.one_of(
    st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=10), kids, max_size=4)),
    max_leaves=12)


def _paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, prefix + (i,))
    return out


def _replace(doc: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(doc, dict):
        return {**doc, head: _replace(doc[head], rest, value)}
    copy = list(doc)
    copy[head] = _replace(doc[head], rest, value)
    return copy


def _scan(tmp_path: Path, name: str, content: bytes) -> int:
    target = tmp_path / name
    target.write_bytes(content)
    return main(["scan", str(target), "--format", "json", "--output", str(tmp_path / "out.json")])


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("example", ["terraform-plan/plan.json", "pulumi/preview.json"])
@FUZZ
@given(data=st.data())
def test_mutated_json_inputs(tmp_path, example, data):
    doc = json.loads((EXAMPLES / example).read_text())
    for _ in range(data.draw(st.integers(1, 3))):
        paths = _paths(doc)
        path = paths[data.draw(st.integers(0, len(paths) - 1))]
        doc = _replace(doc, path, data.draw(json_value))
    assert _scan(tmp_path, "input.json", json.dumps(doc).encode()) in (0, 1, 2)


def _mutate_bytes(data, raw: bytes) -> bytes:
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(raw)))
        op = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        chunk = data.draw(st.binary(min_size=1, max_size=6) | st.sampled_from(
            [b"{", b"}", b"[", b'"', b":", b"\n", b"- ", b"${", b"---\n", b"  ", b"\xff", b"\x00"]))
        if op == "insert":
            raw = raw[:pos] + chunk + raw[pos:]
        elif op == "delete":
            raw = raw[:pos] + raw[pos + len(chunk):]
        else:
            raw = raw[:pos] + chunk + raw[pos + len(chunk):]
    return raw


@pytest.mark.parametrize("example,name", [
    ("kubernetes/inference.yaml", "input.yaml"),
    ("terraform-hcl/main.tf", "main.tf"),
    ("terraform-plan/plan.json", "plan.json"),
])
@FUZZ
@given(data=st.data())
def test_mutated_text_inputs(tmp_path, example, name, data):
    raw = _mutate_bytes(data, (EXAMPLES / example).read_bytes())
    assert _scan(tmp_path, name, raw) in (0, 1, 2)


# -- secrets at every depth ---------------------------------------------------------------

MARK = "ZZSEKRET"  # put inside every value hidden below: it must reach no output


def _marked(value: Any) -> Any:
    """``value`` carrying the marker somewhere a renderer could show it (a key and a text)."""
    if isinstance(value, dict):
        return {**value, f"{MARK}key": f"{MARK}value"}
    if isinstance(value, list):
        return [*value, f"{MARK}item"]
    if isinstance(value, str):
        return f"{value}{MARK}"
    return value


def _sensitive_tree(path: tuple) -> Any:
    tree: Any = True
    for step in reversed(path):
        tree = [False] * step + [tree] if isinstance(step, int) else {step: tree}
    return tree


def _outputs(tmp_path: Path, target: Path, capsys) -> list[tuple[int, str]]:
    runs = [["scan", str(target), "-f", fmt] for fmt in ("table", "json", "sarif", "junit", "markdown")]
    runs += [["cost", str(target), "-f", fmt] for fmt in ("table", "json", "infracost-json", "markdown")]
    out = []
    for args in runs:
        code = main(args)
        captured = capsys.readouterr()
        out.append((code, captured.out + captured.err))
        if code == 2:
            assert captured.err.count("\n") == 1 and "Traceback" not in captured.err, captured.err
    return out


@pytest.mark.parametrize("example", ["terraform-plan/plan.json", "pulumi/preview.json"])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_secret_at_any_depth_never_reaches_an_output(tmp_path, capsys, example, data) -> None:
    from plangate.loaders.pulumi_wire import SECRET_SIG, SIG_KEY

    doc = json.loads((EXAMPLES / example).read_text(encoding="utf-8"))
    if example.startswith("pulumi"):
        steps = [i for i, s in enumerate(doc["steps"]) if isinstance(s.get("newState"), dict)]
        index = data.draw(st.sampled_from(steps))
        inputs = doc["steps"][index]["newState"]["inputs"]
        path = data.draw(st.sampled_from(_paths(inputs)[1:] or [()]))
        node = inputs
        for step in path:
            node = node[step]
        wrapped = {SIG_KEY: SECRET_SIG, "value": _marked(node)}
        doc["steps"][index]["newState"]["inputs"] = _replace(inputs, path, wrapped)
    else:
        changes = [i for i, c in enumerate(doc["resource_changes"]) if isinstance(c["change"].get("after"), dict)]
        index = data.draw(st.sampled_from(changes))
        change = doc["resource_changes"][index]["change"]
        path = data.draw(st.sampled_from(_paths(change["after"])[1:] or [()]))
        node = change["after"]
        for step in path:
            node = node[step]
        change["after"] = _replace(change["after"], path, _marked(node))
        change["after_sensitive"] = _sensitive_tree(path) if path else True
    target = tmp_path / Path(example).name
    target.write_text(json.dumps(doc), encoding="utf-8")
    for code, text in _outputs(tmp_path, target, capsys):
        assert code in (0, 1, 2)
        assert MARK not in text, text[text.index(MARK) - 200: text.index(MARK) + 50]


# -- the audit, assure, evidence, export, rules, init and prices commands ------------------------
#
# Each test corrupts one input of one command with a generated bad file (empty, truncated, binary,
# another format, bytes mutated, a number swapped for NaN / infinity / 1e400 / a negative / 5,000
# digits, nested 10^5 deep, a key duplicated) or a bad argument, runs the command in-process and
# asserts exit 0, 1 or 2 only, exactly one stderr line on 2, no traceback, and that no secret (the
# private key, a sensitive plan value) reaches stdout, stderr or a written output.

import os  # noqa: E402
import re  # noqa: E402
import tempfile  # noqa: E402

from plangate.audit import keys, log  # noqa: E402

SECRET = "ZZSEKRET-fuzz-7731"
BAD_NUMBERS = [b"NaN", b"Infinity", b"-Infinity", b"1e400", b"-1e400", b"-1", b"-0.5", b"9" * 5000, b"1e-400",
               b"0", b"18446744073709551616"]
NUMBER = re.compile(rb"(?<![\w.\"])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.\"])")
DEEP = b"[" * 100_000 + b"]" * 100_000
# Few examples per class keep the suite fast; FUZZ_EXAMPLES=300 searches harder.
FUZZ_COMMANDS = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", 6)), deadline=None,
                         suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


class Seeds(dict):
    def __repr__(self) -> str:  # hypothesis prints its arguments on a failure: not 60 kB of them
        return f"Seeds({sorted(self)})"


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> dict[str, bytes]:
    """Valid inputs of every kind the commands read, made once; each example corrupts a copy."""
    d = tmp_path_factory.mktemp("seeds")
    key = keys.generate(str(d / "key.pem"))
    path = d / "audit.jsonl"
    log.append(path, [{"command": "scan", "result": {"exit_code": 0, "rules": {"PG-TAG-001": "1"}, "findings": []}}
                      for _ in range(5)], key=key, every=2)
    checkpoint = log.checkpoint(path, key)
    lg = log.Log.read(str(path))
    from plangate.audit import proofs

    plan = json.loads((EXAMPLES / "terraform-plan" / "plan.json").read_text())
    plan["resource_changes"][0]["change"]["after"]["environment"][0]["variables"]["MODEL_BUCKET"] = SECRET
    return Seeds({
        "log": path.read_bytes(),
        "key": (d / "key.pem").read_bytes(),
        "public": (d / "key.pub.pem").read_bytes(),
        "checkpoint": json.dumps(checkpoint).encode(),
        "proof": json.dumps(proofs.inclusion(lg, 1)).encode(),
        "consistency": json.dumps(proofs.consistency(lg, 2, 4)).encode(),
        "drift": json.dumps({"features": [{"name": "a", "drifted": True}, {"name": "b", "drifted": False}],
                             "share_of_drifted_features": 0.5, "predictions": []}).encode(),
        "fairness": json.dumps({"sensitive": ["sex"], "demographic_parity_difference": 0.1,
                                "demographic_parity_ratio": 0.9, "equalized_odds_difference": 0.1,
                                "equal_opportunity_difference": 0.05, "disparate_impact": 0.9}).encode(),
        "card": json.dumps({"model_details": {"name": "m", "version": {"name": "1"}},
                            "quantitative_analysis": {"performance_metrics": [{"type": "auc", "value": "0.9"}]}}
                           ).encode(),
        "deployment": json.dumps(plan).encode(),
        "policy": (EXAMPLES / "plangate.yaml").read_bytes(),
        "prices": (EXAMPLES.parent / "tests" / "fixtures" / "prices" / "aws-ec2-offer-excerpt.csv").read_bytes(),
    })


def _secrets(seeds: dict[str, bytes]) -> list[str]:
    body = [line for line in seeds["key"].decode().splitlines() if "-----" not in line]
    return [SECRET, *body]


def _swap_number(data, raw: bytes) -> bytes:
    spots = list(NUMBER.finditer(raw))
    if not spots:
        return raw + data.draw(st.sampled_from(BAD_NUMBERS))
    spot = spots[data.draw(st.integers(0, len(spots) - 1))]
    return raw[:spot.start()] + data.draw(st.sampled_from(BAD_NUMBERS)) + raw[spot.end():]


def _duplicate_key(raw: bytes) -> bytes:
    """The first key of a JSON object (or YAML mapping) written twice, the first time with junk."""
    text = raw.lstrip()
    if text.startswith(b"{"):
        match = re.match(rb'\{\s*("(?:[^"\\]|\\.)*")\s*:', text)
        return b"{" + match.group(1) + b': "junk", ' + text[1:] if match else text
    first = text.split(b"\n", 1)[0]
    return first + b"\n" + text if b":" in first else text


#: The classes of bad input; every command's test runs each class (a parameter), so each run of
#: the suite tries every class on some of the command's inputs.
BAD_CLASSES = ["empty", "truncated", "binary", "other format", "mutated", "number", "deep", "deep inside",
               "duplicate key", "as is"]


def _bad(data, seeds: dict[str, bytes], slot: str, how: str) -> bytes:
    seed = seeds[slot]
    if how == "empty":
        return b""
    if how == "truncated":
        return seed[:data.draw(st.integers(0, max(0, len(seed) - 1)))]
    if how == "binary":
        return data.draw(st.binary(max_size=64))
    if how == "other format":
        return seeds[data.draw(st.sampled_from(sorted(set(seeds) - {slot})))]
    if how == "mutated":
        return _mutate_bytes(data, seed)
    if how == "number":
        return _swap_number(data, seed)
    if how == "deep":
        return DEEP
    if how == "deep inside":
        return seed.replace(b"[", b"[" + b"[" * 50_000, 1).replace(b"]", b"]" + b"]" * 50_000, 1)
    if how == "duplicate key":
        return _duplicate_key(seed)
    return seed


def _run(capsys, argv: list[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def _contained(result: tuple[int, str, str], seeds: dict[str, bytes], outputs=()) -> None:
    code, out, err = result
    assert code in (0, 1, 2), err
    assert "Traceback" not in err and "internal error" not in err, err
    if code == 2:
        assert err.count("\n") == 1 and err.endswith("\n"), err
    written = [p.read_bytes().decode("utf-8", "replace") for p in outputs if p.is_file()]
    for secret in _secrets(seeds):
        for text in (out, err, *written):
            assert secret not in text


def _files(folder: Path, seeds: dict[str, bytes], bad_slot: str, bad: bytes, names: dict[str, str]) -> dict[str, Path]:
    """Every input the command takes, written to ``folder``: the seeds, and ``bad`` in ``bad_slot``."""
    out = {}
    for slot, name in names.items():
        out[slot] = folder / name
        out[slot].write_bytes(bad if slot == bad_slot else seeds[slot])
    return out


AUDIT_SLOTS = {"log": "audit.jsonl", "key": "key.pem", "public": "key.pub.pem", "checkpoint": "cp.json",
               "proof": "proof.json", "consistency": "grew.json"}
SIZES = st.one_of(st.integers(-3, 8), st.sampled_from([2**63, -(2**63), 10**30]))


@pytest.mark.parametrize("how", BAD_CLASSES)
@FUZZ_COMMANDS
@given(data=st.data())
def test_audit_verbs_on_bad_inputs(capsys, monkeypatch, seeds, how, data):
    monkeypatch.delenv("PLANGATE_AUDIT_KEY", raising=False)
    monkeypatch.delenv("PLANGATE_AUDIT_LOG", raising=False)
    verb = data.draw(st.sampled_from(["verify", "checkpoint", "prove", "consistency", "check", "keygen"]))
    slot = data.draw(st.sampled_from(sorted(AUDIT_SLOTS)))
    with tempfile.TemporaryDirectory() as folder:
        f = _files(Path(folder), seeds, slot, _bad(data, seeds, slot, how), AUDIT_SLOTS)
        output = Path(folder) / "out.json"
        argv = {
            "verify": ["audit", "verify", str(f["log"]), "--public-key", str(f["public"]),
                       "--checkpoint", str(f["checkpoint"]), "-f", data.draw(st.sampled_from(["text", "json"]))],
            "checkpoint": ["audit", "checkpoint", str(f["log"]), "--key", str(f["key"]), "-o", str(output)],
            "prove": ["audit", "prove", str(data.draw(SIZES)), "--log", str(f["log"]), "-o", str(output),
                      *(["--size", str(data.draw(SIZES))] if data.draw(st.booleans()) else [])],
            "consistency": ["audit", "consistency", str(data.draw(SIZES)), str(data.draw(SIZES)), "--log",
                            str(f["log"]), "-o", str(output)],
            "check": ["audit", "check", str(f[data.draw(st.sampled_from(["proof", "consistency"]))]),
                      "--public-key", str(f["public"]), "--checkpoint", str(f["checkpoint"])],
            "keygen": ["audit", "keygen", str(f[slot] if data.draw(st.booleans()) else Path(folder)),
                       *(["--force"] if data.draw(st.booleans()) else [])],
        }[verb]
        _contained(_run(capsys, argv), seeds, [output])


ASSURE_SLOTS = {"drift": "drift.json", "fairness": "fairness.json", "card": "card.json",
                "deployment": "plan.json", "policy": "plangate.yaml"}


@pytest.mark.parametrize("how", BAD_CLASSES)
@FUZZ_COMMANDS
@given(data=st.data())
def test_assure_on_bad_evidence(capsys, seeds, how, data):
    slot = data.draw(st.sampled_from(sorted(ASSURE_SLOTS)))
    with tempfile.TemporaryDirectory() as folder:
        names = {**ASSURE_SLOTS, "card": data.draw(st.sampled_from(["card.json", "card.yaml"]))}
        f = _files(Path(folder), seeds, slot, _bad(data, seeds, slot, how), names)
        output = Path(folder) / "report.out"
        who = (["--deployment", str(f["deployment"]), "--risk-tier", "high"] if data.draw(st.booleans())
               else ["--model-id", "m", "--risk-tier", data.draw(st.sampled_from(["high", "limited", "minimal",
                                                                                   "unacceptable", "x"]))])
        argv = ["assure", *who, "--drift", str(f["drift"]), "--fairness", str(f["fairness"]),
                "--model-card", str(f["card"]), "-c", str(f["policy"]), "--repo-root", folder,
                "-f", data.draw(st.sampled_from(["table", "json", "sarif", "junit", "markdown"])),
                "-o", str(output), "--audit-log", str(Path(folder) / "audit.jsonl")]
        _contained(_run(capsys, argv), seeds, [output, Path(folder) / "audit.jsonl"])


@pytest.mark.parametrize("how", BAD_CLASSES)
@FUZZ_COMMANDS
@given(data=st.data())
def test_evidence_on_bad_logs_keys_and_periods(capsys, monkeypatch, seeds, how, data):
    monkeypatch.delenv("PLANGATE_AUDIT_KEY", raising=False)
    slot = data.draw(st.sampled_from(["log", "key", "public", "checkpoint"]))
    day = st.one_of(st.none(), st.sampled_from(["2026-01-01", "2099-12-31", "0001-01-01", "9999-12-31",
                                                "2026-02-30", "yesterday", ""]))
    with tempfile.TemporaryDirectory() as folder:
        f = _files(Path(folder), seeds, slot, _bad(data, seeds, slot, how), AUDIT_SLOTS)
        output = Path(folder) / "evidence.out"
        since, until = data.draw(day), data.draw(day)
        argv = ["evidence", str(f["log"]), "-f", data.draw(st.sampled_from(["markdown", "json", "dsse"])),
                "--key", str(f["key"]), "-o", str(output),
                *(["--since", since] if since is not None else []), *(["--until", until] if until is not None else []),
                *(["--public-key", str(f["public"])] if data.draw(st.booleans()) else []),
                *(["--checkpoint", str(f["checkpoint"])] if data.draw(st.booleans()) else [])]
        _contained(_run(capsys, argv), seeds, [output])


@pytest.mark.parametrize("how", BAD_CLASSES)
@FUZZ_COMMANDS
@given(data=st.data())
def test_export_rules_and_init_on_bad_policies_and_paths(capsys, seeds, how, data):
    with tempfile.TemporaryDirectory() as folder:
        policy_file = Path(folder) / "plangate.yaml"
        policy_file.write_bytes(given := _bad(data, seeds, "policy", how))
        output = Path(folder) / data.draw(st.sampled_from(["out.yaml", "plangate.yaml", "missing/out.yaml", ""]))
        command = data.draw(st.sampled_from(["export", "rules", "init"]))
        if command == "export":
            argv = ["export", data.draw(st.sampled_from(["gatekeeper", "kyverno"])), "-c", str(policy_file),
                    *(["-o", str(output)] if output.name else [])]
        elif command == "rules":
            ids = data.draw(st.lists(st.sampled_from(["PG-TAG-001", "pg-asr-003", "fleet-outlier", "PG-NOPE-1",
                                                      "", "--", "x" * 300]), max_size=3))
            argv = ["rules", *ids, "-f", data.draw(st.sampled_from(["table", "markdown", "json"])),
                    *(["-o", str(output)] if output.name else [])]
        else:
            argv = ["init", str(output if output.name else Path(folder)),
                    *(["--force"] if data.draw(st.booleans()) else [])]
        result = _run(capsys, argv)
        # the policy file is an input; when it is also the output, only what a command wrote is output
        _contained(result, seeds, [] if output == policy_file and policy_file.read_bytes() == given else [output])


@pytest.mark.parametrize("how", BAD_CLASSES)
@FUZZ_COMMANDS
@given(data=st.data())
def test_prices_import_on_bad_offers(capsys, seeds, how, data):
    with tempfile.TemporaryDirectory() as folder:
        offer = Path(folder) / "index.csv"
        offer.write_bytes(_bad(data, seeds, "prices", how))
        output = Path(folder) / "prices.csv"
        _contained(_run(capsys, ["prices", "import", str(offer), "-o", str(output)]), seeds, [output])
