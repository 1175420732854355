"""The audit log file: append-only JSON lines, hash-chained, an RFC 9162 Merkle tree over its
entries, and Ed25519-signed checkpoints of that tree.

Every line is one canonical JSON object (sorted keys, no spaces, ASCII) ending in ``\\n``, and
holds ``prev``, the SHA-256 of the line before it (64 zeros for the first).  Two kinds:

- ``{"kind": "entry", "seq": n, "prev": …, "time": …, "record": {…}}`` — leaf ``n`` of the
  tree; its leaf hash is ``SHA-256(0x00 || line)`` over the line's bytes without the newline.
- ``{"kind": "checkpoint", "tree_size": n, "root": …, "range": […], "key_id": …,
  "public_key": …, "signature": …, …}`` — not a leaf: a signed tree head over entries
  ``0..n-1``.  The signature is Ed25519 over the C2SP tlog-checkpoint body
  ``"<origin>\\n<n>\\n<base64 root>\\ntime <time>\\n"``; ``range`` is the compact range (the
  perfect-subtree roots, largest first), so the next append resumes without rereading the log.

Appends take an exclusive ``fcntl.flock`` on the log, so processes append one after another.
A line is written with one ``write`` and then ``fsync``ed, its newline last: a crash mid-append
leaves an unterminated tail, which `verify` reports (exit 1) and which never verifies as an
entry.  The next append repairs it — it truncates the unterminated bytes (their writer never
returned) and records their offset, length and SHA-256 in the new entry's ``repaired`` field, so
the repair itself is in the log.  Nothing is cut unless the file is a plangate log (its first
bytes are the first entry's) and the cut bytes are the start of a plangate line; a complete last
line that is not a valid entry is not repaired either: the append refuses (exit 2), touching
nothing, and says to run `plangate audit verify`.  A checkpoint is only signed with the key of
the log's first checkpoint.
"""

from __future__ import annotations

import base64
import datetime as dt
import fcntl
import hashlib
import json
import math
import os
import stat
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from plangate.audit import keys, merkle
from plangate.errors import InputError, PlangateError

ORIGIN = "plangate-audit-log/v1"
GENESIS = "0" * 64
CHECKPOINT_EVERY_ENV = "PLANGATE_AUDIT_CHECKPOINT_EVERY"
DEFAULT_CHECKPOINT_EVERY = 64
_CHUNK = 1 << 16


def canonical(obj: Any) -> bytes:
    """The one text of a log line.  NaN and infinities are not JSON (and every reader refuses
    them), so a record holding one keeps its name as a string instead."""
    try:
        return _dumps(obj, allow_nan=False)
    except ValueError:
        return _dumps(_finite(obj), allow_nan=False)


def _dumps(obj: Any, allow_nan: bool) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=_plain,
                      allow_nan=allow_nan).encode()


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, Mapping):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    """Numbers from numpy or Decimal as JSON numbers, anything else as its text."""
    import numbers

    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value)
    return str(value)


def now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def checkpoint_body(size: int, root: bytes, time: str, origin: str = ORIGIN) -> bytes:
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\ntime {time}\n".encode()


def checkpoint_every() -> int:
    raw = os.environ.get(CHECKPOINT_EVERY_ENV, "")
    if not raw:
        return DEFAULT_CHECKPOINT_EVERY
    if not raw.isdigit() or int(raw) < 1:
        raise InputError(CHECKPOINT_EVERY_ENV, f"expected a whole number of entries >= 1, got {raw!r}")
    return int(raw)


def signed_checkpoint(prev: str, compact: merkle.CompactRange, key, time: str | None = None) -> dict[str, Any]:
    time = time or now()
    root = compact.root()
    public = key.public_key()
    return {"kind": "checkpoint", "prev": prev, "origin": ORIGIN, "tree_size": compact.size,
            "root": root.hex(), "range": [h.hex() for h in compact.hashes], "time": time,
            "key_id": keys.key_id(public), "public_key": keys.public_b64(public),
            "signature": base64.b64encode(key.sign(checkpoint_body(compact.size, root, time))).decode()}


def checkpoint_problem(cp: Mapping[str, Any], pinned=None, pinned_is: str = "the trusted key") -> str | None:
    """Why a checkpoint's signature does not hold (None when it does): a bad signature, a key
    id that is not its key's, or a key other than ``pinned`` (a public key object)."""
    from cryptography.exceptions import InvalidSignature

    try:
        public = keys.from_b64(cp["public_key"])
        body = checkpoint_body(int(cp["tree_size"]), bytes.fromhex(cp["root"]), str(cp["time"]),
                               str(cp.get("origin", ORIGIN)))
        signature = base64.b64decode(cp["signature"], validate=True)
    except (KeyError, TypeError, ValueError) as exc:
        return f"malformed checkpoint ({type(exc).__name__}: {exc})"
    except PlangateError as exc:  # a public key that is not one
        return f"malformed checkpoint ({exc})"
    if keys.key_id(public) != cp.get("key_id"):
        return "key_id does not name the checkpoint's public key"
    if pinned is not None and keys.raw_public(pinned) != keys.raw_public(public):
        return f"signed by key {cp.get('key_id', '')[:16]}…, not {pinned_is} {keys.key_id(pinned)[:16]}…"
    try:
        public.verify(signature, body)
    except InvalidSignature:
        return "signature does not verify"
    return None


# -- appending ---------------------------------------------------------------------------------

@dataclass
class _Tail:
    prev: str = GENESIS
    next_seq: int = 0
    cut: int = 0  # where a torn tail starts (the file's size when there is none)
    torn: bytes = b""  # the unterminated bytes of an interrupted append

    @property
    def repaired(self) -> dict[str, Any] | None:
        """What repairing the tail cuts, as the next entry records it."""
        if not self.torn:
            return None
        return {"offset": self.cut, "length": len(self.torn), "sha256": hashlib.sha256(self.torn).hexdigest()}


def append(path: str | os.PathLike[str], records: Iterable[Mapping[str, Any]], *, key=None,
           every: int | None = None, time: str | None = None) -> list[int]:
    """Append ``records`` as entries (one lock, one fsync); with ``key``, a signed checkpoint
    after every ``every``-th entry.  Returns the entries' sequence numbers."""
    every = every or checkpoint_every()
    records = list(records)
    fd = _open(path)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        tail = _read_tail(fd, str(path))
        if key is not None and (tail.next_seq % every) + len(records) >= every:
            _check_signing_key(fd, str(path), key)  # a checkpoint is due: refuse before writing
        if not records:
            return []
        if tail.torn:  # cut only now, with an entry to say so following at once
            os.ftruncate(fd, tail.cut)
        compact: merkle.CompactRange | None = None
        seqs: list[int] = []
        prev, seq = tail.prev, tail.next_seq
        for record in records:
            entry: dict[str, Any] = {"kind": "entry", "seq": seq, "prev": prev, "time": time or now(),
                                     "record": dict(record)}
            if tail.repaired and not seqs:
                entry["repaired"] = tail.repaired
            line = canonical(entry)
            _write(fd, line + b"\n", str(path))
            if compact is not None:
                compact.append(merkle.leaf_hash(line))
            seqs.append(seq)
            prev, seq = hashlib.sha256(line).hexdigest(), seq + 1
            if key is not None and seq % every == 0:
                if compact is None:
                    compact = _resume_range(fd, str(path))
                line = canonical(signed_checkpoint(prev, compact, key))
                _write(fd, line + b"\n", str(path))
                prev = hashlib.sha256(line).hexdigest()
        os.fsync(fd)
        return seqs
    finally:
        os.close(fd)  # closing drops the lock


def checkpoint(path: str | os.PathLike[str], key) -> dict[str, Any]:
    """Append a signed checkpoint of the whole log now (unless the last line already is one
    of the same size, signed by this key) and return it."""
    fd = _open(path, create=False)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        tail = _read_tail(fd, str(path), torn_ok=False)
        last = _last_line(fd)
        if last:
            obj = _parse(last, str(path))
            if (obj.get("kind") == "checkpoint" and obj.get("tree_size") == tail.next_seq
                    and obj.get("key_id") == keys.key_id(key.public_key())):
                return obj
        if tail.next_seq == 0:
            raise InputError(str(path), "has no entries to checkpoint")
        _check_signing_key(fd, str(path), key)
        cp = signed_checkpoint(tail.prev, _resume_range(fd, str(path)), key)
        _write(fd, canonical(cp) + b"\n", str(path))
        os.fsync(fd)
        return cp
    finally:
        os.close(fd)


def _open(path: str | os.PathLike[str], create: bool = True) -> int:
    try:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | (os.O_CREAT if create else 0), 0o640)
    except OSError as exc:
        raise InputError(str(path), f"cannot open the audit log: {exc.strerror or exc}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise InputError(str(path), "an audit log must be a regular file (each entry chains to the one before)")
    return fd


def _write(fd: int, data: bytes, path: str) -> None:
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view):]
    except OSError as exc:
        raise InputError(path, f"cannot append to the audit log: {exc.strerror or exc}") from None


def _last_line(fd: int) -> bytes:
    """The last complete line (without its newline), b"" for an empty log."""
    for line in _reverse_lines(fd, os.fstat(fd).st_size):
        return line
    return b""


def _reverse_lines(fd: int, end: int) -> Iterator[bytes]:
    """The complete lines before offset ``end`` (which follows a newline), last first."""
    pos, carry = end, b""
    while pos > 0:
        start = max(0, pos - _CHUNK)
        parts = (os.pread(fd, pos - start, start) + carry).split(b"\n")
        pos = start
        yield from reversed(parts[1:-1])  # parts[-1] is b"": every block ends with a newline
        if pos == 0:
            yield parts[0]
        carry = parts[0] + b"\n"  # the first line may begin in the block before


# Canonical JSON sorts keys, so every line plangate writes begins one of two ways, and a log's
# first line (entry 0) with the genesis hash.
_ENTRY_START, _CHECKPOINT_START = b'{"kind":"entry",', b'{"key_id":"'
_FIRST_LINE = _ENTRY_START + b'"prev":"' + GENESIS.encode() + b'"'


def _read_tail(fd: int, path: str, torn_ok: bool = True) -> _Tail:
    """Where the next entry goes, read without changing anything.  Refuses a file that is not a
    plangate log, a complete last line that is not a valid one, and a torn tail that is not the
    start of a plangate line (or any torn tail, unless ``torn_ok``)."""
    size = os.fstat(fd).st_size
    if size == 0:
        return _Tail()
    head = os.pread(fd, len(_FIRST_LINE), 0)
    if not _FIRST_LINE.startswith(head):  # (a shorter head is a first append cut short)
        raise InputError(path, "is not a plangate audit log (it does not begin with the log's first entry); "
                               "not appending, nothing was changed")
    start = max(0, size - _CHUNK)
    chunk = os.pread(fd, size - start, start)
    while b"\n" not in chunk and start > 0:  # a long unterminated tail
        start = max(0, start - _CHUNK)
        chunk = os.pread(fd, size - start, start)
    cut = start + chunk.rfind(b"\n") + 1  # 0 when no newline at all
    torn = os.pread(fd, size - cut, cut) if cut < size else b""
    if torn and not any(torn.startswith(start[:len(torn)]) for start in (_ENTRY_START, _CHECKPOINT_START)):
        raise InputError(path, f"ends in {len(torn)} bytes at offset {cut} that are not the start of an audit "
                               "line (not written by plangate); not appending, nothing was changed")
    if torn and not torn_ok:
        raise InputError(path, "ends in an unterminated line (an interrupted append); "
                               "append an entry to repair it, or run `plangate audit verify`")
    last = _last_line_before(fd, cut)
    if not last:
        return _Tail(cut=cut, torn=torn)
    try:
        obj = _parse(last, path)
        kind = obj["kind"]
        next_seq = obj["seq"] + 1 if kind == "entry" else int(obj["tree_size"])
        if kind not in ("entry", "checkpoint") or not isinstance(next_seq, int) or isinstance(next_seq, bool):
            raise ValueError(kind)
    except (ValueError, KeyError, TypeError, PlangateError):
        raise InputError(path, "the last line is not a valid audit entry; the log is damaged "
                               "(run `plangate audit verify`), not appending, nothing was changed") from None
    return _Tail(hashlib.sha256(last).hexdigest(), next_seq, cut, torn)


def _last_line_before(fd: int, end: int) -> bytes:
    """The last complete line before offset ``end`` (which follows a newline), b"" when none."""
    for line in _reverse_lines(fd, end):
        return line
    return b""


def _parse(line: bytes, path: str) -> dict[str, Any]:
    """One log line as a JSON object, through the guarded reader every input uses (a line
    nested 10^5 deep or holding a 5,000-digit number is a damaged line, not a crash)."""
    from plangate.loaders.source import parse_json

    obj = parse_json(line, path)
    if not isinstance(obj, dict):
        raise InputError(path, "an audit line is a JSON object")
    return obj


def _check_signing_key(fd: int, path: str, key) -> None:
    """A checkpoint must carry the key of the log's first checkpoint (as `verify` demands of
    every one): signing with another would break the log's verification from here on."""
    first = _first_checkpoint(fd, path)
    if first is None:
        return
    mine = keys.public_b64(key.public_key())
    if first.get("public_key") != mine:
        raise InputError(path, f"its checkpoints are signed by key {str(first.get('key_id', ''))[:16]}…, not by "
                               f"the configured key {keys.key_id(key.public_key())[:16]}… (PLANGATE_AUDIT_KEY / "
                               "--key); not signing with another key, nothing was changed")


def _first_checkpoint(fd: int, path: str) -> dict[str, Any] | None:
    """The log's first checkpoint line, parsed (None when it has none); entries are skipped unparsed."""
    size, pos, carry = os.fstat(fd).st_size, 0, b""
    while pos < size:
        block = carry + os.pread(fd, min(_CHUNK, size - pos), pos)
        pos += _CHUNK
        *complete, carry = block.split(b"\n")
        for line in complete:
            if line.startswith(_CHECKPOINT_START):
                try:
                    obj = _parse(line, path)
                except PlangateError:
                    raise InputError(path, "a checkpoint line is not valid JSON; run `plangate audit verify`") from None
                if obj.get("kind") == "checkpoint":
                    return obj
    return None


def _resume_range(fd: int, path: str) -> merkle.CompactRange:
    """The compact range of the whole log: the last checkpoint's, extended by the entries after it."""
    after: list[bytes] = []
    compact = merkle.CompactRange()
    for line in _reverse_lines(fd, os.fstat(fd).st_size):
        if not line.startswith(_CHECKPOINT_START):
            after.append(line)
            continue
        obj = _parse(line, path)
        if obj.get("kind") != "checkpoint":
            after.append(line)
            continue
        try:
            compact = merkle.CompactRange(int(obj["tree_size"]), [bytes.fromhex(h) for h in obj["range"]])
        except (KeyError, ValueError, TypeError):
            raise InputError(path, f"checkpoint at size {obj.get('tree_size')} has a malformed range; "
                                   "run `plangate audit verify`") from None
        break
    for line in reversed(after):
        compact.append(merkle.leaf_hash(line))
    return compact


# -- reading and verifying -----------------------------------------------------------------------

@dataclass
class Problem:
    line: int  # 1-based line number in the file
    seq: int | None  # the entry it concerns, when known
    message: str

    def __str__(self) -> str:
        what = f"entry {self.seq} (line {self.line})" if self.seq is not None else f"line {self.line}"
        return f"{what}: {self.message}"


@dataclass
class Report:
    path: str
    entries: int = 0
    checkpoints: int = 0
    signed_size: int = 0  # entries covered by the last valid checkpoint
    key_id: str = ""
    key_pinned: bool = False
    problem: Problem | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return self.problem is None

    def summary(self) -> str:
        if self.problem:
            return f"{self.path}: NOT INTACT: first broken: {self.problem}"
        unsigned = self.entries - self.signed_size
        key = f"key {self.key_id[:16]}…" + (" (pinned)" if self.key_pinned else " (not pinned: pass --public-key)")
        text = (f"{self.path}: intact: {self.entries} entries, {self.checkpoints} checkpoints, "
                f"{self.signed_size} entries signed" + (f" by {key}" if self.checkpoints else ""))
        if unsigned:
            text += f"; {unsigned} after the last checkpoint are chained but not yet signed"
        return "\n".join([text, *self.notes])


def verify(path: str, *, public_key=None, trusted: Mapping[str, Any] | None = None) -> Report:
    """Check the chain, the tree and every checkpoint's signature; stop at the first problem.

    ``public_key`` pins the signing key (else every checkpoint must carry the first one's);
    ``trusted`` is a checkpoint the auditor kept: the log must still hold that tree.  Reads
    the file once, line by line, in O(log n) memory.
    """
    report = Report(path, key_pinned=public_key is not None)
    trusted_size = _trusted_size(trusted, public_key, report)
    if report.problem:
        return report
    try:
        handle = open(path, "rb")  # closed by the with below
    except OSError as exc:
        raise InputError(path, f"cannot read the audit log: {exc.strerror or exc}") from None
    compact = merkle.CompactRange()
    prev, before, first_key, last_good_cp, number = GENESIS, b"", None, 0, 0
    key_is = "the trusted key" if public_key else "the key of the first checkpoint"
    with handle:
        for raw in handle:
            number += 1
            if not raw.endswith(b"\n"):
                report.problem = Problem(number, compact.size, "incomplete line without its newline "
                                         "(an interrupted append; the next append drops it)")
                break
            line = raw[:-1]
            problem, obj, kind = None, {}, None
            try:
                obj = _parse(line, path)
                kind = obj["kind"]
                if obj["prev"] != prev:
                    problem = _chain_break(obj, before, number, compact.size)
            except (ValueError, KeyError, TypeError, AttributeError, PlangateError):
                problem = Problem(number, None, "not a valid audit line (bad JSON, or no kind / prev)")
            if problem is None and kind == "entry":
                if obj.get("seq") != compact.size:
                    problem = Problem(number, compact.size, f"has seq {obj.get('seq')!r} where {compact.size} "
                                                            "belongs (an entry was inserted, removed or reordered)")
                else:
                    compact.append(merkle.leaf_hash(line))
                    if "repaired" in obj:
                        report.notes.append(_repair_note(obj))
                    if trusted_size == compact.size and compact.root().hex() != trusted["root"]:
                        problem = Problem(number, compact.size - 1, "the tree of the trusted checkpoint's size "
                                                                    "has another root: an entry up to here was changed")
            elif problem is None and kind == "checkpoint":
                problem = _check_checkpoint(obj, compact, number, public_key or first_key, last_good_cp, key_is)
                if problem is None:
                    first_key = first_key or keys.from_b64(obj["public_key"])
                    report.checkpoints += 1
                    report.signed_size = last_good_cp = compact.size
                    report.key_id = obj["key_id"]
            elif problem is None:
                problem = Problem(number, None, f"unknown line kind {kind!r}")
            if problem:
                report.problem = problem
                break
            prev, before = hashlib.sha256(line).hexdigest(), line
    report.entries = compact.size
    if report.problem:
        return report
    if number == 0:
        report.problem = Problem(1, None, "the log is empty")
    elif trusted_size is not None and compact.size < trusted_size:
        report.problem = Problem(number, None, f"truncated: the log has {compact.size} entries, the trusted "
                                 f"checkpoint covers {trusted_size}")
    elif trusted_size == 0:
        report.problem = Problem(1, None, "the trusted checkpoint covers no entries")
    return report


def _repair_note(entry: Mapping[str, Any]) -> str:
    cut = entry["repaired"] if isinstance(entry["repaired"], dict) else {}
    return (f"entry {entry.get('seq')} repaired an interrupted append: cut {cut.get('length', '?')} bytes at "
            f"offset {cut.get('offset', '?')} (sha256 {str(cut.get('sha256', '?'))[:16]}…)")


def _chain_break(obj: Mapping[str, Any], before: bytes, number: int, expected: int) -> Problem:
    """Line ``number``'s prev is not the hash of the line before it: name what broke."""
    if number == 1:
        return Problem(1, obj.get("seq") if obj.get("kind") == "entry" else None,
                       "does not start the chain (lines before it were removed)")
    in_place = (obj.get("seq") if obj.get("kind") == "entry" else obj.get("tree_size")) == expected
    if in_place:  # this line is where it belongs: the line before it changed (or a line between went)
        return Problem(number - 1, _seq_of(before), "changed (or a checkpoint after it removed): its hash "
                                                    "is not the prev the next line records")
    return Problem(number, expected, "an entry was removed, inserted or moved here: "
                                     "this line does not follow the one before it")


def _seq_of(line: bytes) -> int | None:
    try:
        obj = _parse(line, "")
        return obj["seq"] if obj.get("kind") == "entry" else None
    except (ValueError, KeyError, TypeError, PlangateError):
        return None


def _trusted_size(trusted: Mapping[str, Any] | None, public_key, report: Report) -> int | None:
    if trusted is None:
        return None
    why = checkpoint_problem(trusted, public_key)
    if why:
        report.problem = Problem(0, None, f"the trusted checkpoint: {why}")
        return None
    return int(trusted["tree_size"])


def _check_checkpoint(obj: Mapping[str, Any], compact: merkle.CompactRange, number: int, key,
                      last_good: int, key_is: str) -> Problem | None:
    size = obj.get("tree_size")
    if size != compact.size:
        return Problem(number, None, f"checkpoint claims {size!r} entries where {compact.size} precede it")
    if obj.get("root") != compact.root().hex() or obj.get("range") != [h.hex() for h in compact.hashes]:
        span = f"{last_good}..{compact.size - 1}" if compact.size else "none"
        return Problem(number, None, f"checkpoint root does not match the entries before it: an entry in "
                                     f"seq {span} was changed (or the checkpoint forged)")
    why = checkpoint_problem(obj, key, key_is)
    return Problem(number, None, f"checkpoint {why}") if why else None


@dataclass
class Log:
    """A log read once for proofs and evidence: its leaf hashes, where each entry starts, and
    its checkpoints (an entry's text is read back from the file when asked for)."""

    path: str
    leaves: list[bytes]
    offsets: list[int]
    checkpoints: list[dict[str, Any]]

    @classmethod
    def read(cls, path: str) -> Log:
        leaves: list[bytes] = []
        offsets: list[int] = []
        checkpoints: list[dict[str, Any]] = []
        for _, offset, line, obj in _lines(path, parse_entries=False):
            if obj is None or obj.get("kind") == "entry":
                leaves.append(merkle.leaf_hash(line))
                offsets.append(offset)
            elif obj.get("kind") == "checkpoint":
                checkpoints.append(obj)
        return cls(path, leaves, offsets, checkpoints)

    @property
    def size(self) -> int:
        return len(self.leaves)

    def entry(self, seq: int) -> bytes:
        with open(self.path, "rb") as handle:
            handle.seek(self.offsets[seq])
            return handle.readline().rstrip(b"\n")

    def records(self) -> Iterator[dict[str, Any]]:
        """Every entry, parsed, in order (read from the file again, one line at a time)."""
        for _, _, _, obj in _lines(self.path):
            if obj is not None and obj.get("kind") == "entry":
                yield obj

    def checkpoint_at(self, size: int) -> dict[str, Any]:
        for cp in reversed(self.checkpoints):
            if cp.get("tree_size") == size:
                return cp
        have = ", ".join(str(c.get("tree_size")) for c in self.checkpoints) or "none"
        raise InputError(self.path, f"no checkpoint of size {size} (checkpoints: {have})")

    def covering(self, seq: int) -> dict[str, Any]:
        """The latest checkpoint whose tree includes entry ``seq``."""
        if not 0 <= seq < self.size:
            raise InputError(self.path, f"no entry {seq} (the log has {self.size})")
        for cp in reversed(self.checkpoints):
            if int(cp.get("tree_size", 0)) > seq:
                return cp
        raise InputError(self.path, f"entry {seq} is not under a signed checkpoint yet "
                                    "(run `plangate audit checkpoint`)")

    def tree(self, size: int | None = None) -> merkle.Tree:
        return merkle.Tree(self.leaves[:size])




def _lines(path: str, parse_entries: bool = True) -> Iterator[tuple[int, int, bytes, dict[str, Any] | None]]:
    """(line number, offset, line, parsed) for every complete line; a bad line is an error.
    With ``parse_entries=False`` entry lines are not parsed (None): proofs need their bytes only."""
    try:
        handle = open(path, "rb")  # closed by the with below
    except OSError as exc:
        raise InputError(path, f"cannot read the audit log: {exc.strerror or exc}") from None
    offset = 0
    with handle:
        for number, raw in enumerate(handle, 1):
            if not raw.endswith(b"\n"):
                return  # an interrupted append: not an entry
            if not parse_entries and raw.startswith(_ENTRY_START):
                yield number, offset, raw[:-1], None
                offset += len(raw)
                continue
            try:
                obj = _parse(raw[:-1], path)
            except PlangateError:
                raise InputError(path, f"line {number}: not a valid audit line "
                                       "(run `plangate audit verify`)") from None
            yield number, offset, raw[:-1], obj
            offset += len(raw)
