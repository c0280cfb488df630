"""A fake GitHub REST API on 127.0.0.1 for the comment updater: issue comments, paginated, in memory.

Bounded: it serves only while the `serve()` context is open, every socket has a timeout, and the
number of requests it answers is capped so a client that loops fails instead of spinning.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

MAX_REQUESTS = 500


@dataclass
class Repo:
    token: str
    page_size: int = 100  # caps per_page, so tests can force pagination
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # method, path, authorization
    next_id: int = 1000
    fail_with: int | None = None
    foreign_next: bool = False  # answer with a Link rel=next on another host
    base: str = ""

    def add(self, pr: int, body: str, user: str = "someone") -> int:
        self.next_id += 1
        self.comments.setdefault(pr, []).append({"id": self.next_id, "body": body, "user": {"login": user}})
        return self.next_id


def _handler(repo: Repo) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        timeout = 10

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> Any:
            length = int(self.headers.get("Content-Length") or 0)
            return json.loads(self.rfile.read(length)) if length else None

        def _handle(self, method: str) -> None:
            repo.requests.append((method, self.path, self.headers.get("Authorization", "")))
            if len(repo.requests) > MAX_REQUESTS:
                return self._send(429, {"message": "too many requests in one test"})
            if self.headers.get("Authorization") != f"Bearer {repo.token}":
                return self._send(401, {"message": "Bad credentials"})
            if repo.fail_with:
                return self._send(repo.fail_with, {"message": "server says no"})
            parts = urlsplit(self.path)
            m = re.fullmatch(r"/repos/[^/]+/[^/]+/issues/(\d+)/comments", parts.path)
            if m and method == "GET":
                pr = int(m.group(1))
                query = parse_qs(parts.query)
                per_page = min(int(query.get("per_page", ["30"])[0]), repo.page_size)
                page = int(query.get("page", ["1"])[0])
                items = repo.comments.get(pr, [])
                chunk = items[(page - 1) * per_page : page * per_page]
                headers = {}
                if page * per_page < len(items):
                    host = "http://evil.example" if repo.foreign_next else repo.base
                    headers["Link"] = f'<{host}{parts.path}?per_page={per_page}&page={page + 1}>; rel="next"'
                return self._send(200, chunk, headers)
            if m and method == "POST":
                body = self._body()
                new_id = repo.add(int(m.group(1)), body["body"], "github-actions[bot]")
                return self._send(201, {"id": new_id, "body": body["body"]})
            m = re.fullmatch(r"/repos/[^/]+/[^/]+/issues/comments/(\d+)", parts.path)
            if m and method == "PATCH":
                body = self._body()
                for items in repo.comments.values():
                    for c in items:
                        if c["id"] == int(m.group(1)):
                            c["body"] = body["body"]
                            return self._send(200, c)
                return self._send(404, {"message": "Not Found"})
            return self._send(404, {"message": "Not Found"})

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def do_PATCH(self) -> None:
            self._handle("PATCH")

    return Handler


@contextlib.contextmanager
def serve(repo: Repo) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(repo))
    server.timeout = 5
    repo.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield repo.base
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
