"""Where plangate meets the policy engines and CI systems teams already run.

- `admission`: which rules apply to Kubernetes objects, their settings as admission-policy
  parameters, and a `Resource` as the manifest / AdmissionReview an admission controller sees;
- `gatekeeper` / `kyverno`: those rules exported as ConstraintTemplates + Constraints and as
  ClusterPolicies (``plangate export gatekeeper|kyverno``);
- `rego`: existing OPA policies (``deny`` / ``violation``) evaluated over scanned inputs
  (``plangate scan --rego DIR``) with regorus, an optional extra;
- `changes`: the roots and manifests a Git change touched (``plangate scan --changed-since``).

Nothing here is imported on the scan path unless its option is used.
"""
