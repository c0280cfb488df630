"""SQL text normalisation shared by the judge and the engine seam: equal meanings, one spelling."""

from __future__ import annotations

import functools
from typing import Any


def _flatten(node: Any) -> Any:
    from pglast import ast, enums

    if isinstance(node, ast.BoolExpr):
        args: list[Any] = []
        for arg in node.args:
            arg = _flatten(arg)
            same = isinstance(arg, ast.BoolExpr) and arg.boolop == node.boolop
            if same and node.boolop != enums.BoolExprType.NOT_EXPR:
                args.extend(arg.args)
            else:
                args.append(arg)
        node.args = tuple(args)
    return node


@functools.lru_cache(maxsize=4096)
def canonical_check(definition: str) -> str:
    """A CHECK constraint's text with nested AND/OR flattened.

    `x BETWEEN 1 AND 2 AND y` is stored nested, but its deparsed text re-parses flat: both are the
    same constraint, and a judge comparing text must not tell them apart.
    """
    import pglast
    from pglast.stream import RawStream

    head, _, rest = definition.partition("(")
    if head.strip() != "CHECK":
        return definition
    body, _, tail = rest.rpartition(")")
    try:
        expr = pglast.parse_sql("select " + body)[0].stmt.targetList[0].val  # type: ignore[union-attr]
        return f"CHECK ({RawStream()(_flatten(expr))}){tail}"
    except Exception:
        return definition
