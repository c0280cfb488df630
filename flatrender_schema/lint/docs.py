"""docs/rules.md, rendered from the registry: `python -m flatrender_schema.lint.docs > docs/rules.md`.

A test fails when the committed file differs from what this renders.
"""

from __future__ import annotations

from flatrender_schema.lint.engine import load_rules

_INTRO = """\
# `schema lint` rules

<!-- Generated from the rule registry by `python -m flatrender_schema.lint.docs > docs/rules.md`;
     do not edit by hand (tests/lint/test_docs.py fails when this file is stale). -->

`schema lint [PATHS…]` checks the desired state offline — pglast over the SQL files plus the
manifests, no database — and prints `path:line:col CODE message`. It exits 0 when clean and 1 on
any finding (warnings included) or bad input (unreadable or binary file, YAML that does not parse
or does not validate, an unknown rule code), which is reported as one line, never a traceback.

- **Paths.** Without paths, all of `schema/` (`--schema-dir`). With paths, every file of the
  schema directory is still read (rules need every file of a service) but only findings in the
  given files are reported; a file outside the schema directory is linted as plain SQL, with the
  rules that need no manifest.
- **Formats.** `--format text` (default), `json`, `github` (workflow commands: each finding
  annotates its file and line in the pull request) and `sarif` (SARIF 2.1.0, for code scanning:
  `github/codeql-action/upload-sarif`).
- **Selecting rules.** `--select CODE` runs only those codes, `--ignore CODE` never runs them; both
  repeat, take comma-separated lists and accept prefixes (`--select TY`, `--ignore SR1`). An
  unknown code or prefix is an error.
- **Suppressing one finding.** A comment `-- schema-lint: ignore CODE[, CODE] reason: why` at the
  end of the offending line, or alone on the line before it (it applies to the next line holding
  SQL). The reason is mandatory: without one the comment suppresses nothing and is itself a finding
  (SL001). The reason runs to the end of the line.
- **Codes are stable**: two capitals and three digits; a retired code is never reused.
  Severity `error` marks FlatRender's global rules, `warning` a reviewer's advice; both fail the
  run (suppress a deliberate exception with its reason).

## pre-commit

This repository publishes a hook in `.pre-commit-hooks.yaml`. Another repository uses it with:

```yaml
repos:
  - repo: https://github.com/<org>/flatrender-schema
    rev: v0.1.0
    hooks:
      - id: schema-lint
        # args: [--schema-dir, db/schema]   # when the desired state is not in schema/
```

The hook runs `schema lint` over the whole schema directory (`pass_filenames: false`: a change to
a manifest can produce findings in SQL files that did not change) whenever a file under `schema/`
changes. This repository runs it through `.pre-commit-config.yaml` as a local hook, next to
`ruff check` and `ruff format`.

## Rules

| code | name | severity | what to do |
|---|---|---|---|
"""


def render_rules_doc() -> str:
    rules = load_rules()
    out = [_INTRO]
    for code in sorted(rules):
        r = rules[code]
        out.append(f"| [{code}](#{code.lower()}) | {r.name} | {r.severity.value} | {r.summary} |\n")
    for code in sorted(rules):
        r = rules[code]
        scope = ("schema directory (needs the manifests)" if r.needs_manifest
                 else "schema directory and plain SQL")
        out.append(f"\n### {code}\n\n**{r.name}** · {r.severity.value} · runs on: {scope}\n\n")
        out.append(f"{r.summary[:1].upper()}{r.summary[1:]}.\n\n{r.description}\n\n")
        out.append(f"Examples: `tests/lint/cases/{code}/fail.sql` (reported) and "
                   f"`tests/lint/cases/{code}/pass.sql` (clean).\n")
    return "".join(out)


if __name__ == "__main__":
    print(render_rules_doc(), end="")
