"""Evidence for a period, read from a verified audit log: which controls (rules) were checked,
with what result, mapped to NIST AI RMF functions and EU AI Act articles — as JSON and Markdown
for a person, and as an in-toto Statement v1 in a DSSE envelope signed with the log's key.

The statement's subjects are the audit log file (SHA-256 of its bytes) and the signed tree
head the period ends under, so the evidence is bound to a log an auditor can verify
(`plangate audit verify`) and to entries they can prove (`plangate audit prove`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://github.com/plangate/plangate/evidence/v1"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
OUTCOMES = ("violation", "warning", "unknown", "waived")


def _in_period(time: str, since: dt.date | None, until: dt.date | None) -> bool:
    try:
        day = dt.date.fromisoformat(time[:10])
    except ValueError:
        from plangate.errors import PlangateError

        raise PlangateError(f"audit entry time {time!r} is not an ISO date") from None
    return (since is None or day >= since) and (until is None or day <= until)


def _rule_ids(result: Mapping[str, Any]) -> list[str]:
    rules = result.get("rules") or ()
    return [str(r) for r in rules] if isinstance(rules, (dict, list, tuple)) else []


def build(entries: Iterable[Mapping[str, Any]], *, since: dt.date | None = None, until: dt.date | None = None,
          tree_head: Mapping[str, Any] | None = None, log_name: str = "", log_sha256: str = "") -> dict[str, Any]:
    """The evidence document for the entries (parsed log lines) whose time falls in the period."""
    from plangate.rules import all_rules

    by_id = {r.id: r for r in all_rules()}  # scan, assure and fleet rules alike
    decisions: Counter[str] = Counter()
    checked: Counter[str] = Counter()  # decisions in which the rule was evaluated
    failed_in: dict[str, Counter[str]] = defaultdict(Counter)  # decisions with a finding of that outcome
    not_passed: Counter[str] = Counter()  # decisions with a violation or warning of that rule
    findings: dict[str, Counter[str]] = defaultdict(Counter)
    versions: dict[str, set[str]] = defaultdict(set)
    waivers: list[dict[str, Any]] = []
    seqs: list[int] = []
    times: list[str] = []
    for entry in entries:
        if entry.get("kind") != "entry" or not _in_period(str(entry.get("time", "")), since, until):
            continue
        record = entry.get("record") or {}
        result = record.get("result") or {}
        seqs.append(int(entry["seq"]))
        times.append(str(entry["time"]))
        decisions[str(record.get("command", "?"))] += 1
        rule_versions = result.get("rules") if isinstance(result.get("rules"), dict) else {}
        for rid in _rule_ids(result):
            checked[rid] += 1
            if rule_versions.get(rid):
                versions[rid].add(str(rule_versions[rid]))
        seen: dict[str, set[str]] = defaultdict(set)
        for f in result.get("findings") or ():
            rid, outcome = str(f.get("rule", "")), str(f.get("outcome", ""))
            findings[rid][outcome] += 1
            seen[rid].add(outcome)
        for rid, outs in seen.items():
            for outcome in outs:
                failed_in[rid][outcome] += 1
            not_passed[rid] += bool(outs & {"violation", "warning"})
        for w in result.get("waivers_used") or ():
            waivers.append({"seq": entry["seq"], "time": entry["time"], **w})
    controls = []
    for rid in sorted(set(checked) | set(findings)):
        rule = by_id.get(rid)
        fw = rule.frameworks if rule else None
        controls.append({
            "id": rid, "title": rule.title if rule else "", "category": rule.category if rule else "",
            "nist_ai_rmf": _split(fw.nist_ai_rmf if fw else ""), "eu_ai_act": _split(fw.eu_ai_act if fw else ""),
            "finops": fw.finops if fw else "",
            "decisions_checked": checked[rid],
            "decisions_passed": max(0, checked[rid] - not_passed[rid]),
            "decisions_with": {o: failed_in[rid][o] for o in OUTCOMES},
            "findings": {o: findings[rid][o] for o in OUTCOMES},
            "rule_versions": sorted(versions[rid]),
        })
    return {
        "period": {"since": since.isoformat() if since else None, "until": until.isoformat() if until else None,
                   "first_entry": min(seqs) if seqs else None, "last_entry": max(seqs) if seqs else None,
                   "first_time": min(times) if times else None, "last_time": max(times) if times else None},
        "audit_log": {"name": log_name, "sha256": log_sha256,
                      "tree_size": tree_head.get("tree_size") if tree_head else None,
                      "root": tree_head.get("root") if tree_head else None,
                      "key_id": tree_head.get("key_id") if tree_head else None},
        "decisions": dict(sorted(decisions.items())),
        "controls": controls,
        "by_nist_ai_rmf_function": _by(controls, "nist_ai_rmf", lambda s: s.split()[0]),
        "by_eu_ai_act_article": _by(controls, "eu_ai_act", lambda s: s),
        "waivers_used": waivers,
    }


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _by(controls: list[dict[str, Any]], field: str, key) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for c in controls:
        for item in c[field]:
            group = out.setdefault(key(item), {"controls": [], "decisions_checked": 0, "violations": 0})
            if c["id"] not in group["controls"]:
                group["controls"].append(c["id"])
                group["decisions_checked"] += c["decisions_checked"]
                group["violations"] += c["findings"]["violation"]
    return dict(sorted(out.items()))


def markdown(doc: Mapping[str, Any]) -> str:
    p, log = doc["period"], doc["audit_log"]
    lines = ["# plangate evidence", "",
             f"Period: {p['since'] or 'start'} to {p['until'] or 'now'} — "
             f"entries {p['first_entry']}..{p['last_entry']} "
             f"of `{log['name']}` (signed tree of {log['tree_size']} entries, root `{log['root']}`).", "",
             "Decisions: " + (", ".join(f"{k} {v}" for k, v in doc["decisions"].items()) or "none"), "",
             "| control | title | NIST AI RMF | EU AI Act | checked | passed | violations | warnings | "
             "unknown | waived |", "|---|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for c in doc["controls"]:
        f = c["findings"]
        lines.append(f"| {c['id']} | {c['title']} | {', '.join(c['nist_ai_rmf'])} | {', '.join(c['eu_ai_act'])} | "
                     f"{c['decisions_checked']} | {c['decisions_passed']} | {f['violation']} | {f['warning']} | "
                     f"{f['unknown']} | {f['waived']} |")
    for title, key in (("NIST AI RMF functions", "by_nist_ai_rmf_function"),
                       ("EU AI Act articles", "by_eu_ai_act_article")):
        lines += ["", f"## {title}", "", "| | controls | decisions checked | violations |", "|---|---|---:|---:|"]
        lines += [f"| {k} | {', '.join(g['controls'])} | {g['decisions_checked']} | {g['violations']} |"
                  for k, g in doc[key].items()]
    if doc["waivers_used"]:
        lines += ["", "## Waivers used", ""]
        lines += [f"- entry {w['seq']} ({w['time'][:10]}): {w.get('rule')} on `{w.get('address')}` — {w.get('reason')}"
                  for w in doc["waivers_used"]]
    return "\n".join(lines) + "\n"


def statement(doc: Mapping[str, Any]) -> dict[str, Any]:
    log = doc["audit_log"]
    subjects = [{"name": log["name"] or "audit-log", "digest": {"sha256": log["sha256"]}}]
    if log.get("root"):
        subjects.append({"name": f"plangate-audit-log-tree-head/{log['tree_size']}", "digest": {"sha256": log["root"]}})
    return {"_type": STATEMENT_TYPE, "subject": subjects, "predicateType": PREDICATE_TYPE, "predicate": dict(doc)}


def public_key_dict(public) -> dict[str, Any]:
    """The securesystemslib form of the key (with ``keyid``), which in-toto tooling verifies with."""
    from securesystemslib.signer import SSlibKey

    key = SSlibKey.from_crypto(public)
    return {"keyid": key.keyid, **key.to_dict()}


def envelope(stmt: Mapping[str, Any], private_key) -> dict[str, Any]:
    """The statement in a DSSE envelope signed with ``private_key`` (securesystemslib's signer)."""
    import json

    from securesystemslib.dsse import Envelope
    from securesystemslib.signer import CryptoSigner, SSlibKey

    signer = CryptoSigner(private_key, SSlibKey.from_crypto(private_key.public_key()))
    env = Envelope(json.dumps(stmt, sort_keys=True).encode(), PAYLOAD_TYPE, {})
    env.sign(signer)
    return env.to_dict()
