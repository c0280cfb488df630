"""The plan is a value: ordered steps with hazards, the fingerprints it was made against, round-trips to JSON."""

from __future__ import annotations

import fnmatch
import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from flatrender_schema.errors import InputError, Location
from flatrender_schema.hazards import DATA_LOSS, Hazard
from flatrender_schema.plan_groups import group_steps

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Step:
    sql: str
    action: str  # create / alter / drop / grant / revoke / insert
    object: str
    source: str  # "engine" or the gap-layer concern that produced it
    phase: str = "main"  # "pre" and "post" steps run outside the transaction, each idempotent
    hazards: tuple[Hazard, ...] = ()

    @property
    def transactional(self) -> bool:
        return self.phase == "main"

    @property
    def hazard_codes(self) -> tuple[str, ...]:
        return tuple(h.code for h in self.hazards)


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
                    _phase(s["phase"]),
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


PHASES = ("pre", "main", "post")


def _scope_dict(scope: PlanScope) -> dict[str, Any]:
    return {"schemas": list(scope.schemas) if scope.schemas is not None else None, "ignore": list(scope.ignore)}


def _scope_from(data: Any) -> PlanScope:
    if data is None:
        return PlanScope()
    schemas = data["schemas"]
    return PlanScope(tuple(schemas) if schemas is not None else None, tuple(data["ignore"]))


def _phase(value: object) -> str:
    if value not in PHASES:
        raise ValueError(f"phase {value!r}")
    return str(value)


def _step_dict(s: Step) -> dict[str, Any]:
    d = asdict(s)
    d["transactional"] = s.transactional
    d["hazards"] = [{"code": h.code, "message": h.message} for h in s.hazards]
    return d
