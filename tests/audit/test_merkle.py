"""RFC 9162 trees and proofs against the transparency-dev/merkle test vectors (see the fixture's
provenance line), and against our own proofs tampered with."""

from __future__ import annotations

import base64
import json
import random

import pytest
from conftest import FIXTURES

from plangate.audit import merkle

VECTORS = json.loads((FIXTURES / "audit" / "rfc6962_vectors.json").read_text())
LEAVES = [merkle.leaf_hash(bytes.fromhex(x)) for x in VECTORS["leaf_inputs_hex"]]


def _b64(s: str) -> bytes:
    return base64.b64decode(s)


def test_roots_of_every_size_match_the_vectors():
    for size, want in enumerate(VECTORS["root_hashes_hex"]):
        assert merkle.root(LEAVES[:size]).hex() == want
        assert merkle.Tree(LEAVES[:size]).root().hex() == want if size else True
        compact = merkle.CompactRange()
        for leaf in LEAVES[:size]:
            compact.append(leaf)
        assert compact.root().hex() == want


@pytest.mark.parametrize("name", sorted(VECTORS["inclusion"]))
def test_inclusion_vectors(name):
    v = VECTORS["inclusion"][name]
    ok = merkle.verify_inclusion(v["leafIdx"], v["treeSize"], _b64(v["leafHash"]),
                                 [_b64(p) for p in v["proof"] or ()], _b64(v["root"]))
    assert ok is not v["wantErr"], v["desc"]


@pytest.mark.parametrize("name", sorted(VECTORS["consistency"]))
def test_consistency_vectors(name):
    v = VECTORS["consistency"][name]
    ok = merkle.verify_consistency(v["size1"], v["size2"], _b64(v["root1"]), _b64(v["root2"]),
                                   [_b64(p) for p in v["proof"] or ()])
    assert ok is not v["wantErr"], v["desc"]


def test_our_proofs_equal_the_vectors_happy_paths():
    tree = merkle.Tree(LEAVES)
    for name, v in VECTORS["inclusion"].items():
        if name.endswith("happy-path.json") and v["treeSize"] <= len(LEAVES) and "single" not in name:
            got = tree.inclusion_proof(v["leafIdx"], v["treeSize"])
            assert [base64.b64encode(p).decode() for p in got] == (v["proof"] or []), name
    for name, v in VECTORS["consistency"].items():
        if name.endswith("happy-path.json") and v["size1"]:
            got = merkle.Tree(LEAVES).consistency_proof(v["size1"], v["size2"])
            assert [base64.b64encode(p).decode() for p in got] == (v["proof"] or []), name


def test_every_proof_of_a_random_tree_verifies_and_fails_when_tampered():
    rng = random.Random(7)
    leaves = [merkle.leaf_hash(rng.randbytes(8)) for _ in range(67)]
    tree = merkle.Tree(leaves)
    for size in range(1, len(leaves) + 1):
        head = tree.root(size)
        assert head == merkle.root(leaves[:size])
        for index in range(size):
            proof = tree.inclusion_proof(index, size)
            assert merkle.verify_inclusion(index, size, leaves[index], proof, head)
            if proof:
                bad = list(proof)
                k = rng.randrange(len(bad))
                bad[k] = bytes([bad[k][0] ^ 1]) + bad[k][1:]
                assert not merkle.verify_inclusion(index, size, leaves[index], bad, head)
                assert not merkle.verify_inclusion(index, size, leaves[index], proof[:-1], head)
            assert not merkle.verify_inclusion(index, size, leaves[(index + 1) % len(leaves)], proof, head) \
                or leaves[(index + 1) % len(leaves)] == leaves[index]
        for old in range(1, size + 1):
            proof = tree.consistency_proof(old, size)
            assert merkle.verify_consistency(old, size, tree.root(old), head, proof)
            if proof:
                bad = list(proof)
                k = rng.randrange(len(bad))
                bad[k] = bytes([bad[k][0] ^ 1]) + bad[k][1:]
                assert not merkle.verify_consistency(old, size, tree.root(old), head, bad)
            if old < size:
                assert not merkle.verify_consistency(old, size, tree.root(old - 1) if old > 1 else head,
                                                     head, proof)
