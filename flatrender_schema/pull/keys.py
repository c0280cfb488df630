"""Which object a statement defines: the key a re-pull matches a user's statement with its own.

Read from pglast's JSON parse tree (no Python trees: fast at thousands of statements). Names are the
raw names (unquoted), an unqualified name is taken to be in `public`. A statement this does not know
(a DO block, an INSERT) has no key, and a re-pull leaves it alone.
"""

from __future__ import annotations

import json
from typing import Any

from pglast import parser

SEP = "\x1f"


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k != "location"}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _dump(node: Any) -> str:
    return json.dumps(_strip(node), sort_keys=True)


def _rv(node: dict[str, Any]) -> str:
    return f"{node.get('schemaname') or 'public'}{SEP}{node.get('relname', '')}"


def _names(items: list[dict[str, Any]]) -> str:
    names = [i.get("String", {}).get("sval", "") for i in items]
    if len(names) == 1:
        names.insert(0, "public")
    return SEP.join(names)


def _function(node: dict[str, Any]) -> str:
    args = [
        p["FunctionParameter"].get("argType")
        for p in node.get("parameters", [])
        if p["FunctionParameter"].get("mode") not in ("FUNC_PARAM_OUT", "FUNC_PARAM_TABLE")
    ]
    return f"function:{_names(node['funcname'])}({_dump(args)})"


def _alter_table(node: dict[str, Any]) -> str | None:
    cmds = node.get("cmds", [])
    if len(cmds) != 1:
        return None
    cmd = cmds[0]["AlterTableCmd"]
    name = cmd.get("name", "")
    constraint = cmd.get("def", {}).get("Constraint") if isinstance(cmd.get("def"), dict) else None
    if constraint:
        return f"constraint:{_rv(node['relation'])}{SEP}{constraint.get('conname', '')}"
    return f"alter:{_rv(node['relation'])}:{cmd.get('subtype')}:{name}"


def statement_key(sql: str) -> str | None:
    """The key of the object `sql` (one statement) defines or changes, or None."""
    try:
        tree = json.loads(parser.parse_sql_json(sql))
    except parser.ParseError:
        return None
    stmts = tree.get("stmts", [])
    if len(stmts) != 1:
        return None
    ((kind, node),) = stmts[0]["stmt"].items()
    return _key(kind, node)


def _key(kind: str, node: dict[str, Any]) -> str | None:
    if kind in ("CreateStmt", "CreateForeignTableStmt"):
        return f"rel:{_rv(node.get('relation') or node['base']['relation'])}"
    if kind == "CreateSeqStmt":
        return f"rel:{_rv(node['sequence'])}"
    if kind == "ViewStmt":
        return f"rel:{_rv(node['view'])}"
    if kind == "CreateTableAsStmt":
        return f"rel:{_rv(node['into']['IntoClause']['rel'] if 'IntoClause' in node['into'] else node['into']['rel'])}"
    if kind == "CompositeTypeStmt":
        return f"rel:{_rv(node['typevar'])}"
    if kind == "IndexStmt":
        return f"index:{node['relation'].get('schemaname') or 'public'}{SEP}{node.get('idxname', '')}"
    if kind == "CreateTrigStmt":
        return f"trigger:{_rv(node['relation'])}{SEP}{node['trigname']}"
    if kind == "CreatePolicyStmt":
        return f"policy:{_rv(node['table'])}{SEP}{node['policy_name']}"
    if kind == "CreateEnumStmt" or kind == "CreateRangeStmt":
        return f"type:{_names(node['typeName'])}"
    if kind == "CreateDomainStmt":
        return f"type:{_names(node['domainname'])}"
    if kind == "DefineStmt":
        return f"define:{node.get('kind')}:{_names(node['defnames'])}"
    if kind == "CreateFunctionStmt":
        return _function(node)
    if kind == "CreateSchemaStmt":
        return f"schema:{node.get('schemaname', '')}"
    if kind == "CreateExtensionStmt":
        return f"extension:{node['extname']}"
    if kind == "CommentStmt":
        return f"comment:{node['objtype']}:{_dump(node.get('object'))}"
    if kind == "GrantStmt":
        return "grant:" + _dump({k: v for k, v in node.items() if k != "privileges"})
    if kind == "AlterDefaultPrivilegesStmt":
        grant = node["action"].get("GrantStmt", node["action"])
        action = {k: v for k, v in grant.items() if k != "privileges"}
        return "defacl:" + _dump({"options": node.get("options"), "action": action})
    if kind == "AlterTableStmt":
        return _alter_table(node)
    if kind == "AlterSeqStmt":
        return f"seq:{_rv(node['sequence'])}"
    if kind == "AlterOwnerStmt":
        return f"owner:{node['objectType']}:{_dump(node.get('object'))}"
    if kind == "AlterDomainStmt":
        constraint = node.get("def", {}).get("Constraint", {}) if isinstance(node.get("def"), dict) else {}
        return f"domain:{_names(node['typeName'])}:{node.get('subtype')}:{constraint.get('conname', '')}"
    return None
