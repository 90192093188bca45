"""Exceptions shared by every layer. Messages name objects and counts, never row values."""


class HavenError(Exception):
    """Base of every error Haven raises on purpose; entry points turn it into an exit code."""


class ConfigError(HavenError):
    """A setting is missing or invalid."""


class EnvironmentProblem(HavenError):
    """The machine lacks something Haven needs (Java, the Delta jars, ...)."""


class StageFailed(HavenError):
    """An unexpected failure inside a pipeline task, described by type and place only (the
    engines quote offending values in their own messages)."""
