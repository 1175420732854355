"""RFC 9162 (Certificate Transparency v2) Merkle trees: tree heads, inclusion and consistency
proofs, and their verification — pure functions over 32-byte SHA-256 hashes.

Leaf hash ``SHA-256(0x00 || data)``, interior node ``SHA-256(0x01 || left || right)``, the
tree split at the largest power of two below its size (RFC 9162 §2.1.1).  Proofs are the
RFC's lists of hashes, so any RFC 6962 / 9162 verifier checks them, not only this module.

Why our own and not a library: the PyPI Merkle packages we looked at either keep the whole
tree in memory with their own proof shape (pymerkle, which the tests and the benchmark run
as an independent oracle) or are not RFC 9162 at all; the log needs RFC-shaped proofs, a
streaming root over a million entries and an O(log n) compact range to resume appends.

>>> leaf = leaf_hash(b"")
>>> root([leaf]).hex()[:16]
'6e340b9cffb37a98'
"""

from __future__ import annotations

from collections.abc import Sequence
from hashlib import sha256

HASH_SIZE = 32
EMPTY_ROOT = sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


class CompactRange:
    """The roots of the perfect subtrees a tree of ``size`` leaves decomposes into, largest
    first: enough to append leaves and compute the root without the leaves themselves."""

    __slots__ = ("hashes", "size")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        if size < 0 or len(hashes) != bin(size).count("1"):
            raise ValueError(f"a compact range of size {size} has {bin(size).count('1')} hashes, "
                             f"not {len(hashes)}")
        self.size, self.hashes = size, list(hashes)

    def append(self, leaf: bytes) -> None:
        hashes, h, size = self.hashes, leaf, self.size
        while size & 1:  # merge with the equal-sized subtrees on the right edge
            h = node_hash(hashes.pop(), h)
            size >>= 1
        hashes.append(h)
        self.size += 1

    def root(self) -> bytes:
        if not self.hashes:
            return EMPTY_ROOT
        r = self.hashes[-1]
        for h in reversed(self.hashes[:-1]):
            r = node_hash(h, r)
        return r

    def copy(self) -> CompactRange:
        return CompactRange(self.size, self.hashes)


def root(leaves: Sequence[bytes]) -> bytes:
    """The tree head of the leaf hashes (RFC 9162 MTH)."""
    level = list(leaves)
    if not level:
        return EMPTY_ROOT
    while len(level) > 1:  # pairwise, the odd node carried up: the same tree as the RFC's split
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) & 1:
            nxt.append(level[-1])
        level = nxt
    return level[0]


class Tree:
    """A tree over known leaf hashes, with every complete subtree kept: proofs for any size."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.levels: list[list[bytes]] = [list(leaves)]
        while len(self.levels[-1]) > 1:
            below = self.levels[-1]
            self.levels.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def hash(self, lo: int, hi: int) -> bytes:
        """MTH of leaves [lo, hi)."""
        n = hi - lo
        if n == 0:
            return EMPTY_ROOT
        if n & (n - 1) == 0 and lo % n == 0:
            return self.levels[n.bit_length() - 1][lo // n]
        k = _split(n)
        return node_hash(self.hash(lo, lo + k), self.hash(lo + k, hi))

    def root(self, size: int | None = None) -> bytes:
        return self.hash(0, self.size if size is None else size)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """RFC 9162 §2.1.3.1 PATH(index, D[0:size])."""
        if not 0 <= index < size <= self.size:
            raise ValueError(f"no inclusion proof for entry {index} in a tree of {size}")
        proof: list[bytes] = []
        lo, hi = 0, size
        while hi - lo > 1:
            k = _split(hi - lo)
            if index - lo < k:
                proof.append(self.hash(lo + k, hi))
                hi = lo + k
            else:
                proof.append(self.hash(lo, lo + k))
                lo += k
        return proof[::-1]

    def consistency_proof(self, old: int, new: int) -> list[bytes]:
        """RFC 9162 §2.1.4.1 PROOF(old, D[0:new]); empty when the sizes are equal."""
        if not 0 < old <= new <= self.size:
            raise ValueError(f"no consistency proof from {old} to {new} entries (log has {self.size})")
        proof: list[bytes] = []
        lo, hi, m, whole = 0, new, old, True
        while True:
            n = hi - lo
            if m == n:
                if not whole:
                    proof.append(self.hash(lo, hi))
                break
            k = _split(n)
            if m <= k:
                proof.append(self.hash(lo + k, hi))
                hi = lo + k
            else:
                proof.append(self.hash(lo, lo + k))
                lo, m, whole = lo + k, m - k, False
        return proof[::-1]


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes | None:
    """The root an inclusion proof implies (RFC 9162 §2.1.3.2), None when it is malformed."""
    if not 0 <= index < size or len(leaf) != HASH_SIZE:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0 or len(p) != HASH_SIZE:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root_hash: bytes) -> bool:
    return root_from_inclusion(index, size, leaf, proof) == root_hash


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2: the tree of ``new`` entries extends the tree of ``old`` entries."""
    if not 0 < old <= new:
        return False  # a proof from the empty tree proves nothing
    if old == new:
        return not proof and old_root == new_root
    if not proof or any(len(p) != HASH_SIZE for p in proof):
        return False
    path = list(proof)
    if old & (old - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == new_root and sn == 0
