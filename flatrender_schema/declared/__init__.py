"""What the manifests declare beyond the schema, planned at their own moments (not gap concerns):
roles (before anything, on the target's cluster), renames (before the engine diffs, so a renamed
object is not dropped and added) and reference rows (after everything, inserted when missing)."""
