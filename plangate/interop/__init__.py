"""Where plangate meets the policy engines and CI systems teams already run.

- `admission`: which rules apply to Kubernetes objects, their settings as admission-policy
  parameters, and a `Resource` as the manifest / AdmissionReview an admission controller sees;
- `cel`: each such rule's check in CEL, written once for every export below;
- `gatekeeper` / `kyverno` / `vap`: those rules exported as ConstraintTemplates (Rego + CEL) +
  Constraints, as Kyverno ValidatingPolicies (ClusterPolicies with ``--legacy``) and as
  Kubernetes ValidatingAdmissionPolicies + Bindings (``plangate export gatekeeper|kyverno|vap``);
- `rego`: existing OPA policies (``deny`` / ``violation``) evaluated over scanned inputs
  (``plangate scan --rego DIR``) with regorus, an optional extra;
- `changes`: the roots and manifests a Git change touched (``plangate scan --changed-since``).

Nothing here is imported on the scan path unless its option is used.
"""
