"""The plan is a value: ordered steps with hazards, the fingerprints it was made against, round-trips to JSON."""

from __future__ import annotations

import fnmatch
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flatrender_schema.errors import InputError, Location
from flatrender_schema.hazards import DATA_LOSS, Hazard
from flatrender_schema.plan_groups import group_steps
from flatrender_schema.step import Phase, Step

__all__ = ["FORMAT_VERSION", "Phase", "Plan", "PlanScope", "Refusal", "Step"]

FORMAT_VERSION = 1


@dataclass(frozen=True)
class PlanScope:
    """What a plan manages: `schemas` (None: every schema) minus objects matching `ignore` patterns.

    Objects outside the scope are neither diffed nor part of the live fingerprint: with manifests, a
    table someone keeps in `public` is none of the tool's business.
    """

    schemas: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()

    def excludes(self, schema: str, name: str) -> bool:
        if self.schemas is not None and schema not in self.schemas:
            return True
        return any(fnmatch.fnmatchcase(f"{schema}.{name}", p) for p in self.ignore)


@dataclass(frozen=True)
class Refusal:
    """A data-loss hazard of one step that was not allowed: apply refuses the plan, and so does the gate."""

    number: int  # the step's, from 1
    step: Step
    code: str

    @property
    def where(self) -> str:
        return f"step {self.number}: {self.step.title}"


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...]
    live_fingerprint: str
    desired_fingerprint: str
    engine: str
    tool_version: str
    server_major: int
    target: str  # secret-free description of the target
    warnings: tuple[str, ...] = field(default=())
    scope: PlanScope = PlanScope()

    @property
    def empty(self) -> bool:
        return not self.steps

    def counts(self) -> dict[str, int]:
        out = {"create": 0, "alter": 0, "drop": 0}
        for s in self.steps:
            key = s.action if s.action in ("create", "drop") else "alter"
            out[key] += 1
        return out

    @property
    def hazard_codes(self) -> frozenset[str]:
        return frozenset(c for s in self.steps for c in s.hazard_codes)

    @property
    def data_loss(self) -> frozenset[str]:
        return self.hazard_codes & DATA_LOSS

    def refused(self, allowed: Iterable[str]) -> tuple[Refusal, ...]:
        """The policy `schema apply` and the pull-request gate share: every data-loss hazard is refused
        unless allowed by its code, or `all` is allowed; other hazards are warnings."""
        allow = frozenset(allowed)
        if "all" in allow:
            return ()
        return tuple(
            Refusal(number, step, code)
            for number, step in enumerate(self.steps, 1)
            for code in step.hazard_codes
            if code in DATA_LOSS and code not in allow
        )

    def steps_digest(self) -> str:
        """Digest of what apply acts on: the steps and the scope the fingerprint is taken over."""
        blob = json.dumps([[_step_dict(s) for s in self.steps], _scope_dict(self.scope)], sort_keys=True).encode()
        return "sha256:" + hashlib.sha256(blob).hexdigest()

    def to_json(self) -> str:
        data = {
            "format_version": FORMAT_VERSION,
            "tool_version": self.tool_version,
            "engine": self.engine,
            "server_major": self.server_major,
            "target": self.target,
            "live_fingerprint": self.live_fingerprint,
            "desired_fingerprint": self.desired_fingerprint,
            "steps_digest": self.steps_digest(),
            "summary": self.counts(),
            "warnings": list(self.warnings),
            "scope": _scope_dict(self.scope),
            "steps": [_step_dict(s) for s in self.steps],
            # Derived from the steps (not part of the digest): the steps by object, as text and markdown show them.
            "groups": [g.to_dict() for g in group_steps(self.steps)],
        }
        return json.dumps(data, indent=2, sort_keys=False) + "\n"

    @classmethod
    def from_json(cls, text: str, path: str = "plan.json") -> Plan:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"plan file is not JSON: {exc.msg}", Location(path, exc.lineno, exc.colno)
            ) from None
        if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION:
            version = data.get("format_version") if isinstance(data, dict) else None
            raise InputError(
                f"unknown plan format version {version!r}; this tool reads version {FORMAT_VERSION}",
                Location(path),
            )
        try:
            steps = tuple(
                Step(
                    s["sql"],
                    s["action"],
                    s["object"],
                    s["source"],
                    Phase(s["phase"]),
                    tuple(Hazard(h["code"], h["message"]) for h in s["hazards"]),
                )
                for s in data["steps"]
            )
            plan = cls(
                steps,
                data["live_fingerprint"],
                data["desired_fingerprint"],
                data["engine"],
                data["tool_version"],
                int(data["server_major"]),
                data["target"],
                tuple(data.get("warnings", ())),
                _scope_from(data.get("scope")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"plan file is malformed: missing or bad field {exc}", Location(path)) from None
        if plan.steps_digest() != data.get("steps_digest"):
            raise InputError(
                "plan file was edited after it was written (steps digest mismatch); make a new plan",
                Location(path),
            )
        return plan


def _scope_dict(scope: PlanScope) -> dict[str, Any]:
    return {"schemas": list(scope.schemas) if scope.schemas is not None else None, "ignore": list(scope.ignore)}


def _scope_from(data: Any) -> PlanScope:
    if data is None:
        return PlanScope()
    schemas = data["schemas"]
    return PlanScope(tuple(schemas) if schemas is not None else None, tuple(data["ignore"]))


def _step_dict(s: Step) -> dict[str, Any]:
    return {
        "sql": s.sql,
        "action": s.action,
        "object": s.object,
        "source": s.source,
        "phase": str(s.phase),
        "hazards": [{"code": h.code, "message": h.message} for h in s.hazards],
        "transactional": s.transactional,
    }
