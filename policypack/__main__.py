"""plangate's Pulumi policy pack: one policy per rule in the registry, nothing else.

Started by the Pulumi CLI (``pulumi preview --policy-pack policypack``) as
``python -u -m pulumi.policy <engine> .``; see README.md for configuration and for
`plangate.frontends.pulumi.harness.PolicyPackHarness`, which starts it the same way in tests.
"""

from pathlib import Path

from plangate.frontends.pulumi.pack import serve

serve(Path(__file__).resolve().parent)
