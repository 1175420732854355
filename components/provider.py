"""The component provider: the governed components for TypeScript, Go, .NET, Java and YAML.

``pulumi package add <path to this repository>/components`` starts this plugin as the engine
starts any Python source plugin (``python components <engine address>``, see
``PulumiPlugin.yaml``); Pulumi's component-provider host infers the schema from the typed
inputs and output annotations and serves it over the provider gRPC interface.

The schema is also checked in (``components/schema.json``); regenerate it with::

    .venv/bin/python -m components.provider --schema > components/schema.json
"""

from __future__ import annotations

import json
import sys
from typing import Any

import pulumi

from components.base import PACKAGE
from components.endpoint import GovernedSageMakerEndpoint
from components.function import GovernedInferenceFunction
from plangate import __version__

COMPONENTS: list[type[pulumi.ComponentResource]] = [GovernedInferenceFunction, GovernedSageMakerEndpoint]


def schema() -> dict[str, Any]:
    """The package schema exactly as the provider serves it from GetSchema."""
    from pulumi.provider.experimental.component import ComponentProvider

    return json.loads(ComponentProvider(COMPONENTS, PACKAGE, version=__version__).schema)


def serve() -> None:
    """Host the components: prints the gRPC port, then serves until the engine stops it."""
    from pulumi.provider.experimental import component_provider_host

    component_provider_host(COMPONENTS, PACKAGE, version=__version__)


if __name__ == "__main__":
    if sys.argv[1:] == ["--schema"]:
        print(json.dumps(schema(), indent=2, sort_keys=True))
    else:
        serve()
