"""A pull's result as text for the terminal."""

from __future__ import annotations

from pathlib import Path

from flatrender_schema.pull.adopt import PullResult

SHOWN_DIFFERENCES = 40


def render_result(result: PullResult, out: Path, *, check: bool = False, dry_run: bool = False) -> str:
    lines: list[str] = []
    if not check:
        if dry_run and result.diff:
            lines.append(result.diff.rstrip("\n"))
        verb = "would write" if dry_run else "wrote"
        for path, text in sorted(result.changed.items()):
            state = "removed" if text is None else "written"
            lines.append(f"{'would be ' if dry_run else ''}{state}: {out / path}")
        if not result.changed:
            lines.append(f"{out}: unchanged ({result.files} files already match live)")
        else:
            lines.append(f"{verb} {len(result.changed)} files ({result.layout} layout, {result.files} in the tree)")
    for note in result.notes:
        lines.append(f"note: {note}")
    if result.proved:
        what = "no drift" if check else "proved"
        lines.append(f"{what.capitalize()}: the files build a database the judge finds equal to live.")
    else:
        head = "Drift" if check else "Not reproduced"
        lines.append(f"{head}: {len(result.differences)} differences between live and the files built:")
        lines.extend(f"  {d}" for d in result.differences[:SHOWN_DIFFERENCES])
        if len(result.differences) > SHOWN_DIFFERENCES:
            lines.append(f"  ... and {len(result.differences) - SHOWN_DIFFERENCES} more")
    return "\n".join(lines)
