"""One pull-request comment (GitHub) or merge-request note (GitLab) per change, edited in place.

``python -m plangate.report.comment plangate.md [cost.md …]`` joins the Markdown files (the
scan report of `plangate.report.markdown`, which starts with its hidden `MARKER`, then e.g.
``plangate cost --compare-to … -f markdown``), lists the comments of the pull request, edits
the one that carries the marker, or creates it: one comment per pull request, however many
pushes.  Python's standard library only, so it runs wherever plangate is installed.

GitHub (``GITHUB_ACTIONS``): ``GITHUB_TOKEN``, ``GITHUB_API_URL``, ``GITHUB_REPOSITORY`` and the
pull request's number from the event (``GITHUB_EVENT_PATH``) or ``PLANGATE_PR_NUMBER``.
GitLab (``GITLAB_CI``): ``PLANGATE_GITLAB_TOKEN`` (a project access token with ``api`` scope: a
job token cannot write notes), ``CI_API_V4_URL``, ``CI_PROJECT_ID``, ``CI_MERGE_REQUEST_IID``.
Bad input or a refused request is one line on stderr and exit 2; the token is never printed.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plangate.report.markdown import MARKER

#: GitHub refuses comments over 65536 characters; keep room for the truncation line.
MAX_BODY = 65000
_PAGE = 100
_MAX_PAGES = 50  # a pull request with 5000 comments: stop looking rather than loop for ever
_TIMEOUT = 30


class CommentError(Exception):
    """A problem worth one line on stderr (missing setting, refused request)."""


@dataclass(frozen=True)
class Thread:
    """Where the comments of one pull / merge request live, and how to write them."""

    comments: str  # the URL listing (GET) and creating (POST) comments
    item: str  # the URL of one comment, with ``{id}``
    edit: str  # PATCH (GitHub) or PUT (GitLab)
    headers: Mapping[str, str]


def github(env: Mapping[str, str]) -> Thread:
    token = _need(env, "GITHUB_TOKEN")
    api = env.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    repo = _need(env, "GITHUB_REPOSITORY")
    number = env.get("PLANGATE_PR_NUMBER") or _pr_number(env)
    base = f"{api}/repos/{repo}/issues"
    return Thread(f"{base}/{number}/comments", f"{base}/comments/{{id}}", "PATCH",
                  {"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json",
                   "X-GitHub-Api-Version": "2022-11-28"})


def gitlab(env: Mapping[str, str]) -> Thread:
    token = _need(env, "PLANGATE_GITLAB_TOKEN")
    api = _need(env, "CI_API_V4_URL").rstrip("/")
    project = urllib.parse.quote(_need(env, "CI_PROJECT_ID"), safe="")
    base = f"{api}/projects/{project}/merge_requests/{_need(env, 'CI_MERGE_REQUEST_IID')}/notes"
    return Thread(base, f"{base}/{{id}}", "PUT", {"PRIVATE-TOKEN": token})


def _need(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "")
    if not value:
        raise CommentError(f"${name} is not set")
    return value


def _pr_number(env: Mapping[str, str]) -> str:
    path = _need(env, "GITHUB_EVENT_PATH")
    try:
        event = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CommentError(f"{path}: cannot read the event: {exc}") from None
    number = (event.get("pull_request") or {}).get("number") if isinstance(event, dict) else None
    if not isinstance(number, int):
        raise CommentError(f"{path}: not a pull request event (no pull_request.number)")
    return str(number)


def body(texts: list[str]) -> str:
    """The comment: the texts joined, the marker first, cut to what the API takes."""
    text = "\n\n".join(t.rstrip("\n") for t in texts if t.strip())
    if not text.startswith(MARKER):
        text = f"{MARKER}\n{text}"
    if len(text) > MAX_BODY:
        text = text[:MAX_BODY].rsplit("\n", 1)[0] + "\n\n*(cut: the full report is in the job's artefacts)*"
    return text + "\n"


def _call(method: str, url: str, headers: Mapping[str, str], payload: Any = None) -> Any:
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={**headers, "Content-Type": "application/json",
                                              "User-Agent": "plangate"})
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        raise CommentError(f"{method} {url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise CommentError(f"{method} {url}: {getattr(exc, 'reason', exc)}") from None


def find(thread: Thread) -> Any:
    """The id of the first comment that starts with the marker, or None."""
    for page in range(1, _MAX_PAGES + 1):
        comments = _call("GET", f"{thread.comments}?per_page={_PAGE}&page={page}", thread.headers)
        if not isinstance(comments, list):
            raise CommentError(f"GET {thread.comments}: expected a list of comments")
        for comment in comments:
            if isinstance(comment, dict) and str(comment.get("body", "")).startswith(MARKER):
                return comment.get("id")
        if len(comments) < _PAGE:
            return None
    return None


def upsert(thread: Thread, text: str) -> str:
    """Edit plangate's comment, or create it; says which, with the comment's id."""
    found = find(thread)
    if found is not None:
        _call(thread.edit, thread.item.format(id=found), thread.headers, {"body": text})
        return f"edited comment {found}"
    made = _call("POST", thread.comments, thread.headers, {"body": text})
    return f"created comment {made.get('id') if isinstance(made, dict) else '?'}"


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    files = sys.argv[1:] if argv is None else argv
    try:
        if not files:
            raise CommentError("usage: python -m plangate.report.comment REPORT.md [MORE.md …]")
        texts = []
        for name in files:
            try:
                texts.append(Path(name).read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError) as exc:
                raise CommentError(f"{name}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
        thread = gitlab(env) if env.get("GITLAB_CI") and not env.get("GITHUB_ACTIONS") else github(env)
        print(f"plangate: {upsert(thread, body(texts))}", file=sys.stderr)
    except CommentError as exc:
        print(f"plangate: comment: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
