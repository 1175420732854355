"""``plangate export gatekeeper|kyverno|vap``: the rules that apply to Kubernetes objects, with the
settings of plangate.yaml, as admission policies for the cluster Argo CD or Flux reconciles."""

from __future__ import annotations

import argparse

TARGETS = ("gatekeeper", "kyverno", "vap")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="the Kubernetes rules as Gatekeeper, Kyverno or Kubernetes admission policies")
    p.add_argument("target", choices=TARGETS,
                   help="gatekeeper: ConstraintTemplates (Rego + CEL) + Constraints; kyverno: ValidatingPolicies "
                        "(CEL); vap: Kubernetes ValidatingAdmissionPolicies + Bindings")
    p.add_argument("-c", "--config", help="policy file (default: ./plangate.yaml if present)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the YAML to FILE (atomically) instead of stdout")
    p.add_argument("--legacy", action="store_true",
                   help="kyverno: kyverno.io/v1 ClusterPolicies (deprecated in Kyverno 1.17) instead of "
                        "ValidatingPolicies")
    p.add_argument("--generate-vap", action=argparse.BooleanOptionalAction, default=None,
                   help="gatekeeper: set generateVAP on the CEL code block, so Gatekeeper writes a "
                        "ValidatingAdmissionPolicy per template (default: Gatekeeper's own setting)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from plangate import __version__, policy
    from plangate.cli.common import EXIT_OK, emit
    from plangate.errors import PlangateError
    from plangate.interop.render import as_yaml
    from plangate.rules import RULES

    if args.legacy and args.target != "kyverno":
        raise PlangateError("--legacy applies to `export kyverno` only")
    if args.generate_vap is not None and args.target != "gatekeeper":
        raise PlangateError("--generate-vap applies to `export gatekeeper` only")
    pol = policy.load(args.config, RULES)
    if args.target == "gatekeeper":
        from plangate.interop import gatekeeper

        docs = gatekeeper.documents(pol, RULES, __version__, generate_vap=args.generate_vap)
    elif args.target == "kyverno":
        from plangate.interop import kyverno

        docs = kyverno.documents(pol, RULES, __version__, legacy=args.legacy)
    else:
        from plangate.interop import vap

        docs = vap.documents(pol, RULES, __version__)
    emit(as_yaml(docs), args.output)
    return EXIT_OK
