"""Issue 3, acceptance 5: the embedded clusters work as root and as a normal user, and leave nothing behind."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest
from conftest import REPO, run_cli

from flatrender_schema.postgres.cluster import (
    EPHEMERAL_PREFIX,
    Cluster,
    RunAs,
    ephemeral,
    ephemeral_bases,
    find_servers,
)


def _leftovers() -> set[str]:
    """Ephemeral cluster directories whose owning process is gone: what an exit failed to remove.

    Directories of clusters still owned by a live process (another test run on this machine) are not
    leftovers; judging by ownership keeps the check meaningful on a shared machine.
    """
    out = set()
    for root in (r for base in ephemeral_bases() for r in base.glob(f"{EPHEMERAL_PREFIX}*")):
        try:
            owner = int((root / "owner.pid").read_text())
        except (OSError, ValueError):
            continue
        try:
            os.kill(owner, 0)
        except ProcessLookupError:
            out.add(root.name)
        except PermissionError:
            pass
    return out


def test_servers_are_found() -> None:
    servers = find_servers()
    assert servers and all(s.major >= 15 for s in servers)


def test_ephemeral_cluster_is_removed_on_exit_and_on_error() -> None:
    before = _leftovers()
    with ephemeral() as c:
        root = c.root
        with psycopg.connect(c.url()) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
        assert c.running
    assert not root.exists()
    with pytest.raises(RuntimeError), ephemeral() as c:
        root = c.root
        raise RuntimeError("boom")
    assert not root.exists()
    assert _leftovers() <= before


def test_server_runs_unprivileged_when_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("only meaningful as root")
    assert RunAs.for_current_user().uid not in (None, 0)


def test_local_embedded_database_plan_apply_down(tmp_path: Path) -> None:
    """The README's main job: apply then plan on the embedded default, no database configured."""
    project = tmp_path / "project"
    shutil.copytree(REPO / "schema", project / "schema")
    try:
        r = run_cli("apply", "--yes", "--now", "2026-11-25", cwd=project)
        assert r.returncode == 0, r.stdout + r.stderr
        r = run_cli("plan", "--now", "2026-11-25", cwd=project)
        assert r.returncode == 0, r.stdout + r.stderr
        assert (project / ".schema" / "cluster.json").exists()
    finally:
        r = run_cli("dev", "down", "--purge", cwd=project)
    assert r.returncode == 0, r.stderr
    assert not (project / ".schema").exists()


def test_ephemeral_work_leaves_no_cluster_behind(tmp_path: Path) -> None:
    """A plan without --dev-url runs its scratch work in an ephemeral cluster, which must be gone after."""
    before = _leftovers()
    sql = tmp_path / "a.sql"
    sql.write_text("create table t (id int primary key);\n")
    project = tmp_path / "p"
    project.mkdir()
    try:
        r = run_cli("plan", "--desired", str(sql), cwd=project)
        assert r.returncode == 2, r.stdout + r.stderr
    finally:
        run_cli("dev", "down", "--purge", cwd=project)
    assert _leftovers() <= before


def test_as_a_normal_user(tmp_path: Path) -> None:
    """Runs the CLI as an unprivileged OS user (only possible when the suite runs as root)."""
    if os.geteuid() != 0:
        pytest.skip("the suite already runs as a normal user")
    user = "nobody"
    # This venv's interpreter may live under /root (pyenv), which `nobody` cannot reach; then use the
    # system interpreter of the same version with this environment's packages.
    env = dict(os.environ)
    python = sys.executable
    probe = subprocess.run(
        ["runuser", "-u", user, "--", python, "-c", "import flatrender_schema"], capture_output=True, text=True
    )
    system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    if probe.returncode != 0 and system.exists():
        python = str(system)
        env["PYTHONPATH"] = os.pathsep.join([*site.getsitepackages(), str(REPO)])
        probe = subprocess.run(
            ["runuser", "-u", user, "--", python, "-c", "import flatrender_schema"],
            capture_output=True,
            text=True,
            env=env,
        )
    if probe.returncode != 0:
        pytest.skip(f"no interpreter usable by {user}: {probe.stderr.strip()[-200:]}")
    work = Path(tempfile.mkdtemp(prefix="frs-user-"))
    try:
        os.chmod(work, 0o777)
        (work / "a.sql").write_text("create table t (id int primary key);\n")
        cli = ["runuser", "-u", user, "--", python, "-m", "flatrender_schema"]
        r = subprocess.run(
            [*cli, "apply", "--yes", "--desired", "a.sql"],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )
        assert r.returncode == 0, r.stdout + r.stderr
        assert "Converged" in r.stdout
        r = subprocess.run(
            [*cli, "dev", "down", "--purge"], cwd=work, capture_output=True, text=True, timeout=120, env=env
        )
        assert r.returncode == 0, r.stderr
        assert not (work / ".schema").exists()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_no_server_gives_advice(monkeypatch: pytest.MonkeyPatch) -> None:
    from flatrender_schema.errors import ClusterError
    from flatrender_schema.postgres import cluster as cluster_mod

    monkeypatch.setattr(cluster_mod, "find_servers", lambda: [])
    with pytest.raises(ClusterError) as err:
        Cluster.ephemeral_cluster()
    assert "install PostgreSQL" in str(err.value)
