"""Issue 20: the CLI end to end on the Citus cluster. Without --dev-url the ephemeral dev cluster is
started with Citus preloaded (the manifests enable it), so the shadow is a single-node Citus."""

from __future__ import annotations

from urllib.parse import quote

from citus_support import CASES, CitusCluster
from conftest import SECRET, run_cli

from flatrender_schema.postgres.cluster import SUPERUSER


def test_plan_apply_plan_through_the_cli(citus_cluster: CitusCluster) -> None:
    schema = CASES / "basic" / "schema"
    with citus_cluster.database("cli") as url:
        url = url.replace(f"{SUPERUSER}@", f"{SUPERUSER}:{quote(SECRET, safe='')}@", 1)
        planned = run_cli("plan", "--schema-dir", str(schema), "--database-url", url, "--format", "sql")
        assert planned.returncode == 2, planned.stderr
        assert 'create_distributed_table"(\'"app"."users"\', \'tenant_id\'' in planned.stdout
        # apply plans again under its lock and ends with a re-plan that must be empty (else exit 1)
        applied = run_cli("apply", "--schema-dir", str(schema), "--database-url", url)
        assert applied.returncode == 0, applied.stderr
