"""Plan renderers: text (like Terraform's), sql, json, markdown (a pull-request comment)."""

from __future__ import annotations

from collections.abc import Callable

from flatrender_schema.hazards import CATALOGUE
from flatrender_schema.plan import Plan
from flatrender_schema.plan_groups import group_steps


def summary_line(plan: Plan) -> str:
    c = plan.counts()
    return f"Plan: {c['create']} to create, {c['alter']} to alter, {c['drop']} to drop."


# Up to this many steps, the text shows every statement's SQL beneath its line (a typical pull request);
# past it, statements are summarised and only those with hazards show their SQL.
SQL_SHOWN_UP_TO = 40
_PHASE_NOTES = {"pre": "  (before the transaction)", "post": "  (after the transaction)"}


def render_text(plan: Plan, show_sql: bool | None = None) -> str:
    """One block per object (Terraform's resources), what each statement does beneath it."""
    if plan.empty:
        return f"No changes. {plan.target} matches the desired state."
    groups = group_steps(plan.steps)
    if show_sql is None:
        show_sql = len(plan.steps) <= SQL_SHOWN_UP_TO
    lines = [f"Target: {plan.target} (PostgreSQL {plan.server_major}, engine {plan.engine})",
             f"{len(plan.steps)} statements on {len(groups)} objects.", ""]
    schema: str | None = None
    for g in groups:
        if schema is not None and g.schema != schema:
            lines.append("")
        schema = g.schema
        count = f"  ({len(g.steps)} statements)" if len(g.steps) > 1 else ""
        lines.append(f"{g.title}{count}")
        for item in g.items if show_sql else g.telling_items:
            hz = f"  [hazard: {', '.join(item.hazards)}]" if item.hazards else ""
            lines.append(f"    {item.symbol} {item.text}{hz}{_PHASE_NOTES.get(item.phase, '')}")
            if show_sql or item.hazards:
                for i in item.steps:
                    lines.extend(f"          {line}" for line in plan.steps[i].sql.splitlines())
    lines.append("")
    for w in plan.warnings:
        lines.append(f"warning: {w}")
    if plan.hazard_codes:
        lines.append(f"Hazards: {', '.join(sorted(plan.hazard_codes))}")
        # What a refused hazard means, and for some how to avoid it (a declared conversion).
        lines.extend(f"  {code} (refused unless allowed): {CATALOGUE[code]}" for code in sorted(plan.data_loss))
    if not show_sql:
        lines.append("Every statement, in the order it runs: schema plan --format sql")
    lines.append(summary_line(plan))
    return "\n".join(lines)


def render_sql(plan: Plan) -> str:
    head = [f"-- {summary_line(plan)}", f"-- target: {plan.target}; engine: {plan.engine}"]
    body = []
    for step in plan.steps:
        if step.hazards:
            body.append(f"-- hazard: {', '.join(step.hazard_codes)}")
        if not step.transactional:
            body.append(f"-- runs {'before' if step.phase == 'pre' else 'after'} the transaction, on its own")
        body.append(step.sql)
    return "\n".join(head + body) + "\n"


def render_markdown(plan: Plan) -> str:
    """A pull-request comment that fits GitHub's limit, every hazard kept (see `plan_markdown`)."""
    from flatrender_schema.plan_markdown import render_markdown as markdown

    return markdown(plan, summary_line(plan), render_sql)


RENDERERS: dict[str, Callable[[Plan], str]] = {
    "text": render_text,
    "sql": render_sql,
    "json": Plan.to_json,
    "markdown": render_markdown,
}
