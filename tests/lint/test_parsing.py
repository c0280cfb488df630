"""lint's parser (`lint/parsing.py`, nodes made from libpg_query's JSON) gives pglast's own tree.

Compared type for type (a bool is not an int, a tuple not a list, an enum member not its value)
and offset for offset, over every SQL file of the repository, the statements in
tests/lint/parsing/ (many kinds, multibyte text), each statement of a file that does not parse
whole (as lint reads it then), and a synthetic tree; the JSON path itself must take every one
of them (no fallback), and errors must be pglast's.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pglast import ast, parser

from flatrender_schema.lint import parsing
from flatrender_schema.lint.source import _blank
from flatrender_schema.lint.walk import UNREAD

REPO = Path(__file__).resolve().parents[2]
CASES = Path(__file__).resolve().parent / "parsing"


@pytest.fixture(autouse=True, params=["generic", "compiled"])
def builders(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Every test twice: with each class's generic builder only, and with its compiled builder from
    the first node on (a process switches from one to the other per class, `COMPILE_AFTER`)."""
    monkeypatch.setattr(parsing, "COMPILE_AFTER", 10**9 if request.param == "generic" else 0)
    parsing._builder.cache_clear()
    yield request.param
    parsing._builder.cache_clear()


def difference(got: object, want: object, path: str = "$", skipped: frozenset[str] = frozenset()) -> str | None:
    """Where two trees differ (None: identical), comparing types exactly; `got`'s slots named in
    `skipped` must be None."""
    if type(got) is not type(want):
        return f"{path}: {type(got).__name__} {got!r:.60} != {type(want).__name__} {want!r:.60}"
    if isinstance(want, ast.Node):
        for slot in type(want).__slots__:
            where = f"{path}.{type(want).__name__}.{slot}"
            if slot in skipped:
                if getattr(got, slot) is not None:
                    return f"{where}: built, though skipped"
                continue
            found = difference(getattr(got, slot), getattr(want, slot), where, skipped)
            if found:
                return found
        return None
    if isinstance(want, tuple):
        assert isinstance(got, tuple)
        if len(got) != len(want):
            return f"{path}: {len(got)} items != {len(want)}"
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            found = difference(g, w, f"{path}[{i}]", skipped)
            if found:
                return found
        return None
    return None if got == want else f"{path}: {got!r:.60} != {want!r:.60}"


def _same_as_pglast(text: str) -> None:
    try:
        want = parser.parse_sql(text)
    except parser.ParseError as exc:
        with pytest.raises(parser.ParseError) as got:
            parsing.decode(text)
        assert got.value.args == exc.args
        return
    got_tree = parsing.decode(text)  # the JSON path, never the fallback
    assert difference(got_tree, want) is None, difference(got_tree, want)
    # as lint parses: the same tree but for the slots no rule reads, left None
    lint_tree = parsing.decode(text, UNREAD)
    assert difference(lint_tree, want, skipped=UNREAD) is None, difference(lint_tree, want, skipped=UNREAD)


def _repository_sql() -> list[Path]:
    roots = [REPO / "schema", REPO / "tests", REPO / "docs", REPO / "bench"]
    return sorted(p for root in roots if root.exists() for p in root.rglob("*.sql") if p.is_file())


def test_the_statement_cases_cover_what_lint_meets() -> None:
    text = (CASES / "statements.sql").read_text(encoding="utf-8")
    assert not text.isascii()
    kinds = {type(raw.stmt).__name__ for raw in parser.parse_sql(text)}
    assert len(kinds) >= 60, sorted(kinds)
    _same_as_pglast(text)


def test_every_sql_file_of_the_repository_parses_to_pglasts_tree() -> None:
    files = _repository_sql()
    assert len(files) > 100
    multibyte = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        multibyte += not text.isascii()
        try:
            _same_as_pglast(text)
        except AssertionError as exc:
            raise AssertionError(f"{path.relative_to(REPO)}: {exc}") from None
    assert multibyte, "no file with multibyte text: offsets in characters vs bytes go untested"


def test_each_statement_of_a_file_that_does_not_parse() -> None:
    text = (CASES / "errors.sql").read_text(encoding="utf-8")
    _same_as_pglast(text)  # the error itself: same message, same position
    chunks = list(parser.split(text, with_parser=False, only_slices=True))
    assert len(chunks) >= 3
    for chunk in chunks:
        _same_as_pglast(_blank(text[: chunk.start]) + text[chunk])


def test_a_synthetic_tree(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from lint_synthetic import generate
    finally:
        sys.path.remove(str(REPO / "bench"))
    tree = generate(tmp_path / "tree", 60)
    files = sorted(tree.glob("*/*.sql"))
    assert files
    for path in files:
        _same_as_pglast(path.read_text(encoding="utf-8"))


def test_what_the_json_path_cannot_make_is_left_to_pglast(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "CREATE TABLE app.t (id int PRIMARY KEY, note text DEFAULT 'é');"

    def unsupported(_text: str, _skip: frozenset[str] = frozenset()) -> tuple[ast.RawStmt, ...]:
        raise parsing.Unsupported("a key pglast has no slot for")

    monkeypatch.setattr(parsing, "decode", unsupported)
    got = parsing.parse_sql(text)
    assert difference(got, parser.parse_sql(text)) is None


def test_no_rule_reads_the_slots_lint_does_not_build() -> None:
    """lint leaves `walk.UNREAD` unbuilt (None): a rule reading one would see nothing there. Reading
    one means taking it out of UNREAD (the walk then enters it and the parser builds it)."""
    package = REPO / "flatrender_schema"
    sources = [*sorted((package / "lint").rglob("*.py")), *sorted((package / "citus").glob("*.py"))]
    pattern = re.compile(r"\b(?:" + "|".join(sorted(UNREAD)) + r")\b")
    readers = [f"{path.relative_to(REPO)}:{n}" for path in sources if path.name not in ("walk.py", "parsing.py")
               for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert not readers, readers
    tree = parsing.decode("CREATE TABLE app.t (n int DEFAULT 1 CHECK (n > 0));", UNREAD)
    column = tree[0].stmt.tableElts[0]
    assert [c.raw_expr for c in column.constraints] == [None, None]
    assert [c.raw_expr for c in parsing.decode("CREATE TABLE app.t (n int DEFAULT 1 CHECK (n > 0));")[0]
            .stmt.tableElts[0].constraints] != [None, None]
