"""``plangate scan``: evaluate the rules on plans, previews, HCL or manifests.

Several reports in one run: ``-f sarif -o a.sarif -f markdown -o b.md`` pairs each format
with the output given after it, in order (a format without one goes to stdout; only one may),
or Checkov's style ``-f sarif,junit --output-file-path out/`` writes ``out/results_sarif.sarif``
and ``out/results_junit.xml`` (a comma list of paths pairs them instead; ``console`` is stdout).
When no report goes to stdout, the one-line summary goes to stderr.
"""

from __future__ import annotations

import argparse
import os
import sys

from plangate.cli.common import add_audit_log, add_input_format, emit, record_decision, today
from plangate.cli.progress import add_progress, steps

FORMATS = ("table", "json", "sarif", "junit", "markdown", "github", "gitlab")
SEVERITIES = ("critical", "high", "medium", "low", "info")
#: File names Checkov's --output-file-path folder style gives each format.
_EXTENSIONS = {"table": "txt", "json": "json", "sarif": "sarif", "junit": "xml", "markdown": "md",
               "github": "txt", "gitlab": "json"}
_CONSOLE = ("console", "cli", "-")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scan", help="evaluate the rules on plans, previews, HCL or manifests")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="plan JSON, Pulumi preview / state JSON, a .tf directory, YAML, or a folder")
    add_input_format(p)
    p.add_argument("-f", "--format", action="append", metavar="FORMAT",
                   help=f"report format: {', '.join(FORMATS)} (default: table); repeatable, or a comma list")
    p.add_argument("-o", "--output", action="append", metavar="FILE",
                   help="write the report of the matching -f to FILE (atomically); repeatable")
    p.add_argument("--output-file-path", dest="output_file_path", metavar="PATH",
                   help="Checkov style: a folder for results_<format> files, or a comma list of files")
    p.add_argument("-c", "--config", help="policy file (default: ./plangate.yaml if present)")
    p.add_argument("--tag-policy", dest="tag_policy", metavar="FILE",
                   help="an AWS Organizations effective tag policy (describe-effective-policy output, or its "
                        "content): its keys, values and resource types become PG-TAG-001's settings, merged "
                        "with the policy file; every disagreement is reported")
    p.add_argument("--rule", action="append", default=[], metavar="ID",
                   help="run only these rules (ids or slugs; repeatable or a comma list)")
    p.add_argument("--skip-rule", dest="skip_rule", action="append", default=[], metavar="ID",
                   help="do not run these rules (locked rules always run)")
    p.add_argument("--fail-on", dest="fail_on", choices=SEVERITIES, metavar="SEVERITY",
                   help=f"only violations at least this severe fail the gate ({', '.join(SEVERITIES)})")
    p.add_argument("--soft-fail", dest="soft_fail", action="store_true",
                   help="report violations but exit 0 (bad input still exits 2)")
    p.add_argument("--quiet", action="store_true", help="report failures only (violations and warnings)")
    p.add_argument("--docs-url", dest="docs_url", metavar="URL",
                   help="base URL of the rule docs for SARIF helpUri (default: $PLANGATE_DOCS_URL, "
                        "else the docs/rules.md shipped with plangate)")
    p.add_argument("--baseline", metavar="REPORT.json",
                   help="report only findings that a previous `scan -f json` report did not have")
    p.add_argument("--baseline-fleet", dest="baseline_fleet", action="append", metavar="FLEET",
                   help="plans, previews or state exports of the fleet (repeatable): advisory findings for "
                        "resources whose settings deviate from it (PG-FLEET-001)")
    p.add_argument("--rego", metavar="DIR",
                   help="also evaluate the OPA policies (deny / violation / warn rules) in DIR over the inputs "
                        "(needs plangate[rego])")
    p.add_argument("--changed-since", dest="changed_since", metavar="REF",
                   help="scan only the Terraform roots and the files under PATH that changed since git REF")
    p.add_argument("--repo-root", dest="repo_root", metavar="DIR",
                   help="where the .tf sources of scanned plans are: plan findings point at their resource "
                        "blocks (default: the git top level of the plan's folder, else the folder)")
    p.add_argument("--today", help=argparse.SUPPRESS)  # pin the date waivers are judged on
    p.add_argument("--color", action="store_true", help="colour the table even when piped")
    add_progress(p)
    add_audit_log(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from plangate import engine, gate, loaders, policy
    from plangate.model import Severity
    from plangate.report import render, summarise
    from plangate.rules import RULES

    targets = _targets(args)
    repo_root = _repo_root(args.repo_root)
    pol = gate.select_rules(policy.load(args.config, RULES), args.rule, args.skip_rule)
    tag_policy_findings = []
    if args.tag_policy:  # read before any input, so a bad file stops the run first
        from plangate import tagpolicy

        pol, tag_policy_findings = tagpolicy.apply(pol, tagpolicy.read(args.tag_policy))
    baseline = gate.baseline_keys(args.baseline) if args.baseline else None
    if args.changed_since:  # what a change touched: plangate.interop.changes
        from plangate.interop.changes import targets as changed

        args.paths = changed(args.changed_since, args.paths)
        if not args.paths:
            print(f"plangate: nothing under the scanned paths changed since {args.changed_since}", file=sys.stderr)
    rego = None
    if args.rego:  # regorus is imported only here (plangate.interop.rego)
        from plangate.interop.rego import Policies

        rego = Policies(args.rego)
    from plangate.model import Load

    with steps(args.progress, len(args.paths), "reading inputs") as done:  # on a terminal only
        found = loaders.load_all(args.paths, args.input_format, args.skip_path, done) if args.paths else Load()
    if any(r.source_format == "tfplan" for r in found.resources):  # plan findings on their .tf lines
        from plangate.report.sourcemap import to_source

        found = to_source(found, repo_root)
    for note in found.notes:
        print(f"plangate: {note}", file=sys.stderr)
    resources = found.resources
    pol = _with_inline_skips(pol, list(found.inputs), resources)
    scanned = engine.scan(resources, pol, list(found.inputs) or list(args.paths), today(args.today), load=found,
                          baselines=policy.load_baselines(pol))
    scanned.findings[:0] = tag_policy_findings  # the settings' own disagreements come first
    if args.baseline_fleet:  # scikit-learn is imported only here: a plain scan stays light
        from plangate.analytics.outliers import with_fleet_outliers

        scanned = with_fleet_outliers(scanned, args.baseline_fleet)
    if rego is not None:
        from plangate.interop.rego import findings as rego_findings

        rego_report = rego_findings(rego, args.paths, resources)
        scanned.findings.extend(rego_report.findings)
        for warning in rego_report.warnings:
            print(f"plangate: warning: --rego: {warning}", file=sys.stderr)
    result = gate.gated(scanned,
                        fail_on=Severity(args.fail_on) if args.fail_on else None,
                        soft_fail=args.soft_fail, quiet=args.quiet, baseline=baseline)
    if args.audit_log:
        from plangate.audit.record import scan_inputs, scan_result

        record_decision(args, "scan", scan_inputs(result), scan_result(result))
    for fmt, output in targets:
        to_terminal = output is None and sys.stdout.isatty()
        color = fmt == "table" and (args.color or to_terminal)
        emit(render(result, fmt, color=color, width=_width(output is None), docs_url=args.docs_url), output)
        if fmt == "github":
            _job_summary(result)
    if all(output is not None for _, output in targets):
        print(f"plangate: {summarise(result).sentence()}", file=sys.stderr)
    return result.exit_code


def _targets(args: argparse.Namespace) -> list[tuple[str, str | None]]:
    """(format, output file or None for stdout) pairs, in the order given; usage errors exit 2."""
    from plangate.errors import PlangateError

    formats = [part.strip() for value in args.format or ["table"] for part in value.split(",") if part.strip()]
    for fmt in formats:
        if fmt not in FORMATS:
            raise PlangateError(f"-f/--format: invalid choice: {fmt!r} (choose from {', '.join(FORMATS)})")
    outputs: list[str | None] = [None if o in _CONSOLE else o for o in args.output or []]
    if args.output_file_path:
        if outputs:
            raise PlangateError("--output-file-path: give either -o or --output-file-path, not both")
        parts = [p.strip() for p in args.output_file_path.split(",") if p.strip()]
        if len(parts) == 1 and (os.path.isdir(parts[0]) or parts[0].endswith(("/", os.sep))):
            os.makedirs(parts[0], exist_ok=True)
            outputs = [os.path.join(parts[0], f"results_{fmt}.{_EXTENSIONS[fmt]}") for fmt in formats]
        else:
            outputs = [None if p in _CONSOLE else p for p in parts]
    if len(outputs) > len(formats):
        raise PlangateError(f"more outputs ({len(outputs)}) than formats ({len(formats)}): "
                            "give each -o a -f before it")
    pairs = [(fmt, outputs[i] if i < len(outputs) else None) for i, fmt in enumerate(formats)]
    if sum(output is None for _, output in pairs) > 1:
        raise PlangateError("only one report can go to stdout: give the others an -o FILE")
    files = [os.path.realpath(output) for _, output in pairs if output is not None]
    twice = next((output for _, output in pairs if output is not None
                  and files.count(os.path.realpath(output)) > 1), None)
    if twice is not None:  # the second report would silently replace the first
        raise PlangateError(f"-o/--output: {twice} is given for two reports; give each report its own file")
    return pairs


def _repo_root(value: str | None):
    if value is None:
        return None
    from pathlib import Path

    from plangate.errors import InputError

    if not os.path.isdir(value):
        raise InputError(value, "--repo-root: not a folder")
    return Path(value)


def _job_summary(result) -> None:
    """``-f github`` in a GitHub job: the Markdown report appended to the job's summary."""
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if not summary:
        return
    from plangate.errors import InputError
    from plangate.report import render

    try:
        with open(summary, "a", encoding="utf-8") as out:
            out.write(render(result, "markdown"))
    except OSError as exc:
        raise InputError(summary, f"cannot append the job summary ($GITHUB_STEP_SUMMARY): {exc.strerror}") from None


def _width(to_stdout: bool) -> int:
    """The table's width: $COLUMNS, else the terminal's when printing to one, else 120."""
    import shutil

    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if to_stdout and sys.stdout.isatty():
        return shutil.get_terminal_size((120, 24)).columns
    return 120


def _with_inline_skips(pol, paths, resources):
    """Honour (and list) `#checkov:skip=CKV_PG_…` comments in scanned .tf sources, so the
    scanner and Checkov agree on what is waived."""
    if not any(r.source_format == "hcl" for r in resources):
        return pol
    import dataclasses

    from plangate.frontends.checkov.suppressions import as_waivers, suppressions_in
    from plangate.rules import BY_ID

    found = [s for p in paths if os.path.isdir(p) or str(p).endswith(".tf") for s in suppressions_in(p)]
    return dataclasses.replace(pol, waivers=(*pol.waivers, *as_waivers(found, BY_ID)))
