"""A change: one statement of a plan and where it came from (the engine or a gap-layer concern)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    sql: str
    source: str  # "engine" or the gap concern, e.g. "privileges"
    phase: str = "main"  # "pre": before the transaction, "main": in it, "post": after it (each on its own)

    @property
    def transactional(self) -> bool:
        return self.phase == "main"
