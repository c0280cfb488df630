"""The tool's own schema in every database it manages: apply history, a cached shadow's pickles.

Never diffed, never in a snapshot or a fingerprint: every reader of the catalogs leaves it out.
"""

from __future__ import annotations

TOOL_SCHEMA = "flatrender_schema"
ALWAYS_EXCLUDED = frozenset({TOOL_SCHEMA})
