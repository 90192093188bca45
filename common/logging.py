"""Logging that never prints row values.

Haven code logs through ``get_logger(name)``, whose methods take a constant event name and
keyword fields. A field may be a number, a bool, an enum, a path, or a string explicitly
marked with ``safe()`` (table names, run and permit ids); any other string is replaced by
``<redacted>``, so a pid or a note that slips into a log call never reaches a handler.
Exceptions are described by ``describe_exception``, which keeps the type, Spark's error
class and the stack frames but drops messages, since engines quote offending values in them.
A DAG task's body is ``withheld``, so that what Airflow logs of a failure (the
exception and its traceback, in the task log or the console) is that description only.
"""

from __future__ import annotations

import functools
import logging
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from common.errors import HavenError, StageFailed

_P = ParamSpec("_P")
_R = TypeVar("_R")

REDACTED = "<redacted>"

# Loggers of engines that echo plans, queries or values at INFO.
_CONSOLE = "haven-console"
_NOISY = (
    "py4j",
    "pyspark",
    "airflow",
    "sqlalchemy",
    "alembic",
    "great_expectations",
    "presidio-analyzer",
    "presidio-anonymizer",
    "urllib3",
    "httpx",
    "asyncio",
    "fsspec",
)


class Safe(str):
    """A string vouched for as metadata (identifiers of tables, runs, permits), never data."""

    __slots__ = ()


def safe(value: object) -> Safe:
    """Mark ``value`` as metadata that may be logged."""
    return Safe(str(value))


def _clean(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | Safe | Path):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return REDACTED


def describe_exception(exc: BaseException) -> str:
    """Type, Spark error class and frames of an exception, without its message."""
    parts = [type(exc).__name__]
    error_class = getattr(exc, "getCondition", None) or getattr(exc, "getErrorClass", None)
    if callable(error_class):
        try:
            condition = error_class()
        except Exception:  # the JVM may be gone; the type alone is still useful
            condition = None
        if condition:
            parts.append(f"[{condition}]")
    frames = traceback.extract_tb(exc.__traceback__)
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno}" for f in reversed(frames[-6:]))
    return " ".join(parts) + (f" at {where}" if where else "")


class SafeLogger:
    """A logger whose calls carry an event name and vetted fields only."""

    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger

    def _log(self, level: int, event: str, fields: dict[str, Any]) -> None:
        if not self._logger.isEnabledFor(level):
            return
        rendered = " ".join(f"{key}={_clean(value)}" for key, value in fields.items())
        self._logger.log(level, "%s %s", event, rendered, stacklevel=3)

    def debug(self, event: str, **fields: Any) -> None:
        self._log(logging.DEBUG, event, fields)

    def info(self, event: str, **fields: Any) -> None:
        self._log(logging.INFO, event, fields)

    def warning(self, event: str, **fields: Any) -> None:
        self._log(logging.WARNING, event, fields)

    def error(self, event: str, **fields: Any) -> None:
        self._log(logging.ERROR, event, fields)

    def exception(self, event: str, exc: BaseException, **fields: Any) -> None:
        """Log a failure by its description (type, error class, frames), never its message."""
        self._log(logging.ERROR, event, {**fields, "error": safe(describe_exception(exc))})


def get_logger(name: str) -> SafeLogger:
    """A safe logger under the ``haven`` hierarchy (``get_logger(__name__)``)."""
    return SafeLogger(logging.getLogger(name if name.startswith("haven") else f"haven.{name}"))


def configure_logging(level: str = "INFO", log_dir: Path | None = None) -> None:
    """Send Haven's events to stderr and, when given, ``log_dir/haven.log``; quiet the engines."""
    root = logging.getLogger("haven")
    for handler in list(root.handlers):
        root.removeHandler(handler)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    console = logging.StreamHandler(sys.stderr)
    console.set_name(_CONSOLE)
    console.setFormatter(formatter)
    root.addHandler(console)
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        log_dir.chmod(0o700)
        file_handler = logging.FileHandler(log_dir / "haven.log", encoding="utf-8")
        file_handler.setFormatter(formatter)
        root.addHandler(file_handler)
    root.setLevel(level.upper())
    root.propagate = False
    for name in _NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)


@contextmanager
def console_level(level: str) -> Iterator[None]:
    """Raise the level of Haven's stderr handler for the block (the log file keeps all)."""
    handlers = [h for h in logging.getLogger("haven").handlers if h.get_name() == _CONSOLE]
    saved = [h.level for h in handlers]
    for handler in handlers:
        handler.setLevel(level.upper())
    try:
        yield
    finally:
        for handler, previous in zip(handlers, saved, strict=True):
            handler.setLevel(previous)


def withheld(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """``function``, whose failures are raised as ``StageFailed`` with their description
    only and the original detached (no chained traceback, not even ``__context__``, holds
    it). Haven's own errors, whose messages are written without values, and Airflow's
    control exceptions (fail without retry, skip) pass unchanged. For DAG tasks: ``@task``
    above it."""

    @functools.wraps(function)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return function(*args, **kwargs)
        except HavenError:
            raise
        except Exception as exc:
            if type(exc).__module__.split(".")[0] == "airflow":
                raise
            failure = StageFailed(describe_exception(exc))
        # Raised once the handler is left: the original is no longer being handled.
        raise failure

    return run
