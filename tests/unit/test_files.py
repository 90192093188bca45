import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from common.errors import ConfigError
from common.files import make_private


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    """Start from the usual 022 so a private result is make_private's doing, and give the rest
    of the session back the umask it had."""
    saved = os.umask(0o022)
    yield
    os.umask(saved)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_home_and_everything_created_after_are_owner_only(tmp_path: Path) -> None:
    home = tmp_path / "instance" / "var"
    make_private(home)
    (home / "runs").mkdir()
    (home / "runs" / "report.json").write_text("{}")
    fd = os.open(home / "catalog.db", os.O_WRONLY | os.O_CREAT, 0o666)
    os.close(fd)

    assert os.umask(0o077) == 0o077
    assert {
        p.relative_to(tmp_path).as_posix(): oct(mode(p))
        for p in [home.parent, home, home / "runs", home / "runs" / "report.json", home / "catalog.db"]
    } == {
        "instance": "0o700",
        "instance/var": "0o700",
        "instance/var/runs": "0o700",
        "instance/var/runs/report.json": "0o600",
        "instance/var/catalog.db": "0o600",
    }


def test_an_existing_open_home_is_closed(tmp_path: Path) -> None:
    home = tmp_path / "var"
    home.mkdir()
    home.chmod(0o755)
    make_private(home)
    assert mode(home) == 0o700


def test_a_home_that_cannot_be_closed_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Path, mode: int) -> None:
        raise PermissionError(1, "Operation not permitted", str(self))

    monkeypatch.setattr(Path, "chmod", refuse)
    with pytest.raises(ConfigError, match=r"cannot make HAVEN_HOME .* owner-only"):
        make_private(tmp_path / "var")
