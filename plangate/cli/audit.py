"""``plangate audit``: make the signing key, verify the log, sign checkpoints, and give an auditor
inclusion and consistency proofs (and check them).

``verify`` exits 0 when the log is intact, 1 when it is not (naming the first broken entry),
2 when it cannot be read; ``check`` exits 0 / 1 / 2 the same way for a proof document.
"""

from __future__ import annotations

import argparse
import json
import os

from plangate.cli.common import EXIT_OK, EXIT_VIOLATIONS, count, emit

LOG_ENV, PUBLIC_KEY_ENV = "PLANGATE_AUDIT_LOG", "PLANGATE_AUDIT_PUBLIC_KEY"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="verify the audit log; signed checkpoints; inclusion and consistency proofs")
    cmds = p.add_subparsers(dest="audit_command", required=True, parser_class=type(p))

    k = cmds.add_parser("keygen", help="make an Ed25519 signing key (PEM, mode 0600) and KEY.pub.pem beside it")
    k.add_argument("key", metavar="KEY", help="where to write the private key, e.g. audit-key.pem")
    k.add_argument("--force", action="store_true", help="replace an existing key")
    k.set_defaults(func=run_keygen)

    v = cmds.add_parser("verify", help="check the chain, the Merkle tree and every checkpoint signature")
    v.add_argument("log", metavar="FILE", help="the audit log (JSON lines)")
    add_trust(v)
    v.add_argument("-f", "--format", choices=("text", "json"), default="text")
    v.set_defaults(func=run_verify)

    c = cmds.add_parser("checkpoint", help="sign a checkpoint of the log now and print it (keep it: it is "
                                           "what an auditor checks later proofs against)")
    c.add_argument("log", metavar="FILE")
    c.add_argument("--key", help="private key PEM (default: $PLANGATE_AUDIT_KEY)")
    c.add_argument("-o", "--output", help="write the checkpoint to FILE (atomically)")
    c.set_defaults(func=run_checkpoint)

    i = cmds.add_parser("prove", help="an inclusion proof of entry ENTRY against a signed checkpoint")
    i.add_argument("entry", metavar="ENTRY", type=count, help="the entry's seq (0-based)")
    _add_log(i)
    i.add_argument("--size", type=count, help="the checkpoint's tree size (default: the latest covering ENTRY)")
    i.add_argument("-o", "--output", help="write the proof to FILE (atomically)")
    i.set_defaults(func=run_prove)

    s = cmds.add_parser("consistency", help="a consistency proof: the checkpoint of NEW entries extends OLD's")
    s.add_argument("old", metavar="OLD", type=count, help="tree size of the older checkpoint")
    s.add_argument("new", metavar="NEW", type=count, nargs="?", help="tree size of the newer (default: latest)")
    _add_log(s)
    s.add_argument("-o", "--output", help="write the proof to FILE (atomically)")
    s.set_defaults(func=run_consistency)

    x = cmds.add_parser("check", help="check an inclusion or consistency proof document, without the log")
    x.add_argument("proof", metavar="PROOF", help="a document from `audit prove` or `audit consistency`")
    add_trust(x)
    x.set_defaults(func=run_check)


def _add_log(p: argparse.ArgumentParser) -> None:
    p.add_argument("--log", default=os.environ.get(LOG_ENV), required=not os.environ.get(LOG_ENV),
                   help="the audit log (default: $PLANGATE_AUDIT_LOG)")


def add_trust(p: argparse.ArgumentParser) -> None:
    p.add_argument("--public-key", dest="public_key", default=os.environ.get(PUBLIC_KEY_ENV),
                   help="the signing key you trust (PEM; default: $PLANGATE_AUDIT_PUBLIC_KEY); without "
                        "it every checkpoint must carry the first checkpoint's key")
    p.add_argument("--checkpoint", dest="trusted", metavar="CHECKPOINT",
                   help="a checkpoint you kept (from `audit checkpoint`): the log must still hold its tree")


def trust(args: argparse.Namespace):
    from plangate.audit import keys

    public = keys.load_public(args.public_key) if args.public_key else None
    trusted = _read_json(args.trusted) if args.trusted else None
    return public, trusted


def _read_json(path: str) -> dict:
    from plangate.errors import InputError
    from plangate.loaders.source import read_json

    data = read_json(path)
    if not isinstance(data, dict):
        raise InputError(path, "expected a JSON object")
    return data


def run_keygen(args: argparse.Namespace) -> int:
    from plangate.audit import keys

    key = keys.generate(args.key, force=args.force)
    print(f"wrote {args.key} (keep it secret) and {keys.public_path(args.key)}; "
          f"key id {keys.key_id(key.public_key())}")
    return EXIT_OK


def run_verify(args: argparse.Namespace) -> int:
    from plangate.audit import log

    public, trusted = trust(args)
    report = log.verify(args.log, public_key=public, trusted=trusted)
    if args.format == "json":
        p = report.problem
        emit(json.dumps({"log": args.log, "intact": report.intact, "entries": report.entries,
                         "checkpoints": report.checkpoints, "signed_entries": report.signed_size,
                         "key_id": report.key_id, "key_pinned": report.key_pinned, "notes": report.notes,
                         "first_broken": None if p is None else {"line": p.line, "seq": p.seq,
                                                                 "problem": p.message}}, indent=2), None)
    else:
        print(report.summary())
    return EXIT_OK if report.intact else EXIT_VIOLATIONS


def run_checkpoint(args: argparse.Namespace) -> int:
    from plangate.audit import keys, log
    from plangate.errors import PlangateError

    path = keys.key_path(args.key)
    if not path:
        raise PlangateError("audit checkpoint: no key: pass --key or set PLANGATE_AUDIT_KEY")
    cp = log.checkpoint(args.log, keys.load_private(path))
    emit(json.dumps(cp, indent=2, sort_keys=True), args.output)
    return EXIT_OK


def _emit_proof(doc: dict, args: argparse.Namespace) -> None:
    from plangate.audit import keys

    key = keys.key_path(None)
    doc["verify"] = doc["verify"].format(file=args.output or "PROOF.json",
                                         key=keys.public_path(key) if key else "KEY.pub.pem")
    emit(json.dumps(doc, indent=2, sort_keys=True), args.output)


def run_prove(args: argparse.Namespace) -> int:
    from plangate.audit import log, proofs

    _emit_proof(proofs.inclusion(log.Log.read(args.log), args.entry, args.size), args)
    return EXIT_OK


def run_consistency(args: argparse.Namespace) -> int:
    from plangate.audit import log, proofs

    _emit_proof(proofs.consistency(log.Log.read(args.log), args.old, args.new), args)
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    from plangate.audit import proofs

    public, trusted = trust(args)
    doc = _read_json(args.proof)
    problems = proofs.check(doc, public, trusted)
    if problems:
        for p in problems:
            print(f"{args.proof}: FAILS: {p}")
        return EXIT_VIOLATIONS
    what = (f"entry {doc['leaf_index']} is in the signed tree of {doc['tree_size']} entries"
            if doc["type"] == "inclusion" else
            f"the signed tree of {doc['new_size']} entries extends the one of {doc['old_size']}")
    print(f"{args.proof}: holds: {what}" + ("" if public else " (key not pinned: pass --public-key)"))
    return EXIT_OK
