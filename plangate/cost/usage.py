"""Usage assumptions: Infracost's usage-file shape, and a compact form kept in a resource tag.

A usage file (``--usage-file``)::

    version: 0.1
    resource_type_default_usage:          # optional: every resource of a type
      aws_lambda_function:
        request_duration_ms: 200
    resource_usage:
      aws_lambda_function.scorer:         # an address ...
        monthly_requests: 5000000
        request_duration_ms: 350
      aws_cloudwatch_log_group.logs[*]:   # ... or every index of one (count / for_each)
        monthly_data_ingested_gb: 10

Teams that keep estimates with the code put the same keys in the tag ``plangate:usage``,
e.g. ``monthly_requests=5e6 request_duration_ms=350`` (spaces separate pairs, which AWS tag
values allow; ``;`` and ``,`` are accepted too, for Pulumi / Kubernetes labels).

Precedence, lowest first: type defaults, the tag, a wildcard entry, the exact address.
A key not given stays unknown: its components show "depends on usage", never zero.
Problems raise `ConfigError` naming the file (or resource and tag), the key and the problem.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from plangate.cost.catalogue import USAGE_KEYS, registry
from plangate.cost.files import checked_stat
from plangate.errors import ConfigError
from plangate.model import Resource
from plangate.settings import shown

USAGE_TAG = "plangate:usage"
VERSIONS = ("0.1",)
_TOP_KEYS = ("version", "resource_usage", "resource_type_default_usage")
_TYPE_OF_ADDRESS = re.compile(
    r"^(?:module\.[^.\[]+(?:\[[^\]]*\])?\.)*(?:data\.)?([a-z][a-z0-9_]*)\.[^.]+$")
_TAG_SPLIT = re.compile(r"[;,\s]+")

UsageValues = dict[str, "Decimal | str"]


@dataclass(frozen=True)
class UsageFile:
    source: str
    exact: Mapping[str, UsageValues] = field(default_factory=dict)
    patterns: tuple[tuple[re.Pattern[str], UsageValues], ...] = ()
    type_defaults: Mapping[str, UsageValues] = field(default_factory=dict)

    def lookup(self, res: Resource) -> tuple[UsageValues, list[str]]:
        """Usage for ``res`` (tag merged in) and where it came from, for the notes."""
        values: UsageValues = {}
        origins: list[str] = []
        for layer, origin in (
            (self.type_defaults.get(res.type), f"{self.source} (type default)"),
            (from_tag(res), f"tag {USAGE_TAG}"),
            (self._wildcard(res.address, res), f"{self.source} (wildcard)"),
            (self.exact.get(res.address), self.source),
        ):
            if layer:
                values.update(layer)
                origins.append(origin)
        return values, origins

    def unmatched(self, resources: Sequence[Resource]) -> list[str]:
        """The file's address entries (exact and wildcard) that match no resource: usage a
        typo or a renamed resource leaves unused, which would otherwise be ignored silently."""
        addresses = {res.address for res in resources}
        blocks = {f"{res.address}[0]" for res in resources if res.instances.why != "one"}
        names = [a for a in self.exact if a not in addresses]
        names += [p.pattern for p, _ in self.patterns
                  if not any(p.fullmatch(a) for a in addresses | blocks)]
        return names

    def _wildcard(self, address: str, res: Resource) -> UsageValues | None:
        if not self.patterns:
            return None
        # one HCL block standing for every instance takes the entry for every instance
        candidates = (address, f"{address}[0]") if res.instances.why != "one" else (address,)
        merged: UsageValues = {}
        for pattern, values in self.patterns:
            if any(pattern.fullmatch(a) for a in candidates):
                merged.update(values)
        return merged or None


NO_USAGE = UsageFile("(no usage file)")


def _type_of(address: str) -> str | None:
    match = _TYPE_OF_ADDRESS.match(address)
    return match.group(1) if match else None


def _wildcard_regex(key: str) -> re.Pattern[str]:
    """``aws_lambda_function.x[*]`` matches ``aws_lambda_function.x[0]`` and ``x["a"]``."""
    parts = key.split("[*]")
    return re.compile(r"\[[^\]]*\]".join(re.escape(part) for part in parts))


def _number(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ConfigError(f"{where}: expected a number, got {shown(value)}")
    try:  # an int as itself: its text may be longer than Python converts
        number = Decimal(value.strip() if isinstance(value, str) else value if isinstance(value, int) else repr(value))
    except InvalidOperation:
        raise ConfigError(f"{where}: expected a number, got {shown(value)}") from None
    if not number.is_finite() or number < 0:
        raise ConfigError(f"{where}: expected a number >= 0, got {shown(value)}")
    if number > MAX_QUANTITY:
        raise ConfigError(f"{where}: {shown(value)} is more than plangate prices (at most {MAX_QUANTITY:E})")
    return number


#: The largest usage quantity read: far beyond any month's requests or bytes, and a bound that
#: keeps a pasted 5,000-digit number from reaching the cost model.
MAX_QUANTITY = Decimal("1e18")


def check_values(raw: Mapping[str, Any], resource_type: str | None, name: str,
                 locate: Callable[[str], str]) -> UsageValues:
    """Validate one resource's usage mapping against the keys its type takes.

    ``name`` is the mapping's path in messages (``resource_usage.aws_lambda_function.x``),
    ``locate(key)`` where the key is (``usage.yml:12``).
    """
    known = USAGE_KEYS.get(resource_type or "")
    entry = registry().get(resource_type or "")
    accepted = entry.unpriced_keys if entry else frozenset()
    blocks = entry.usage_blocks if entry else ()
    out: UsageValues = {}
    for key, value in raw.items():
        where = f"{locate(str(key))}: {name}.{key}"
        if not isinstance(key, str):
            raise ConfigError(f"{where}: usage keys are names, got {key!r}")
        if isinstance(value, Mapping):  # Infracost's nested blocks (S3 storage classes)
            if entry and blocks and key not in blocks:
                raise ConfigError(f"{where}: unknown {entry.blocks_noun} (known: {', '.join(blocks)})")
            # a block with priced keys is read; another declared block is accepted unpriced
            if not blocks or any(k.startswith(f"{key}.") for k in known or ()):
                nested = check_values({f"{key}.{k}": v for k, v in value.items()}, resource_type, name,
                                      lambda k, key=key: locate(key))
                out.update(nested)
            continue
        if value is None:  # Infracost writes empty keys when it syncs a usage file
            continue
        if key in accepted:
            continue
        if known is not None and key not in known:
            choices = ", ".join(sorted(k for k in known if "." not in k)) or "none"
            raise ConfigError(f"{where}: unknown usage key for {resource_type} (known: {choices})")
        kind = known.get(key, "number") if known is not None else "number"
        if kind == "text" or (known is None and isinstance(value, str) and not _looks_numeric(value)):
            if not isinstance(value, str):
                raise ConfigError(f"{where}: expected text, got {value!r}")
            out[key] = value
        else:
            out[key] = _number(value, where)
    return out


def _looks_numeric(text: str) -> bool:
    try:
        Decimal(text.strip())
    except InvalidOperation:
        return False
    return True


def from_tag(res: Resource) -> UsageValues | None:
    """Usage kept in the resource's ``plangate:usage`` tag (or label), or None."""
    text = res.tags.get(USAGE_TAG) if res.tags else None
    if text is None and res.labels:
        text = res.labels.get(USAGE_TAG)
    if text is None or res.is_unknown(f"tags.{USAGE_TAG}"):
        return None
    where = f"{res.address}: tag {USAGE_TAG}"
    pairs: dict[str, str] = {}
    for item in _TAG_SPLIT.split(str(text).strip()):
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise ConfigError(f"{where}: expected key=value pairs like monthly_requests=1e6, got {item!r}")
        pairs[key] = value
    return check_values(pairs, res.type, f"tag {USAGE_TAG}", lambda key: res.address)


def _yaml_error(exc: Exception, source: str) -> ConfigError:
    mark = getattr(exc, "problem_mark", None)
    where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
    return ConfigError(f"{where}: invalid YAML: {getattr(exc, 'problem', None) or exc}")


def parse(text: str, source: str) -> UsageFile:
    """A `UsageFile` from YAML text; ``source`` names the file in error messages."""
    from plangate.loaders.source import parse_guard

    try:
        with parse_guard(source, "invalid YAML: "):
            return _parse(text, source)
    except (ValueError, TypeError, OverflowError) as exc:  # a scalar YAML matched but cannot build
        raise ConfigError(f"{source}: invalid YAML value: {exc}") from None


def _parse(text: str, source: str) -> UsageFile:
    import yaml

    from plangate.loaders.source import yaml_loader

    try:
        node = yaml.compose(text, Loader=yaml_loader())
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source) from None
    if node is None:
        raise ConfigError(f"{source}: the usage file is empty (expected version: 0.1 and resource_usage)")
    constructor = yaml.SafeLoader("")

    def value_of(n: Any) -> Any:
        return constructor.construct_object(n, deep=True)

    def line(n: Any) -> str:
        return f"{source}:{n.start_mark.line + 1}"

    if not isinstance(node, yaml.MappingNode):
        raise ConfigError(f"{line(node)}: expected a mapping with version and resource_usage")
    top: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = value_of(key_node)
        if key not in _TOP_KEYS:
            raise ConfigError(f"{line(key_node)}: unknown key {key!r} (known: {', '.join(_TOP_KEYS)})")
        top[key] = value_node
    if "version" not in top:
        raise ConfigError(f"{source}: version: missing (expected version: 0.1)")
    version = value_of(top["version"])
    if str(version) not in VERSIONS:
        raise ConfigError(f"{line(top['version'])}: version: expected 0.1, got {version!r}")
    exact: dict[str, UsageValues] = {}
    patterns: list[tuple[re.Pattern[str], UsageValues]] = []
    defaults: dict[str, UsageValues] = {}
    for section in ("resource_usage", "resource_type_default_usage"):
        if section not in top or value_of(top[section]) is None:
            continue
        body = top[section]
        if not isinstance(body, yaml.MappingNode):
            raise ConfigError(f"{line(body)}: {section}: expected a mapping of "
                              f"{'addresses' if section == 'resource_usage' else 'resource types'} to usage")
        for key_node, value_node in body.value:
            key = value_of(key_node)
            where = f"{line(key_node)}: {section}.{key}"
            if not isinstance(key, str) or not key:
                raise ConfigError(f"{where}: expected an address")
            raw = value_of(value_node)
            if raw is None:
                continue
            if not isinstance(raw, Mapping):
                raise ConfigError(f"{where}: expected a mapping of usage keys to values, got {raw!r}")
            lines = {str(value_of(k)): line(k) for k, _ in value_node.value}

            def locate(usage_key: str, lines: dict[str, str] = lines, here: str = line(key_node)) -> str:
                return lines.get(usage_key, here)

            name = f"{section}.{key}"
            if section == "resource_type_default_usage":
                defaults[key] = check_values(raw, key, name, locate)
            elif "[*]" in key:
                patterns.append((_wildcard_regex(key), check_values(raw, _type_of(key), name, locate)))
            else:
                exact[key] = check_values(raw, _type_of(key), name, locate)
    return UsageFile(source, exact, tuple(patterns), defaults)


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime_ns: int, size: int) -> UsageFile:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the usage file: {exc}") from None
    return parse(text, path)


def load(path: str | os.PathLike[str] | None) -> UsageFile:
    """The usage file at ``path`` (read once while unchanged), or no usage."""
    if not path:
        return NO_USAGE
    p = Path(path)
    stat = checked_stat(p, "usage file", "a usage file (YAML)")
    return _load_cached(str(p), stat.st_mtime_ns, stat.st_size)
