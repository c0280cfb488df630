"""Post `schema plan --format markdown` as ONE pull-request comment, updated in place on every run.

The comment is found again by a hidden marker (`<!-- flatrender-schema-plan -->`) among the pull
request's issue comments (all pages), then PATCHed; without one, a new comment is POSTed. Standard
library only (urllib), so it runs wherever the package is installed.

    python -m flatrender_schema.ci.comment --body-file plan.md [--pr 42]

Environment: GITHUB_TOKEN (required, never printed), GITHUB_REPOSITORY (owner/name), GITHUB_API_URL
(default https://api.github.com), the pull-request number from --pr, PR_NUMBER, or the event payload
at GITHUB_EVENT_PATH. Exit 0 posted or updated, 1 error (one line on stderr).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flatrender_schema.errors import SchemaError
from flatrender_schema.redact import redact

MARKER = "<!-- flatrender-schema-plan -->"
DEFAULT_API = "https://api.github.com"
MAX_BODY = 65_536  # GitHub's limit on a comment body, in characters
MAX_PAGES = 100  # 10,000 comments: past that something is wrong, stop instead of looping
PER_PAGE = 100
TIMEOUT = 30.0
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


class CommentError(SchemaError):
    """The GitHub API refused or could not be reached; the message never holds the token."""

    code = "E600"


@dataclass(frozen=True)
class GitHub:
    api_url: str
    repository: str
    token: str

    def _request(self, method: str, url: str, body: Mapping[str, Any] | None = None) -> tuple[Any, str]:
        if urllib.parse.urlsplit(url).netloc != urllib.parse.urlsplit(self.api_url).netloc:
            raise CommentError(f"refusing to send the token to another host: {url}")
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Authorization", f"Bearer {self.token}")
        req.add_header("Accept", "application/vnd.github+json")
        req.add_header("X-GitHub-Api-Version", "2022-11-28")
        req.add_header("User-Agent", "flatrender-schema")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
                payload = resp.read()
                link = resp.headers.get("Link", "")
        except urllib.error.HTTPError as exc:
            detail = exc.read(2000).decode("utf-8", "replace")
            with contextlib.suppress(ValueError, AttributeError):
                detail = str(json.loads(detail).get("message", detail))
            raise CommentError(redact(f"{method} {url}: HTTP {exc.code} {detail}".strip(), self.token)) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise CommentError(redact(f"{method} {url}: {reason}", self.token)) from None
        try:
            return (json.loads(payload) if payload else None), link
        except ValueError:
            raise CommentError(f"{method} {url}: the answer is not JSON") from None

    def _url(self, path: str) -> str:
        return f"{self.api_url.rstrip('/')}/repos/{self.repository}/{path}"

    def find_comment(self, pr: int, marker: str = MARKER) -> int | None:
        """The id of the first comment of `pr` whose body starts with `marker`, following every page."""
        url: str | None = self._url(f"issues/{pr}/comments?per_page={PER_PAGE}")
        for _ in range(MAX_PAGES):
            if url is None:
                return None
            page, link = self._request("GET", url)
            if not isinstance(page, list):
                raise CommentError(f"GET {url}: expected a list of comments")
            for comment in page:
                body = (comment.get("body") or "") if isinstance(comment, dict) else ""
                if body.lstrip().startswith(marker):
                    return int(comment["id"])
            found = _NEXT.search(link)
            url = found.group(1) if found else None
        raise CommentError(f"more than {MAX_PAGES} pages of comments on pull request #{pr}")

    def upsert_comment(self, pr: int, text: str, marker: str = MARKER) -> tuple[str, int]:
        """Update this tool's comment on `pr`, or create it. Returns ("updated"|"created", comment id)."""
        body = comment_body(text, marker)
        existing = self.find_comment(pr, marker)
        if existing is not None:
            self._request("PATCH", self._url(f"issues/comments/{existing}"), {"body": body})
            return "updated", existing
        created, _ = self._request("POST", self._url(f"issues/{pr}/comments"), {"body": body})
        return "created", int(created["id"]) if isinstance(created, dict) and "id" in created else 0


def comment_body(text: str, marker: str = MARKER) -> str:
    """The marker, then the plan; cut to GitHub's size limit with a note where it was cut."""
    body = f"{marker}\n{text.strip()}\n"
    if len(body) <= MAX_BODY:
        return body
    note = "\n\n… plan cut to fit a comment; the full plan is in the `plan.json` artifact of this run.\n"
    return body[: MAX_BODY - len(note)] + note


def pr_number(explicit: int | None, env: Mapping[str, str]) -> int:
    if explicit is not None:
        return explicit
    if env.get("PR_NUMBER", "").strip().isdigit():
        return int(env["PR_NUMBER"])
    event = env.get("GITHUB_EVENT_PATH")
    if event and Path(event).is_file():
        try:
            payload = json.loads(Path(event).read_text(encoding="utf-8"))
            number = (payload.get("pull_request") or {}).get("number") or payload.get("number")
            if isinstance(number, int):
                return number
        except (ValueError, OSError, AttributeError):
            pass
    raise CommentError("no pull-request number: pass --pr, set PR_NUMBER, or run on a pull_request event")


def from_env(env: Mapping[str, str]) -> GitHub:
    token = env.get("GITHUB_TOKEN", "").strip()
    if not token:
        raise CommentError("GITHUB_TOKEN is not set (give the job `pull-requests: write` and pass it as env)")
    repository = env.get("GITHUB_REPOSITORY", "").strip()
    if not re.fullmatch(r"[\w.-]+/[\w.-]+", repository):
        raise CommentError(f"GITHUB_REPOSITORY must be owner/name, not {repository!r}")
    api = env.get("GITHUB_API_URL", "").strip() or DEFAULT_API
    if urllib.parse.urlsplit(api).scheme not in ("http", "https"):
        raise CommentError(f"GITHUB_API_URL must be an http(s) URL, not {api!r}")
    return GitHub(api, repository, token)


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flatrender_schema.ci.comment", description=__doc__)
    parser.add_argument("--body-file", type=Path, required=True, help="the Markdown to post ('-' for stdin)")
    parser.add_argument("--pr", type=int, help="pull-request number (default: PR_NUMBER or the event)")
    parser.add_argument("--marker", default=MARKER, help="the hidden marker that finds the comment again")
    args = parser.parse_args(argv)
    environ = os.environ if env is None else env
    try:
        text = sys.stdin.read() if str(args.body_file) == "-" else args.body_file.read_text(encoding="utf-8")
        github = from_env(environ)
        action, number = github.upsert_comment(pr_number(args.pr, environ), text, args.marker)
    except OSError as exc:
        print(f"error: cannot read {args.body_file}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except SchemaError as exc:
        print(f"error: {redact(str(exc), environ.get('GITHUB_TOKEN'))}", file=sys.stderr)
        return 1
    print(f"plan comment {action} (id {number})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
