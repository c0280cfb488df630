"""Issue 18, acceptance 2: a database built the way FlatRender's was — hand-ordered migration files
applied one by one with psql — pulled into the services layout declares the same roles, soft
references and partitions as schema/, and `schema plan` with the pulled tree against it is empty.

The seed (`../shared/seed/`) names the migration files (00_setup.sql ... 14_notification.sql, then 19)
but holds no runnable DDL, so the files are written here from schema/'s SQL: 00 creates the roles, the
extension and the schemas; then one file per run of statements of one service, in dependency order (as
a person ordering migrations would); 19 holds the grants, default privileges and the monthly partitions
an ops job made. The tool's own derivation (`declare`) is not used to write them.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

from conftest import SCHEMA_DIR, TODAY, Databases
from psycopg import conninfo
from test_pull import assert_same_conventions

from flatrender_schema.desired import Desired, load_desired
from flatrender_schema.engine import get_engine
from flatrender_schema.ordering import dependency_order
from flatrender_schema.planner import PlanOptions, build_plan
from flatrender_schema.postgres.cluster import Cluster
from flatrender_schema.pull import PullOptions, pull_tree
from flatrender_schema.scratch import DevServer

DML = "select, insert, update, delete"


def _next_month(d: dt.date) -> dt.date:
    return (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def migration_files(reference: Desired, out: Path, today: dt.date) -> list[Path]:
    project = reference.project
    assert project is not None and project.owner
    owner = project.owner
    as_owner = f"SET ROLE {owner};\n"
    files: list[tuple[str, str]] = []
    # Roles are cluster-wide: another database of the session may have made them already.
    roles = [owner, *(s.manifest.role for s in reference.services)]
    setup = [f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{r}') THEN CREATE ROLE {r} NOLOGIN; "
             "END IF; END $$;" for r in roles]
    setup += [f"GRANT CREATE ON DATABASE :\"DBNAME\" TO {owner};"]
    setup += [f"CREATE EXTENSION {e.name} WITH SCHEMA {e.schema_};" for e in project.extensions]
    setup += [as_owner.strip()] + [f"CREATE SCHEMA {s.schema};" for s in reference.services]
    files.append(("00_setup.sql", "\n".join(setup) + "\n"))

    statements = reference.statements
    ordered = [statements[i] for i in dependency_order([s.sql for s in statements])]
    runs: list[tuple[str, list[str]]] = []
    for stmt in ordered:
        if not runs or runs[-1][0] != stmt.service:
            runs.append((str(stmt.service), []))
        runs[-1][1].append(stmt.sql + ";")
    for number, (service, sqls) in enumerate(runs, start=1):
        files.append((f"{number:02d}_{service}.sql", as_owner + "\n\n".join(sqls) + "\n"))

    ops = [as_owner.strip()]
    ahead = today.replace(day=1)
    for _ in range(project.partition_policy.premake):
        ahead = _next_month(ahead)
    for service in reference.services:
        s, role = service.schema, service.manifest.role
        ops += [
            f"REVOKE ALL ON SCHEMA {s} FROM PUBLIC;",
            f"GRANT USAGE ON SCHEMA {s} TO {role};",
            f"GRANT {DML} ON ALL TABLES IN SCHEMA {s} TO {role};",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {role};",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {s} GRANT {DML} ON TABLES TO {role};",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {s} GRANT USAGE, SELECT ON SEQUENCES TO {role};",
        ]
        for table in service.manifest.reads:
            ops += [f"GRANT USAGE ON SCHEMA {table.split('.')[0]} TO {role};", f"GRANT SELECT ON {table} TO {role};"]
        for table, spec in sorted(service.manifest.partitioned.items()):
            year, month = (int(p) for p in spec.initial.split("-"))
            start = _next_month(dt.date(year, month, 1))
            while start <= ahead:
                end = _next_month(start)
                ops.append(
                    f"CREATE TABLE {s}.{table}_{start:%Y_%m} PARTITION OF {s}.{table} FOR VALUES FROM "
                    f"('{start} 00:00:00+00') TO ('{end} 00:00:00+00');"
                )
                # Made after the grants above ran in a real database: the ops job grants it too.
                ops.append(f"GRANT {DML} ON {s}.{table}_{start:%Y_%m} TO {role};")
                start = end
    files.append(("19_grants_and_partitions.sql", "\n".join(ops) + "\n"))
    out.mkdir(parents=True)
    paths = []
    for name, text in files:
        (out / name).write_text(text)
        paths.append(out / name)
    return paths


def test_migration_built_database_pulls_into_the_services_layout(
    cluster: Cluster, dbs: Databases, dev: DevServer, tmp_path: Path
) -> None:
    url = dbs.create("pull_migrations")
    dbname = str(conninfo.conninfo_to_dict(url)["dbname"])
    reference = load_desired(SCHEMA_DIR)
    psql = shutil.which("psql") or str(cluster.server.bindir / "psql")
    for path in migration_files(reference, tmp_path / "migrations", TODAY):
        done = subprocess.run(
            [psql, *cluster.psql_args(dbname), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", f"DBNAME={dbname}",
             "-f", str(path)],
            capture_output=True, text=True, check=False,
        )
        assert done.returncode == 0, f"{path.name}: {done.stderr}"
    live = dbs.connect(url)
    out = tmp_path / "pulled"
    result = pull_tree(live, out, dev, PullOptions(TODAY, "services"))
    assert result.proved, result.differences
    pulled = load_desired(out)
    assert_same_conventions(pulled, reference)
    plan = build_plan(live, pulled, dev, get_engine(), PlanOptions(TODAY))
    assert plan.empty, [s.sql for s in plan.steps]
