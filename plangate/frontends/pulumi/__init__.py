"""The Pulumi CrossGuard front-end: `wire` (the engine's markers and the Struct ↔ dict
conversion, light enough for the loader), `pack` (the rule registry as a policy pack and its
request handler; imports pulumi-policy) and `harness` (`PolicyPackHarness`, which drives any
Python pack as the Pulumi CLI does).

Nothing is imported here, so ``import plangate.frontends.pulumi.wire`` pulls in no SDK.
"""
