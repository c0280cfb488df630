"""`python -m flatrender_schema.lint`: the lint alone, with a light start (no typer, lazy imports).

Same arguments and exit codes as `schema lint`: 0 clean, 1 findings or bad input.
"""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path


def _codes(values: list[str] | None) -> frozenset[str]:
    return frozenset(c.strip() for v in values or () for c in v.split(",") if c.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="schema lint", description=__doc__)
    parser.add_argument("paths", nargs="*", type=Path,
                        help="SQL files or directories (default: all of schema/)")
    parser.add_argument("--schema-dir", type=Path, default=Path("schema"))
    parser.add_argument("--format", dest="fmt", default="text", choices=("text", "json", "github", "sarif"))
    parser.add_argument("--select", action="append", metavar="CODE", help="only these codes or prefixes")
    parser.add_argument("--ignore", action="append", metavar="CODE", help="never these codes or prefixes")
    args = parser.parse_args(argv)
    gc.disable()  # a short process without cycles worth collecting (see flatrender_schema/entry.py)

    from flatrender_schema.errors import SchemaError
    from flatrender_schema.lint import LintOptions, render_report, run_lint

    schema_dir: Path | None = args.schema_dir
    if args.paths and schema_dir is not None and not schema_dir.exists():
        schema_dir = None
    try:
        report = run_lint(schema_dir, tuple(args.paths),
                          LintOptions(_codes(args.select), _codes(args.ignore)))
        out = render_report(report, args.fmt)
    except SchemaError as exc:
        where = f"{exc.location}: " if exc.location else ""
        hint = f" ({exc.hint})" if exc.hint else ""
        print(f"{where}{exc.code} {exc.message}{hint}", file=sys.stderr)
        return 1
    if out:
        print(out)
    return 0 if report.clean else 1


if __name__ == "__main__":
    from flatrender_schema.entry import exit_now

    exit_now(main())
