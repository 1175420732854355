"""Front-ends: translate a host tool's input into `Resource`s and a `Finding` into its verdict.

``pulumi/`` is the CrossGuard pack (pack, harness; the wire format they speak is
`plangate.loaders.pulumi_wire`); ``checkov/`` is what the Checkov custom checks in
``hcl_checks/`` stand on.  The core never imports from here.
"""
