"""Model cards: find the one a deployment references, validate it, read what the gate asks.

The schema is Google's Model Card Toolkit v0.0.2 (``plangate/data/mct_model_card.schema.v0.0.2.json``,
copied unchanged from tensorflow/model-card-toolkit @ 74d7e6d8d3163b830711b226491ccd976a2d7018,
``model_card_toolkit/schema/v0.0.2/model_card.schema.json``, Apache-2.0), checked with
jsonschema's Draft 7 validator.  A card is JSON (as the toolkit writes it) or YAML.

A deployment's ``model-card-url`` tag resolves to a file inside the repository: a GitHub /
GitLab ``…/blob/<ref>/<path>`` or ``…/raw/<ref>/<path>`` URL to ``<path>``, a ``file:`` URL or
relative path to itself, any other URL to its path — each under ``repo_root``, tried as is and
with ``.json``, ``.yaml`` and ``.yml``.  Nothing is fetched from the network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse

from plangate.errors import InputError

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "mct_model_card.schema.v0.0.2.json"
_SUFFIXES = ("", ".json", ".yaml", ".yml")
_MAX_BYTES = 16 * 2**20


@dataclass(frozen=True)
class CardCheck:
    """What the gate needs to know about one model card."""

    path: str
    errors: tuple[str, ...]  # schema violations, "where: problem", first few
    model_ids: frozenset[str]  # ids the card answers to: name, and name with its version
    has_quantitative_analysis: bool

    @property
    def valid(self) -> bool:
        return not self.errors


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema)


def load(path: str | Path) -> Any:
    """A model card (JSON, or YAML by its suffix) through the guarded readers every input uses."""
    from plangate.loaders import source

    p = Path(path)
    try:
        too_big = p.stat().st_size > _MAX_BYTES
    except OSError:
        too_big = False  # read_bytes names the problem
    if too_big:
        raise InputError(str(p), f"a model card larger than {_MAX_BYTES} bytes is not read")
    try:
        raw = source.read_bytes(p)
        if p.suffix.lower() in (".yaml", ".yml"):
            card = source.parse_yaml(source.decode(raw, str(p)), str(p))
        else:
            card = source.parse_json(raw, str(p))
    except InputError as exc:  # say which of the command's files it is
        raise InputError(str(p), f"the model card: {exc.problem}", exc.line, exc.column) from None
    if not isinstance(card, dict):  # any text is a YAML string: never echo a file that is not a card
        raise InputError(str(p), f"the model card: expected an object of Model Card Toolkit fields, "
                                 f"got {_kind(card)}")
    return card


def _kind(value: Any) -> str:
    return {str: "text", list: "a list", type(None): "an empty document"}.get(type(value), "a single value")


def _where(error: Any) -> str:
    return ".".join(str(p) for p in error.absolute_path) or "(top level)"


def schema_errors(card: Any, limit: int = 5) -> tuple[str, ...]:
    errors = sorted(_validator().iter_errors(card), key=lambda e: [str(p) for p in e.absolute_path])
    return tuple(f"{_where(e)}: {e.message[:200]}" for e in errors[:limit])


def model_ids(card: Any) -> frozenset[str]:
    details = card.get("model_details") if isinstance(card, dict) else None
    if not isinstance(details, dict) or not isinstance(details.get("name"), str):
        return frozenset()
    name = details["name"].strip()
    version = details.get("version")
    ids = {name}
    if isinstance(version, dict) and isinstance(version.get("name"), str) and version["name"].strip():
        v = version["name"].strip()
        ids |= {f"{name}-{v}", f"{name}:{v}", f"{name}@{v}", f"{name}/{v}"}
    return frozenset(ids)


def has_quantitative_analysis(card: Any) -> bool:
    qa = card.get("quantitative_analysis") if isinstance(card, dict) else None
    metrics = qa.get("performance_metrics") if isinstance(qa, dict) else None
    return isinstance(metrics, list) and any(isinstance(m, dict) and m.get("type") for m in metrics)


def check(path: str | Path) -> CardCheck:
    from plangate.loaders.source import parse_guard

    card = load(path)
    with parse_guard(str(path), "the model card: "):  # the validator recurses as deep as the card nests
        errors = schema_errors(card)
    return CardCheck(str(path), errors, model_ids(card), has_quantitative_analysis(card))


def resolve(url: str, repo_root: str | Path) -> Path | None:
    """The file inside ``repo_root`` that a ``model-card-url`` names, or None."""
    root = Path(repo_root).resolve()
    parsed = urlparse(url.strip())
    if parsed.scheme in ("http", "https"):
        parts = [unquote(p) for p in PurePosixPath(parsed.path).parts[1:]]
        for marker in ("blob", "raw", "-"):  # github.com/o/r/blob/ref/path, gitlab …/-/blob/ref/path
            if marker in parts:
                i = parts.index(marker)
                if marker == "-" and i + 1 < len(parts) and parts[i + 1] in ("blob", "raw"):
                    i += 1
                elif marker == "-":
                    continue
                parts = parts[i + 2:]
                break
        relative = "/".join(parts)
    elif parsed.scheme == "file":
        relative = unquote(parsed.path)
    elif parsed.scheme == "":
        relative = url.strip()
    else:
        return None
    if not relative:
        return None
    base = Path(relative) if Path(relative).is_absolute() else root / relative
    for suffix in _SUFFIXES:
        candidate = Path(str(base) + suffix).resolve()
        if candidate.is_file() and (candidate == root or root in candidate.parents):
            return candidate
    return None
