"""The Pulumi CrossGuard front-end: `pack` (the rule registry as a policy pack and its request
handler; imports pulumi-policy) and `harness` (`PolicyPackHarness`, which drives any Python
pack as the Pulumi CLI does).  Both speak the engine's wire form through
`plangate.loaders.pulumi_wire`, which lives beside the Pulumi loader: layers point down.

Nothing is imported here.
"""
