"""Issue 8, acceptance 2: the plan comment updater against a fake GitHub API on the loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, TODAY, run_cli
from fake_github import Repo, serve

from flatrender_schema.ci.comment import MARKER, MAX_BODY, GitHub, comment_body

TOKEN = "ghs_fakeTOKENfor_tests_0123456789"


def _post(base: str, body_file: Path, pr: int = 7, extra_env: dict[str, str] | None = None,
          args: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env.update({"GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": "acme/app", "GITHUB_API_URL": base,
                "PR_NUMBER": str(pr), **(extra_env or {})})
    return subprocess.run(
        [sys.executable, "-m", "flatrender_schema.ci.comment", "--body-file", str(body_file), *args],
        capture_output=True, text=True, env=env, cwd=str(REPO), timeout=60,
    )


def _ours(repo: Repo, pr: int = 7) -> list[dict[str, object]]:
    return [c for c in repo.comments.get(pr, []) if str(c["body"]).startswith(MARKER)]


def _no_token(*outputs: str) -> None:
    for out in outputs:
        assert TOKEN not in out


def test_two_real_plans_leave_one_comment_with_the_newest(tmp_path: Path, dbs, server_url: str) -> None:
    """Plan an empty database (changes), apply, plan again (no changes): one comment, the second plan."""
    target = dbs.create("comment")
    common = ("--database-url", target, "--dev-url", server_url, "--now", TODAY.isoformat())
    first = run_cli("plan", "--format", "markdown", *common)
    assert first.returncode == 2, first.stderr
    assert run_cli("apply", "--yes", *common).returncode == 0
    second = run_cli("plan", "--format", "markdown", *common)
    assert second.returncode == 0, second.stderr

    repo = Repo(TOKEN)
    repo.add(7, "LGTM, but see the hazards")
    with serve(repo) as base:
        for plan in (first.stdout, second.stdout):
            body = tmp_path / "plan.md"
            body.write_text(plan)
            done = _post(base, body)
            assert done.returncode == 0, done.stderr
            _no_token(done.stdout, done.stderr)
    ours = _ours(repo)
    assert len(ours) == 1
    assert "No changes" in str(ours[0]["body"])
    assert "to create" not in str(ours[0]["body"])
    assert len(repo.comments[7]) == 2  # the reviewer's comment is untouched
    assert [m for m, _, _ in repo.requests].count("POST") == 1
    assert [m for m, _, _ in repo.requests].count("PATCH") == 1


def test_finds_its_comment_on_a_later_page(tmp_path: Path) -> None:
    repo = Repo(TOKEN, page_size=3)
    for i in range(7):
        repo.add(7, f"chatter {i}")
    ours = repo.add(7, f"{MARKER}\nold plan")
    repo.add(7, "more chatter")
    repo.add(8, f"{MARKER}\nanother pull request's plan")
    body = tmp_path / "plan.md"
    body.write_text("### Schema plan\n\nnew plan\n")
    with serve(repo) as base:
        done = _post(base, body)
    assert done.returncode == 0, done.stderr
    assert f"updated (id {ours})" in done.stdout
    gets = [p for m, p, _ in repo.requests if m == "GET"]
    assert len(gets) == 3 and gets[-1].endswith("page=3")
    assert [str(c["body"]) for c in _ours(repo)] == [f"{MARKER}\n### Schema plan\n\nnew plan\n"]
    assert "another pull request" in str(repo.comments[8][0]["body"])


def test_first_run_creates_and_every_request_carries_the_token(tmp_path: Path) -> None:
    repo = Repo(TOKEN, page_size=2)
    for i in range(5):
        repo.add(7, f"chatter {i}")
    body = tmp_path / "plan.md"
    with serve(repo) as base:
        for n in range(3):
            body.write_text(f"plan number {n}")
            assert _post(base, body).returncode == 0
    ours = _ours(repo)
    assert len(ours) == 1 and "plan number 2" in str(ours[0]["body"])
    assert all(auth == f"Bearer {TOKEN}" for _, _, auth in repo.requests)


@pytest.mark.parametrize(
    ("setup", "expect"),
    [
        ("bad-token", "HTTP 401 Bad credentials"),
        ("server-error", "HTTP 502 server says no"),
        ("foreign-next-link", "refusing to send the token to another host"),
    ],
)
def test_api_errors_are_one_line_without_the_token(tmp_path: Path, setup: str, expect: str) -> None:
    repo = Repo("some-other-token" if setup == "bad-token" else TOKEN, page_size=1)
    repo.add(7, "a")
    repo.add(7, "b")
    repo.fail_with = 502 if setup == "server-error" else None
    repo.foreign_next = setup == "foreign-next-link"
    body = tmp_path / "plan.md"
    body.write_text("plan")
    with serve(repo) as base:
        done = _post(base, body)
    assert done.returncode == 1
    assert expect in done.stderr
    assert "Traceback" not in done.stderr
    _no_token(done.stdout, done.stderr)
    assert not any("evil.example" in p for _, p, _ in repo.requests)


def test_unreachable_api_and_missing_settings(tmp_path: Path) -> None:
    body = tmp_path / "plan.md"
    body.write_text("plan")
    done = _post("http://127.0.0.1:9", body)  # discard port: nothing listens
    assert done.returncode == 1 and "Traceback" not in done.stderr
    _no_token(done.stdout, done.stderr)
    done = _post("http://127.0.0.1:9", body, extra_env={"GITHUB_TOKEN": ""})
    assert done.returncode == 1 and "GITHUB_TOKEN is not set" in done.stderr
    done = _post("http://127.0.0.1:9", body, extra_env={"PR_NUMBER": ""})
    assert done.returncode == 1 and "no pull-request number" in done.stderr


def test_pr_number_from_the_event_payload(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "synchronize", "pull_request": {"number": 12}}))
    body = tmp_path / "plan.md"
    body.write_text("plan")
    repo = Repo(TOKEN)
    with serve(repo) as base:
        done = _post(base, body, extra_env={"PR_NUMBER": "", "GITHUB_EVENT_PATH": str(event)})
    assert done.returncode == 0, done.stderr
    assert len(_ours(repo, 12)) == 1


def test_huge_plans_are_cut_to_the_comment_limit() -> None:
    body = comment_body("x" * (MAX_BODY * 2))
    assert len(body) <= MAX_BODY and body.startswith(MARKER) and "plan.json" in body[-200:]
    assert comment_body("small") == f"{MARKER}\nsmall\n"


def test_library_api_round_trip() -> None:
    repo = Repo(TOKEN)
    with serve(repo) as base:
        gh = GitHub(base, "acme/app", TOKEN)
        assert gh.find_comment(3) is None
        assert gh.upsert_comment(3, "one")[0] == "created"
        assert gh.upsert_comment(3, "two")[0] == "updated"
    assert [str(c["body"]) for c in _ours(repo, 3)] == [f"{MARKER}\ntwo\n"]
