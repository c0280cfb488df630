"""CI glue for GitHub: the pull-request plan comment and the hazard gate (used by action.yml and workflows)."""
