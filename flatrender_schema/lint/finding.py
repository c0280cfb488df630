"""What a rule reports: a stable code, a severity, a message with what to do, and where."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from flatrender_schema.errors import Location


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Finding:
    """One rule's finding at one place."""

    location: Location
    code: str
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.location} {self.code} {self.message}"
