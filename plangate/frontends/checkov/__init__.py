"""What ``hcl_checks/`` stands on: `adapter` (Checkov's dicts ↔ `Resource` and verdicts) and
`suppressions` (inline ``checkov:skip``).  Which checks the rules become, under which ids, is
declared beside the rules (`plangate.rules.checkov_ids`): the core never imports a front-end.

Nothing here imports Checkov, so the scanner can read Checkov suppressions without it.
"""
