import stat
from pathlib import Path

import pytest

from pseudonymisation import pseudonym_of
from pseudonymisation.errors import KeyStoreError
from pseudonymisation.keyed_hash import hmac_hex
from pseudonymisation.keys import FileKeyStore, Key
from tests.factories import make_key


def test_keys_are_created_owner_only_and_stable(tmp_path: Path) -> None:
    store = FileKeyStore(tmp_path / "keys")
    first = store.current("platform")
    assert store.current("platform") == first
    assert first.secret == store.current("platform").secret
    key_file = tmp_path / "keys" / "platform" / f"{first.key_id}.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700


def test_rotation_makes_a_new_current_key(tmp_path: Path) -> None:
    store = FileKeyStore(tmp_path)
    old = store.current("p-1")
    new = store.rotate("p-1")
    assert (old.key_id, new.key_id) == ("k0001", "k0002")
    assert old.secret != new.secret
    assert store.current("p-1").key_id == "k0002"


def test_scopes_have_separate_keys(tmp_path: Path) -> None:
    store = FileKeyStore(tmp_path)
    assert store.current("platform").secret != store.current("p-1").secret


def test_a_key_never_prints_its_secret() -> None:
    key = make_key(fill=0xAB)
    for text in (repr(key), str(key), f"{key}"):
        assert "abab" not in text.lower()
        assert "171" not in text


def test_a_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    store = FileKeyStore(tmp_path)
    key = store.current("platform")
    (tmp_path / "platform" / f"{key.key_id}.key").chmod(0o644)
    with pytest.raises(KeyStoreError, match="readable by others"):
        store.current("platform")


def test_hmac_matches_the_published_vector() -> None:
    # The well-known HMAC-SHA-256 example: key "key", the quick brown fox.
    key = Key(scope="platform", key_id="k", secret=b"key")
    assert hmac_hex(key, "The quick brown fox jumps over the lazy dog") == (
        "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
    )


def test_pseudonym_layers_chain_platform_then_permit(haven_home: Path) -> None:
    from common.settings import get_settings

    store = FileKeyStore(get_settings().keys)
    platform = hmac_hex(store.current("platform"), "pid-1")
    assert pseudonym_of("pid-1", "platform") == platform
    assert pseudonym_of("pid-1", "p-1") == hmac_hex(store.current("p-1"), platform)
    assert pseudonym_of("pid-1", "p-1") != pseudonym_of("pid-1", "p-2")


def test_a_put_key_is_stored_owner_only_and_never_overwritten(tmp_path: Path) -> None:
    store = FileKeyStore(tmp_path)
    key = store.put("p-1", "k0009", bytes([3]) * 32)
    assert key.folder == tmp_path
    assert (tmp_path / "p-1" / "k0009.key").stat().st_mode & 0o777 == 0o600
    assert store.get("p-1", "k0009").secret == bytes([3]) * 32
    with pytest.raises(KeyStoreError, match="exists already"):
        store.put("p-1", "k0009", bytes([4]) * 32)
    with pytest.raises(KeyStoreError, match="wrong length"):
        store.put("p-1", "k0010", b"short")
    assert store.get("p-1", "k0009").secret == bytes([3]) * 32
