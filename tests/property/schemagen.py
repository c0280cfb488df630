"""A grammar of PostgreSQL schemas for property tests: a small model, random mutations, SQL rendering.

A pair of schemas is a base schema plus a few mutations (add, drop, alter), so the diff between the
two looks like a real migration. The model is repaired after every mutation (`normalise`): whatever
no longer holds (a foreign key to a dropped table, a CHECK naming a label an enum lost, a unique
constraint on a partitioned table without its partition key) is removed, so every rendered schema
loads on PostgreSQL by construction.

Covered: tables and columns of many types, defaults, NOT NULL, PK, UNIQUE, CHECK, FK (within the
schema), indexes (multi-column, partial, unique, GIN), range-partitioned tables (by a date column,
with partitions and a default partition), views, enums (labels added, new enums), sequences with
options, grants (tables, views, sequences, schema, columns) to two fixed roles, comments on tables,
views and columns, sequences OWNED BY a column, and identifiers that need quoting.

Left out on purpose (engine limitations already known, see tests/test_corpus.py KNOWN_FAILURES):
collations. Left out because a kept case already pins the bug (xfail, see
tests/cases/property/): column types changed with no cast path (a column re-added under its old name with an
unrelated type). Enum labels with a quote, index names with a space and column grants were bugs found here,
fixed, and are generated again.

Also: identity columns with sequence options (kind and options changed), REPLICA IDENTITY, inheritance
children of plain tables (with a column of their own), aggregates (initial value, parallel safety,
comments) and triggers with comments (issue 14: each a blind spot of the judge once).

Functions (issue 16): SQL-string, PL/pgSQL and BEGIN ATOMIC bodies whose result type, parameter name
and body change, used by column defaults, CHECKs, partial index predicates, generated columns and
views; views over views (over columns whose type changes). A generated column over a function whose
signature changes is left out (tests/cases/dependents/function_under_generated_column, xfail).

Domains (issue 16) over integer and text, with a CHECK, NOT NULL and a default that change, used by
columns (a column moved onto a domain and back, a domain dropped under its columns), and row-level
security enabled and forced on tables, partitioned ones included.

Not modelled (yet): policies, materialized views, more than one schema, data.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

from hypothesis import strategies as st

SCHEMA = "app"
ROLES = ("prop_reader", "prop_writer")

TABLE_NAMES = ("users", "Order", "line item", "account", "evt", "tag")
COLUMN_NAMES = ("id", "name", "Value", "created at", "user", "amount", "flags", "kind", "payload", "ref")
VIEW_NAMES = ("v_active", "Report", "v all")
ENUM_NAMES = ("mood", "Status", "tier")
# "it's": labels with a quote (tests/cases/property/enum_label_quote, fixed in the engine seam).
ENUM_LABELS = ("new", "open", "closed", "Big Label", "z", "it's")
SEQUENCE_NAMES = ("seq_a", "Seq B", "counter")
COMMENTS = ("plain comment", "it's quoted", "naïve café ✓", "")

TABLE_PRIVILEGES = ("select", "insert", "update", "delete", "truncate", "references", "trigger")
VIEW_PRIVILEGES = ("select", "insert", "update", "delete")
SEQUENCE_PRIVILEGES = ("usage", "select", "update")
SCHEMA_PRIVILEGES = ("usage", "create")
COLUMN_PRIVILEGES = ("select", "insert", "update", "references")

COLUMN_GRANTS = True  # tests/cases/property/column_grants: planned by gaps/privileges.py

QUARTERS = (
    ("2026-01-01", "2026-04-01"),
    ("2026-04-01", "2026-07-01"),
    ("2026-07-01", "2026-10-01"),
    ("2026-10-01", "2027-01-01"),
)
PARTITION_KEY = "d"

# Column types: a tag, rendered by `render_type`. ("enum", name) refers to an enum of the schema.
SIMPLE_TYPES: tuple[tuple[str, ...], ...] = (
    ("integer",),
    ("bigint",),
    ("text",),
    ("varchar", "20"),
    ("varchar", "64"),
    ("numeric", "10", "2"),
    ("numeric", "12", "4"),
    ("boolean",),
    ("timestamptz",),
    ("date",),
    ("uuid",),
    ("jsonb",),
    ("text[]",),
)
NUMERIC_FAMILY = {"integer", "bigint", "numeric"}
TEXT_FAMILY = {"text", "varchar"}
SEQ_BOUNDS = {"smallint": 32767, "integer": 2147483647, "bigint": 9223372036854775807}
IDENTITY_COLUMN = "gen id"
TRIGGER_NAME = "touch row"
CHILD_NAMES = ("child a", "Child_B")
AGGREGATE_NAMES = ("total", "Sum Up")
# Functions (issue 16): their result type, parameter name and body kind change; tables use them in a
# column default, a CHECK, a partial index or a generated column, views in a select item.
FUNCTION_NAMES = ("score", "Level Of")
PARAM_NAMES = ("raw", "n")  # no table, view or column is named so
FUNCTION_BODIES = ("sql", "plpgsql", "atomic")  # a SQL string, PL/pgSQL, BEGIN ATOMIC
USE_NAMES = ("fn a", "fn b")
USE_KINDS = ("default", "check", "index", "generated")
# Domains (issue 16): a fixed base type per name; ("domain", name, base) is a column type.
DOMAINS = {"posint": "integer", "Short Text": "text"}
DOMAIN_CHECKS = {"integer": ("VALUE > 0", "VALUE BETWEEN 1 AND 1000"), "text": ("length(VALUE) < 50", "VALUE <> ''")}
DOMAIN_DEFAULTS = {"integer": ("1", "7"), "text": ("'n/a'", "'it''s'")}

Type = tuple[str, ...]


def q(name: str) -> str:
    """A quoted identifier (always quoted: the grammar's names include reserved and mixed-case words)."""
    return '"' + name.replace('"', '""') + '"'


def lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def qualified(name: str) -> str:
    return f"{q(SCHEMA)}.{q(name)}"


def render_type(t: Type) -> str:
    if t[0] == "varchar":
        return f"varchar({t[1]})"
    if t[0] == "numeric":
        return f"numeric({t[1]},{t[2]})"
    if t[0] in ("enum", "domain"):
        return qualified(t[1])
    return t[0]


@dataclass
class Column:
    name: str
    type: Type
    not_null: bool = False
    default: str | None = None  # a key of `DEFAULTS` (rendered per type), or "nextval:<sequence>"
    comment: str | None = None
    grants: dict[str, set[str]] = field(default_factory=dict)


@dataclass
class Check:
    name: str
    column: str
    kind: str  # a key of `CHECKS`
    arg: str = ""  # an enum label, for enum checks


@dataclass
class Unique:
    name: str
    columns: list[str]


@dataclass
class ForeignKey:
    name: str
    column: str
    ref_table: str
    ref_columns: list[str]
    on_delete: str = "no action"


@dataclass
class Index:
    name: str
    columns: list[str]
    unique: bool = False
    where: str | None = None  # a column named in an IS NOT NULL predicate
    method: str = "btree"


@dataclass
class Function:
    """`name(param integer)`, IMMUTABLE, returning param + 1 as `returns`."""

    name: str
    returns: str = "integer"  # or "bigint"
    param: str = "raw"
    body: str = "sql"  # one of FUNCTION_BODIES


@dataclass
class Domain:
    """`CREATE DOMAIN name AS base` with an optional CHECK, NOT NULL and default."""

    name: str
    base: str
    check: str | None = None
    not_null: bool = False
    default: str | None = None


@dataclass
class FunctionUse:
    """An integer column `name` of a table using `function`: in its default, a CHECK on it, a partial
    index on it, or as a stored generated column."""

    name: str
    function: str
    kind: str  # one of USE_KINDS


@dataclass
class Table:
    name: str
    columns: list[Column]
    pk: list[str] | None = None
    uniques: list[Unique] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    fks: list[ForeignKey] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    partitions: list[int] | None = None  # quarters (index into QUARTERS); -1 is the default partition
    comment: str | None = None
    grants: dict[str, set[str]] = field(default_factory=dict)
    identity: Identity | None = None  # a column IDENTITY_COLUMN, generated as identity with options
    replica: str = "default"  # REPLICA IDENTITY: default, full or nothing
    trigger_comment: str | None = None  # a trigger TRIGGER_NAME when set ("" is a trigger without a comment)
    uses: list[FunctionUse] = field(default_factory=list)  # columns of their own, using a function
    rls: bool = False  # ENABLE ROW LEVEL SECURITY
    rls_forced: bool = False  # FORCE ROW LEVEL SECURITY

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def partitioned(self) -> bool:
        return self.partitions is not None


@dataclass
class Identity:
    always: bool = True
    start: int = 1
    increment: int = 1
    minvalue: int = 1
    maxvalue: int = 2147483647
    cache: int = 1
    cycle: bool = False


@dataclass
class Child:
    """An inheritance child of a (plain) table, with a column of its own."""

    name: str
    parent: str
    own: str = "note"


@dataclass
class Aggregate:
    name: str
    initcond: int = 0
    comment: str | None = None
    parallel: str = "unsafe"


@dataclass
class View:
    name: str
    table: str
    columns: list[str]
    filter_column: str | None = None
    comment: str | None = None
    grants: dict[str, set[str]] = field(default_factory=dict)
    function: str | None = None  # a select item calling it ("scored")
    source_view: str | None = None  # reads this view (of `table`) instead of the table: a view over a view


@dataclass
class Sequence:
    name: str
    type: str = "bigint"
    increment: int = 1
    minvalue: int = 1
    maxvalue: int = SEQ_BOUNDS["bigint"]
    start: int = 1
    cache: int = 1
    cycle: bool = False
    grants: dict[str, set[str]] = field(default_factory=dict)
    owned_by: tuple[str, str] | None = None  # (table, column)


@dataclass
class Schema:
    enums: dict[str, list[str]] = field(default_factory=dict)
    sequences: dict[str, Sequence] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    views: dict[str, View] = field(default_factory=dict)
    children: dict[str, Child] = field(default_factory=dict)
    aggregates: dict[str, Aggregate] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    domains: dict[str, Domain] = field(default_factory=dict)
    grants: dict[str, set[str]] = field(default_factory=dict)  # on the schema itself
    serial: int = 0  # for fresh constraint and index names

    def fresh(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}{self.serial}"


# --- type-dependent pieces -------------------------------------------------------------------------


def family(t: Type) -> str:
    if t[0] == "domain":
        return "domain"  # no defaults or CHECKs of its own in columns: the domain's apply
    if t[0] in NUMERIC_FAMILY:
        return "number"
    if t[0] in TEXT_FAMILY:
        return "text"
    return t[0]


DEFAULTS: dict[str, dict[str, str]] = {
    "number": {"zero": "0", "answer": "42"},
    "text": {"x": "'x'", "empty": "''", "quote": "'it''s'"},
    "boolean": {"true": "true", "false": "false"},
    "timestamptz": {"now": "now()", "fixed": "'2026-01-01 00:00:00+00'"},
    "date": {"today": "current_date", "fixed": "'2026-02-01'"},
    "uuid": {"random": "gen_random_uuid()"},
    "jsonb": {"object": "'{}'::jsonb", "array": "'[]'::jsonb"},
    "text[]": {"empty": "'{}'::text[]", "one": "ARRAY['a']"},
}

CHECKS: dict[str, dict[str, str]] = {
    "number": {"positive": "{c} > 0", "range": "{c} >= 0 AND {c} < 1000", "between": "{c} BETWEEN 1 AND 10"},
    "text": {"nonempty": "length({c}) > 0", "not_x": "{c} <> 'x'"},
    "date": {"recent": "{c} > '2000-01-01'"},
    "jsonb": {"object": "jsonb_typeof({c}) = 'object'"},
    "text[]": {"small": "cardinality({c}) < 10"},
    "enum": {"not_label": "{c} <> {label}"},
    "boolean": {"true_or_null": "{c} OR {c} IS NULL"},
}


def default_choices(t: Type, schema: Schema) -> list[str]:
    if t[0] == "enum":
        return [f"label:{label}" for label in schema.enums.get(t[1], [])]
    out = list(DEFAULTS.get(family(t), {}))
    if t[0] in ("integer", "bigint"):
        out += [f"nextval:{s}" for s in schema.sequences]
    return out


def render_default(col: Column) -> str:
    assert col.default is not None
    if col.default.startswith("nextval:"):
        return f"nextval({lit(qualified(col.default.split(':', 1)[1]))}::regclass)"
    if col.default.startswith("label:"):
        return lit(col.default.split(":", 1)[1])
    return DEFAULTS[family(col.type)][col.default]


def default_valid(col: Column, schema: Schema) -> bool:
    return col.default is None or col.default in default_choices(col.type, schema)


def check_choices(t: Type, schema: Schema) -> list[tuple[str, str]]:
    if t[0] == "enum":
        return [("not_label", label) for label in schema.enums.get(t[1], [])]
    return [(k, "") for k in CHECKS.get(family(t), {})]


# --- rendering ---------------------------------------------------------------------------------------


def _grant_lines(keyword: str, obj: str, grants: dict[str, set[str]], columns: str = "") -> list[str]:
    out = []
    for role in sorted(grants):
        privs = sorted(grants[role])
        if not privs:
            continue
        if columns:
            listed = ", ".join(f"{p} ({columns})" for p in privs)
            out.append(f"GRANT {listed} ON {keyword} {obj} TO {q(role)};")
        else:
            out.append(f"GRANT {', '.join(privs)} ON {keyword} {obj} TO {q(role)};")
    return out


def _check_sql(table: Table, chk: Check) -> str:
    col = table.column(chk.column)
    assert col is not None
    fam = "enum" if col.type[0] == "enum" else family(col.type)
    return CHECKS[fam][chk.kind].format(c=q(chk.column), label=lit(chk.arg))


def render(schema: Schema) -> str:
    """The schema as a SQL script (one statement per line, ordered so it loads in one go)."""
    out = [f"CREATE SCHEMA {q(SCHEMA)};"]
    out += _grant_lines("SCHEMA", q(SCHEMA), schema.grants)
    for name, labels in schema.enums.items():
        out.append(f"CREATE TYPE {qualified(name)} AS ENUM ({', '.join(lit(v) for v in labels)});")
    for d in schema.domains.values():
        default = f" DEFAULT {d.default}" if d.default is not None else ""
        check = f" CHECK ({d.check})" if d.check else ""
        out.append(f"CREATE DOMAIN {qualified(d.name)} AS {d.base}{default}{' NOT NULL' if d.not_null else ''}{check};")
    for seq in schema.sequences.values():
        out.append(
            f"CREATE SEQUENCE {qualified(seq.name)} AS {seq.type} INCREMENT BY {seq.increment}"
            f" MINVALUE {seq.minvalue} MAXVALUE {seq.maxvalue} START WITH {seq.start} CACHE {seq.cache}"
            f"{' CYCLE' if seq.cycle else ' NO CYCLE'};"
        )
        out += _grant_lines("SEQUENCE", qualified(seq.name), seq.grants)
    out += [_function_sql(f) for f in schema.functions.values()]
    if any(t.trigger_comment is not None for t in schema.tables.values()):
        out.append(
            f"CREATE FUNCTION {qualified('touch')}() RETURNS trigger LANGUAGE plpgsql"
            " AS $$ BEGIN RETURN NEW; END $$;"
        )
    if schema.aggregates:
        out.append(
            f"CREATE FUNCTION {qualified('add int')}(integer, integer) RETURNS integer LANGUAGE sql IMMUTABLE"
            " AS 'SELECT $1 + $2';"
        )
    for agg in schema.aggregates.values():
        out.append(
            f"CREATE AGGREGATE {qualified(agg.name)}(integer) (SFUNC = {qualified('add int')}, STYPE = integer,"
            f" INITCOND = {lit(str(agg.initcond))}, PARALLEL = {agg.parallel});"
        )
        if agg.comment is not None:
            out.append(f"COMMENT ON AGGREGATE {qualified(agg.name)}(integer) IS {lit(agg.comment)};")
    tables = list(schema.tables.values())
    for t in tables:
        parts = []
        for c in t.columns:
            piece = f"{q(c.name)} {render_type(c.type)}"
            if c.default is not None:
                piece += f" DEFAULT {render_default(c)}"
            if c.not_null:
                piece += " NOT NULL"
            parts.append(piece)
        if t.identity is not None:
            parts.append(f"{q(IDENTITY_COLUMN)} integer {_identity_sql(t.identity)}")
        for use in t.uses:
            call = f"{qualified(use.function)}"
            if use.kind == "generated":
                parts.append(f"{q(use.name)} bigint GENERATED ALWAYS AS ({call}(2)) STORED")
            else:
                parts.append(f"{q(use.name)} integer" + (f" DEFAULT {call}(2)" if use.kind == "default" else ""))
            if use.kind == "check":
                parts.append(f"CONSTRAINT {q('ck ' + use.name)} CHECK ({call}({q(use.name)}) > -1000)")
        if t.pk:
            parts.append(f"CONSTRAINT {q('pk_' + t.name)} PRIMARY KEY ({', '.join(q(c) for c in t.pk)})")
        for u in t.uniques:
            parts.append(f"CONSTRAINT {q(u.name)} UNIQUE ({', '.join(q(c) for c in u.columns)})")
        for chk in t.checks:
            parts.append(f"CONSTRAINT {q(chk.name)} CHECK ({_check_sql(t, chk)})")
        tail = f" PARTITION BY RANGE ({q(PARTITION_KEY)})" if t.partitioned else ""
        out.append(f"CREATE TABLE {qualified(t.name)} ({', '.join(parts)}){tail};")
        for p in t.partitions or []:
            bound = "DEFAULT" if p < 0 else f"FOR VALUES FROM ({lit(QUARTERS[p][0])}) TO ({lit(QUARTERS[p][1])})"
            out.append(f"CREATE TABLE {qualified(partition_name(t, p))} PARTITION OF {qualified(t.name)} {bound};")
        if t.comment is not None:
            out.append(f"COMMENT ON TABLE {qualified(t.name)} IS {lit(t.comment)};")
        if t.replica != "default":
            out.append(f"ALTER TABLE {qualified(t.name)} REPLICA IDENTITY {t.replica.upper()};")
        if t.rls:
            out.append(f"ALTER TABLE {qualified(t.name)} ENABLE ROW LEVEL SECURITY;")
        if t.rls_forced:
            out.append(f"ALTER TABLE {qualified(t.name)} FORCE ROW LEVEL SECURITY;")
        if t.trigger_comment is not None:
            out.append(
                f"CREATE TRIGGER {q(TRIGGER_NAME)} BEFORE UPDATE ON {qualified(t.name)}"
                f" FOR EACH ROW EXECUTE FUNCTION {qualified('touch')}();"
            )
            if t.trigger_comment:
                out.append(f"COMMENT ON TRIGGER {q(TRIGGER_NAME)} ON {qualified(t.name)} IS {lit(t.trigger_comment)};")
        for c in t.columns:
            if c.comment is not None:
                out.append(f"COMMENT ON COLUMN {qualified(t.name)}.{q(c.name)} IS {lit(c.comment)};")
        out += _grant_lines("TABLE", qualified(t.name), t.grants)
        for c in t.columns:
            out += _grant_lines("TABLE", qualified(t.name), c.grants, q(c.name))
    for t in tables:
        for ix in t.indexes:
            using = f" USING {ix.method}" if ix.method != "btree" else ""
            where = f" WHERE ({q(ix.where)} IS NOT NULL)" if ix.where else ""
            cols = ", ".join(q(c) for c in ix.columns)
            unique = "UNIQUE " if ix.unique else ""
            out.append(f"CREATE {unique}INDEX {q(ix.name)} ON {qualified(t.name)}{using} ({cols}){where};")
        for use in t.uses:
            if use.kind == "index":
                out.append(
                    f"CREATE INDEX {q(t.name + ' ' + use.name)} ON {qualified(t.name)} ({q(use.name)})"
                    f" WHERE {qualified(use.function)}({q(use.name)}) > 0;"
                )
    for t in tables:
        for fk in t.fks:
            out.append(
                f"ALTER TABLE {qualified(t.name)} ADD CONSTRAINT {q(fk.name)} FOREIGN KEY ({q(fk.column)})"
                f" REFERENCES {qualified(fk.ref_table)} ({', '.join(q(c) for c in fk.ref_columns)})"
                f" ON DELETE {fk.on_delete.upper()};"
            )
    for seq in schema.sequences.values():
        if seq.owned_by:
            table, column = seq.owned_by
            out.append(f"ALTER SEQUENCE {qualified(seq.name)} OWNED BY {qualified(table)}.{q(column)};")
    for child in schema.children.values():
        out.append(f"CREATE TABLE {qualified(child.name)} ({q(child.own)} text) INHERITS ({qualified(child.parent)});")
    # Views over tables first, then views over those.
    for v in sorted(schema.views.values(), key=lambda v: v.source_view is not None):
        where = f" WHERE {q(v.filter_column)} IS NOT NULL" if v.filter_column else ""
        cols = ", ".join(q(c) for c in v.columns)
        if v.function:
            cols += f", {qualified(v.function)}(1) AS {q('scored')}"
        source = qualified(v.source_view or v.table)
        out.append(f"CREATE VIEW {qualified(v.name)} AS SELECT {cols} FROM {source}{where};")
        if v.comment is not None:
            out.append(f"COMMENT ON VIEW {qualified(v.name)} IS {lit(v.comment)};")
        out += _grant_lines("TABLE", qualified(v.name), v.grants)
    return "\n".join(out) + "\n"


def _function_sql(f: Function) -> str:
    expr = f"{q(f.param)} + 1" if f.returns == "integer" else f"({q(f.param)} + 1)::bigint"
    head = f"CREATE FUNCTION {qualified(f.name)}({q(f.param)} integer) RETURNS {f.returns} IMMUTABLE"
    if f.body == "atomic":
        return f"{head} LANGUAGE sql BEGIN ATOMIC SELECT {expr}; END;"
    if f.body == "plpgsql":
        return f"{head} LANGUAGE plpgsql AS $$BEGIN RETURN {expr}; END$$;"
    return f"{head} LANGUAGE sql AS {lit('SELECT ' + expr)};"


def _identity_sql(i: Identity) -> str:
    return (
        f"GENERATED {'ALWAYS' if i.always else 'BY DEFAULT'} AS IDENTITY (START WITH {i.start} INCREMENT BY"
        f" {i.increment} MINVALUE {i.minvalue} MAXVALUE {i.maxvalue} CACHE {i.cache}{' CYCLE' if i.cycle else ''})"
    )


def partition_name(t: Table, p: int) -> str:
    return f"{t.name}_{'default' if p < 0 else f'q{p + 1}'}"


# --- repair ------------------------------------------------------------------------------------------


def _key_ok(t: Table, cols: list[str]) -> bool:
    """Columns usable as a PK/UNIQUE key of `t`: present, btree-able, with the partition key if any."""
    for c in cols:
        col = t.column(c)
        if col is None or col.type[0] in ("jsonb", "text[]"):
            return False
    return len(set(cols)) == len(cols) and (not t.partitioned or PARTITION_KEY in cols)


def normalise(schema: Schema) -> None:
    """Drop whatever the last mutation left dangling, so the schema renders valid SQL."""
    for t in schema.tables.values():
        for c in t.columns:
            if c.type[0] == "enum" and c.type[1] not in schema.enums:
                c.type = ("text",)
                c.default = None
            if c.type[0] == "domain" and c.type[1] not in schema.domains:
                c.type = (c.type[2],)  # its domain is gone: the base type
                c.default = None
            if not default_valid(c, schema):
                c.default = None
        if t.pk is not None and not _key_ok(t, t.pk):
            t.pk = None
        t.uniques = [u for u in t.uniques if _key_ok(t, u.columns)]
        t.checks = [
            chk
            for chk in t.checks
            if (col := t.column(chk.column)) is not None and (chk.kind, chk.arg) in check_choices(col.type, schema)
        ]
        t.indexes = [ix for ix in t.indexes if _index_ok(t, ix)]
        t.fks = [fk for fk in t.fks if _fk_ok(schema, t, fk)]
        t.grants = {r: p for r, p in t.grants.items() if p}
        t.uses = [] if t.partitioned else [u for u in t.uses if u.function in schema.functions]
    for child in list(schema.children.values()):
        parent = schema.tables.get(child.parent)
        if parent is None or parent.partitioned or parent.column(child.own) is not None or child.name in schema.tables:
            del schema.children[child.name]
    for t in schema.tables.values():
        if t.partitioned:
            t.identity, t.replica = None, "default"
    for seq in schema.sequences.values():
        if seq.owned_by:
            owner = schema.tables.get(seq.owned_by[0])
            if owner is None or owner.partitioned or owner.column(seq.owned_by[1]) is None:
                seq.owned_by = None
    for v in sorted(schema.views.values(), key=lambda v: v.source_view is not None):
        t = schema.tables.get(v.table)
        source = schema.views.get(v.source_view) if v.source_view else None
        if t is None or (v.source_view and (source is None or source.table != v.table or source.source_view)):
            del schema.views[v.name]
            continue
        v.columns = [c for c in v.columns if t.column(c) is not None and (source is None or c in source.columns)]
        if v.filter_column and v.filter_column not in v.columns and (source or t.column(v.filter_column) is None):
            v.filter_column = None
        if v.function not in schema.functions:
            v.function = None
        if not v.columns:
            del schema.views[v.name]


def _index_ok(t: Table, ix: Index) -> bool:
    cols = [t.column(c) for c in ix.columns]
    if any(c is None for c in cols) or len(set(ix.columns)) != len(ix.columns):
        return False
    if ix.where and t.column(ix.where) is None:
        return False
    if ix.method == "gin":
        return len(cols) == 1 and cols[0] is not None and cols[0].type[0] in ("jsonb", "text[]")
    if any(c is not None and c.type[0] in ("jsonb", "text[]") for c in cols) and ix.unique:
        return False
    return not (ix.unique and t.partitioned and PARTITION_KEY not in ix.columns)


def _fk_ok(schema: Schema, t: Table, fk: ForeignKey) -> bool:
    ref = schema.tables.get(fk.ref_table)
    col = t.column(fk.column)
    if ref is None or col is None or ref.partitioned or len(fk.ref_columns) != 1:
        return False
    target = ref.column(fk.ref_columns[0])
    if target is None or target.type != col.type:
        return False
    keys = [ref.pk] if ref.pk else []
    keys += [u.columns for u in ref.uniques]
    return fk.ref_columns in keys


# --- strategies --------------------------------------------------------------------------------------


def _type(draw: st.DrawFn, schema: Schema) -> Type:
    options: list[Type] = list(SIMPLE_TYPES) + [("enum", e) for e in schema.enums]
    options += [("domain", d.name, d.base) for d in schema.domains.values()]
    return draw(st.sampled_from(options))


def _column(draw: st.DrawFn, schema: Schema, name: str) -> Column:
    t = _type(draw, schema)
    col = Column(name, t, not_null=draw(st.booleans()))
    defaults = default_choices(t, schema)
    if defaults and draw(st.booleans()):
        col.default = draw(st.sampled_from(defaults))
    return col


def _grants(draw: st.DrawFn, privileges: tuple[str, ...]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for role in ROLES:
        privs = draw(st.sets(st.sampled_from(privileges), max_size=3))
        if privs:
            out[role] = privs
    return out


def _table(draw: st.DrawFn, schema: Schema, name: str) -> Table:
    partitioned = draw(st.integers(0, 4)) == 0
    n = draw(st.integers(1, 4))
    names = draw(st.lists(st.sampled_from(COLUMN_NAMES), min_size=n, max_size=n, unique=True))
    cols = [_column(draw, schema, c) for c in names]
    if partitioned:
        cols = [c for c in cols if c.name != PARTITION_KEY]
        cols.append(Column(PARTITION_KEY, ("date",), not_null=True))
    t = Table(name, cols)
    if partitioned:
        t.partitions = sorted(draw(st.sets(st.sampled_from([-1, 0, 1, 2, 3]), min_size=1, max_size=2)))
    if draw(st.booleans()):
        _add_pk(draw, t)
    if draw(st.booleans()):
        t.comment = draw(st.sampled_from(COMMENTS))
    if draw(st.booleans()):
        t.grants = _grants(draw, TABLE_PRIVILEGES)
    return t


def _add_pk(draw: st.DrawFn, t: Table) -> None:
    keyable = [c.name for c in t.columns if c.type[0] not in ("jsonb", "text[]")]
    if not keyable:
        return
    cols = draw(st.lists(st.sampled_from(keyable), min_size=1, max_size=2, unique=True))
    if t.partitioned and PARTITION_KEY not in cols:
        cols.append(PARTITION_KEY)
    t.pk = cols


def _sequence(draw: st.DrawFn, name: str) -> Sequence:
    typ = draw(st.sampled_from(sorted(SEQ_BOUNDS)))
    top = SEQ_BOUNDS[typ]
    if draw(st.integers(0, 3)) == 0:  # descending
        increment = draw(st.sampled_from([-1, -5]))
        maxvalue = draw(st.sampled_from([-1, 1000]))
        minvalue = draw(st.sampled_from([-top - 1, -30000]))
        start = maxvalue
    else:
        increment = draw(st.sampled_from([1, 2, 10]))
        minvalue = draw(st.sampled_from([1, 100]))
        maxvalue = draw(st.sampled_from([top, 30000]))
        start = draw(st.sampled_from([minvalue, minvalue + 7]))
    return Sequence(
        name,
        typ,
        increment,
        minvalue,
        maxvalue,
        start,
        cache=draw(st.sampled_from([1, 1, 20])),
        cycle=draw(st.booleans()),
        grants=_grants(draw, SEQUENCE_PRIVILEGES) if draw(st.booleans()) else {},
    )


@st.composite
def schemas(draw: st.DrawFn) -> Schema:
    """A base schema: a few enums, sequences and tables, then constraints, indexes and views."""
    s = Schema()
    for name in draw(st.lists(st.sampled_from(ENUM_NAMES), max_size=2, unique=True)):
        s.enums[name] = draw(st.lists(st.sampled_from(ENUM_LABELS), min_size=1, max_size=3, unique=True))
    for name in draw(st.lists(st.sampled_from(SEQUENCE_NAMES), max_size=1, unique=True)):
        s.sequences[name] = _sequence(draw, name)
    for name in draw(st.lists(st.sampled_from(TABLE_NAMES), min_size=1, max_size=3, unique=True)):
        s.tables[name] = _table(draw, s, name)
    for _ in range(draw(st.integers(0, 3))):
        mutate(draw, s, draw(st.sampled_from(GROWTH)))
    if draw(st.booleans()):  # functions and what uses them, in half the base schemas
        m_function(draw, s)
        for _ in range(draw(st.integers(1, 3))):
            m_function_use(draw, s)
        m_view(draw, s)
    if draw(st.booleans()):
        s.grants = _grants(draw, SCHEMA_PRIVILEGES)
    normalise(s)
    return s


def castable(a: Type, b: Type) -> bool:
    """Whether ALTER COLUMN ... TYPE b USING col::b works from a: within numbers, within text, via enums."""
    a, b = ((t[2],) if t[0] == "domain" else t for t in (a, b))  # a domain casts as its base
    fa, fb = ("enum" if a[0] == "enum" else family(a)), ("enum" if b[0] == "enum" else family(b))
    return fa == fb or {fa, fb} == {"text", "enum"}


def _keep_types_castable(base: Schema, other: Schema) -> None:
    """A column dropped and re-added under its old name with a type it cannot be cast to keeps its old
    type: the engine cannot plan that change (tests/cases/property/incompatible_type_readd, xfail)."""
    for t in other.tables.values():
        old = base.tables.get(t.name)
        for col in t.columns:
            was = old.column(col.name) if old else None
            if was is not None and not castable(was.type, col.type):
                if was.type[0] == "domain" and was.type[1] not in other.domains:
                    col.type = (was.type[2],)
                elif was.type[0] == "enum" and was.type[1] not in other.enums:
                    col.type = ("text",)  # its enum is gone: text still casts from it
                else:
                    col.type = was.type
                col.default = None


@st.composite
def schema_pairs(draw: st.DrawFn) -> tuple[Schema, Schema, list[str]]:
    """(base, mutated, names of the mutations applied)."""
    base = draw(schemas())
    other = copy.deepcopy(base)
    applied = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(PAIR_KINDS))
        if mutate(draw, other, kind):
            applied.append(kind)
        normalise(other)
    _keep_types_castable(base, other)
    _no_generated_over_changed_functions(base, other)
    normalise(other)
    return base, other, applied


def _no_generated_over_changed_functions(base: Schema, other: Schema) -> None:
    """A generated column over a function whose result or parameter changes is not planned yet
    (tests/cases/dependents/function_under_generated_column, xfail): such uses are left out."""
    after = {name: (f.returns, f.param) for name, f in other.functions.items()}
    changed = {n for n, f in base.functions.items() if after.get(n, (f.returns, f.param)) != (f.returns, f.param)}
    for s in (base, other):
        for t in s.tables.values():
            t.uses = [u for u in t.uses if not (u.kind == "generated" and u.function in changed)]


# --- mutations ---------------------------------------------------------------------------------------


def _pick_table(draw: st.DrawFn, s: Schema, partitioned: bool | None = None) -> Table | None:
    tables = [t for t in s.tables.values() if partitioned is None or t.partitioned == partitioned]
    return draw(st.sampled_from(tables)) if tables else None


def _pick_column(draw: st.DrawFn, t: Table, movable: bool = False) -> Column | None:
    cols = [c for c in t.columns if not (movable and t.partitioned and c.name == PARTITION_KEY)]
    return draw(st.sampled_from(cols)) if cols else None


def m_add_table(draw: st.DrawFn, s: Schema) -> bool:
    free = [n for n in TABLE_NAMES if n not in s.tables]
    if not free:
        return False
    name = draw(st.sampled_from(free))
    s.tables[name] = _table(draw, s, name)
    return True


def m_drop_table(draw: st.DrawFn, s: Schema) -> bool:
    t = _pick_table(draw, s)
    if t is None:
        return False
    del s.tables[t.name]
    return True


def m_add_column(draw: st.DrawFn, s: Schema) -> bool:
    t = _pick_table(draw, s)
    free = [n for n in COLUMN_NAMES if t and t.column(n) is None and n != PARTITION_KEY]
    if t is None or not free:
        return False
    t.columns.append(_column(draw, s, draw(st.sampled_from(free))))
    return True


def m_drop_column(draw: st.DrawFn, s: Schema) -> bool:
    t = _pick_table(draw, s)
    col = _pick_column(draw, t, movable=True) if t else None
    if t is None or col is None or len(t.columns) < 2:
        return False
    t.columns.remove(col)
    return True


def m_alter_type(draw: st.DrawFn, s: Schema) -> bool:
    """A type change PostgreSQL can cast (within numbers, within text, or an enum to text and back)."""
    t = _pick_table(draw, s)
    col = _pick_column(draw, t, movable=True) if t else None
    if t is None or col is None:
        return False
    fam = family(col.type)
    if fam in ("number", "text"):
        options = [x for x in SIMPLE_TYPES if family(x) == fam and x != col.type]
        if fam == "text":
            options += [("enum", e) for e in s.enums]
    elif col.type[0] == "enum":
        options = [("text",), *[("enum", e) for e in s.enums if e != col.type[1]]]
    elif col.type[0] == "domain":
        options = [(col.type[2],)]  # off the domain, onto its base
    else:
        return False
    if not options:
        return False
    col.type = draw(st.sampled_from(options))
    if not default_valid(col, s):
        col.default = None
    return True


def m_toggle_not_null(draw: st.DrawFn, s: Schema) -> bool:
    t = _pick_table(draw, s)
    col = _pick_column(draw, t, movable=True) if t else None
    if col is None:
        return False
    col.not_null = not col.not_null
    return True


def m_default(draw: st.DrawFn, s: Schema) -> bool:
    t = _pick_table(draw, s)
    col = _pick_column(draw, t) if t else None
    if col is None:
        return False
    options: list[str | None] = [None, *default_choices(col.type, s)]
    options = [o for o in options if o != col.default]
    if not options:
        return False
    col.default = draw(st.sampled_from(options))
    return True


def m_pk(draw: st.DrawFn, s: Schema) -> bool:
    t = _pick_table(draw, s)
    if t is None:
        return False
    if t.pk:
        t.pk = None
    else:
        _add_pk(draw, t)
    return True


def m_unique(draw: st.DrawFn, s: Schema) -> bool:
    t = _pick_table(draw, s)
    if t is None:
        return False
    if t.uniques and draw(st.booleans()):
        t.uniques.pop(draw(st.integers(0, len(t.uniques) - 1)))
        return True
    cols = draw(st.lists(st.sampled_from([c.name for c in t.columns]), min_size=1, max_size=2, unique=True))
    if t.partitioned and PARTITION_KEY not in cols:
        cols.append(PARTITION_KEY)
    t.uniques.append(Unique(s.fresh(f"uq_{t.name}_"), cols))
    return True


def m_check(draw: st.DrawFn, s: Schema) -> bool:
    """Add a CHECK, drop one, or change one's expression under the same name."""
    t = _pick_table(draw, s)
    if t is None:
        return False
    action = draw(st.sampled_from(["add", "drop", "change"]))
    if action != "add" and t.checks:
        chk = draw(st.sampled_from(t.checks))
        if action == "drop":
            t.checks.remove(chk)
            return True
        col = t.column(chk.column)
        assert col is not None
        choices = [c for c in check_choices(col.type, s) if c != (chk.kind, chk.arg)]
        if not choices:
            return False
        chk.kind, chk.arg = draw(st.sampled_from(choices))
        return True
    col = _pick_column(draw, t)
    choices = check_choices(col.type, s) if col else []
    if col is None or not choices:
        return False
    kind, arg = draw(st.sampled_from(choices))
    t.checks.append(Check(s.fresh(f"ck_{t.name}_"), col.name, kind, arg))
    return True


def m_fk(draw: st.DrawFn, s: Schema) -> bool:
    """Add a foreign key to a key of another (or the same) table, with a column of the same type."""
    t = _pick_table(draw, s)
    if t is None:
        return False
    if t.fks and draw(st.booleans()):
        t.fks.pop(draw(st.integers(0, len(t.fks) - 1)))
        return True
    targets = []
    for ref in s.tables.values():
        if ref.partitioned:
            continue
        keys = ([ref.pk] if ref.pk else []) + [u.columns for u in ref.uniques]
        for key in keys:
            if len(key) != 1:
                continue
            kcol = ref.column(key[0])
            assert kcol is not None
            for col in t.columns:
                if col.type == kcol.type:
                    targets.append((col.name, ref.name, key[0]))
    if not targets:
        # No column of a key's type yet: add one (named after nothing in particular) to reference it.
        keys = [
            (ref.name, key[0])
            for ref in s.tables.values()
            if not ref.partitioned
            for key in ([ref.pk] if ref.pk else []) + [u.columns for u in ref.uniques]
            if len(key) == 1
        ]
        free = [n for n in COLUMN_NAMES if t.column(n) is None]
        if not keys or not free:
            return False
        ref_name, ref_col = draw(st.sampled_from(sorted(keys)))
        kcol = s.tables[ref_name].column(ref_col)
        assert kcol is not None
        targets.append((draw(st.sampled_from(free)), ref_name, ref_col))
        t.columns.append(Column(targets[0][0], kcol.type))
    col_name, ref_name, ref_col = draw(st.sampled_from(sorted(targets)))
    on_delete = draw(st.sampled_from(["no action", "cascade", "set null", "restrict"]))
    t.fks.append(ForeignKey(s.fresh(f"fk_{t.name}_"), col_name, ref_name, [ref_col], on_delete))
    return True


def _no_space(name: str) -> str:
    """Index names keep their spaces (tests/cases/property/partitioned_index_name_with_space, fixed)."""
    return name


def m_index(draw: st.DrawFn, s: Schema) -> bool:
    t = _pick_table(draw, s)
    if t is None:
        return False
    if t.indexes and draw(st.booleans()):
        t.indexes.pop(draw(st.integers(0, len(t.indexes) - 1)))
        return True
    names = [c.name for c in t.columns]
    gin = [c.name for c in t.columns if c.type[0] in ("jsonb", "text[]")]
    if gin and draw(st.booleans()):
        ix = Index(s.fresh(f"ix_{_no_space(t.name)}_"), [draw(st.sampled_from(gin))], method="gin")
    else:
        cols = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
        ix = Index(s.fresh(f"ix_{_no_space(t.name)}_"), cols, unique=draw(st.booleans()))
        if ix.unique and t.partitioned and PARTITION_KEY not in cols:
            cols.append(PARTITION_KEY)
    if draw(st.booleans()):
        ix.where = draw(st.sampled_from(names))
    t.indexes.append(ix)
    return True


def m_partition(draw: st.DrawFn, s: Schema) -> bool:
    """Add or drop a partition of a partitioned table (keeping at least one)."""
    t = _pick_table(draw, s, partitioned=True)
    if t is None or t.partitions is None:
        return False
    free = [p for p in (-1, 0, 1, 2, 3) if p not in t.partitions]
    if free and (len(t.partitions) < 2 or draw(st.booleans())):
        t.partitions = sorted([*t.partitions, draw(st.sampled_from(free))])
    else:
        t.partitions.remove(draw(st.sampled_from(t.partitions)))
    return True


def m_view(draw: st.DrawFn, s: Schema) -> bool:
    """Add a view, drop one, or change its columns or filter."""
    if s.views and draw(st.booleans()):
        v = draw(st.sampled_from(list(s.views.values())))
        t = s.tables[v.table]
        action = draw(st.sampled_from(["drop", "columns", "filter"]))
        if action == "drop":
            del s.views[v.name]
        elif action == "columns":
            v.columns = draw(
                st.lists(st.sampled_from([c.name for c in t.columns]), min_size=1, max_size=3, unique=True)
            )
        else:
            v.filter_column = draw(st.sampled_from([None, *(c.name for c in t.columns)]))
        return True
    free = [n for n in VIEW_NAMES if n not in s.views]
    t = _pick_table(draw, s)
    if not free or t is None:
        return False
    cols = draw(st.lists(st.sampled_from([c.name for c in t.columns]), min_size=1, max_size=3, unique=True))
    v = View(draw(st.sampled_from(free)), t.name, cols)
    over = [w for w in s.views.values() if w.table == t.name and w.source_view is None]
    if over and draw(st.booleans()):
        w = draw(st.sampled_from(over))
        v.source_view, v.columns = w.name, draw(st.lists(st.sampled_from(w.columns), min_size=1, unique=True))
    elif draw(st.booleans()):
        v.filter_column = draw(st.sampled_from(cols))
    if s.functions and draw(st.booleans()):
        v.function = draw(st.sampled_from(sorted(s.functions)))
    if draw(st.booleans()):
        v.comment = draw(st.sampled_from(COMMENTS))
    if draw(st.booleans()):
        v.grants = _grants(draw, VIEW_PRIVILEGES)
    s.views[v.name] = v
    return True


def m_enum(draw: st.DrawFn, s: Schema) -> bool:
    """Add a label to an enum (at the end or before another), or add a new enum and use it."""
    if s.enums and draw(st.integers(0, 2)) > 0:
        name = draw(st.sampled_from(sorted(s.enums)))
        labels = s.enums[name]
        free = [v for v in ENUM_LABELS if v not in labels]
        # Backwards the label is removed and the engine recreates the enum, under a CHECK or a foreign
        # key on a column of it too (tests/cases/property/enum_recreated_under_check, ..._foreign_key).
        if not free:
            return False
        pos = draw(st.integers(0, len(labels)))
        labels.insert(pos, draw(st.sampled_from(free)))
        return True
    free = [n for n in ENUM_NAMES if n not in s.enums]
    if not free:
        return False
    name = draw(st.sampled_from(free))
    s.enums[name] = draw(st.lists(st.sampled_from(ENUM_LABELS), min_size=1, max_size=3, unique=True))
    t = _pick_table(draw, s)
    if t is not None and draw(st.booleans()):
        free_cols = [n for n in COLUMN_NAMES if t.column(n) is None and n != PARTITION_KEY]
        if free_cols:
            t.columns.append(Column(draw(st.sampled_from(free_cols)), ("enum", name)))
    return True


def m_drop_enum(draw: st.DrawFn, s: Schema) -> bool:
    """Drop an enum; columns of that type become text (normalise)."""
    if not s.enums:
        return False
    del s.enums[draw(st.sampled_from(sorted(s.enums)))]
    return True


def m_sequence(draw: st.DrawFn, s: Schema) -> bool:
    """Add a sequence, drop one, or change its options."""
    if s.sequences and draw(st.booleans()):
        name = draw(st.sampled_from(sorted(s.sequences)))
        if draw(st.booleans()):
            del s.sequences[name]
        elif draw(st.booleans()):
            old = s.sequences[name]
            s.sequences[name] = _sequence(draw, name)
            s.sequences[name].grants, s.sequences[name].owned_by = old.grants, old.owned_by
        else:
            owners = [(t.name, c.name) for t in s.tables.values() if not t.partitioned for c in t.columns]
            s.sequences[name].owned_by = draw(st.sampled_from([None, *owners]))
        return True
    free = [n for n in SEQUENCE_NAMES if n not in s.sequences]
    if not free:
        return False
    name = draw(st.sampled_from(free))
    s.sequences[name] = _sequence(draw, name)
    return True


def m_grants(draw: st.DrawFn, s: Schema) -> bool:
    """Change the grants on the schema, a table, a column, a view or a sequence."""
    targets = ["schema", "table", "view", "sequence"] + (["column"] if COLUMN_GRANTS else [])
    target = draw(st.sampled_from(targets))
    if target == "schema":
        s.grants = _grants(draw, SCHEMA_PRIVILEGES)
    elif target == "table":
        t = _pick_table(draw, s)
        if t is None:
            return False
        t.grants = _grants(draw, TABLE_PRIVILEGES)
    elif target == "column":
        t = _pick_table(draw, s)
        col = _pick_column(draw, t) if t else None
        if col is None:
            return False
        col.grants = _grants(draw, COLUMN_PRIVILEGES)
    elif target == "view":
        if not s.views:
            return False
        draw(st.sampled_from(list(s.views.values()))).grants = _grants(draw, VIEW_PRIVILEGES)
    else:
        if not s.sequences:
            return False
        draw(st.sampled_from(list(s.sequences.values()))).grants = _grants(draw, SEQUENCE_PRIVILEGES)
    return True


def m_comment(draw: st.DrawFn, s: Schema) -> bool:
    """Set, change or remove a comment on a table, a column or a view."""
    target = draw(st.sampled_from(["table", "column", "view"]))
    text = draw(st.sampled_from([None, *COMMENTS]))
    if target == "view":
        if not s.views:
            return False
        draw(st.sampled_from(list(s.views.values()))).comment = text
        return True
    t = _pick_table(draw, s)
    if t is None:
        return False
    if target == "table":
        t.comment = text
    else:
        col = _pick_column(draw, t)
        if col is None:
            return False
        col.comment = text
    return True


def _identity(draw: st.DrawFn) -> Identity:
    # Bounds always hold the start (a fresh sequence's position: altering them around it must work).
    start = draw(st.sampled_from([1, 3, 100]))
    return Identity(
        always=draw(st.booleans()),
        start=start,
        increment=draw(st.sampled_from([1, 4, 10])),
        minvalue=draw(st.sampled_from([1, start])),
        maxvalue=draw(st.sampled_from([2147483647, 100000])),
        cache=draw(st.sampled_from([1, 5])),
        cycle=draw(st.booleans()),
    )


def m_identity(draw: st.DrawFn, s: Schema) -> bool:
    """Add an identity column, drop it, or change its kind or sequence options."""
    t = _pick_table(draw, s, partitioned=False)
    if t is None:
        return False
    t.identity = None if t.identity is not None and draw(st.booleans()) else _identity(draw)
    return True


def m_replica_identity(draw: st.DrawFn, s: Schema) -> bool:
    t = _pick_table(draw, s, partitioned=False)
    if t is None:
        return False
    t.replica = draw(st.sampled_from(["default", "full", "nothing"]))
    return True


def m_inherit(draw: st.DrawFn, s: Schema) -> bool:
    """Add an inheritance child of a plain table, or drop one."""
    if s.children and draw(st.booleans()):
        del s.children[draw(st.sampled_from(sorted(s.children)))]
        return True
    parent = _pick_table(draw, s, partitioned=False)
    free = [n for n in CHILD_NAMES if n not in s.children and n not in s.tables]
    if parent is None or not free:
        return False
    name = draw(st.sampled_from(free))
    s.children[name] = Child(name, parent.name)
    return True


def m_aggregate(draw: st.DrawFn, s: Schema) -> bool:
    """Add, drop or change an aggregate (its initial value, parallel safety, comment)."""
    name = draw(st.sampled_from(AGGREGATE_NAMES))
    if name in s.aggregates and draw(st.integers(0, 2)) == 0:
        del s.aggregates[name]
        return True
    agg = s.aggregates.setdefault(name, Aggregate(name))
    agg.initcond = draw(st.sampled_from([0, 10]))
    agg.parallel = draw(st.sampled_from(["unsafe", "safe"]))
    agg.comment = draw(st.sampled_from([None, *COMMENTS]))
    return True


def m_trigger(draw: st.DrawFn, s: Schema) -> bool:
    """Add a trigger, drop it, or set, change or remove its comment."""
    t = _pick_table(draw, s, partitioned=False)
    if t is None:
        return False
    t.trigger_comment = draw(st.sampled_from([None, "", *COMMENTS[:2]]))
    return True


def m_function(draw: st.DrawFn, s: Schema) -> bool:
    """Add a function, drop one, or change its result type, parameter name or body kind (the first
    two are a DROP and CREATE with its dependents)."""
    if s.functions and draw(st.booleans()):
        f = s.functions[draw(st.sampled_from(sorted(s.functions)))]
        action = draw(st.sampled_from(["drop", "returns", "param", "body"]))
        if action == "drop":
            del s.functions[f.name]
        elif action == "returns":
            f.returns = "bigint" if f.returns == "integer" else "integer"
        elif action == "param":
            f.param = next(p for p in PARAM_NAMES if p != f.param)
        else:
            f.body = draw(st.sampled_from([b for b in FUNCTION_BODIES if b != f.body]))
        return True
    free = [n for n in FUNCTION_NAMES if n not in s.functions]
    if not free:
        return False
    name = draw(st.sampled_from(free))
    s.functions[name] = Function(
        name, draw(st.sampled_from(["integer", "bigint"])), draw(st.sampled_from(PARAM_NAMES)),
        draw(st.sampled_from(FUNCTION_BODIES)),
    )
    return True


def m_function_use(draw: st.DrawFn, s: Schema) -> bool:
    """Add a column using a function (default, CHECK, partial index, generated), drop one, or point it
    at another function."""
    t = _pick_table(draw, s, partitioned=False)
    if t is None:
        return False
    if t.uses and draw(st.booleans()):
        use = draw(st.sampled_from(t.uses))
        others = [n for n in s.functions if n != use.function]
        if others and draw(st.booleans()):
            use.function = draw(st.sampled_from(sorted(others)))
        else:
            t.uses.remove(use)
        return True
    free = [n for n in USE_NAMES if n not in {u.name for u in t.uses}]
    if not free or not s.functions:
        return False
    t.uses.append(FunctionUse(
        draw(st.sampled_from(free)), draw(st.sampled_from(sorted(s.functions))), draw(st.sampled_from(USE_KINDS))))
    return True


Mutation = Callable[[st.DrawFn, Schema], bool]

MUTATIONS: dict[str, Mutation] = {
    "add_table": m_add_table,
    "drop_table": m_drop_table,
    "add_column": m_add_column,
    "drop_column": m_drop_column,
    "alter_type": m_alter_type,
    "not_null": m_toggle_not_null,
    "default": m_default,
    "primary_key": m_pk,
    "unique": m_unique,
    "check": m_check,
    "foreign_key": m_fk,
    "index": m_index,
    "partition": m_partition,
    "view": m_view,
    "enum": m_enum,
    "drop_enum": m_drop_enum,
    "sequence": m_sequence,
    "grants": m_grants,
    "comment": m_comment,
    "identity": m_identity,
    "replica_identity": m_replica_identity,
    "inherit": m_inherit,
    "aggregate": m_aggregate,
    "trigger": m_trigger,
    "function": m_function,
    "function_use": m_function_use,
}
def m_domain(draw: st.DrawFn, s: Schema) -> bool:
    """A domain created, changed (its CHECK, NOT NULL or default) or dropped (its columns keep the base)."""
    name = draw(st.sampled_from(sorted(DOMAINS)))
    base = DOMAINS[name]
    d = s.domains.get(name)
    if d is None:
        s.domains[name] = Domain(
            name, base, draw(st.sampled_from([None, *DOMAIN_CHECKS[base]])), draw(st.booleans()),
            draw(st.sampled_from([None, *DOMAIN_DEFAULTS[base]])),
        )
        if draw(st.booleans()):  # and used at once, most of the time (a domain nobody uses tests little)
            m_domain_column(draw, s)
        return True
    what = draw(st.sampled_from(["check", "not_null", "default", "drop"]))
    if what == "check":
        d.check = draw(st.sampled_from([c for c in (None, *DOMAIN_CHECKS[base]) if c != d.check]))
    elif what == "not_null":
        d.not_null = not d.not_null
    elif what == "default":
        d.default = draw(st.sampled_from([v for v in (None, *DOMAIN_DEFAULTS[base]) if v != d.default]))
    else:
        del s.domains[name]
    return True


def m_domain_column(draw: st.DrawFn, s: Schema) -> bool:
    """A column of a domain's base type moved onto the domain (or a domain column onto its base)."""
    bases = {d.base for d in s.domains.values()}
    candidates = [
        (t, c) for t in s.tables.values() for c in t.columns
        if not (t.partitioned and c.name == PARTITION_KEY)
        and (c.type[0] == "domain" or (len(c.type) == 1 and c.type[0] in bases))
    ]
    if not candidates:
        return False
    _, col = draw(st.sampled_from(candidates))
    if col.type[0] == "domain":
        col.type = (col.type[2],)
        return True
    fitting = [d for d in s.domains.values() if (d.base,) == col.type]
    col.type, col.default = ("domain", (d := draw(st.sampled_from(fitting))).name, d.base), None
    return True


def m_rls(draw: st.DrawFn, s: Schema) -> bool:
    """Row-level security enabled, disabled or forced, on a partitioned table when there is one."""
    t = _pick_table(draw, s, partitioned=True if draw(st.booleans()) else None) or _pick_table(draw, s)
    if t is None:
        return False
    if draw(st.booleans()):
        t.rls = not t.rls
    else:
        t.rls_forced = not t.rls_forced
    return True


MUTATIONS["domain"] = m_domain
MUTATIONS["domain_column"] = m_domain_column
MUTATIONS["rls"] = m_rls

# What a pair's mutations are drawn from: functions and domains weigh more (issue 16).
PAIR_KINDS = (*sorted(MUTATIONS), "function", "function", "function_use", "domain", "domain", "domain_column", "rls")
# What a base schema grows with before the pair is made (things that need other things to exist).
GROWTH = (
    "unique", "check", "foreign_key", "foreign_key", "index", "view", "add_column", "grants",
    "function", "function_use", "function_use", "domain", "domain_column", "rls",
)


def mutate(draw: st.DrawFn, schema: Schema, kind: str) -> bool:
    return MUTATIONS[kind](draw, schema)
