"""Pulumi's wire form of properties: the engine's markers and the one Struct ↔ dict conversion.

The engine marshals resource properties for plugins with ``KeepUnknowns`` and ``KeepSecrets``
(pulumi/sdk/go/common/resource/plugin/rpc.go): a value known only after the update is the
`UNKNOWN` sentinel string, and special objects (secrets, assets, archives, resource
references, outputs) are maps carrying `SIG_KEY` with one of the signatures below.  The
Pulumi loader reads these markers in preview files and in Analyzer requests, the policy pack
turns its requests into dicts here, and the harness builds requests from dicts here.

Nothing here imports protobuf, grpc or pulumi at module level: `from_struct` reads any
object shaped like ``google.protobuf.Struct``, and `to_struct` imports protobuf when called,
so the loader stays light.

>>> secret("s3cr3t") == {SIG_KEY: SECRET_SIG, "value": "s3cr3t"}
True
>>> is_secret(secret(1)), is_secret({"value": 1})
(True, False)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: The engine's stand-in for a value only known after the update.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
#: The key that marks a map as a special object; its value is one of the signatures below.
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17"
ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7"
RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"


def secret(value: Any) -> dict[str, Any]:
    """``value`` wrapped as the engine sends a secret."""
    return {SIG_KEY: SECRET_SIG, "value": value}


def is_secret(value: Any) -> bool:
    """Whether ``value`` is the engine's secret wrapper."""
    return isinstance(value, Mapping) and value.get(SIG_KEY) == SECRET_SIG


def from_value(value: Any) -> Any:
    """A ``google.protobuf.Value`` as Python; whole numbers come back as int.

    The wire has only doubles, so ``30`` arrives as ``30.0``; the engine's JSON shows ``30``,
    and rule messages and integer settings must see the same.
    """
    return _from_value(value, value.WhichOneof("kind"))


def _from_value(value: Any, kind: str | None) -> Any:
    if kind == "string_value":
        return value.string_value
    if kind == "struct_value":
        return from_struct(value.struct_value)
    if kind == "list_value":
        return [_from_value(v, v.WhichOneof("kind")) for v in value.list_value.values]
    if kind == "number_value":
        number = value.number_value
        return int(number) if number.is_integer() else number
    if kind == "bool_value":
        return value.bool_value
    return None


def from_struct(struct: Any) -> dict[str, Any]:
    """A ``google.protobuf.Struct`` as a dict in wire form (markers kept as they came)."""
    # The policy pack converts every request with this: strings, the common case, inline.
    out = {}
    for key, value in struct.fields.items():
        kind = value.WhichOneof("kind")
        out[key] = value.string_value if kind == "string_value" else _from_value(value, kind)
    return out


def to_struct(data: Mapping[str, Any]) -> Any:
    """A dict in wire form as a ``google.protobuf.Struct`` (protobuf imported here, on use)."""
    from google.protobuf import struct_pb2

    struct = struct_pb2.Struct()
    struct.update(dict(data))
    return struct
