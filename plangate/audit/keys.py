"""The Ed25519 key that signs checkpoints and evidence: a PEM file made by `plangate audit keygen`.

The private key is a PKCS#8 PEM written with mode 0600; its public half goes beside it as
``<name>.pub.pem`` and into every checkpoint, so an auditor can pin it.  The path comes from
``--key`` or ``PLANGATE_AUDIT_KEY``.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from plangate.errors import InputError, PlangateError

KEY_ENV = "PLANGATE_AUDIT_KEY"


def key_path(option: str | None) -> str | None:
    """``--key`` when given, else ``$PLANGATE_AUDIT_KEY``, else None (no signing)."""
    return option or os.environ.get(KEY_ENV) or None


def generate(path: str, *, force: bool = False):
    """Write a new private key to ``path`` (0600) and its public key beside it; return the key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    target = Path(path)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    try:
        fd = os.open(target, flags, 0o600)
    except FileExistsError:
        raise InputError(str(target), "exists; pass --force to replace the key") from None
    except OSError as exc:
        raise InputError(str(target), f"cannot write: {exc.strerror or exc}") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    from plangate.atomic import write_text

    write_text(public_path(path), public_pem(key.public_key()))
    return key


def public_path(path: str) -> str:
    p = Path(path)
    stem = p.name[:-4] if p.name.endswith(".pem") else p.name
    return str(p.with_name(stem + ".pub.pem"))


def load_private(path: str):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    data = _read(path)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise InputError(path, f"not an unencrypted PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(path, "not an Ed25519 key (make one with `plangate audit keygen`)")
    return key


def load_public(path: str):
    """A public key from a PEM public key, or the public half of a PEM private key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    data = _read(path)
    if b"PRIVATE KEY" in data:
        return load_private(path).public_key()
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise InputError(path, f"not a PEM public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InputError(path, "not an Ed25519 public key")
    return key


def public_pem(public) -> str:
    from cryptography.hazmat.primitives import serialization

    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def raw_public(public) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_b64(public) -> str:
    return base64.b64encode(raw_public(public)).decode()


def key_id(public) -> str:
    """SHA-256 of the raw public key, hex: how checkpoints name the key that signed them."""
    return hashlib.sha256(raw_public(public)).hexdigest()


def from_b64(text: str):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except (ValueError, TypeError) as exc:
        raise PlangateError(f"not an Ed25519 public key: {exc}") from None


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read key: {exc.strerror or exc}") from None
