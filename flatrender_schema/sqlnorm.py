"""SQL text normalisation shared by the judge and the engine seam: equal meanings, one spelling."""

from __future__ import annotations

import functools
from typing import Any


def deparse(node: Any) -> str:
    """A parse tree printed back as SQL that PostgreSQL stores as it was written.

    What was written in SQL syntax (`x AT TIME ZONE 'utc'`, `SUBSTRING(a FROM 1)`, `TRIM(BOTH FROM a)`)
    is stored so (ruleutils prints it back that way); pglast prints most of these as plain calls
    (`pg_catalog.timezone('utc', x)`), which PostgreSQL keeps as calls: another definition. A call
    written as a call stays one.
    """
    from pglast import enums
    from pglast.printers import get_special_function, sfuncs
    from pglast.stream import RawStream

    class _AsWritten(RawStream):  # type: ignore[misc]
        def get_printer_for_function(self, name: str, node: Any = None) -> Any:
            if node is not None and node.funcformat == enums.CoercionForm.COERCE_SQL_SYNTAX:
                printer = get_special_function(name)
                if printer is not None and sfuncs.can_use_special_syntax(printer, node):
                    return printer
            return super().get_printer_for_function(name, node)

    return str(_AsWritten()(node))


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

    head, _, rest = definition.partition("(")
    if head.strip() != "CHECK":
        return definition
    body, _, tail = rest.rpartition(")")
    try:
        expr = pglast.parse_sql("select " + body)[0].stmt.targetList[0].val  # type: ignore[union-attr]
        return f"CHECK ({deparse(_flatten(expr))}){tail}"
    except Exception:
        return definition
