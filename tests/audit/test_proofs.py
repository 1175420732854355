"""Inclusion and consistency proof documents check out, fail when tampered with, and the log's
tree heads equal an independent implementation's (pymerkle, run from the peers' environment)."""

from __future__ import annotations

import json
import subprocess

import pytest
from conftest import PEERS_PYTHON, needs_peers

from plangate.audit import keys, log, proofs
from plangate.cli import main


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("proofs")
    keyfile, path = tmp / "k.pem", tmp / "audit.jsonl"
    key = keys.generate(str(keyfile))
    log.append(path, [{"n": i} for i in range(30)], key=key, every=8)
    log.checkpoint(path, key)
    return path, key, keyfile


def _flip(hexstr: str) -> str:
    return ("1" if hexstr[0] == "0" else "0") + hexstr[1:]


def test_every_entry_proves_and_tampering_fails(signed):
    path, key, _ = signed
    lg = log.Log.read(str(path))
    assert [c["tree_size"] for c in lg.checkpoints] == [8, 16, 24, 30]
    for seq in range(30):
        for size in [c["tree_size"] for c in lg.checkpoints if c["tree_size"] > seq]:
            doc = proofs.inclusion(lg, seq, size)
            assert proofs.check(doc, key.public_key()) == [], (seq, size)
        doc = proofs.inclusion(lg, seq)
        assert doc["tree_size"] == 30
        bad = json.loads(json.dumps(doc))
        bad["entry"] = bad["entry"].replace(f'"n":{seq}', f'"n":{seq + 100}')
        assert any("does not hash" in p for p in proofs.check(bad, key.public_key()))
        bad["leaf_hash"] = json.loads(json.dumps(proofs.inclusion(lg, (seq + 1) % 30)))["leaf_hash"]
        assert proofs.check(bad, key.public_key())
        if doc["proof"]:
            bad = json.loads(json.dumps(doc))
            bad["proof"][-1] = _flip(bad["proof"][-1])
            assert proofs.check(bad, key.public_key()) == [
                "the inclusion proof does not lead to the checkpoint's root"]
        bad = json.loads(json.dumps(doc))
        bad["checkpoint"]["root"] = _flip(bad["checkpoint"]["root"])
        assert any("signature does not verify" in p for p in proofs.check(bad, key.public_key()))


def test_consistency_between_every_pair_of_checkpoints(signed):
    path, key, _ = signed
    lg = log.Log.read(str(path))
    sizes = [c["tree_size"] for c in lg.checkpoints]
    for i, old in enumerate(sizes):
        for new in sizes[i:]:
            doc = proofs.consistency(lg, old, new)
            assert proofs.check(doc, key.public_key(), trusted=lg.checkpoint_at(old)) == []
            if doc["proof"]:
                bad = json.loads(json.dumps(doc))
                bad["proof"][0] = _flip(bad["proof"][0])
                assert proofs.check(bad, key.public_key())
    doc = proofs.consistency(lg, 8, 30)
    assert proofs.check(doc, key.public_key(), trusted=lg.checkpoint_at(16))  # not the auditor's checkpoint


def test_a_rewritten_log_fails_consistency_with_a_kept_checkpoint(signed, tmp_path):
    path, key, _ = signed
    kept = log.Log.read(str(path)).checkpoint_at(16)
    forged = tmp_path / "forged.jsonl"  # the same key, but history rewritten from entry 3 on
    log.append(forged, [{"n": i if i != 3 else "x"} for i in range(30)], key=key, every=8)
    lg = log.Log.read(str(forged))
    doc = proofs.consistency(lg, 16, 24)
    assert proofs.check(doc, key.public_key()) == []  # consistent within itself ...
    assert proofs.check(doc, key.public_key(), trusted=kept)  # ... but not with what the auditor kept
    doc["old_checkpoint"] = kept  # and a proof from the forged tree cannot join the kept one
    assert "the consistency proof does not hold" in " ".join(proofs.check(doc, key.public_key()))


def test_cli_prove_consistency_check(signed, tmp_path, capsys):
    path, _, keyfile = signed
    pub = keys.public_path(str(keyfile))
    proof, cons = tmp_path / "p.json", tmp_path / "c.json"
    assert main(["audit", "prove", "5", "--log", str(path), "-o", str(proof)]) == 0
    assert main(["audit", "check", str(proof), "--public-key", pub]) == 0
    assert "entry 5 is in the signed tree of 30 entries" in capsys.readouterr().out
    doc = json.loads(proof.read_text())
    assert doc["verify"].startswith(f"plangate audit check {proof}")
    assert main(["audit", "consistency", "8", "24", "--log", str(path), "-o", str(cons)]) == 0
    assert main(["audit", "check", str(cons), "--public-key", pub]) == 0
    data = bytearray(proof.read_bytes())  # one byte changed in a proof hash
    at = data.index(b'"', data.index(b'"proof": [') + 9) + 1  # the first hex digit of the first hash
    data[at] = ord("0") if data[at] != ord("0") else ord("1")
    proof.write_bytes(bytes(data))
    assert main(["audit", "check", str(proof), "--public-key", pub]) == 1
    assert main(["audit", "prove", "99", "--log", str(path)]) == 2
    assert main(["audit", "consistency", "9", "--log", str(path)]) == 2
    assert "no checkpoint of size 9" in capsys.readouterr().err


@needs_peers
def test_tree_heads_equal_pymerkle(signed):
    path, _, _ = signed
    lg = log.Log.read(str(path))
    script = """
import json, sys
from pymerkle import InmemoryTree
entries, sizes = json.load(sys.stdin)
tree = InmemoryTree(algorithm="sha256")
roots = {}
for i, e in enumerate(entries, 1):
    tree.append_entry(e.encode())
    if i in sizes:
        roots[i] = tree.get_state().hex()
print(json.dumps(roots))
"""
    probe = subprocess.run([str(PEERS_PYTHON), "-c", "import pymerkle"], capture_output=True)
    if probe.returncode:
        pytest.skip("pymerkle is not installed in .venv-peers (requirements-peers.txt pins it: "
                    "make .venv-peers/.installed)")
    sizes = [c["tree_size"] for c in lg.checkpoints]
    run = subprocess.run([str(PEERS_PYTHON), "-W", "ignore", "-c", script], capture_output=True, text=True,
                         input=json.dumps([[lg.entry(i).decode() for i in range(lg.size)], sizes]), check=True)
    theirs = {int(k): v for k, v in json.loads(run.stdout).items()}
    assert theirs == {c["tree_size"]: c["root"] for c in lg.checkpoints}


@pytest.mark.parametrize("argv,says", [
    (["prove", "-9223372036854775808", "--size", "8"], "argument ENTRY: expected a whole number >= 0"),
    (["prove", "3", "--size", "-1"], "argument --size: expected a whole number >= 0"),
    (["consistency", "-8", "16"], "argument OLD: expected a whole number >= 0"),
    (["prove", "9" * 5000], "argument ENTRY: expected a whole number, got '9999"),
])
def test_negative_or_unreadable_entries_and_sizes_are_usage_errors(signed, capsys, argv, says):
    path, _, _ = signed
    with pytest.raises(SystemExit) as caught:
        main(["audit", *argv, "--log", str(path)])
    err = capsys.readouterr().err
    assert (caught.value.code, err.count("\n")) == (2, 1) and says in err, err


def test_a_negative_seq_never_indexes_from_the_end(signed):
    from plangate.errors import InputError

    lg = log.Log.read(str(signed[0]))
    with pytest.raises(InputError, match="entry -1 is not in the checkpoint of size 8"):
        proofs.inclusion(lg, -1, 8)


def test_a_proof_whose_entry_is_nested_too_deep_fails_the_check(signed, tmp_path, capsys):
    path, key, keyfile = signed
    doc = proofs.inclusion(log.Log.read(str(path)), 3)
    doc["entry"] = "[" * 100_000 + "]" * 100_000
    proof = tmp_path / "deep.json"
    proof.write_text(json.dumps(doc))
    assert main(["audit", "check", str(proof), "--public-key", str(keyfile)]) == 1
    assert capsys.readouterr().out.splitlines() == [f"{proof}: FAILS: the entry does not hash to leaf_hash",
                                                    f"{proof}: FAILS: the entry's seq is not leaf_index",
                                                    f"{proof}: FAILS: the inclusion proof does not lead to the "
                                                    "checkpoint's root"]


def test_proving_an_entry_that_is_not_ascii_is_bad_input(signed, tmp_path, capsys):
    path = tmp_path / "audit.jsonl"
    lines = signed[0].read_bytes().split(b"\n")
    lines[1] = lines[1][:16] + b"\x80" + lines[1][16:]
    path.write_bytes(b"\n".join(lines))
    assert main(["audit", "prove", "1", "--log", str(path)]) == 2
    assert capsys.readouterr().err == (f"plangate: error: {path}: entry 1 is not a line plangate wrote (not ASCII "
                                       "text); run `plangate audit verify`\n")
