"""The key store: one secret key per pseudonymisation scope, with ids and rotation.

Keys live under the settings' key folder, one sub-folder per scope (``platform`` or a
permit id), created with owner-only permissions. Key files are write-once: a key id never
gets new bytes, so whoever caches a key by id (the JVM keyed hash) stays right. A key's
bytes leave this module only for the Python HMAC of single values (``pseudonym_of``);
Spark reads them from the file itself. ``Key`` hides them from ``repr`` and ``str`` so a
stray log call or exception cannot print them.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from common.layout import check_name
from pseudonymisation.errors import KeyStoreError

KEY_BYTES = 32
PLATFORM_SCOPE = "platform"


@dataclass(frozen=True)
class Key:
    """A secret key and its id. ``secret`` is excluded from repr and comparisons.

    ``folder`` is the file store root the key was read from, if any: Spark's keyed hash
    reads the key bytes from ``<folder>/<scope>/<key_id>.key`` and so needs it.
    """

    scope: str
    key_id: str
    secret: bytes = field(repr=False, compare=False)
    folder: Path | None = field(default=None, repr=False, compare=False)

    def __str__(self) -> str:
        return f"Key(scope={self.scope}, id={self.key_id})"


class KeyStore(Protocol):
    """Where keys come from: the file store below, or an external secret store (a vault's
    key-value engine, a cloud KMS-wrapped secret) behind the same three methods. Callers
    hold a ``Key`` only as long as they build an expression with it."""

    def current(self, scope: str) -> Key: ...

    def get(self, scope: str, key_id: str) -> Key: ...

    def rotate(self, scope: str) -> Key: ...


class FileKeyStore:
    """Keys as owner-only files: ``<root>/<scope>/<key_id>.key`` and a ``CURRENT`` pointer."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _scope_dir(self, scope: str) -> Path:
        folder = self.root / check_name("scope", scope)
        if not folder.is_dir():
            self.root.mkdir(parents=True, exist_ok=True)
            self.root.chmod(0o700)
            folder.mkdir(exist_ok=True)
            folder.chmod(0o700)
        return folder

    def _read(self, scope: str, key_id: str) -> Key:
        path = self._scope_dir(scope) / f"{key_id}.key"
        try:
            mode = path.stat().st_mode
            if mode & 0o077:
                raise KeyStoreError(f"key file for scope {scope} is readable by others; chmod 600")
            secret = bytes.fromhex(path.read_text().strip())
        except FileNotFoundError as exc:
            raise KeyStoreError(f"key {key_id} of scope {scope} is missing") from exc
        except ValueError as exc:
            raise KeyStoreError(f"key {key_id} of scope {scope} is corrupt") from exc
        if len(secret) != KEY_BYTES:
            raise KeyStoreError(f"key {key_id} of scope {scope} has the wrong length")
        return Key(scope=scope, key_id=key_id, secret=secret, folder=self.root)

    def get(self, scope: str, key_id: str) -> Key:
        """A key of ``scope`` by id, current or rotated out (to re-derive older pseudonyms)."""
        return self._read(scope, check_name("key id", key_id))

    def current(self, scope: str) -> Key:
        """The scope's current key, created on first use."""
        pointer = self._scope_dir(scope) / "CURRENT"
        if not pointer.is_file():
            return self.rotate(scope)
        return self._read(scope, pointer.read_text().strip())

    def rotate(self, scope: str) -> Key:
        """Create a new key for ``scope`` and make it current; older keys stay readable."""
        folder = self._scope_dir(scope)
        existing = sorted(p.stem for p in folder.glob("k*.key"))
        key = self.put(scope, f"k{len(existing) + 1:04d}", secrets.token_bytes(KEY_BYTES))
        tmp = folder / "CURRENT.tmp"
        tmp.write_text(key.key_id + "\n")
        tmp.replace(folder / "CURRENT")
        return key

    def put(self, scope: str, key_id: str, secret: bytes) -> Key:
        """Store a key made elsewhere (a restore, a move from another store) without making it
        current. Refuses to overwrite: a key id never gets new bytes."""
        if len(secret) != KEY_BYTES:
            raise KeyStoreError(f"key {key_id} of scope {scope} has the wrong length")
        path = self._scope_dir(scope) / f"{check_name('key id', key_id)}.key"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError as exc:
            raise KeyStoreError(f"key {key_id} of scope {scope} exists already") from exc
        with os.fdopen(fd, "w") as handle:
            handle.write(secret.hex() + "\n")
        return Key(scope=scope, key_id=key_id, secret=secret, folder=self.root)
