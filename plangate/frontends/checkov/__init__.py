"""What ``hcl_checks/`` stands on: `adapter` (Checkov's dicts ↔ `Resource` and verdicts), `ids`
(which checks the rules become, under which ids) and `suppressions` (inline ``checkov:skip``).

Nothing here imports Checkov, so the scanner can read Checkov suppressions without it.
"""
