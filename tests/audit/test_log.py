"""The audit log catches every tampering the issue names: edit, delete, insert, reorder and
truncate entries, forge a checkpoint, swap the key, a half-written line — and names the first
broken entry.  Appends repair an interrupted append and refuse a damaged log."""

from __future__ import annotations

import hashlib
import json

import pytest

from plangate.audit import keys, log
from plangate.cli import main
from plangate.errors import InputError

EVERY = 5


@pytest.fixture
def key(tmp_path):
    return keys.generate(str(tmp_path / "key.pem"))


@pytest.fixture
def path(tmp_path, key):
    p = tmp_path / "audit.jsonl"
    log.append(p, [{"command": "scan", "n": i} for i in range(20)], key=key, every=EVERY)
    return p


def lines(p):
    return p.read_bytes().split(b"\n")[:-1]


def write(p, ls):
    p.write_bytes(b"".join(line + b"\n" for line in ls))


def rechain(ls):
    """What an attacker without the key can do: rewrite every prev so the chain holds again."""
    out, prev = [], log.GENESIS
    for line in ls:
        obj = json.loads(line)
        obj["prev"] = prev
        line = log.canonical(obj)
        out.append(line)
        prev = hashlib.sha256(line).hexdigest()
    return out


def entry_line(ls, seq):
    return next(i for i, line in enumerate(ls) if json.loads(line).get("seq") == seq)


def test_an_untouched_log_verifies(path, key):
    report = log.verify(str(path), public_key=key.public_key())
    assert report.intact, report.summary()
    assert (report.entries, report.checkpoints, report.signed_size) == (20, 4, 20)
    assert [json.loads(x)["kind"] for x in lines(path)].count("checkpoint") == 4


def test_edit_names_the_edited_entry(path):
    ls = lines(path)
    i = entry_line(ls, 7)
    ls[i] = ls[i].replace(b'"n":7', b'"n":8')
    write(path, ls)
    problem = log.verify(str(path)).problem
    assert problem and problem.seq == 7 and "changed" in problem.message


def test_edit_with_the_chain_rewritten_is_caught_by_the_next_checkpoint(path):
    ls = lines(path)
    i = entry_line(ls, 7)
    ls[i] = ls[i].replace(b'"n":7', b'"n":8')
    write(path, rechain(ls))
    problem = log.verify(str(path)).problem
    assert problem and "root does not match" in problem.message and "seq 5..9" in problem.message


def test_delete_names_the_position(path):
    ls = lines(path)
    del ls[entry_line(ls, 12)]
    write(path, ls)
    problem = log.verify(str(path)).problem
    assert problem and problem.seq == 12 and "removed" in problem.message


def test_delete_with_the_chain_rewritten_is_caught(path):
    ls = lines(path)
    del ls[entry_line(ls, 12)]
    write(path, rechain(ls))
    problem = log.verify(str(path)).problem
    assert problem and problem.seq == 12


def test_insert_is_caught(path):
    ls = lines(path)
    i = entry_line(ls, 3)
    forged = json.loads(ls[i])
    forged["record"] = {"command": "scan", "n": "forged"}
    ls.insert(i + 1, log.canonical(forged))
    write(path, ls)
    problem = log.verify(str(path)).problem
    assert problem and problem.seq in (3, 4)


def test_reorder_is_caught(path):
    ls = lines(path)
    i, j = entry_line(ls, 16), entry_line(ls, 17)
    ls[i], ls[j] = ls[j], ls[i]
    write(path, ls)
    assert log.verify(str(path)).problem.seq == 16
    write(path, rechain(ls))  # even with the chain rewritten: seq out of order
    assert log.verify(str(path)).problem.seq == 16


def test_truncation_is_caught_against_a_kept_checkpoint(path, key):
    kept = json.loads(lines(path)[-1])  # the auditor kept the checkpoint of 20 entries
    assert kept["kind"] == "checkpoint" and kept["tree_size"] == 20
    ls = lines(path)
    write(path, ls[: entry_line(ls, 14)])  # cut at a line boundary: a shorter log that chains
    assert log.verify(str(path)).intact  # alone, a clean cut looks like a shorter log ...
    problem = log.verify(str(path), trusted=kept).problem  # ... the kept checkpoint catches it
    assert problem and "truncated" in problem.message and "14 entries" in problem.message


def test_truncation_mid_line_is_caught(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 30])
    problem = log.verify(str(path)).problem
    assert problem and "incomplete line" in problem.message


def test_a_kept_checkpoint_catches_a_rewritten_history(path, key, tmp_path):
    kept = json.loads(lines(path)[entry_line(lines(path), 10) - 1])
    assert kept["kind"] == "checkpoint" and kept["tree_size"] == 10
    other = keys.generate(str(tmp_path / "attacker.pem"))
    ls = lines(path)
    ls[entry_line(ls, 2)] = ls[entry_line(ls, 2)].replace(b'"n":2', b'"n":"x"')
    _resign(path, ls, other)
    problem = log.verify(str(path), trusted=kept).problem
    assert problem and problem.seq == 9 and "another root" in problem.message


def test_forged_checkpoint_root_fails_its_signature(path):
    original = lines(path)
    ls = list(original)
    i = next(i for i, line in enumerate(ls) if json.loads(line).get("tree_size") == 10)
    cp = json.loads(ls[i])
    cp["root"] = "ab" * 32
    ls[i] = log.canonical(cp)
    write(path, rechain(ls))
    problem = log.verify(str(path)).problem
    assert problem and problem.line == i + 1 and "root does not match" in problem.message
    # a forger who keeps root and range but changes what is signed (the time): the signature fails
    ls = list(original)
    cp = json.loads(ls[i])
    cp["time"] = "2030-01-01T00:00:00.000000Z"
    ls[i] = log.canonical(cp)
    write(path, rechain(ls))
    problem = log.verify(str(path)).problem
    assert problem and problem.line == i + 1 and "signature does not verify" in problem.message


def _resign(path, ls, key, keep=None, from_size=0):
    """Rewrite the chain and re-sign the checkpoints of ``from_size`` entries and more with
    ``key`` (the others with ``keep``): a forgery by someone holding another key."""
    out, prev = [], log.GENESIS
    from plangate.audit import merkle

    compact = merkle.CompactRange()
    for line in ls:
        obj = json.loads(line)
        if obj["kind"] == "checkpoint":
            signer = key if compact.size >= from_size else keep
            obj = log.signed_checkpoint(prev, compact.copy(), signer, obj["time"])
        else:
            obj["prev"] = prev
        line = log.canonical(obj)
        if obj["kind"] == "entry":
            compact.append(merkle.leaf_hash(line))
        out.append(line)
        prev = hashlib.sha256(line).hexdigest()
    write(path, out)


def test_swapped_key_is_caught(path, key, tmp_path):
    other = keys.generate(str(tmp_path / "attacker.pem"))
    ls = lines(path)
    ls[entry_line(ls, 17)] = ls[entry_line(ls, 17)].replace(b'"n":17', b'"n":"x"')
    # re-sign the checkpoints after the edit with another key: the log's first key disagrees
    _resign(path, ls, other, keep=key, from_size=20)
    problem = log.verify(str(path)).problem
    assert problem and problem.line == len(ls) and "not the key of the first checkpoint" in problem.message
    # the whole log re-signed with the other key verifies alone, but not against the pinned key
    _resign(path, ls, other)
    assert log.verify(str(path)).intact
    problem = log.verify(str(path), public_key=key.public_key()).problem
    assert problem and problem.line == EVERY + 1 and "not the trusted key" in problem.message


def test_half_written_line_is_caught_then_repaired_by_the_next_append(path, key):
    with open(path, "ab") as handle:
        offset = handle.tell()
        handle.write(b'{"kind":"entry","prev":"00')
    report = log.verify(str(path))
    assert report.problem and report.problem.seq == 20 and "incomplete" in report.problem.message
    with pytest.raises(InputError, match="unterminated"):
        log.checkpoint(path, key)  # a checkpoint never signs over a torn tail
    [seq] = log.append(path, [{"command": "scan", "n": 20}], key=key, every=EVERY)
    assert seq == 20
    report = log.verify(str(path), public_key=key.public_key())
    assert report.intact, report.summary()
    repaired = json.loads(lines(path)[-1])["repaired"]
    torn = b'{"kind":"entry","prev":"00'
    assert repaired == {"offset": offset, "length": len(torn), "sha256": hashlib.sha256(torn).hexdigest()}
    assert report.notes == [f"entry 20 repaired an interrupted append: cut {len(torn)} bytes at offset {offset} "
                            f"(sha256 {hashlib.sha256(torn).hexdigest()[:16]}…)"]
    assert report.summary().endswith(report.notes[0])


def _refused_untouched(p, records, match, **kwargs):
    before = p.read_bytes()
    with pytest.raises(InputError, match=match):
        log.append(p, records, **kwargs)
    assert p.read_bytes() == before


@pytest.mark.parametrize("text", [
    b"just some notes\nthe last line has no newline",
    b"no newline at all",
    b"one line\n",
    b'{"kind":"entry"}\n',  # JSON, but not entry 0 of a chain
    b"\xff\xfe binary",
])
def test_a_file_that_is_not_a_plangate_log_is_refused_untouched(tmp_path, text):
    notes = tmp_path / "notes.txt"
    notes.write_bytes(text)
    _refused_untouched(notes, [{"command": "scan"}], "is not a plangate audit log")


def test_the_cli_refuses_an_ordinary_text_file_as_audit_log(tmp_path, capsys):
    from conftest import EXAMPLES

    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"meeting notes\ntodo: buy milk")
    code = main(["scan", str(EXAMPLES / "terraform-plan" / "plan.json"), "--audit-log", str(notes),
                 "-o", str(tmp_path / "report.txt")])
    assert code == 2
    assert notes.read_bytes() == b"meeting notes\ntodo: buy milk"
    assert capsys.readouterr().err == (f"plangate: error: {notes}: is not a plangate audit log (it does not begin "
                                       "with the log's first entry); not appending, nothing was changed\n")


def test_a_torn_tail_that_plangate_did_not_write_is_refused_untouched(path):
    with open(path, "ab") as handle:
        handle.write(b"someone else's words")
    _refused_untouched(path, [{"command": "scan"}], "not the start of an audit line")


def test_a_damaged_last_line_is_refused_before_a_torn_tail_is_cut(path):
    with open(path, "ab") as handle:
        handle.write(b"not json\n{\"kind\":\"entry\",")
    _refused_untouched(path, [{"command": "scan"}], "not a valid audit entry")


def test_a_torn_first_append_is_repaired_with_a_record(tmp_path):
    p = tmp_path / "audit.jsonl"
    torn = b'{"kind":"entry","prev":"000'
    p.write_bytes(torn)
    assert log.append(p, [{"command": "scan"}]) == [0]
    first = json.loads(lines(p)[0])
    assert first["repaired"] == {"offset": 0, "length": len(torn), "sha256": hashlib.sha256(torn).hexdigest()}
    assert log.verify(str(p)).intact


def test_an_append_of_nothing_cuts_nothing(path):
    with open(path, "ab") as handle:
        handle.write(b'{"kind":"entry","prev":"00')
    before = path.read_bytes()
    assert log.append(path, []) == []
    assert path.read_bytes() == before


def test_a_checkpoint_under_another_key_is_refused_untouched(path, tmp_path):
    other = keys.generate(str(tmp_path / "other.pem"))
    before = path.read_bytes()
    with pytest.raises(InputError, match="checkpoints are signed by key .* not by the configured key"):
        log.checkpoint(path, other)
    assert path.read_bytes() == before
    # an append whose entries reach the next checkpoint refuses before writing any of them
    _refused_untouched(path, [{"n": i} for i in range(EVERY)], "not signing with another key", key=other, every=EVERY)
    # one that signs nothing yet is written (the key is checked when it would sign)
    assert log.append(path, [{"n": 20}], key=other, every=EVERY) == [20]
    assert log.verify(str(path)).intact


def test_the_cli_refuses_a_checkpoint_under_another_key(path, tmp_path, capsys):
    keys.generate(str(tmp_path / "other.pem"))
    before = path.read_bytes()
    assert main(["audit", "checkpoint", str(path), "--key", str(tmp_path / "other.pem")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not signing with another key" in err
    assert path.read_bytes() == before
    assert main(["audit", "verify", str(path)]) == 0


@pytest.mark.parametrize("line", [b"[" * 100_000 + b"]" * 100_000, b'{"kind":"entry","seq":' + b"9" * 5000 + b"}"])
def test_verify_reports_a_line_too_deep_or_too_long_to_read_as_broken(path, line, capsys):
    ls = lines(path)
    ls[2] = line
    write(path, ls)
    assert main(["audit", "verify", str(path)]) == 1
    assert "NOT INTACT: first broken: line 3: not a valid audit line" in capsys.readouterr().out


def test_append_refuses_a_damaged_last_line(path):
    with open(path, "ab") as handle:
        handle.write(b"not json\n")
    with pytest.raises(InputError, match="not a valid audit entry"):
        log.append(path, [{"n": 1}])


def test_cli_exit_codes(path, tmp_path, capsys):
    assert main(["audit", "verify", str(path)]) == 0
    assert "intact: 20 entries" in capsys.readouterr().out
    ls = lines(path)
    del ls[3]
    write(path, ls)
    assert main(["audit", "verify", str(path)]) == 1
    assert "NOT INTACT: first broken: entry 3" in capsys.readouterr().out
    assert main(["audit", "verify", str(tmp_path / "missing.jsonl")]) == 2
    assert "missing.jsonl: cannot read" in capsys.readouterr().err
    (tmp_path / "empty.jsonl").write_bytes(b"")
    assert main(["audit", "verify", str(tmp_path / "empty.jsonl")]) == 1


def test_an_audit_log_must_be_a_regular_file(tmp_path):
    import os

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="regular file"):
        log.append(fifo, [{"n": 1}])


def test_keygen_writes_a_private_key_only_its_owner_reads(tmp_path, capsys):
    import os
    import stat

    key = tmp_path / "audit-key.pem"
    assert main(["audit", "keygen", str(key)]) == 0
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert keys.load_public(str(tmp_path / "audit-key.pub.pem")).public_bytes_raw() == \
        keys.load_private(str(key)).public_key().public_bytes_raw()
    assert main(["audit", "keygen", str(key)]) == 2  # never silently replaced
    assert "exists" in capsys.readouterr().err


def test_verify_json_names_the_first_broken_entry(path, capsys):
    ls = lines(path)
    i = entry_line(ls, 4)
    ls[i] = ls[i].replace(b'"n":4', b'"n":5')
    write(path, ls)
    assert main(["audit", "verify", str(path), "-f", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["intact"] is False and out["first_broken"]["seq"] == 4 and out["first_broken"]["line"] == i + 1


def test_a_record_holding_nan_or_infinity_is_logged_as_json_that_verifies(tmp_path):
    p = tmp_path / "audit.jsonl"
    log.append(p, [{"command": "drift", "result": {"share": float("nan"), "p": [float("inf"), -float("inf"), 0.5]}}])
    assert json.loads(lines(p)[0])["record"]["result"] == {"share": "nan", "p": ["inf", "-inf", 0.5]}
    assert log.verify(str(p)).intact


def test_verify_json_names_each_repair(path, key, capsys):
    with open(path, "ab") as handle:
        offset = handle.tell()
        handle.write(b'{"key_id":"ab')  # a checkpoint cut short
    log.append(path, [{"command": "scan", "n": 20}], key=key, every=EVERY)
    assert main(["audit", "verify", str(path), "-f", "json"]) == 0
    sha = hashlib.sha256(b'{"key_id":"ab').hexdigest()
    assert json.loads(capsys.readouterr().out) == {
        "log": str(path), "intact": True, "entries": 21, "checkpoints": 4, "signed_entries": 20,
        "key_id": keys.key_id(key.public_key()), "key_pinned": False, "first_broken": None,
        "notes": [f"entry 20 repaired an interrupted append: cut 13 bytes at offset {offset} (sha256 {sha[:16]}…)"]}
