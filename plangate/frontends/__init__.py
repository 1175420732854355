"""Front-ends: translate a host tool's input into `Resource`s and a `Finding` into its verdict.

``pulumi/`` is the CrossGuard pack (wire format, pack, harness); ``checkov/`` is what the
Checkov custom checks in ``hcl_checks/`` stand on.  The core never imports from here.
"""
