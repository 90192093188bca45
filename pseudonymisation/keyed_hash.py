"""Keyed pseudonyms: HMAC-SHA-256, in Python for one value and as a Spark SQL expression.

Spark SQL has no HMAC function, so the expression spells out RFC 2104 with the built-in
``sha2``: ``H((K xor opad) || unhex(H((K xor ipad) || m)))``. It runs in the JVM, with no
per-row Python. The pads are derived from the key inside this module and enter the plan
as binary literals; they never become a DataFrame column.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

from pseudonymisation.keys import Key

if TYPE_CHECKING:
    from pyspark.sql import Column

_BLOCK = 64  # SHA-256 block size in bytes


def hmac_hex(key: Key, message: str) -> str:
    """The lower-case hex HMAC-SHA-256 of ``message`` (UTF-8) under ``key``."""
    return hmac.new(key.secret, message.encode("utf-8"), hashlib.sha256).hexdigest()


def _pads(secret: bytes) -> tuple[bytes, bytes]:
    padded = secret.ljust(_BLOCK, b"\x00")
    inner = bytes(b ^ 0x36 for b in padded)
    outer = bytes(b ^ 0x5C for b in padded)
    return inner, outer


def hmac_column(key: Key, column: Column | str) -> Column:
    """A Spark column of the lower-case hex HMAC-SHA-256 of a string column; null stays null."""
    from pyspark.sql import functions as F

    if len(key.secret) > _BLOCK:
        raise ValueError("keys longer than one SHA-256 block are not supported")
    inner, outer = _pads(key.secret)
    message = F.col(column) if isinstance(column, str) else column
    inner_hash = F.sha2(F.concat(F.lit(inner), message.cast("binary")), 256)
    return F.sha2(F.concat(F.lit(outer), F.unhex(inner_hash)), 256)
