"""The `schema` command's entry point. `schema lint` starts without the CLI framework: typer and click
cost more than the lint itself, and the lint runs on every commit. Every other command, and any lint
invocation this parser does not take as the full CLI would (`--help`, an unknown option), goes to `cli`.
"""

from __future__ import annotations

import gc
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

_VALUED = {"--schema-dir": "schema_dir", "--format": "fmt", "--select": "select", "--ignore": "ignore"}


@dataclass
class LintArgs:
    """`schema lint`'s arguments, as `cli.lint` declares them."""

    paths: list[Path] = field(default_factory=list)
    schema_dir: Path = Path("schema")
    fmt: str = "text"
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)


def parse_lint(args: list[str]) -> LintArgs | None:
    """The arguments after `lint`, or None when the full CLI should answer (help, unknown or valueless options)."""
    out = LintArgs()
    rest = iter(args)
    for arg in rest:
        if arg == "--":
            out.paths.extend(Path(a) for a in rest)
            break
        name, eq, value = arg.partition("=")
        if name in _VALUED:
            if not eq:
                value = next(rest, None)  # type: ignore[assignment]
                if value is None:
                    return None
            key = _VALUED[name]
            if key in ("select", "ignore"):
                getattr(out, key).append(value)
            elif key == "schema_dir":
                out.schema_dir = Path(value)
            else:
                out.fmt = value
        elif arg.startswith("-") and arg != "-":
            return None
        else:
            out.paths.append(Path(arg))
    return out


def lint_command(args: LintArgs) -> int:
    """What `cli.lint` does, with the same output and exit codes."""
    from flatrender_schema.errors import SchemaError
    from flatrender_schema.lint import FORMATS, LintOptions, render_report, run_lint

    if args.fmt not in FORMATS:
        print(f"error: --format must be one of {', '.join(FORMATS)}", file=sys.stderr)
        return 1
    try:
        only_files = bool(args.paths) and not args.schema_dir.exists()
        report = run_lint(None if only_files else args.schema_dir, tuple(args.paths),
                          LintOptions(frozenset(args.select), frozenset(args.ignore)))
        print(render_report(report, args.fmt))
    except SchemaError as exc:
        from flatrender_schema.redact import redact  # here: only an error needs it

        print(f"error: {redact(str(exc))}", file=sys.stderr)
        return 1
    except Exception as exc:
        from flatrender_schema.redact import redact

        first = (str(exc).strip().splitlines() or [""])[0]
        print(f"error: internal error ({type(exc).__name__}): {redact(first)}", file=sys.stderr)
        if os.environ.get("SCHEMA_DEBUG"):
            raise
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0 if report.clean else 1


def exit_now(code: int) -> NoReturn:
    """End a lint process without tearing the interpreter down: it has nothing left to write once its
    output is flushed, and unloading every module (a last cycle collection over all of them) costs a
    tenth of `schema lint`'s start on FlatRender. A flush that fails takes the usual exit."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        sys.exit(code)
    os._exit(code)


def main() -> None:
    argv = sys.argv[1:]
    if argv[:1] == ["lint"]:
        args = parse_lint(argv[1:])
        if args is not None:
            # A lint process is short and its imports and trees hold no cycles worth collecting: the
            # collector would only scan them again and again (a tenth of the start), and once more at exit.
            gc.disable()
            exit_now(lint_command(args))
    from flatrender_schema.cli import main as cli_main

    cli_main()
