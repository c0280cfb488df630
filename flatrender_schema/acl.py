"""Access control lists: aclitems read from the catalogs, normalised, and taken apart into privileges.

One place for the judge (which normalises ACLs so an owner change alone is not a privilege change)
and the gap layer (which turns the difference of two ACLs into GRANT and REVOKE).
"""

from __future__ import annotations

from psycopg import sql

PRIVILEGE_LETTERS = {
    "r": "select",
    "w": "update",
    "a": "insert",
    "d": "delete",
    "D": "truncate",
    "x": "references",
    "t": "trigger",
    "X": "execute",
    "U": "usage",
    "C": "create",
    "c": "connect",
    "T": "temporary",
    "m": "maintain",
}

# One privilege as held: (grantee as the normalised ACL writes it, privilege letter, with grant option).
Privilege = tuple[str, str, bool]


def parse_aclitem(item: str) -> tuple[str, str]:
    """`grantee=privileges/grantor` -> (grantee, privileges); quoted names unquoted, PUBLIC as ''."""
    if item.startswith('"'):
        i, name = 1, []
        while i < len(item):
            if item[i] == '"':
                if item[i + 1 : i + 2] == '"':
                    name.append('"')
                    i += 2
                    continue
                break
            name.append(item[i])
            i += 1
        grantee, rest = "".join(name), item[i + 2 :]
    else:
        grantee, _, rest = item.partition("=")
    return grantee, rest.split("/")[0]


def normalise_acl(acl: list[str] | None, owner: str | None) -> list[str]:
    """aclitems as sorted `grantee=privileges`, the owner written `<owner>`, PUBLIC as `PUBLIC`, no grantor."""
    out = []
    for item in acl or []:
        grantee, privs = parse_aclitem(item)
        if grantee == owner:
            grantee = "<owner>"
        out.append(f"{grantee or 'PUBLIC'}={privs}")
    return sorted(out)


def privileges(acl: tuple[str, ...]) -> set[Privilege]:
    """A normalised ACL taken apart: one entry per grantee and privilege letter."""
    out = set()
    for item in acl:
        grantee, _, letters = item.rpartition("=")
        i = 0
        while i < len(letters):
            grantable = letters[i + 1 : i + 2] == "*"
            out.add((grantee, letters[i], grantable))
            i += 2 if grantable else 1
    return out


def grantee(name: str, owner: str | None = None) -> sql.Composable:
    """A normalised ACL's grantee as SQL: PUBLIC as the keyword, `<owner>` as the owner's name."""
    if name == "PUBLIC":
        return sql.SQL("public")
    return sql.Identifier(owner if name == "<owner>" and owner else name)
