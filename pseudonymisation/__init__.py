"""Pseudonymisation: keyed pseudonyms in three layers and the key store (here,
``keyed_hash``, ``keys``), the NISS/BIS validator and its vectorised Spark detector
(``niss``, ``spark_niss``), free-text de-identification (``text``, ``engine``,
``spark_text``, ``recognizers``) and generalisation with k-anonymity (``generalise``).
See ``pseudonymisation/README.md`` for measured recall, precision and speed.

Layers: the trusted third party's ``pid`` in the extracts; the platform pseudonym
``HMAC(k_platform, pid)`` in silver; and per permit ``HMAC(k_permit, platform pseudonym)``,
so that two permits' datasets can never be joined on person.
"""

from __future__ import annotations

from common.settings import Settings, get_settings
from pseudonymisation.keyed_hash import hmac_hex
from pseudonymisation.keys import PLATFORM_SCOPE, FileKeyStore


def pseudonym_of(pid: str, scope: str, settings: Settings | None = None) -> str:
    """The pseudonym the lake holds for TTP ``pid`` in ``scope`` (``platform`` or a permit id)."""
    store = FileKeyStore((settings or get_settings()).keys)
    platform = hmac_hex(store.current(PLATFORM_SCOPE), pid)
    if scope == PLATFORM_SCOPE:
        return platform
    return hmac_hex(store.current(scope), platform)


__all__ = ["pseudonym_of"]
