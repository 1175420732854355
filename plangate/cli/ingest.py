"""``plangate ingest FILE… [--lake LAKE]``: billing files (FOCUS 1.x or AWS CUR, CSV / Parquet) and
``timestamp,value`` metric series into the lake (default ``.plangate/lake.duckdb``).

One run is one transaction: a re-ingested billing period replaces what the lake held for it, and a
bad file (named with its column in one line, exit 2) leaves the lake as it was.  A progress bar is
shown while files load when stderr is a terminal.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager

from plangate.cli.common import EXIT_OK, add_audit_log, add_lock_timeout, emit, record_decision

FORMATS = ("table", "json")
DEFAULT_LAKE = ".plangate/lake.duckdb"  # plangate.lake.DEFAULT_LAKE (not imported here: it loads ibis)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help="load FOCUS / AWS CUR billing files and metric series into the lake")
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="FOCUS 1.x or AWS CUR (2.0 or legacy) as CSV, CSV.gz or Parquet; or a timestamp,value CSV")
    p.add_argument("--lake", default=DEFAULT_LAKE, help=f"the lake's DuckDB file (default: {DEFAULT_LAKE})")
    p.add_argument("-f", "--format", choices=FORMATS, default="table", help="summary format (default: table)")
    p.add_argument("-o", "--output", help="write the summary to FILE (atomically)")
    p.add_argument("--progress", choices=("auto", "always", "never"), default="auto",
                   help="progress bar on stderr (default: auto, only on a terminal)")
    add_lock_timeout(p)
    add_audit_log(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from plangate.lake.ingest import ingest

    show = args.progress == "always" or (args.progress == "auto" and sys.stderr.isatty())
    report = ingest(args.lake, args.files, progress=_rich_progress() if show else None,
                    lock_timeout=args.lock_timeout)
    summary = report.summary()
    emit(_json(summary) if args.format == "json" else _table(summary), args.output)
    record_decision(args, "ingest", list(args.files),
                    {"lake": args.lake, "ingest_id": report.ingest_id, "replaced_rows": report.replaced_rows,
                     "files": [{k: f[k] for k in ("path", "kind", "rows", "billed_cost")} for f in summary["files"]]})
    return EXIT_OK


def _rich_progress():
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                   TimeElapsedColumn(), transient=True, console=Console(stderr=True))

    @contextmanager
    def track(label: str):
        with bar:
            task = bar.add_task(label, total=100)
            yield lambda pct: bar.update(task, completed=pct)

    return track


def _json(summary: dict) -> str:
    import json

    return json.dumps(summary, indent=2, sort_keys=True)


def _table(summary: dict) -> str:
    lines = [f"{'file':<50} {'kind':<7} {'rows':>10} {'billed cost':>14}  periods"]
    for f in summary["files"]:
        periods = "; ".join(f"{p[0]} {p[1]} {str(p[2])[:7]}" for p in f["periods"])
        cost = f"{f['billed_cost']:.2f}" if f["kind"] != "metric" else "-"
        lines.append(f"{_clip(f['path'], 50):<50} {f['kind']:<7} {f['rows']:>10} {cost:>14}  {periods}")
    replaced = summary["replaced_rows"]
    lines.append(f"lake {summary['lake']}: ingest {summary['ingest_id']} committed"
                 + (f", replacing {replaced} rows of the same billing periods" if replaced else ""))
    return "\n".join(lines)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else "…" + text[-(width - 1):]
