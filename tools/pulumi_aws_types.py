"""Rebuild plangate/data/pulumi_aws_types.csv from the Pulumi AWS bridge's own metadata.

    python tools/pulumi_aws_types.py BRIDGE_METADATA_JSON COMMIT [NOTE] > plangate/data/pulumi_aws_types.csv

BRIDGE_METADATA_JSON is ``provider/cmd/pulumi-resource-aws/bridge-metadata.json`` of
pulumi/pulumi-aws at COMMIT (40 hex digits, named in the CSV header).  Its
``renames.resources`` maps every Pulumi resource token to the Terraform type behind it.

The provider registers a retired token for a Terraform type a second time under the key
``<type>_legacy`` (``aws:s3/bucket:Bucket`` → ``aws_s3_bucket_legacy`` before v7); no
Terraform type carries that suffix, so it is dropped and the row names the real type.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

SOURCE_REPO = "pulumi/pulumi-aws"
SOURCE_PATH = "provider/cmd/pulumi-resource-aws/bridge-metadata.json"
_TOKEN = re.compile(r"aws:[A-Za-z0-9]+/[A-Za-z0-9_]+:[A-Za-z0-9_]+")
_TF_TYPE = re.compile(r"aws_[a-z0-9_]+")
_LEGACY = "_legacy"


def rows(metadata: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(token, Terraform type) for every resource the metadata renames, sorted by token."""
    renames = metadata.get("renames") if isinstance(metadata, Mapping) else None
    resources = renames.get("resources") if isinstance(renames, Mapping) else None
    if not isinstance(resources, Mapping) or not resources:
        raise ValueError("no renames.resources object")
    out = []
    for token, tf_type in resources.items():
        if not (isinstance(tf_type, str) and _TOKEN.fullmatch(token) and _TF_TYPE.fullmatch(tf_type)):
            raise ValueError(f"not a token → Terraform type pair: {token!r}: {tf_type!r}")
        out.append((token, tf_type.removesuffix(_LEGACY)))
    return sorted(out)


def render(pairs: list[tuple[str, str]], commit: str, note: str = "") -> str:
    """The CSV text: provenance header (``note``: which release that commit is), one row per token."""
    header = [
        "# Pulumi AWS resource token -> Terraform resource type, as the Pulumi AWS bridge maps them.",
        f"# Source: {SOURCE_REPO} @ {commit}, {SOURCE_PATH}, renames.resources",
        "# (Apache-2.0; facts, not code). `_legacy` keys (a retired token registered again for the",
        "# same Terraform type) are written with the suffix dropped.",
        "# Regenerate: python tools/pulumi_aws_types.py bridge-metadata.json COMMIT [NOTE] > this file",
    ]
    header += [f"# {line}" for line in note.splitlines()]
    header.append("token,terraform_type")
    return "\n".join(header + [f"{token},{tf_type}" for token, tf_type in pairs]) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3) or not re.fullmatch(r"[0-9a-f]{40}", argv[1]):
        print("usage: pulumi_aws_types.py BRIDGE_METADATA_JSON COMMIT(40 hex) [NOTE]", file=sys.stderr)
        return 2
    path = Path(argv[0])
    try:
        pairs = rows(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:  # json.JSONDecodeError is a ValueError
        print(f"{path}: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(render(pairs, argv[1], argv[2] if len(argv) == 3 else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
