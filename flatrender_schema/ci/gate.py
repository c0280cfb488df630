"""The pull-request check's hazard gate: fail when `schema apply` would refuse the reviewed plan.

    python -m flatrender_schema.ci.gate plan.json [--allow-hazard CODE ...] [--format github|text]

Data-loss hazards not allowed by code (or `all`) fail the check, exactly as `schema apply` would
refuse them; every other hazard (long locks, rewrites) is reported as a warning. Exit 0 pass, 1 fail.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flatrender_schema.errors import SchemaError


def allowed_codes(values: list[str] | None) -> frozenset[str]:
    """`--allow-hazard A,B --allow-hazard C` and the action's space-separated input, as one set."""
    return frozenset(c for v in values or () for c in v.replace(",", " ").split())


def check_plan(plan_path: Path, allowed: frozenset[str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(refused, warned): (step description, hazard code) pairs of the plan at `plan_path`."""
    from flatrender_schema.plan import Plan

    try:
        text = plan_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SchemaError(f"{plan_path}: cannot read the plan: {exc.strerror or exc}") from None
    plan = Plan.from_json(text, str(plan_path))
    refusals = plan.refused(allowed)  # the policy `schema apply` applies
    refused = [(r.where, r.code) for r in refusals]
    blocking = {(r.number, r.code) for r in refusals}
    warned = [
        (f"step {i}: {step.title}", code)
        for i, step in enumerate(plan.steps, 1)
        for code in step.hazard_codes
        if (i, code) not in blocking
    ]
    return refused, warned


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flatrender_schema.ci.gate", description=__doc__)
    parser.add_argument("plan", type=Path)
    parser.add_argument("--allow-hazard", action="append", metavar="CODE", help="allow a data-loss code, or all")
    parser.add_argument("--format", dest="fmt", choices=("text", "github"), default="text")
    args = parser.parse_args(argv)
    try:
        refused, warned = check_plan(args.plan, allowed_codes(args.allow_hazard))
    except SchemaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    github = args.fmt == "github"
    for where, code in warned:
        print(f"::warning title=schema plan hazard::{where}: {code}" if github else f"warning: {where}: {code}")
    for where, code in refused:
        message = f"{where}: {code} is not allowed (pass allow-hazards: {code} once reviewed)"
        print(f"::error title=schema plan hazard::{message}" if github else f"error: {message}")
    if refused:
        codes = ", ".join(sorted({c for _, c in refused}))
        print(f"The plan has data-loss hazards that are not allowed: {codes}. `schema apply` would refuse it.")
        return 1
    print(f"Hazard gate passed ({len(warned)} hazard(s) allowed or non-blocking).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
