"""Inclusion and consistency proofs as documents an auditor keeps and checks without the log.

A document carries the RFC 9162 proof (hex hashes), the signed checkpoint(s) it is against,
and, for inclusion, the entry line itself.  `check` verifies the checkpoint signatures (against
a pinned key when given), the entry's leaf hash and the proof; any RFC 6962 / 9162 verifier
(e.g. transparency-dev/merkle's ``proof.VerifyInclusion``) checks the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plangate.audit import merkle
from plangate.audit.log import ORIGIN, Log, checkpoint_problem

CHECK_COMMAND = "plangate audit check {file} --public-key {key}"


def inclusion(log: Log, seq: int, size: int | None = None) -> dict[str, Any]:
    """Entry ``seq`` is in the tree of the checkpoint of ``size`` (default: the latest covering it)."""
    cp = log.covering(seq) if size is None else log.checkpoint_at(size)
    n = int(cp["tree_size"])
    if not 0 <= seq < n:
        from plangate.errors import InputError

        raise InputError(log.path, f"entry {seq} is not in the checkpoint of size {n}")
    tree = log.tree(n)
    entry = log.entry(seq)
    try:
        text = entry.decode("ascii")  # a canonical line is ASCII
    except UnicodeDecodeError:
        from plangate.errors import InputError

        raise InputError(log.path, f"entry {seq} is not a line plangate wrote (not ASCII text); "
                                   "run `plangate audit verify`") from None
    return {"type": "inclusion", "origin": ORIGIN, "leaf_index": seq, "tree_size": n,
            "entry": text, "leaf_hash": merkle.leaf_hash(entry).hex(),
            "proof": [h.hex() for h in tree.inclusion_proof(seq, n)], "checkpoint": cp,
            "verify": CHECK_COMMAND}


def consistency(log: Log, old: int, new: int | None = None) -> dict[str, Any]:
    """The checkpoint of ``new`` entries (default: the latest) extends the one of ``old``."""
    new_cp = log.checkpoints[-1] if new is None and log.checkpoints else log.checkpoint_at(new or 0)
    old_cp = log.checkpoint_at(old)
    n, m = int(new_cp["tree_size"]), int(old_cp["tree_size"])
    if m > n:
        from plangate.errors import InputError

        raise InputError(log.path, f"the old checkpoint ({m} entries) is larger than the new one ({n})")
    tree = log.tree(n)
    return {"type": "consistency", "origin": ORIGIN, "old_size": m, "new_size": n,
            "proof": [h.hex() for h in tree.consistency_proof(m, n)] if m else [],
            "old_checkpoint": old_cp, "new_checkpoint": new_cp, "verify": CHECK_COMMAND}


def check(doc: Mapping[str, Any], public_key=None, trusted: Mapping[str, Any] | None = None) -> list[str]:
    """What is wrong with a proof document (empty: it holds).  ``trusted`` is a checkpoint the
    auditor kept: it must be the document's (old) checkpoint, root and size."""
    try:
        if doc.get("type") == "inclusion":
            return _check_inclusion(doc, public_key, trusted)
        if doc.get("type") == "consistency":
            return _check_consistency(doc, public_key, trusted)
    except (KeyError, TypeError, ValueError) as exc:
        return [f"malformed proof document ({type(exc).__name__}: {exc})"]
    return [f"not a proof document (type {doc.get('type')!r})"]


def _same_tree(cp: Mapping[str, Any], trusted: Mapping[str, Any] | None, which: str) -> list[str]:
    if trusted is None:
        return []
    if (cp.get("tree_size"), cp.get("root")) != (trusted.get("tree_size"), trusted.get("root")):
        return [f"the {which} checkpoint (size {cp.get('tree_size')}) is not the trusted one "
                f"(size {trusted.get('tree_size')})"]
    return []


def _signed(cp: Mapping[str, Any], public_key, which: str) -> list[str]:
    why = checkpoint_problem(cp, public_key)
    return [f"{which} checkpoint: {why}"] if why else []


def _check_inclusion(doc: Mapping[str, Any], public_key, trusted) -> list[str]:
    cp = doc["checkpoint"]
    problems = _signed(cp, public_key, "the") + _same_tree(cp, trusted, "proof's")
    entry = doc["entry"].encode()
    leaf = merkle.leaf_hash(entry)
    if leaf.hex() != doc["leaf_hash"]:
        problems.append("the entry does not hash to leaf_hash")
    if _seq(entry) != doc["leaf_index"]:
        problems.append("the entry's seq is not leaf_index")
    if int(doc["tree_size"]) != int(cp["tree_size"]):
        problems.append("tree_size is not the checkpoint's")
    proof = [bytes.fromhex(h) for h in doc["proof"]]
    if not merkle.verify_inclusion(int(doc["leaf_index"]), int(cp["tree_size"]), leaf, proof,
                                   bytes.fromhex(cp["root"])):
        problems.append("the inclusion proof does not lead to the checkpoint's root")
    return problems


def _seq(entry: bytes) -> Any:
    """The seq an entry line states (None when it is not a JSON object), read with the guards of
    every reader: a proof document is input like any other."""
    from plangate.errors import PlangateError
    from plangate.loaders.source import parse_json

    try:
        obj = parse_json(entry, "the proof's entry")
    except PlangateError:
        return None
    return obj.get("seq") if isinstance(obj, dict) else None


def _check_consistency(doc: Mapping[str, Any], public_key, trusted) -> list[str]:
    old, new = doc["old_checkpoint"], doc["new_checkpoint"]
    problems = _signed(old, public_key, "the old") + _signed(new, public_key, "the new")
    problems += _same_tree(old, trusted, "old")
    if public_key is None and old.get("public_key") != new.get("public_key"):
        problems.append("the two checkpoints are signed by different keys")
    proof = [bytes.fromhex(h) for h in doc["proof"]]
    if not merkle.verify_consistency(int(old["tree_size"]), int(new["tree_size"]), bytes.fromhex(old["root"]),
                                     bytes.fromhex(new["root"]), proof):
        problems.append("the consistency proof does not hold: the new tree does not extend the old one")
    return problems
