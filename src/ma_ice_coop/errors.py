"""Errors that tell the user what went wrong and what to do about it."""


class ProjectError(Exception):
    """Base class: every message names the thing at fault and the fix."""


class DataSourceError(ProjectError):
    """An input file is missing, empty, truncated or altered, or cannot be downloaded."""

    def __init__(self, file_id: str, problem: str, fix: str, *, source: str = "", path: str = ""):
        self.file_id = file_id
        self.problem = problem
        self.fix = fix
        where = f" ({path})" if path else ""
        src = f" from {source}" if source else ""
        super().__init__(f"input '{file_id}'{src}{where}: {problem}\n  what to do: {fix}")


class SchemaError(ProjectError):
    """A file does not have the columns or values its loader expects."""


class ParameterError(ProjectError):
    """A parameter (county, period, measure) is not one of the valid values."""


class Interrupted(ProjectError):
    """The user pressed Ctrl-C: the command stopped; the message says what was finished (exit status 130)."""
