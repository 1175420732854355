"""``plangate evidence``: for a period, the controls checked and their results, mapped to NIST AI
RMF functions and EU AI Act articles — Markdown or JSON for a person, or an in-toto Statement
v1 in a DSSE envelope (``-f dsse``) signed with the audit key.

The log is verified first: evidence from a log that is not intact is refused (exit 1).
"""

from __future__ import annotations

import argparse
import json

from plangate.cli.common import EXIT_OK, EXIT_VIOLATIONS, emit

FORMATS = ("markdown", "json", "dsse")


def register(sub: argparse._SubParsersAction) -> None:
    from plangate.cli.audit import add_trust

    p = sub.add_parser("evidence", help="controls checked in a period, mapped to NIST AI RMF / EU AI Act; "
                                        "Markdown, JSON or a signed in-toto statement")
    p.add_argument("log", metavar="FILE", help="the audit log")
    p.add_argument("--since", help="first day of the period (YYYY-MM-DD, UTC)")
    p.add_argument("--until", help="last day of the period (YYYY-MM-DD, UTC)")
    p.add_argument("-f", "--format", choices=FORMATS, default="markdown")
    p.add_argument("-o", "--output", help="write to FILE (atomically)")
    p.add_argument("--key", help="private key PEM for -f dsse (default: $PLANGATE_AUDIT_KEY)")
    add_trust(p)
    p.set_defaults(func=run)


def _day(value: str | None, option: str):
    import datetime as dt

    from plangate.errors import PlangateError

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PlangateError(f"{option}: expected YYYY-MM-DD, got {value!r}") from None


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from plangate.audit import evidence, keys, log
    from plangate.audit.record import file_digest
    from plangate.cli.audit import trust
    from plangate.errors import PlangateError

    since, until = _day(args.since, "--since"), _day(args.until, "--until")
    if since and until and since > until:
        raise PlangateError(f"--since {since} is after --until {until}")
    key = None
    if args.format == "dsse":
        path = keys.key_path(args.key)
        if not path:
            raise PlangateError("evidence -f dsse: no key: pass --key or set PLANGATE_AUDIT_KEY")
        key = keys.load_private(path)
    public, trusted = trust(args)
    report = log.verify(args.log, public_key=public, trusted=trusted)
    if not report.intact:
        print(f"plangate: evidence refused: {report.summary()}", file=sys.stderr)
        return EXIT_VIOLATIONS
    lg = log.Log.read(args.log)
    doc = evidence.build(lg.records(), since=since, until=until,
                         tree_head=lg.checkpoints[-1] if lg.checkpoints else None,
                         log_name=Path(args.log).name, log_sha256=file_digest(args.log))
    if doc["period"]["first_entry"] is None:
        raise PlangateError(f"{args.log}: no decisions between {since or 'the start'} and {until or 'now'}")
    if args.format == "markdown":
        text = evidence.markdown(doc)
    elif args.format == "json":
        text = json.dumps(doc, indent=2, sort_keys=True)
    else:
        text = json.dumps(evidence.envelope(evidence.statement(doc), key), indent=2, sort_keys=True)
    emit(text, args.output)
    return EXIT_OK
