"""One error hierarchy: every failure a user can cause carries a code and, where known, a location."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Location:
    """A place in an input file: its path, and the 1-based line and column where known."""

    path: str
    line: int | None = None
    col: int | None = None

    def __str__(self) -> str:
        out = self.path
        if self.line is not None:
            out += f":{self.line}"
            if self.col is not None:
                out += f":{self.col}"
        return out

    @classmethod
    def of(cls, path: Path | str, line: int | None = None, col: int | None = None) -> Location:
        return cls(str(path), line, col)


class SchemaError(Exception):
    """Base of every error the CLI reports as one clean line (no traceback)."""

    code = "E000"

    def __init__(self, message: str, location: Location | None = None, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class InputError(SchemaError):
    """Bad files: YAML, manifests, SQL that does not parse, a bad layout."""

    code = "E100"


class ConnectionFailed(SchemaError):
    code = "E200"


class ClusterError(SchemaError):
    """No server binaries, or a server that would not start."""

    code = "E300"


class PlanError(SchemaError):
    """A plan could not be built, or does not converge."""

    code = "E400"


class ApplyError(SchemaError):
    """Apply refused or failed; names the failing step."""

    code = "E500"
