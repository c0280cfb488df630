"""A fleet's plan and rollout as one report: text for a terminal, Markdown for one PR comment, JSON."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from flatrender_schema.fleet.planning import FleetPlan, PlanGroup
from flatrender_schema.fleet.rollout import Rollout
from flatrender_schema.plan import Plan, Step
from flatrender_schema.plan_groups import SYMBOLS
from flatrender_schema.render import render_sql, summary_line


def _targets(n: int) -> str:
    return f"{n} target{'s' if n != 1 else ''}"


def _steps(n: int) -> str:
    return f"{n} step{'s' if n != 1 else ''}"


def _first_line(step: Step, width: int = 100) -> str:
    line = step.sql.strip().splitlines()[0] if step.sql.strip() else step.title
    return line if len(line) <= width else line[: width - 1] + "…"


def _cell(text: str | None) -> str:
    """Text for a Markdown table cell: one line, no column breaks."""
    return " ".join((text or "").split()).replace("|", "\\|")


def _headline(group: PlanGroup) -> str:
    n = len(group.targets)
    same = "the same " if n > 1 else ""
    if group.plan.empty:
        return f"{_targets(n)}: no changes"
    return f"{_targets(n)}: {same}{_steps(len(group.plan.steps))}"


def _difference(group: PlanGroup, main: PlanGroup) -> tuple[list[Step], list[Step]]:
    """Steps this group has that the main one has not, and the other way round."""
    mine, theirs = set(group.plan.steps), set(main.plan.steps)
    return [s for s in group.plan.steps if s not in theirs], [s for s in main.plan.steps if s not in mine]


def summary(fleet: FleetPlan) -> str:
    counts = {"changes": 0, "converged": 0, "failed": 0}
    for r in fleet.results:
        counts[r.status] += 1
    return (
        f"Fleet plan: {_targets(len(fleet.results))}, {counts['changes']} with changes, "
        f"{counts['converged']} converged, {counts['failed']} failed; {len(fleet.groups())} distinct plans."
    )


def render_fleet_text(fleet: FleetPlan) -> str:
    groups = fleet.groups()
    drift = fleet.drifted()
    lines = []
    for group in groups:
        tag = ""
        if not group.main:
            tag = "  [drift: differs from the main plan]" if drift & set(group.targets) else "  [differs]"
        lines.append(f"{_headline(group)}{tag}")
        lines.append(f"  {', '.join(group.targets)}")
        if not group.main and not groups[0].plan.empty:
            extra, missing = _difference(group, groups[0])
            lines += [f"  only here: {_first_line(s)}" for s in extra]
            lines += [f"  not here:  {_first_line(s)}" for s in missing]
        lines += _step_lines(group.plan)
        lines.append("")
    for r in fleet.failed:
        lines.append(f"failed: {r.target.name}: {r.error}")
    if fleet.failed:
        lines.append("")
    lines.append(summary(fleet))
    return "\n".join(lines)


def _step_lines(plan: Plan) -> list[str]:
    out = []
    for i, step in enumerate(plan.steps, 1):
        hz = f"  [hazard: {', '.join(step.hazard_codes)}]" if step.hazards else ""
        out.append(f"  {SYMBOLS.get(step.action, '~')} {i:>4}. {step.title}{hz}")
    if not plan.empty:
        out.append(f"  {summary_line(plan)}")
    return out


def render_fleet_markdown(fleet: FleetPlan) -> str:
    groups = fleet.groups()
    drift = fleet.drifted()
    out = ["### Schema plan: fleet", "", f"**{summary(fleet)}**", ""]
    hazards = sorted({c for g in groups for c in g.plan.hazard_codes})
    if hazards:
        out += [f"> [!WARNING]\n> Hazards: {', '.join(f'`{c}`' for c in hazards)}", ""]
    out += ["| targets | plan | hazards | |", "|---|---|---|---|"]
    for group in groups:
        names = ", ".join(f"`{n}`" for n in group.targets)
        plan = "no changes" if group.plan.empty else f"{_steps(len(group.plan.steps))}: {summary_line(group.plan)}"
        tag = "" if group.main else ("**drift**" if drift & set(group.targets) else "differs")
        hz = ", ".join(f"**{c}**" for c in sorted(group.plan.hazard_codes))
        out.append(f"| {_targets(len(group.targets))}: {names} | {plan} | {hz} | {tag} |")
    for r in fleet.failed:
        out.append(f"| `{r.target.name}` | **failed**: {_cell(r.error)} | | |")
    out.append("")
    for group in groups:
        if group.plan.empty:
            continue
        out += [
            f"<details><summary>{_headline(group)} ({', '.join(group.targets)})</summary>",
            "",
            "```sql",
            render_sql(dataclasses.replace(group.plan, target=_targets(len(group.targets)))).rstrip(),
            "```",
            "",
            "</details>",
            "",
        ]
    return "\n".join(out)


FLEET_RENDERERS: dict[str, Callable[[FleetPlan], str]] = {
    "text": render_fleet_text,
    "json": FleetPlan.to_json,
    "markdown": render_fleet_markdown,
}


def render_rollout_text(rollout: Rollout) -> str:
    lines = []
    for r in rollout.results:
        detail = f": {r.detail}" if r.detail else ""
        lines.append(f"{r.outcome:>10}  {r.name}{detail}")
    lines.append("")
    lines.append(rollout.summary())
    return "\n".join(lines)


ROLLOUT_RENDERERS: dict[str, Callable[[Rollout], str]] = {
    "text": render_rollout_text,
    "json": Rollout.to_json,
}
