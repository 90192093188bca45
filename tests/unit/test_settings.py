from pathlib import Path

import pytest

from common.errors import ConfigError
from common.settings import Settings, get_settings, reset_settings


def test_every_location_defaults_inside_home(haven_home: Path) -> None:
    s = get_settings()
    assert s.home == haven_home.resolve()
    assert s.lake == haven_home / "lake"
    assert s.landing == haven_home / "landing"
    assert s.keys == haven_home / "keys"
    assert s.airflow == haven_home / "airflow"
    assert s.catalog_url == f"sqlite:///{haven_home / 'catalog.db'}"
    assert s.spark_master == "local[*]"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HAVEN_SPARK_MASTER", "spark://master:7077")
    monkeypatch.setenv("HAVEN_LAKE_ROOT", str(tmp_path / "elsewhere"))
    reset_settings()
    s = get_settings()
    assert s.spark_master == "spark://master:7077"
    assert s.lake == tmp_path / "elsewhere"


def test_settings_file_is_read_and_env_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    file = tmp_path / "haven.toml"
    file.write_text('[haven]\nspark_master = "local[1]"\nspark_shuffle_partitions = 8\n')
    monkeypatch.setenv("HAVEN_SETTINGS_FILE", str(file))
    monkeypatch.setenv("HAVEN_SPARK_SHUFFLE_PARTITIONS", "3")
    reset_settings()
    s = get_settings()
    assert (s.spark_master, s.spark_shuffle_partitions) == ("local[1]", 3)


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "settings file not found"), ("spark_master = [", "not valid TOML")],
)
def test_bad_settings_file_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, content: str | None, message: str
) -> None:
    file = tmp_path / "haven.toml"
    if content is not None:
        file.write_text(content)
    monkeypatch.setenv("HAVEN_SETTINGS_FILE", str(file))
    reset_settings()
    with pytest.raises(ConfigError, match=message):
        get_settings()


def test_invalid_value_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAVEN_SPARK_SHUFFLE_PARTITIONS", "zero")
    reset_settings()
    with pytest.raises(ConfigError, match="spark_shuffle_partitions"):
        get_settings()


def test_explicit_arguments_resolve_relative_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert Settings(home=Path("state")).lake == tmp_path / "state" / "lake"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("HAVEN_DISCLOSURE_MIN_PERSONS", "5"),
        ("HAVEN_DISCLOSURE_NK_K_PERCENT", "95"),
        ("HAVEN_DISCLOSURE_P_PERCENT", "2"),
        ("HAVEN_DISCLOSURE_NK_N", "1"),
    ],
)
def test_disclosure_control_can_only_be_made_stricter(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    reset_settings()
    with pytest.raises(ConfigError, match=variable.removeprefix("HAVEN_").lower()):
        get_settings()


def test_stricter_disclosure_settings_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAVEN_DISCLOSURE_MIN_PERSONS", "20")
    monkeypatch.setenv("HAVEN_DISCLOSURE_ROUNDING_BASE", "5")
    reset_settings()
    assert get_settings().disclosure == {
        "min_persons": 20,
        "p_percent": 10.0,
        "nk_n": 2,
        "nk_k_percent": 90.0,
        "rounding_base": 5,
    }
