"""Issue 8, acceptance 3: no input makes the loader, lint or the CLI end in a traceback or hang.

Every case starts from a valid copy of the repository's schema/ and breaks it: YAML manifests (random
key/value/type mutations, random bytes, truncation), SQL files (token edits, binary garbage, huge
lines), the directory layout (missing files, extra directories, symlink loops, empty files). The
library (`load_desired`, `run_lint`) must return or raise a `SchemaError`; a sample goes through the
CLI too, which must exit 0 or 1 with no traceback. Budget and seed: harness.py.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from harness import PROFILE, REPO, SCHEMA_DIR, TRIED, outcome, schema_copy, summary
from hypothesis import given, note, settings
from hypothesis import strategies as st

from flatrender_schema.desired import load_desired
from flatrender_schema.lint import run_lint

MANIFESTS = sorted(str(p.relative_to(SCHEMA_DIR)) for p in SCHEMA_DIR.rglob("*.yaml"))
SQL_FILES = sorted(str(p.relative_to(SCHEMA_DIR)) for p in SCHEMA_DIR.rglob("*.sql"))
SERVICES = sorted(p.name for p in SCHEMA_DIR.iterdir() if p.is_dir())



class _Summary:
    """Prints how many cases the fuzz suite tried (issue 8, acceptance 3) at the end of the session.
    (A plugin registered at run time: a conftest.py here would shadow tests/conftest.py's module name.)"""

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if sum(TRIED.values()):
            terminalreporter.write_line(summary())


@pytest.fixture(scope="module", autouse=True)
def _report_cases(request: pytest.FixtureRequest) -> None:
    manager = request.config.pluginmanager
    if not manager.has_plugin("fuzz-summary"):
        manager.register(_Summary(), "fuzz-summary")


# -- values and edits ------------------------------------------------------------------------------

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**63), st.floats(allow_nan=True),
    st.text(max_size=40), st.sampled_from(["", "identity", "identity.tenants.id", "2026-13", "public",
                                          "a.b", "x" * 300, "YES", "~", "!!python/object:os.system"]),
)
yaml_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
raw_bytes = st.binary(max_size=300)
SQL_TOKENS = [
    "CREATE", "TABLE", "INDEX", "ALTER", "DROP", "GRANT", "REVOKE", "COMMENT ON", "REFERENCES", "PARTITION BY",
    "(", ")", ",", ";", ".", "'", '"', "$$", "$x$", "--", "/*", "*/", "\\", "\n", "uuid", "text",
    "public.t", "identity.tenants", "tenant_id", "NULL", "NOT", "DEFAULT", "CHECK (", "SET search_path TO",
    "CREATE SCHEMA x;", "-- noqa: SC101", "-- schema-lint: ignore", "\x00", "\ufeff", "é", "𝔘",
]


def _paths(data: dict[str, Any], prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        out.append((*prefix, key))
        if isinstance(value, dict | list):
            out.extend(_paths(value, (*prefix, key)))
    return out


def _mutate_yaml(data: Any, draw: st.DataObject) -> Any:
    """Set, delete, rename or retype a key somewhere in the document."""
    paths = _paths(data) if isinstance(data, dict) else []
    kind = draw.draw(st.sampled_from(["set", "delete", "rename", "retype", "replace-document"]), label="edit")
    if kind == "replace-document" or not paths:
        return draw.draw(yaml_values, label="document")
    path = draw.draw(st.sampled_from(paths), label="path")
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    if kind == "set":
        parent[key] = draw.draw(yaml_values, label="value")
    elif kind == "delete":
        del parent[key]
    elif kind == "rename" and isinstance(parent, dict):
        parent[draw.draw(st.text(max_size=15), label="new key")] = parent.pop(key)
    else:
        value = parent[key]
        parent[key] = [value] if not isinstance(value, list) else {"0": value}
    return data


def _library(schema_dir: Path) -> None:
    """What the properties call: the strict loader (plan/apply) and lint (tolerant of bad SQL)."""
    seen = []
    for name, call in (("load_desired", lambda: load_desired(schema_dir)), ("run_lint", lambda: run_lint(schema_dir))):
        seen.append(f"{name}: {outcome(name, call)}")
    note("; ".join(seen))


# -- properties ------------------------------------------------------------------------------------


@settings(settings.get_profile(PROFILE))
@given(st.data())
def test_fuzz_manifests(data: st.DataObject) -> None:
    manifest = data.draw(st.sampled_from(MANIFESTS), label="manifest")
    how = data.draw(st.sampled_from(["mutate", "mutate", "mutate", "truncate", "bytes", "splice-bytes"]),
                    label="how")
    with schema_copy() as schema_dir:
        path = schema_dir / manifest
        text = path.read_text(encoding="utf-8")
        if how == "mutate":
            doc = _mutate_yaml(yaml.safe_load(text), data)
            style = data.draw(st.sampled_from([False, True, None]), label="flow style")
            path.write_text(yaml.safe_dump(doc, default_flow_style=style, allow_unicode=True, sort_keys=False))
        elif how == "truncate":
            path.write_text(text[: data.draw(st.integers(0, len(text)), label="cut")])
        elif how == "bytes":
            path.write_bytes(data.draw(raw_bytes, label="bytes"))
        else:
            at = data.draw(st.integers(0, len(text)), label="at")
            blob = text.encode()
            path.write_bytes(blob[:at] + data.draw(raw_bytes, label="bytes") + blob[at:])
        _library(schema_dir)


def _tokens(text: str) -> list[str]:
    return re.findall(r"\s+|\w+|[^\w\s]", text)


@settings(settings.get_profile(PROFILE))
@given(st.data())
def test_fuzz_sql(data: st.DataObject) -> None:
    sql_file = data.draw(st.sampled_from(SQL_FILES), label="file")
    how = data.draw(st.sampled_from(["tokens", "tokens", "tokens", "garbage", "huge-line", "truncate", "encoding"]),
                    label="how")
    with schema_copy() as schema_dir:
        path = schema_dir / sql_file
        text = path.read_text(encoding="utf-8")
        if how == "tokens":
            tokens = _tokens(text)
            for _ in range(data.draw(st.integers(1, 8), label="edits")):
                i = data.draw(st.integers(0, max(0, len(tokens) - 1)), label="at")
                op = data.draw(st.sampled_from(["delete", "insert", "duplicate", "swap", "replace"]), label="op")
                token = data.draw(st.sampled_from(SQL_TOKENS) | st.text(max_size=8), label="token")
                if op == "delete" and tokens:
                    del tokens[i]
                elif op == "insert":
                    tokens.insert(i, f" {token} ")
                elif op == "duplicate" and tokens:
                    tokens.insert(i, tokens[i])
                elif op == "swap" and len(tokens) > 1:
                    j = data.draw(st.integers(0, len(tokens) - 1), label="with")
                    tokens[i], tokens[j] = tokens[j], tokens[i]
                elif tokens:
                    tokens[i] = token
            path.write_text("".join(tokens), encoding="utf-8")
        elif how == "garbage":
            path.write_bytes(data.draw(st.binary(min_size=1, max_size=2000), label="garbage"))
        elif how == "huge-line":
            line = data.draw(st.sampled_from(["x", "(", "'", "-- ", "a, ", "/*"]), label="unit")
            # Nested comment openers are quadratic in the SQL scanner (test_nested_comment_openers_are_slow):
            # kept to sizes that parse in well under a second until that is fixed.
            most = 5_000 if line == "/*" else 200_000
            repeat = data.draw(st.integers(min(10_000, most), most), label="repeat")
            path.write_text(text + "\n" + line * repeat + "\n")
        elif how == "truncate":
            path.write_text(text[: data.draw(st.integers(0, len(text)), label="cut")])
        else:
            codec = data.draw(st.sampled_from(["utf-16", "latin-1", "utf-8-sig", "cp1252"]), label="codec")
            path.write_bytes((text + "\n-- café ü\n").encode(codec, errors="replace"))
        _library(schema_dir)


def _layout(schema_dir: Path, data: st.DataObject) -> None:
    service = schema_dir / data.draw(st.sampled_from(SERVICES), label="service")
    op = data.draw(
        st.sampled_from([
            "rm-manifest", "rm-project", "rm-service-dir", "rm-all-sql", "empty-file", "empty-manifest",
            "extra-dir", "extra-dir-with-sql", "nested-dir", "symlink-loop-dir", "symlink-loop-file",
            "dangling-symlink", "dir-named-sql", "manifest-is-dir", "hidden-dir", "fifo-sql", "schema-dir-is-file",
        ]),
        label="layout edit",
    )
    note(f"layout edit {op} in {service.name}")
    sqls = sorted(service.glob("*.sql"))
    if op == "rm-manifest":
        (service / "service.yaml").unlink()
    elif op == "rm-project":
        (schema_dir / "schema.yaml").unlink()
    elif op == "rm-service-dir":
        import shutil

        shutil.rmtree(service)
    elif op == "rm-all-sql":
        for p in sqls:
            p.unlink()
    elif op == "empty-file" and sqls:
        sqls[data.draw(st.integers(0, len(sqls) - 1), label="which")].write_text("")
    elif op == "empty-manifest":
        (service / "service.yaml").write_text("")
    elif op == "extra-dir":
        (schema_dir / data.draw(st.from_regex(r"[a-z_]{1,10}", fullmatch=True), label="dir")).mkdir(exist_ok=True)
    elif op == "extra-dir-with-sql":
        extra = schema_dir / "zz_extra"
        extra.mkdir()
        (extra / "t.sql").write_text("CREATE TABLE zz_extra.t (id int);\n")
    elif op == "nested-dir":
        (service / "sub").mkdir()
        (service / "sub" / "x.sql").write_text("CREATE TABLE public.x (id int);\n")
    elif op == "symlink-loop-dir":
        (service / "loop").symlink_to(service, target_is_directory=True)
        (schema_dir / "loop2").symlink_to(schema_dir, target_is_directory=True)
    elif op == "symlink-loop-file":
        (service / "self.sql").symlink_to(service / "self.sql")
        (service / "a.sql").symlink_to(service / "b.sql")
        (service / "b.sql").symlink_to(service / "a.sql")
    elif op == "dangling-symlink":
        (service / "gone.sql").symlink_to(service / "nowhere.sql")
    elif op == "dir-named-sql":
        (service / "dir.sql").mkdir()
    elif op == "manifest-is-dir":
        (service / "service.yaml").unlink()
        (service / "service.yaml").mkdir()
    elif op == "hidden-dir":
        (schema_dir / ".git").mkdir()
        (schema_dir / ".git" / "x.sql").write_text("garbage")
    elif op == "fifo-sql":
        os.mkfifo(service / "pipe.sql")  # reading it would block forever: the timeout would catch that
    elif op == "schema-dir-is-file":
        import shutil

        shutil.rmtree(schema_dir)
        schema_dir.write_text("not a directory")


@settings(settings.get_profile(PROFILE))
@given(st.data())
def test_fuzz_layout(data: st.DataObject) -> None:
    with schema_copy() as schema_dir:
        for _ in range(data.draw(st.integers(1, 3), label="edits")):
            if schema_dir.is_dir():
                with contextlib.suppress(OSError):  # an edit a previous one made impossible: skip it
                    _layout(schema_dir, data)
        _library(schema_dir)


@settings(settings.get_profile(f"{PROFILE}-cli"))
@given(st.data())
def test_fuzz_through_the_cli(data: st.DataObject) -> None:
    """A sample through the real CLI (`schema lint` and the light `python -m flatrender_schema.lint`)."""
    with schema_copy() as schema_dir:
        kind = data.draw(st.sampled_from(["manifest", "sql", "layout"]), label="kind")
        if kind == "manifest":
            path = schema_dir / data.draw(st.sampled_from(MANIFESTS), label="manifest")
            doc = _mutate_yaml(yaml.safe_load(path.read_text()), data)
            path.write_text(yaml.safe_dump(doc, allow_unicode=True))
        elif kind == "sql":
            path = schema_dir / data.draw(st.sampled_from(SQL_FILES), label="file")
            text = path.read_text()
            at = data.draw(st.integers(0, len(text)), label="at")
            path.write_text(text[:at] + data.draw(st.sampled_from(SQL_TOKENS), label="token") + text[at:])
        else:
            with contextlib.suppress(OSError):
                _layout(schema_dir, data)
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SCHEMA_DEV_URL")}
        for argv in (["-m", "flatrender_schema", "lint"], ["-m", "flatrender_schema.lint"]):
            TRIED["cli"] += 1
            done = subprocess.run([sys.executable, *argv, "--schema-dir", str(schema_dir)], capture_output=True,
                                  text=True, env=env, cwd=str(REPO), timeout=60)
            note(f"{argv}: exit {done.returncode}\n{done.stderr[-2000:]}")
            assert done.returncode in (0, 1), done.stderr
            assert "Traceback" not in done.stderr + done.stdout
            if done.returncode == 1 and not done.stdout.strip():
                assert done.stderr.strip(), "exit 1 must say why"


@pytest.mark.xfail(
    strict=True,
    reason="pglast/libpg_query's scanner is quadratic in nested comment openers: 30,000 `/*` (a 60 KB "
    "file) take ~5 s to parse and split, 200,000 take minutes (found by test_fuzz_sql's huge lines)",
)
def test_nested_comment_openers_are_slow() -> None:
    with schema_copy() as schema_dir:
        path = schema_dir / SQL_FILES[0]
        path.write_text(path.read_text() + "\n" + "/*" * 30_000 + "\n")
        start = time.monotonic()
        outcome("run_lint", lambda: run_lint(schema_dir))
        assert time.monotonic() - start < 1.0, "lint took over a second on a 60 KB file"
