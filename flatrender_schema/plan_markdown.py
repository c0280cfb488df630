"""The plan as a pull-request comment that always fits GitHub's 65,536 characters.

First a summary per service (schema): objects created, changed, dropped, hazards; then every hazard
in full; then the objects, folded per service, as many as fit, with "N more objects — the full plan
is the `plan.json` artifact" where they stop; the SQL last, only when all of it fits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flatrender_schema.docs.plan_diagram import touched_tables_markdown
from flatrender_schema.hazards import CATALOGUE
from flatrender_schema.plan import Plan
from flatrender_schema.plan_groups import Group, group_steps

GITHUB_COMMENT_LIMIT = 65_536
# ci/comment.py puts its marker line first; keep room for it and a margin.
COMMENT_LIMIT = GITHUB_COMMENT_LIMIT - 512
DATABASE_WIDE = "(database)"
# A hazard's statement is shown whole up to this many characters, when every hazard fits at that size.
_STATEMENT_SIZES = (None, 600, 200, 80, 0)


def render_markdown(plan: Plan, summary: str, render_sql: Callable[[Plan], str], limit: int = COMMENT_LIMIT) -> str:
    """`summary` is the plan's summary line; `render_sql` the SQL renderer (both from `render`)."""
    if plan.empty:
        return f"### Schema plan\n\nNo changes: `{plan.target}` matches the desired state.\n"
    groups = group_steps(plan.steps)
    head = _head(plan, groups, summary)
    hazards = _hazards(plan, groups, limit - len(head) - 400)
    out = head + hazards
    # A diagram of the tables the plan touches, when it leaves room for the objects.
    diagram = "\n".join(["", *touched_tables_markdown(plan)]) + "\n"
    if len(out) + len(diagram) + 4000 <= limit:
        out += diagram
    folded, shown = _objects(plan, groups, limit - len(out) - 400)
    out += folded
    left = len(groups) - shown
    if left:
        out += f"\n**{left} more objects** — the full plan is the `plan.json` artifact of this run.\n"
    sql = _sql(plan, render_sql)
    if len(out) + len(sql) + 200 <= limit:
        out += sql
    elif not left:
        out += "\nThe SQL is too long for a comment — every statement is in the `plan.json` artifact of this run.\n"
    return out


def _head(plan: Plan, groups: Sequence[Group], summary: str) -> str:
    out = ["### Schema plan", "", f"**{summary}** {len(plan.steps)} statements on {len(groups)} objects.", ""]
    for w in plan.warnings:
        out.append(f"> [!NOTE]\n> {_inline(w)}\n")
    if plan.hazard_codes:
        codes = ", ".join(f"`{c}`" for c in sorted(plan.hazard_codes))
        out += [f"> [!WARNING]\n> Hazards: {codes}", ""]
    out += ["| service | created | changed | dropped | statements | hazards |", "|---|---:|---:|---:|---:|---|"]
    for schema, members in _by_schema(groups):
        counts = {a: sum(1 for g in members if g.action == a) for a in ("create", "alter", "drop", "replace")}
        codes = sorted({c for g in members for c in g.hazard_codes})
        out.append(
            f"| {_inline(schema or DATABASE_WIDE)} | {counts['create']} | {counts['alter'] + counts['replace']} "
            f"| {counts['drop'] + counts['replace']} | {sum(len(g.steps) for g in members)} "
            f"| {', '.join(f'**{c}**' for c in codes)} |"
        )
    return "\n".join(out) + "\n"


def _by_schema(groups: Sequence[Group]) -> list[tuple[str, list[Group]]]:
    out: dict[str, list[Group]] = {}
    for g in groups:
        out.setdefault(g.schema, []).append(g)
    return list(out.items())


def _hazards(plan: Plan, groups: Sequence[Group], budget: int) -> str:
    """Every hazardous statement with its codes and object; statements shortened only if all would not fit."""
    where = {i: g for g in groups for i in g.steps}
    risky = [i for i, s in enumerate(plan.steps) if s.hazards]
    if not risky:
        return ""
    codes = sorted(plan.hazard_codes)
    legend = [f"- **{c}**: {CATALOGUE.get(c, '')}" for c in codes]
    title = f"\n#### Hazards: {len(risky)} statement{'s' if len(risky) > 1 else ''}\n\n"
    fixed = title + "\n".join(legend) + "\n\n"
    for size in _STATEMENT_SIZES:
        entries = [_hazard_entry(plan, i, where[i], size) for i in risky]
        text = fixed + "".join(entries)
        if len(text) <= budget:
            return text
    # Past any budget (thousands of hazards): as many as fit, and where the rest are.
    text, shown = fixed, 0
    for e in entries:
        if len(text) + len(e) > budget - 120:
            break
        text += e
        shown += 1
    return text + f"\n**{len(risky) - shown} more hazards** — every one is in the `plan.json` artifact of this run.\n"


def _hazard_entry(plan: Plan, index: int, group: Group, size: int | None) -> str:
    step = plan.steps[index]
    phase = {"pre": " (before the transaction)", "post": " (after the transaction)"}.get(step.phase, "")
    line = (f"- {', '.join(f'**{c}**' for c in step.hazard_codes)} on "
            f"`{_code(step.object or group.object)}` (step {index + 1}{phase})\n")
    if size == 0:
        return line
    sql = step.sql.strip()
    if size is not None and len(sql) > size:
        sql = sql[:size].rstrip() + " …"
    return line + _fenced(sql, "sql", "  ")


def _objects(plan: Plan, groups: Sequence[Group], budget: int) -> tuple[str, int]:
    """Per service, folded: the objects as a diff (+ create, - drop, ~ change). Stops where the budget does."""
    out = ["\n#### Objects\n"]
    used = len(out[0])
    shown = 0
    for schema, members in _by_schema(groups):
        summary = _section_summary(schema, members)
        opening = f"<details><summary>{summary}</summary>\n\n```diff\n"
        closing = "```\n\n</details>\n"
        if used + len(opening) + len(closing) > budget:
            break
        blocks = []
        size = used + len(opening) + len(closing)
        for g in members:
            block = _block(g)
            if size + len(block) > budget:
                break
            blocks.append(block)
            size += len(block)
        if not blocks:
            break
        section = opening + "".join(blocks) + closing
        out.append(section)
        used += len(section)
        shown += len(blocks)
        if len(blocks) < len(members):
            break
    return "".join(out), shown


def _section_summary(schema: str, members: Sequence[Group]) -> str:
    counts = {a: sum(1 for g in members if g.action == a) for a in ("create", "alter", "drop", "replace")}
    parts = [f"{n} to {a}" for a, n in counts.items() if n]
    codes = sorted({c for g in members for c in g.hazard_codes})
    hz = f" — hazards: {', '.join(codes)}" if codes else ""
    return f"<b>{_html(schema or DATABASE_WIDE)}</b>: {len(members)} objects ({', '.join(parts)}){hz}"


def _block(g: Group) -> str:
    count = f"  ({len(g.steps)} statements)" if len(g.steps) > 1 else ""
    lines = [f"{g.symbol} {g.kind} {g.object}{count}"]
    for item in g.telling_items:
        hz = f"  [hazard: {', '.join(item.hazards)}]" if item.hazards else ""
        phase = {"pre": "  (before the transaction)", "post": "  (after the transaction)"}.get(item.phase, "")
        # A diff block colours lines by their first character: keep the item's symbol there.
        lines.append(f"{item.symbol[0]}     {item.text}{hz}{phase}")
    return "\n".join(_no_fence(line) for line in lines) + "\n"


def _sql(plan: Plan, render_sql: Callable[[Plan], str]) -> str:
    body = render_sql(plan).rstrip()
    return f"\n<details><summary>SQL ({len(plan.steps)} statements, in the order they run)</summary>\n\n" + \
        _fenced(body, "sql") + "\n</details>\n"


def _fenced(text: str, lang: str, indent: str = "") -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    body = "\n".join(indent + line for line in text.splitlines())
    return f"{indent}{fence}{lang}\n{body}\n{indent}{fence}\n"


def _no_fence(line: str) -> str:
    return line.replace("```", "`\u200b``")


def _inline(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return text.replace("`", "'")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
