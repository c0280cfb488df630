"""FlatRender made Citus-ready, for the cluster tests: what a team would change to distribute it.

FlatRender's keys are `PRIMARY KEY (id)` and its foreign keys join on `id` alone, which Citus refuses
for tables distributed by `tenant_id` (`schema lint` with Citus enabled reports 104 places: CT101,
CT102). This copies `schema/` and, with pglast, rewrites exactly those places:

- a primary key, unique constraint or unique index of a distributed table gets its distribution
  column first (`PRIMARY KEY (tenant_id, id)`);
- a foreign key between distributed tables joins the distribution columns too (`FOREIGN KEY
  (tenant_id, template_id) REFERENCES content.templates (tenant_id, id)`), and its `ON DELETE SET
  NULL` becomes NO ACTION (it would null tenant_id: CT105);
- `identity.tenants` becomes a reference table (`citus: reference: [tenants]`): its `UNIQUE (slug)`
  and reseller self-reference cannot hold in a table distributed by `id`;
- `schema.yaml` enables Citus with a small shard count (the tests' speed, not a recommendation).

Then `schema lint` must be clean of CT findings: the rules and this rewrite agree.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pglast
import yaml
from pglast import ast
from pglast.enums import ConstrType
from pglast.stream import RawStream

from flatrender_schema.citus.declared import Declared, declared_for
from flatrender_schema.desired import load_desired

SHARD_COUNT = 2


def _s(name: str) -> ast.String:
    return ast.String(sval=name)


def _names(nodes: tuple[ast.Node, ...] | None) -> tuple[str, ...]:
    return tuple(n.sval for n in nodes or () if isinstance(n, ast.String))


def _column_of(declared: Declared, rv: ast.RangeVar) -> str | None:
    p = declared.of((rv.schemaname or "", rv.relname))
    return p.column if p is not None and p.kind == "distributed" else None


def _fix_constraint(c: ast.Constraint, column: str, declared: Declared) -> bool:
    if c.contype in (ConstrType.CONSTR_PRIMARY, ConstrType.CONSTR_UNIQUE) and c.keys:
        if column not in _names(c.keys):
            c.keys = (_s(column), *c.keys)
            return True
    if c.contype == ConstrType.CONSTR_FOREIGN and c.pktable is not None:
        target = _column_of(declared, c.pktable)
        if target is None:
            return False
        pairs = list(zip(_names(c.fk_attrs), _names(c.pk_attrs), strict=False))
        changed = False
        if (column, target) not in pairs:
            c.fk_attrs = (_s(column), *c.fk_attrs)
            c.pk_attrs = (_s(target), *c.pk_attrs)
            changed = True
        if c.fk_del_action in ("n", "d"):
            c.fk_del_action = "a"
            c.fk_del_set_cols = None
            changed = True
        return changed
    return False


def _fix_statement(node: ast.Node, declared: Declared) -> bool:
    if isinstance(node, ast.CreateStmt):
        column = _column_of(declared, node.relation)
        if node.partbound is not None and node.inhRelations:  # a partition: its parent's placement
            column = _column_of(declared, node.inhRelations[0])
        if column is None:
            return False
        changed = False
        for element in node.tableElts or ():
            if isinstance(element, ast.Constraint):
                changed |= _fix_constraint(element, column, declared)
        return changed
    if isinstance(node, ast.IndexStmt) and node.unique and node.relation is not None:
        column = _column_of(declared, node.relation)
        params = node.indexParams or ()
        if column and column not in [p.name for p in params if isinstance(p, ast.IndexElem)]:
            node.indexParams = (ast.IndexElem(name=column, ordering=0, nulls_ordering=0), *params)
            return True
    return False


def make_citus_ready(source: Path, target: Path) -> Path:
    """A Citus-ready copy of the schema directory `source` in `target`; returns `target`."""
    shutil.copytree(source, target)
    project = yaml.safe_load((target / "schema.yaml").read_text())
    project["citus"] = {"enabled": True, "shard_count": SHARD_COUNT}
    (target / "schema.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
    identity = target / "identity" / "service.yaml"
    manifest = yaml.safe_load(identity.read_text())
    manifest["citus"] = {"reference": ["tenants"]}
    identity.write_text(yaml.safe_dump(manifest, sort_keys=False))
    declared = declared_for(load_desired(target))
    assert declared is not None
    for path in sorted(target.glob("*/*.sql")):
        text = path.read_text()
        pieces: list[str] = []
        at = 0
        for raw in pglast.parse_sql(text):
            start = raw.stmt_location
            end = start + raw.stmt_len if raw.stmt_len else len(text)
            if isinstance(raw.stmt, ast.IndexStmt):
                if _fix_statement(raw.stmt, declared):  # edited as text: pglast misplaces NULLS NOT DISTINCT
                    column = raw.stmt.indexParams[0].name
                    statement = text[start:end]
                    on = statement.upper().index(" ON ")
                    paren = statement.index("(", on)
                    pieces.append(text[at:start] + statement[: paren + 1] + f"{column}, " + statement[paren + 1 :])
                    at = end
            elif _fix_statement(raw.stmt, declared):
                pieces.append(text[at:start] + RawStream()(raw.stmt))
                at = end
        pieces.append(text[at:])
        path.write_text("".join(pieces))
    return target
