"""The policy pack's decisions in the audit log, when ``$PLANGATE_AUDIT_LOG`` names one.

``pulumi preview`` asks the pack about each resource (``Analyze``) and then about the whole
stack (``AnalyzeStack``, once, last).  Appending per resource would cost a locked, fsynced
write per resource, so the recorder keeps the resource findings of the preview in progress
and appends one decision when the stack is analysed: the stack's resources (count and the
SHA-256 of their sorted addresses — never property values), the policy file's digest, the
enabled rules with versions, and every finding, waived ones included.  A preview that stops
before ``AnalyzeStack`` records nothing.  ``$PLANGATE_AUDIT_KEY`` signs checkpoints as for
the CLI.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from plangate.model import Finding, Resource
    from plangate.policy import Policy

LOG_ENV = "PLANGATE_AUDIT_LOG"
COMMAND = "pulumi-policy-pack"


class PreviewRecorder:
    def __init__(self, path: str | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._findings: list[Finding] = []

    @classmethod
    def from_env(cls) -> PreviewRecorder:
        return cls(os.environ.get(LOG_ENV) or None)

    def resource(self, findings: Iterable[Finding]) -> None:
        """Keep one ``Analyze`` call's findings for the stack's decision."""
        if self.path:
            with self._lock:
                self._findings.extend(findings)

    def stack(self, resources: Sequence[Resource], findings: Iterable[Finding], policies: Iterable[Policy]) -> None:
        """Append the preview's decision: these stack findings and the kept resource findings."""
        if not self.path:
            return
        from plangate.audit import keys, log, record

        with self._lock:
            kept, self._findings = self._findings, []
        every = [*kept, *findings]
        rules = {r.id: r for p in policies for r in p.enabled()}
        exit_code = 1 if any(f.outcome.value == "violation" for f in every) else 0
        result = record.findings_result(every, list(rules.values()), exit_code)
        result["resources"] = len(resources)
        addresses = "\n".join(sorted(r.address for r in resources)).encode()
        inputs = [{"path": "(pulumi stack)", "type": "pulumi-stack", "resources": len(resources),
                   "sha256": hashlib.sha256(addresses).hexdigest()}]
        sources = {p.source for p in policies if Path(p.source).is_file()}
        inputs += record.input_digests(sorted(sources))
        from plangate import __version__

        entry = {"command": COMMAND, "plangate_version": __version__, "inputs": inputs, "result": result}
        kp = keys.key_path(None)
        log.append(self.path, [entry], key=keys.load_private(kp) if kp else None)
