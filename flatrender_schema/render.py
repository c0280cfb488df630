"""Plan renderers: text (like Terraform's), sql, json, markdown (a pull-request comment)."""

from __future__ import annotations

from collections.abc import Callable

from flatrender_schema.docs.plan_diagram import touched_tables_markdown
from flatrender_schema.plan import Plan, Step

SYMBOLS = {"create": "+", "drop": "-"}


def summary_line(plan: Plan) -> str:
    c = plan.counts()
    return f"Plan: {c['create']} to create, {c['alter']} to alter, {c['drop']} to drop."


def _step_title(step: Step) -> str:
    obj = f" {step.object}" if step.object else ""
    return f"{step.action}{obj}"


def render_text(plan: Plan) -> str:
    if plan.empty:
        return f"No changes. {plan.target} matches the desired state."
    lines = [f"Target: {plan.target} (PostgreSQL {plan.server_major}, engine {plan.engine})", ""]
    for i, step in enumerate(plan.steps, 1):
        sym = SYMBOLS.get(step.action, "~")
        hz = f"  [hazard: {', '.join(step.hazard_codes)}]" if step.hazards else ""
        tx = {"pre": "  (before the transaction)", "post": "  (after the transaction)"}.get(step.phase, "")
        lines.append(f"{sym} {i:>4}. {_step_title(step)}{hz}{tx}")
        lines.extend(f"         {line}" for line in step.sql.splitlines())
    lines.append("")
    for w in plan.warnings:
        lines.append(f"warning: {w}")
    if plan.hazard_codes:
        lines.append(f"Hazards: {', '.join(sorted(plan.hazard_codes))}")
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
    if plan.empty:
        return f"### Schema plan\n\nNo changes: `{plan.target}` matches the desired state.\n"
    out = ["### Schema plan", "", f"**{summary_line(plan)}**", ""]
    if plan.hazard_codes:
        out += [f"> [!WARNING]\n> Hazards: {', '.join(f'`{c}`' for c in sorted(plan.hazard_codes))}", ""]
    out += ["| # | action | object | hazards |", "|---|---|---|---|"]
    for i, s in enumerate(plan.steps, 1):
        hz = ", ".join(f"**{c}**" for c in s.hazard_codes)
        out.append(f"| {i} | {s.action} | `{s.object or '-'}` | {hz} |")
    out += ["", *touched_tables_markdown(plan)]
    out += [
        "<details><summary>SQL</summary>",
        "",
        "```sql",
        render_sql(plan).rstrip(),
        "```",
        "",
        "</details>",
        "",
    ]
    return "\n".join(out)


RENDERERS: dict[str, Callable[[Plan], str]] = {
    "text": render_text,
    "sql": render_sql,
    "json": Plan.to_json,
    "markdown": render_markdown,
}
