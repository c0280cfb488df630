"""Issue 3: lint -> plan -> apply converges a real PostgreSQL, through the real CLI."""

from __future__ import annotations

import re

from conftest import SCHEMA_DIR, Databases, run_cli

IDENTITY_TABLES = sorted(
    m.group(1)
    for f in (SCHEMA_DIR / "identity").glob("*.sql")
    for m in re.finditer(r"CREATE TABLE identity\.(\w+)\s*\(", f.read_text())
)


def _cli(*args: str, target: str, dev: str) -> tuple[int, str, str]:
    r = run_cli(*args, "--database-url", target, "--dev-url", dev, "--now", "2026-11-25")
    return r.returncode, r.stdout, r.stderr


def test_empty_database_plan_apply_then_no_changes(dbs: Databases, server_url: str) -> None:
    target = dbs.create("skeleton")
    code, out, err = _cli("plan", target=target, dev=server_url)
    assert code == 2, err
    assert len(IDENTITY_TABLES) >= 15
    for table in IDENTITY_TABLES:
        # The text is grouped by object (issue 17): one block per table.
        assert re.search(rf"^\+ table identity\.{table}\b", out, re.M), f"{table} missing from the plan"
    assert re.search(r"^Plan: \d+ to create, \d+ to alter, 0 to drop\.$", out, re.M)

    code, out, err = _cli("apply", "--yes", target=target, dev=server_url)
    assert code == 0, out + err
    assert "Converged" in out

    code, out, err = _cli("plan", target=target, dev=server_url)
    assert code == 0, out + err
    assert out.startswith("No changes.")


def test_drift_is_repaired_with_exactly_three_fixes(dbs: Databases, server_url: str) -> None:
    target = dbs.create("drift")
    assert _cli("apply", "--yes", target=target, dev=server_url)[0] == 0
    conn = dbs.connect(target)
    conn.execute("alter table identity.users drop column last_login_at")
    conn.execute("create index stray_idx on identity.users (display_name)")
    conn.execute("alter table identity.users alter column locale set default 'en-US'")

    code, out, err = _cli("plan", "--format", "json", target=target, dev=server_url)
    assert code == 2, err
    import json

    steps = json.loads(out)["steps"]
    sqls = [s["sql"].lower() for s in steps]
    assert len(steps) == 3, sqls
    assert any("add column" in s and "last_login_at" in s for s in sqls)
    assert any(s.startswith("drop index") and "stray_idx" in s for s in sqls)
    assert any("alter column" in s and "locale" in s and "set default 'fa-ir'" in s for s in sqls)

    assert _cli("apply", "--yes", target=target, dev=server_url)[0] == 0
    assert _cli("plan", target=target, dev=server_url)[0] == 0
