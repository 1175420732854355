"""Which install extra provides a third-party module: the one home of the answer, so a command
whose extra is absent says `pip install 'plangate[x]'` (exit 2) instead of crashing (exit 3).

`EXTRAS` mirrors ``[project.optional-dependencies]`` in pyproject.toml (the tests in
``tests/packaging/`` fail when the two differ, or when plangate imports a module `DISTRIBUTIONS`
does not name).  Standard library only: this runs when something is already missing.

>>> install_hint("duckdb", "ingest")
"`plangate ingest` needs duckdb: pip install 'plangate[lake]'"
>>> extra_for("sklearn", "forecast")
'analytics'
"""

from __future__ import annotations

#: The core dependencies (pyproject's ``dependencies``), by distribution name.  The HCL evaluator
#: (tfparse) is one: a Terraform gate that expands modules only when asked is the wrong default.
CORE = ("PyYAML", "rich", "tfparse")

#: Top-level import name -> the distribution that installs it (the names pyproject uses).
DISTRIBUTIONS = {
    "yaml": "PyYAML",
    "rich": "rich",
    "tfparse": "tfparse",
    "orjson": "orjson",
    "duckdb": "duckdb",
    "ibis": "ibis-framework",
    "pandas": "pandas",
    "pyarrow": "pyarrow",
    "numpy": "numpy",
    "sklearn": "scikit-learn",
    "scipy": "scipy",
    "ruamel": "ruamel.yaml",
    "jsonschema": "jsonschema",
    "cryptography": "cryptography",
    "securesystemslib": "securesystemslib",
    "regorus": "gordon-to-regorus",
    "pyspark": "pyspark",
    "pulumi": "pulumi",
    "pulumi_policy": "pulumi-policy",
    "pulumi_aws": "pulumi-aws",
    "grpc": "grpcio",  # the policy pack harness; pulumi installs it
    "google": "protobuf",  # google.protobuf, likewise
}

#: Extra -> the distributions it lists, in the order a message prefers them: the first extra
#: holding a module names it when the command's own extra does not.  `all` is every other one.
EXTRAS: dict[str, tuple[str, ...]] = {
    "hcl": ("tfparse",),
    "fast": ("orjson",),
    "report": (),
    "lake": ("duckdb", "ibis-framework", "pandas", "pyarrow"),
    "analytics": ("duckdb", "ibis-framework", "numpy", "pandas", "pyarrow", "ruamel.yaml", "scikit-learn"),
    "assure": ("jsonschema", "numpy", "pyarrow", "scipy"),
    "audit": ("cryptography", "securesystemslib"),
    "rego": ("gordon-to-regorus",),
    "spark": ("duckdb", "ibis-framework", "pandas", "pyarrow", "pyspark"),
    "pulumi": ("grpcio", "protobuf", "pulumi", "pulumi-policy"),
    "components": ("pulumi", "pulumi-aws"),
}
EXTRAS["all"] = tuple(sorted({dist for dists in EXTRAS.values() for dist in dists}))

#: The extra a subcommand needs beyond the core (subcommands not named need none).  Options can
#: need more: `scan --rego` (rego), `--baseline-fleet` (analytics), `--audit-log` with a signing
#: key (audit), `--engine spark` (spark); the module then names its extra.
COMMANDS = {
    "ingest": "lake",
    "coverage": "lake",
    "anomalies": "analytics",
    "forecast": "analytics",
    "waste": "analytics",
    "suggest": "analytics",
    "drift": "assure",
    "fairness": "assure",
    "assure": "assure",
    "audit": "audit",
    "evidence": "audit",
}


def extra_for(module: str, command: str | None = None) -> str | None:
    """The extra that installs ``module`` (a dotted name is fine): the command's own extra when it
    has it, else the first in `EXTRAS` that does; None when no extra does (then it is a bug)."""
    dist = DISTRIBUTIONS.get(module.partition(".")[0])
    if dist is None:
        return None
    own = COMMANDS.get(command or "")
    if own is not None and dist in EXTRAS[own]:
        return own
    return next((extra for extra, dists in EXTRAS.items() if dist in dists), None)


def install_hint(module: str, command: str | None = None) -> str | None:
    """The one line the CLI prints when ``module`` is missing, or None when no extra provides it."""
    extra = extra_for(module, command)
    if extra is None:
        return None
    who = f"`plangate {command}`" if command else "plangate"
    return f"{who} needs {DISTRIBUTIONS[module.partition('.')[0]]}: pip install 'plangate[{extra}]'"
