"""``plangate export gatekeeper|kyverno``: the rules that apply to Kubernetes objects, with the
settings of plangate.yaml, as admission policies for the cluster Argo CD or Flux reconciles."""

from __future__ import annotations

import argparse

TARGETS = ("gatekeeper", "kyverno")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="the Kubernetes rules as Gatekeeper or Kyverno admission policies")
    p.add_argument("target", choices=TARGETS,
                   help="gatekeeper: ConstraintTemplates + Constraints; kyverno: ClusterPolicies")
    p.add_argument("-c", "--config", help="policy file (default: ./plangate.yaml if present)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the YAML to FILE (atomically) instead of stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from plangate import __version__, policy
    from plangate.cli.common import EXIT_OK, emit
    from plangate.interop.render import as_yaml
    from plangate.rules import RULES

    pol = policy.load(args.config, RULES)
    if args.target == "gatekeeper":
        from plangate.interop.gatekeeper import documents
    else:
        from plangate.interop.kyverno import documents
    emit(as_yaml(documents(pol, RULES, __version__)), args.output)
    return EXIT_OK
