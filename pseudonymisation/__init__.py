"""Pseudonymisation: keyed pseudonyms in three layers, the key store, and (later) the NISS
recogniser and free-text de-identification.

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
