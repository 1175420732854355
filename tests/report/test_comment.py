"""The merge-request note of the GitLab template (one note, edited in place) and the comment
body: marker first, cut to what the APIs take.  The GitHub side runs through the Action's own
step in tests/interop/test_ci_templates.py."""

from __future__ import annotations

import http.server
import json
import threading

import pytest

from plangate.report import comment
from plangate.report.markdown import MARKER

NOTES = "/api/v4/projects/acme%2Finfra/merge_requests/3/notes"


@pytest.fixture
def gitlab_api():
    notes: list[dict] = [{"id": 10, "body": "please fix"}]
    calls: list[tuple[str, str]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _route(self, method: str) -> None:
            path = self.path.split("?", 1)[0]
            calls.append((method, path))
            size = int(self.headers.get("Content-Length") or 0)
            sent = json.loads(self.rfile.read(size)) if size else None
            status, payload = 404, {"message": "404 Not found"}
            if self.headers.get("PRIVATE-TOKEN") != "glpat-x":
                status, payload = 401, {"message": "401 Unauthorized"}
            elif method == "GET" and path == NOTES:
                status, payload = 200, notes
            elif method == "POST" and path == NOTES:
                notes.append({"id": 10 + len(notes), "body": sent["body"]})
                status, payload = 201, notes[-1]
            elif method == "PUT" and path.startswith(NOTES + "/"):
                note = next(n for n in notes if n["id"] == int(path.rsplit("/", 1)[1]))
                note["body"] = sent["body"]
                status, payload = 200, note
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # noqa: N802 (http.server's names)
            self._route("GET")

        def do_POST(self):  # noqa: N802
            self._route("POST")

        def do_PUT(self):  # noqa: N802
            self._route("PUT")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    env = {"GITLAB_CI": "true", "PLANGATE_GITLAB_TOKEN": "glpat-x", "CI_PROJECT_ID": "acme/infra",
           "CI_MERGE_REQUEST_IID": "3", "CI_API_V4_URL": f"http://127.0.0.1:{server.server_address[1]}/api/v4"}
    try:
        yield notes, calls, env
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_one_merge_request_note_created_then_edited(tmp_path, gitlab_api, capsys):
    notes, calls, env = gitlab_api
    scan, cost = tmp_path / "plangate.md", tmp_path / "cost.md"
    scan.write_text(f"{MARKER}\n## plangate: gate failed\n")
    cost.write_text("## Cost delta\n+$12.00 / month\n")
    assert comment.main([str(scan), str(cost)], env) == 0
    body = f"{MARKER}\n## plangate: gate failed\n\n## Cost delta\n+$12.00 / month\n"
    assert notes == [{"id": 10, "body": "please fix"}, {"id": 11, "body": body}]
    scan.write_text(f"{MARKER}\n## plangate: gate passed\n")
    assert comment.main([str(scan)], env) == 0
    assert notes == [{"id": 10, "body": "please fix"}, {"id": 11, "body": f"{MARKER}\n## plangate: gate passed\n"}]
    assert calls == [("GET", NOTES), ("POST", NOTES), ("GET", NOTES), ("PUT", f"{NOTES}/11")]
    assert "glpat-x" not in capsys.readouterr().err


def test_a_refused_call_or_a_missing_setting_is_one_line_and_exit_2(tmp_path, gitlab_api, capsys):
    notes, _, env = gitlab_api
    report = tmp_path / "plangate.md"
    report.write_text(f"{MARKER}\nx\n")
    assert comment.main([str(report)], {**env, "PLANGATE_GITLAB_TOKEN": "wrong"}) == 2
    assert comment.main([str(report)], {k: v for k, v in env.items() if k != "CI_MERGE_REQUEST_IID"}) == 2
    assert comment.main([str(tmp_path / "absent.md")], env) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3 and "HTTP 401" in err[0] and "$CI_MERGE_REQUEST_IID is not set" in err[1]
    assert "absent.md: cannot read" in err[2] and not any("wrong" in line for line in err)
    assert notes == [{"id": 10, "body": "please fix"}]


def test_the_body_starts_with_the_marker_and_fits_the_api():
    assert comment.body(["## cost only\n"]) == f"{MARKER}\n## cost only\n"
    huge = comment.body([MARKER + "\n" + "| row |\n" * 20000])
    assert huge.startswith(MARKER) and len(huge) <= comment.MAX_BODY + 100 and "cut" in huge.splitlines()[-1]
