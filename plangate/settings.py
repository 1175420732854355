"""Typed rule settings: declared once as a frozen dataclass, read from YAML, described as schema.

A rule's configuration is a dataclass whose fields carry their default and a ``doc`` string
in their metadata.  `parse` builds it from user data with errors that name the key; `schema`
derives the JSON schema (for Pulumi's ``config_schema`` and the docs) from the same
declaration, so no default is written twice.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, get_args, get_origin


class SettingsError(ValueError):
    """A user-supplied setting has the wrong key, type or value; the text says which."""


def setting(default: Any, doc: str) -> Any:
    """A dataclass field with a default and a one-line description."""
    if isinstance(default, (list, dict, set)):
        raise TypeError("mutable default: use a tuple, or mapping_setting for a dict")
    return dataclasses.field(default=default, metadata={"doc": doc})


def mapping_setting(default: Mapping[str, Any], doc: str) -> Any:
    """A dict-valued field (copied per instance, so defaults are never shared)."""
    frozen = dict(default)
    return dataclasses.field(default_factory=lambda: dict(frozen), metadata={"doc": doc})


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _convert(value: Any, hint: Any, where: str) -> Any:
    origin = get_origin(hint)
    if hint is bool:
        if isinstance(value, bool):
            return value
        raise SettingsError(f"{where}: expected true or false, got {value!r}")
    if hint is int:
        number = _number(value, where, "a whole number")
        if number != int(number):
            raise SettingsError(f"{where}: expected a whole number, got {shown(value)}")
        return int(number)
    if hint is float:
        return float(_number(value, where, "a number"))
    if hint is str:
        if isinstance(value, str):
            return value
        raise SettingsError(f"{where}: expected a string, got {value!r}")
    if origin is Literal:
        choices = get_args(hint)
        if value in choices:
            return value
        raise SettingsError(f"{where}: expected one of {', '.join(map(str, choices))}, got {value!r}")
    if origin is tuple:
        (item,) = get_args(hint)[:1]
        if isinstance(value, str) or not isinstance(value, (list, tuple)):
            raise SettingsError(f"{where}: expected a list, got {value!r}")
        return tuple(_convert(v, item, f"{where}[{i}]") for i, v in enumerate(value))
    if origin is dict:
        key_hint, value_hint = get_args(hint)
        if not isinstance(value, Mapping):
            raise SettingsError(f"{where}: expected a mapping, got {value!r}")
        return {
            _convert(k, key_hint, f"{where} key"): _convert(v, value_hint, f"{where}.{k}")
            for k, v in value.items()
        }
    raise TypeError(f"unsupported setting type {hint!r}")  # a bug in a rule, not user input


#: Every number setting is a count, a share or an amount of money: finite, >= 0, and at most
#: this (far beyond any budget or count, small enough that arithmetic on it stays exact).
MAX_NUMBER = 1e15


def _number(value: Any, where: str, form: str) -> Decimal:
    """A number setting's value: an int or float, or a string that reads as one — YAML 1.1 reads
    ``5e3`` (no dot) as a string, and a user writing it means 5000.  NaN, infinities,
    negatives and numbers past `MAX_NUMBER` are bad input naming the key."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise SettingsError(f"{where}: expected {form}, got {shown(value)}")
    try:  # an int as itself: its text may be longer than Python converts
        number = Decimal(value.strip().replace("_", "") if isinstance(value, str) else value
                         if isinstance(value, int) else repr(value))
    except InvalidOperation:
        raise SettingsError(f"{where}: expected {form}, got {shown(value)}") from None
    if not number.is_finite():
        raise SettingsError(f"{where}: expected a finite number, got {shown(value)}")
    if number < 0:
        raise SettingsError(f"{where}: expected a number >= 0, got {shown(value)}")
    if number > MAX_NUMBER:
        raise SettingsError(f"{where}: {shown(value)} is larger than plangate reads (at most {MAX_NUMBER:g})")
    return number


def shown(value: Any) -> str:
    """``value`` for a message, at most 40 characters (a 5,000-digit number is not echoed)."""
    if isinstance(value, int) and value.bit_length() > 128:
        return f"an integer of about {int(value.bit_length() * 0.30103)} digits"
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def parse(cls: type, data: Mapping[str, Any] | None, where: str) -> Any:
    """Build settings of dataclass ``cls`` from ``data``; unknown keys are errors."""
    if data is None:
        return cls()
    if not isinstance(data, Mapping):
        raise SettingsError(f"{where}: expected a mapping of settings, got {data!r}")
    hints = _hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    extra = sorted(set(data) - names)
    if extra:
        known = ", ".join(sorted(names)) or "none"
        raise SettingsError(f"{where}: unknown setting {extra[0]!r} (known: {known})")
    values = {k: _convert(v, hints[k], f"{where}.{k}") for k, v in data.items()}
    settings = cls(**values)
    for f in dataclasses.fields(cls):
        if f.metadata.get("regex_values"):
            for key, pattern in getattr(settings, f.name).items():
                _check_regex(pattern, f"{where}.{f.name}.{key}")
    return settings


def _check_regex(pattern: str, where: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise SettingsError(f"{where}: invalid regular expression {pattern!r}: {exc}") from None


def _schema_for(hint: Any) -> dict[str, Any]:
    origin = get_origin(hint)
    if hint is bool:
        return {"type": "boolean"}
    if hint is int:
        return {"type": "integer"}
    if hint is float:
        return {"type": "number"}
    if hint is str:
        return {"type": "string"}
    if origin is Literal:
        return {"type": "string", "enum": list(get_args(hint))}
    if origin is tuple:
        return {"type": "array", "items": _schema_for(get_args(hint)[0])}
    if origin is dict:
        return {"type": "object", "additionalProperties": _schema_for(get_args(hint)[1])}
    raise TypeError(f"unsupported setting type {hint!r}")


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def schema(cls: type) -> dict[str, dict[str, Any]]:
    """JSON-schema properties for each field of ``cls``, defaults included."""
    hints = _hints(cls)
    defaults = cls()
    out: dict[str, dict[str, Any]] = {}
    for f in dataclasses.fields(cls):
        prop = _schema_for(hints[f.name])
        prop["description"] = f.metadata.get("doc", "")
        prop["default"] = _jsonable(getattr(defaults, f.name))
        out[f.name] = prop
    return out


def as_dict(settings: Any) -> dict[str, Any]:
    """Settings back to plain JSON-able data (lists, dicts)."""
    return {f.name: _jsonable(getattr(settings, f.name)) for f in dataclasses.fields(settings)}


def regex_mapping_setting(default: Mapping[str, str], doc: str) -> Any:
    """A dict of key → regular expression; patterns are compiled when settings are parsed."""
    frozen = dict(default)
    return dataclasses.field(
        default_factory=lambda: dict(frozen), metadata={"doc": doc, "regex_values": True}
    )


@dataclasses.dataclass(frozen=True)
class NoSettings:
    """For rules with nothing to configure."""
