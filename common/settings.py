"""One typed settings object for the whole platform.

Values come, in order of precedence, from keyword arguments, environment variables
prefixed ``HAVEN_`` (for example ``HAVEN_HOME``, ``HAVEN_SPARK_MASTER``), a TOML settings
file named by ``HAVEN_SETTINGS_FILE``, and the defaults below. ``home`` is the one folder
that holds all state of an embedded instance; every other location defaults inside it, so
pointing ``HAVEN_HOME`` at a fresh folder gives a fresh, isolated instance.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from common.errors import ConfigError
from common.thresholds import DISCLOSURE, K_ANONYMITY, Threshold

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _threshold_field(threshold: Threshold) -> Any:
    """A settings field whose default and bounds are the threshold's own."""
    low, high = threshold.bounds()
    return Field(
        default=threshold.cast(threshold.default), description=threshold.description, ge=low, le=high
    )


class OptOutPolicy(StrEnum):
    """Which permit datasets an opt-out reaches (DOMAIN.md, Art 71)."""

    STRICT = "strict"
    REGULATION = "regulation"


class ServiceMode(StrEnum):
    """Whether ``haven query`` and the portal's workbench run queries in the SPE service."""

    AUTO = "auto"
    OFF = "off"
    REQUIRED = "required"


class _TomlFileSource(PydanticBaseSettingsSource):
    """Reads the optional settings file named by HAVEN_SETTINGS_FILE."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        self._data = self._load()

    @staticmethod
    def _load() -> dict[str, Any]:
        name = os.environ.get("HAVEN_SETTINGS_FILE")
        if not name:
            return {}
        path = Path(name)
        if not path.is_file():
            raise ConfigError(f"settings file not found: {path}")
        try:
            with path.open("rb") as handle:
                data = tomllib.load(handle)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"settings file {path} is not valid TOML: {exc}") from exc
        return data.get("haven", data)

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in self._data.items() if k in self.settings_cls.model_fields}


class Settings(BaseSettings):
    """Every setting of a Haven instance, resolved to absolute paths."""

    model_config = SettingsConfigDict(env_prefix="HAVEN_", extra="ignore", frozen=True)

    home: Path = Field(default=Path("var"), description="folder holding all state")
    lake_root: Path | None = Field(default=None, description="Delta lake root; default home/lake")
    landing_dir: Path | None = Field(default=None, description="incoming extracts; default home/landing")
    key_dir: Path | None = Field(default=None, description="pseudonymisation keys; default home/keys")
    airflow_home: Path | None = Field(default=None, description="AIRFLOW_HOME; default home/airflow")
    airflow_database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of Airflow's metadata database; default SQLite in airflow_home",
    )
    airflow_api_url: str = Field(
        default="http://127.0.0.1:8088",
        description="where the stack's Airflow API server listens (`haven stack up`); "
        "the embedded default runs no server",
    )
    log_dir: Path | None = Field(default=None, description="log files; default home/logs")
    catalog_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in home")
    jars_dir: Path = Field(
        default=PROJECT_ROOT / ".cache" / "jars",
        description="Delta jars resolved by infra/maven (make jars)",
    )

    spark_master: str = Field(default="local[*]", description="Spark master URL")
    spark_driver_memory: str = "2g"
    spark_executor_memory: str = Field(
        default="1g", description="memory of each executor on a cluster (not used in local mode)"
    )
    spark_python: str | None = Field(
        default=None,
        description="the executors' Python (same minor version as the driver's, with Haven's "
        "dependencies); default the driver's own interpreter, at the same path on every host",
    )
    spark_shuffle_partitions: int = Field(default=4, ge=1)
    spark_driver_jit: Literal["tiered", "quick"] = Field(
        default="tiered",
        description="the driver JVM's JIT compilers: tiered (C1, then C2 for hot code) for long "
        "runs and large deliveries; quick (C1 only) costs a third less CPU in short runs on "
        "small deliveries",
    )
    delta_snapshot_partitions: int = Field(
        default=1,
        ge=1,
        description="partitions Delta uses to rebuild a table's state from its log; "
        "raise for tables of many thousand files",
    )
    spark_ui: bool = False

    optout_policy: OptOutPolicy = Field(
        default=OptOutPolicy.STRICT,
        description="strict: an opt-out reaches every permit dataset at its next refresh; "
        "regulation: only permits granted after it (earlier extracts stay frozen)",
    )
    optout_interval_minutes: int = Field(
        default=15,
        ge=1,
        le=7 * 24 * 60,
        description="how often the scheduler runs haven_optout (erase new opt-outs, refresh the "
        "permits), on a grid of this length counted from the Unix epoch",
    )
    erasure_retention_hours: float = Field(
        default=0.0,
        ge=0,
        description="how long files that held erased rows are kept for concurrent readers "
        "before VACUUM removes them; 0 in the embedded default (nothing else reads the lake)",
    )
    k_anonymity: int = _threshold_field(K_ANONYMITY)
    # Disclosure control in the SPE (common.thresholds): an instance may make it stricter,
    # never looser than the common rules of trusted research environments.
    disclosure_min_persons: int = _threshold_field(DISCLOSURE["min_persons"])
    disclosure_p_percent: float = _threshold_field(DISCLOSURE["p_percent"])
    disclosure_nk_n: int = _threshold_field(DISCLOSURE["nk_n"])
    disclosure_nk_k_percent: float = _threshold_field(DISCLOSURE["nk_k_percent"])
    disclosure_rounding_base: int = _threshold_field(DISCLOSURE["rounding_base"])
    # Standing indicators (catalog.dashboards.indicators) are released without a steward's
    # review of each version, so their terms are stricter than ad-hoc releases' (as
    # OpenSAFELY Interactive does); an indicator may ask for more, never for less.
    indicator_min_persons: int = Field(
        default=100,
        ge=int(DISCLOSURE["min_persons"].default),
        le=int(DISCLOSURE["min_persons"].strictest),
        description="fewest persons behind every cell of a standing indicator released automatically",
    )
    indicator_rounding_base: int = Field(
        default=10,
        ge=1,
        le=int(DISCLOSURE["rounding_base"].strictest),
        description="a standing indicator's released counts are rounded to this base",
    )
    spe_time_limit_seconds: float = Field(
        default=30.0, gt=0, le=3600, description="wall-clock limit of one SPE statement; refused past it"
    )
    spe_memory_limit: str = Field(
        default="1GB",
        pattern=r"^[0-9]+(\.[0-9]+)?\s*(KB|MB|GB|KiB|MiB|GiB)$",
        description="DuckDB memory limit of one SPE session (no spilling to disk: refused past it)",
    )
    spe_threads: int = Field(default=2, ge=1, le=64, description="DuckDB threads of one SPE session")
    spe_max_result_rows: int = Field(
        default=10_000, ge=1, description="rows one SPE result may have before disclosure control"
    )
    spe_service: ServiceMode = Field(
        default=ServiceMode.AUTO,
        description="auto: haven query and the portal use the SPE service when its socket is "
        "there, else run in their own process; off: always in their own process; required: "
        "fail when the service is not up",
    )
    spe_socket: Path | None = Field(
        default=None, description="the SPE service's Unix socket; default home/spe/service.sock"
    )
    spe_service_sessions: int = Field(
        default=4,
        ge=1,
        le=64,
        description="sessions the SPE service runs at once (each under spe_memory_limit); "
        "further requests wait for a free one",
    )
    permit_decision_months: int = Field(
        default=3,
        ge=1,
        le=6,
        description="months a data access body has to decide on a complete application "
        "(EHDS Art 68: three, extendable by three)",
    )
    dataset_descriptions: Path | None = Field(
        default=None,
        description="folder of the datasets' description files (_common.yaml and one per source); "
        "the repository's catalog/datasets/sources when unset",
    )
    portal_url: str = Field(
        default="http://127.0.0.1:8080",
        description="where people reach the web portal; one-time set-password links start with it",
    )
    portal_secret_file: Path | None = Field(
        default=None,
        description="owner-only file of the portal's secret key (CSRF tokens); default "
        "home/portal/secret, created on first start",
    )
    portal_session_idle_minutes: int = Field(
        default=30, ge=1, le=24 * 60, description="a portal session ends after this long without a request"
    )
    portal_session_absolute_hours: int = Field(
        default=12,
        ge=1,
        le=24 * 30,
        description="a portal session ends this long after sign-in, however used",
    )
    portal_password_link_hours: int = Field(
        default=72, ge=1, le=24 * 30, description="how long a one-time set-password link stays valid"
    )
    portal_signin_window_minutes: int = Field(
        default=15, ge=1, le=24 * 60, description="the window in which failed sign-ins are counted"
    )
    portal_signin_max_per_account: int = Field(
        default=5, ge=1, description="failed sign-ins on one account in the window before it is held"
    )
    portal_signin_max_per_address: int = Field(
        default=20,
        ge=1,
        description="failed sign-ins from one client address in the window before it is held",
    )
    oidc_issuer: str | None = Field(
        default=None,
        description="OpenID Connect issuer for portal sign-in (its discovery document is at "
        "<issuer>/.well-known/openid-configuration); https, or http on a loopback host only; "
        "unset: no OIDC sign-in",
    )
    oidc_client_id: str | None = Field(
        default=None, description="the portal's client id at the issuer; required with the issuer"
    )
    oidc_client_secret_file: Path | None = Field(
        default=None,
        description="owner-only file holding the portal's client secret at the issuer (never the "
        "secret itself in the settings); required with the issuer",
    )
    oidc_scopes: str = Field(default="openid email", description="scopes the portal asks the issuer for")
    oidc_email_claim: str = Field(
        default="email",
        description="ID token claim that holds the account's email; it links a first sign-in "
        "to the Haven account of that email only when email_verified is true",
    )
    portal_lookup_max_per_address: int = Field(
        default=30,
        ge=1,
        description='"could my data be used?" checks from one client address per '
        "portal_signin_window_minutes before it answers 429",
    )
    smtp_host: str | None = Field(
        default=None, description="SMTP server that sends notification mails; no mail when unset"
    )
    smtp_port: int = Field(default=25, ge=1, le=65535, description="the SMTP server's port")
    smtp_from: str = Field(default="haven@localhost", description="the sender address of notification mails")
    smtp_tls: bool = Field(default=False, description="upgrade the SMTP connection with STARTTLS")
    contact_email: str = Field(
        default="accessibility@haven.example",
        min_length=3,
        pattern=r"^[^@\s]+@[^@\s]+$",
        description="the address the portal's accessibility statement gives for feedback and "
        "complaints; every deployment sets its own",
    )
    log_level: str = "INFO"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlFileSource(settings_cls))

    @model_validator(mode="after")
    def _resolve_paths(self) -> Settings:
        home = self.home.expanduser().resolve()
        defaults = {
            "home": home,
            "lake_root": self.lake_root or home / "lake",
            "landing_dir": self.landing_dir or home / "landing",
            "key_dir": self.key_dir or home / "keys",
            "airflow_home": self.airflow_home or home / "airflow",
            "log_dir": self.log_dir or home / "logs",
            "portal_secret_file": self.portal_secret_file or home / "portal" / "secret",
            "spe_socket": self.spe_socket or home / "spe" / "service.sock",
        }
        for name, value in defaults.items():
            object.__setattr__(self, name, Path(value).expanduser().resolve())
        object.__setattr__(self, "jars_dir", self.jars_dir.expanduser().resolve())
        if self.catalog_url is None:
            object.__setattr__(self, "catalog_url", f"sqlite:///{home / 'catalog.db'}")
        if self.oidc_client_secret_file is not None:
            object.__setattr__(
                self, "oidc_client_secret_file", self.oidc_client_secret_file.expanduser().resolve()
            )
        return self

    @model_validator(mode="after")
    def _check_oidc(self) -> Settings:
        if self.oidc_issuer is None:
            return self
        check_issuer_url(self.oidc_issuer)
        if not self.oidc_client_id:
            raise ValueError("HAVEN_OIDC_CLIENT_ID is required with HAVEN_OIDC_ISSUER")
        if self.oidc_client_secret_file is None:
            raise ValueError("HAVEN_OIDC_CLIENT_SECRET_FILE is required with HAVEN_OIDC_ISSUER")
        if "openid" not in self.oidc_scopes.split():
            raise ValueError("HAVEN_OIDC_SCOPES must contain openid")
        return self

    @property
    def oidc_enabled(self) -> bool:
        """Whether the portal offers sign-in through the OpenID Connect issuer."""
        return self.oidc_issuer is not None

    # The validator fills every optional path; these accessors give mypy non-optional types.
    @property
    def lake(self) -> Path:
        assert self.lake_root is not None
        return self.lake_root

    @property
    def landing(self) -> Path:
        assert self.landing_dir is not None
        return self.landing_dir

    @property
    def keys(self) -> Path:
        assert self.key_dir is not None
        return self.key_dir

    @property
    def airflow(self) -> Path:
        assert self.airflow_home is not None
        return self.airflow_home

    @property
    def airflow_metadata_url(self) -> str:
        """The SQLAlchemy URL of Airflow's metadata database (SQLite in the embedded default)."""
        return self.airflow_database_url or f"sqlite:///{self.airflow / 'airflow.db'}"

    @property
    def logs(self) -> Path:
        assert self.log_dir is not None
        return self.log_dir

    @property
    def portal_secret(self) -> Path:
        assert self.portal_secret_file is not None
        return self.portal_secret_file

    @property
    def spe_service_socket(self) -> Path:
        assert self.spe_socket is not None
        return self.spe_socket

    @property
    def deliveries(self) -> Path:
        """Where the stack's delivery watcher moves each complete delivery out of landing."""
        return self.home / "deliveries"

    @property
    def runs(self) -> Path:
        """Where pipeline run reports are kept."""
        return self.home / "runs"

    @property
    def disclosure(self) -> dict[str, float]:
        """The platform's disclosure control thresholds by rule name (``spe.disclosure``)."""
        return {name: getattr(self, f"disclosure_{name}") for name in DISCLOSURE}


def check_issuer_url(url: str) -> None:
    """Raise ``ValueError`` unless ``url`` is an https URL, or http on a loopback host (tests and
    a local issuer), with no query or fragment (OpenID Connect Discovery 1.0, section 2)."""
    parts = urlsplit(url)
    if parts.query or parts.fragment or not parts.hostname:
        raise ValueError("HAVEN_OIDC_ISSUER must be a URL with a host and no query or fragment")
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and is_loopback(parts.hostname):
        return
    raise ValueError("HAVEN_OIDC_ISSUER must use https (http only on a loopback host)")


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine's loopback interface."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once; call ``reset_settings()`` after changing the environment."""
    try:
        return Settings()
    except ValueError as exc:
        raise ConfigError(f"invalid Haven settings: {exc}") from exc


def reset_settings() -> None:
    """Forget the cached settings (tests and the CLI's --home option use this)."""
    get_settings.cache_clear()
