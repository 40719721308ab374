"""A repository's docs page cannot act on greenroom's origin.

Docs hold a repository's own HTML and scripts. Tried in a real browser (headless Chromium)
against the real web process: a page's script reaches for the app's ``/metrics``, a cookie
and ``localStorage``, and gets none of them, because every docs response is sandboxed
(``Content-Security-Policy: sandbox`` without ``allow-same-origin``). With
``techdocs.separate_host`` the docs also live on a host of their own that serves nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import Engine

from integrations.techdocs import TechDocsSettings, build_all_docs
from tests.browser import render
from tests.integrations.techdocs.docs_world import docs_settings, make_repo, sync_folder
from tests.scenarios.conftest import serve_greenroom, slack_api  # noqa: F401 (fixtures)
from tests.scenarios.workspace import Workspace

PAGE = "/docs/default/component/svc/"
PROBE = """# Svc

Honest text of the service.

<pre id="probe">the script did not run</pre>

<script>
(async () => {
  const found = ["origin=" + self.origin];
  try { document.cookie = "stolen=1"; found.push("cookie=" + document.cookie); }
  catch (e) { found.push("cookie blocked: " + e.name); }
  try { localStorage.setItem("k", "v"); found.push("storage=" + localStorage.getItem("k")); }
  catch (e) { found.push("storage blocked: " + e.name); }
  try {
    const answer = await fetch(APP + "/metrics");
    found.push("metrics=" + (await answer.text()).slice(0, 300));
  } catch (e) { found.push("metrics blocked: " + e.name); }
  document.getElementById("probe").textContent = found.join("\\n");
})();
</script>
"""


def build_probe(engine: Engine, tmp_path: Path, *, app: str = "") -> Path:
    """A site whose home page runs the probe script (fetching ``app``/metrics)."""
    files = {"mkdocs.yml": "site_name: Svc\n", "docs/index.md": PROBE.replace("APP", repr(app))}
    make_repo(tmp_path / "repos", "svc", files, owner="team-a")
    settings = docs_settings(tmp_path / "sites")
    (outcome,) = build_all_docs(sync_folder(engine, tmp_path / "repos"), settings).outcomes
    assert outcome.status == "built", outcome.reason
    return tmp_path / "sites"


def probe_result(dom: str) -> str:
    return dom.split('<pre id="probe">', 1)[1].split("</pre>", 1)[0]


def test_repository_script_cannot_read_app_routes_cookies_or_storage(
    engine: Engine,
    tmp_path: Path,
    serve_greenroom: Callable[..., Workspace],  # noqa: F811
) -> None:
    sites = build_probe(engine, tmp_path)
    ws = serve_greenroom(techdocs={"storage_dir": str(sites)})
    assert "# HELP" in httpx.get(ws.url + "/metrics").text  # there is something to steal

    found = probe_result(render(ws.url + PAGE, tmp_path / "profile"))

    assert "origin=null" in found  # the script ran, in an origin of its own
    assert "cookie blocked: SecurityError" in found
    assert "storage blocked: SecurityError" in found
    assert "metrics blocked: TypeError" in found
    assert "# HELP" not in found


def test_every_docs_response_carries_the_sandbox(
    engine: Engine,
    tmp_path: Path,
    serve_greenroom: Callable[..., Workspace],  # noqa: F811
) -> None:
    sites = build_probe(engine, tmp_path)
    ws = serve_greenroom(techdocs={"storage_dir": str(sites)})
    with httpx.Client(base_url=ws.url) as client:
        page = client.get(PAGE)
        responses = {
            "page": page,
            "script": client.get(PAGE + "js/base.js"),
            "search index": client.get(PAGE + "search/search_index.json"),
            "missing page": client.get(PAGE + "nope/"),
            "no site": client.get("/docs/default/component/nobody/"),
            "redirect": client.get(PAGE.rstrip("/")),
            "not modified": client.get(PAGE, headers={"if-none-match": page.headers["etag"]}),
        }
    assert [r.status_code for r in responses.values()] == [200, 200, 200, 404, 404, 301, 304]
    for what, response in responses.items():
        policy = response.headers.get("content-security-policy", "")
        assert policy.startswith("sandbox allow-scripts"), what
        assert "allow-same-origin" not in policy, what


# -- docs on a host of their own --------------------------------------------------------------
def separate_host(sites: Path) -> dict[str, object]:
    """Docs on ``localhost``; the app on ``127.0.0.1`` (two origins, one server)."""
    return {"storage_dir": str(sites), "base_url": "http://localhost/docs", "separate_host": True}


def test_docs_host_serves_docs_and_no_app_route(
    engine: Engine,
    tmp_path: Path,
    serve_greenroom: Callable[..., Workspace],  # noqa: F811
) -> None:
    ws = serve_greenroom(techdocs=separate_host(build_probe(engine, tmp_path)))
    docs_host = {"host": "localhost:" + ws.url.rsplit(":", 1)[1]}
    with httpx.Client(base_url=ws.url, headers=docs_host) as client:
        assert "Honest text of the service." in client.get(PAGE).text
        for path in ("/metrics", "/slack/install", "/slack/oauth_redirect", "/healthz"):
            assert client.get(path).status_code == 404, path
        assert client.post("/slack/events", content=b"{}").status_code == 404


def test_app_host_sends_docs_to_the_docs_host(
    engine: Engine,
    tmp_path: Path,
    serve_greenroom: Callable[..., Workspace],  # noqa: F811
) -> None:
    ws = serve_greenroom(techdocs=separate_host(build_probe(engine, tmp_path)))
    with httpx.Client(base_url=ws.url) as client:
        moved = client.get(PAGE + "?q=1")
        assert moved.status_code == 307
        assert (
            moved.headers["location"]
            == "http://localhost/docs" + PAGE.removeprefix("/docs") + "?q=1"
        )
        assert "Honest text" not in moved.text
        assert client.get("/metrics").status_code == 200


def test_script_on_the_docs_host_cannot_read_the_app_host(
    engine: Engine,
    tmp_path: Path,
    serve_greenroom: Callable[..., Workspace],  # noqa: F811
) -> None:
    sites = build_probe(engine, tmp_path, app="http://127.0.0.1:PORT")
    ws = serve_greenroom(techdocs=separate_host(sites))
    port = ws.url.rsplit(":", 1)[1]
    for page in sites.rglob("index.html"):  # the app's port is known only now
        page.write_text(page.read_text().replace(":PORT", f":{port}"))

    found = probe_result(render(f"http://localhost:{port}{PAGE}", tmp_path / "profile"))

    assert "origin=null" in found
    assert "metrics blocked: TypeError" in found and "# HELP" not in found


def test_separate_host_needs_base_url_on_the_docs_host() -> None:
    with pytest.raises(ValidationError, match="separate_host needs base_url to be a full URL"):
        TechDocsSettings(base_url="/docs", separate_host=True)
