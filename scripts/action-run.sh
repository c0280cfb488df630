#!/usr/bin/env bash
# The composite action's work (action.yml): `schema lint|plan|apply` with the action's inputs, which
# arrive as environment variables (never interpolated into this script, never echoed). Writes the
# step outputs `exit-code`, `plan-file` and `plan-markdown` to $GITHUB_OUTPUT.
#
#   SCHEMA_COMMAND        lint | plan | apply
#   SCHEMA_DIR            the desired state (default: schema)
#   DATABASE_URL          the target (empty: the embedded local database)
#   SCHEMA_DEV_URL        a server for scratch databases (empty: an ephemeral embedded cluster)
#   SCHEMA_PLAN_FILE      plan: where to write plan.json; apply: the reviewed plan to apply exactly
#   SCHEMA_ALLOW_HAZARDS  data-loss hazard codes to allow, space- or comma-separated, or `all`
set -uo pipefail

[ -n "${DATABASE_URL:-}" ] || unset DATABASE_URL
[ -n "${SCHEMA_DEV_URL:-}" ] || unset SCHEMA_DEV_URL
command=${SCHEMA_COMMAND:-}
schema_dir=${SCHEMA_DIR:-schema}
plan_file=${SCHEMA_PLAN_FILE:-}
outputs=${GITHUB_OUTPUT:-/dev/null}
summary=${GITHUB_STEP_SUMMARY:-/dev/null}

allow=()
hazards=${SCHEMA_ALLOW_HAZARDS:-}
set -f  # codes are words, never globs
for code in ${hazards//,/ }; do
  allow+=(--allow-hazard "$code")
done
set +f

errors=$(mktemp)
trap 'rm -f "$errors"' EXIT

# Run a command, keep its stderr for the annotation, and print it as it was.
run() {
  "$@" 2>"$errors"
  local status=$?
  cat "$errors" >&2
  return "$status"
}

annotate() {  # title, exit status: one loud error annotation with the tool's own (redacted) message
  local message
  message=$(grep -m1 -E '^error: ' "$errors" | sed 's/^error: //')
  echo "::error title=$1::${message:-exit status $2 (see the log above)}"
  { echo "### $1"; echo; echo '```'; cat "$errors"; echo '```'; } >>"$summary"
}

case "$command" in
  lint)
    run schema lint --schema-dir "$schema_dir" --format github
    status=$?
    if [ "$status" -ne 0 ]; then
      # Findings are annotations already; bad input (exit 1 with a message) gets one too.
      [ -s "$errors" ] && annotate "schema lint" "$status"
      schema lint --schema-dir "$schema_dir" >&2 || true  # the same findings as text, for the log
    fi
    echo "exit-code=$status" >>"$outputs"
    exit "$status"
    ;;
  plan)
    plan_file=${plan_file:-plan.json}
    markdown="${plan_file%.json}.md"
    run schema plan --schema-dir "$schema_dir" --format markdown --out "$plan_file" >"$markdown"
    status=$?
    echo "exit-code=$status" >>"$outputs"
    if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then
      annotate "schema plan failed" "$status"
      exit 1
    fi
    cat "$markdown"
    cat "$markdown" >>"$summary"
    { echo "plan-file=$plan_file"; echo "plan-markdown=$markdown"; } >>"$outputs"
    # The check fails when `schema apply` would refuse this plan (data loss not allowed by code).
    python -m flatrender_schema.ci.gate "$plan_file" --format github "${allow[@]}"
    exit $?
    ;;
  apply)
    if [ -n "$plan_file" ]; then
      run schema apply --plan "$plan_file" "${allow[@]}"
    else
      run schema apply --yes --schema-dir "$schema_dir" "${allow[@]}"
    fi
    status=$?
    echo "exit-code=$status" >>"$outputs"
    [ -n "$plan_file" ] && echo "plan-file=$plan_file" >>"$outputs"
    if [ "$status" -ne 0 ]; then
      annotate "schema apply refused or failed" "$status"
    fi
    exit "$status"
    ;;
  *)
    echo "::error title=flatrender-schema::input command must be lint, plan or apply, not '$command'"
    echo "exit-code=1" >>"$outputs"
    exit 1
    ;;
esac
