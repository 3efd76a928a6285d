"""Interactive docs pages: served by the server with every script and style from its own origin."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import httpx
import pytest


class _Refs(HTMLParser):
    """Every src/href in a page, and the JSON config script's text."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.config: str | None = None
        self._in_config = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.refs += [a[k] for k in ("src", "href") if a.get(k)]
        self._in_config = tag == "script" and a.get("id") == "axiom-docs-config"

    def handle_data(self, data):
        if self._in_config:
            self.config = data
            self._in_config = False


def _page(live, path: str) -> tuple[str, _Refs]:
    r = httpx.get(live.origin + path)  # docs pages need no key
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    parser = _Refs()
    parser.feed(r.text)
    return r.text, parser


def _assert_offline(live, html: str, refs: _Refs) -> None:
    # No CDN: the only absolute URLs a page may name are its own server's.
    assert [u for u in re.findall(r"https?://[^\s\"'<>)]+", html) if not u.startswith(live.origin)] == []
    assert refs.refs and all(u.startswith("/") and not u.startswith("//") for u in refs.refs), refs.refs
    for url in refs.refs:
        r = httpx.get(live.origin + url)
        assert r.status_code == 200, url
        assert r.content, url
    scripts = [u for u in refs.refs if u.endswith(".js")]
    assert scripts == ["/api/docs-assets/swagger-ui-bundle.js", "/api/docs-assets/axiom-docs.js"]
    bundle = httpx.get(live.origin + scripts[0])
    assert bundle.headers["content-type"].startswith("text/javascript")
    assert b"SwaggerUIBundle" in bundle.content
    css = httpx.get(live.origin + "/api/docs-assets/swagger-ui.css")
    assert css.headers["content-type"].startswith("text/css") and b".swagger-ui" in css.content


def test_flow_docs_page_is_offline_and_loads_the_spec_with_a_key(live):
    graph_id = live.compile("hello")
    html, refs = _page(live, f"/api/graphs/{graph_id}/docs")
    _assert_offline(live, html, refs)
    config = json.loads(refs.config)
    assert config == {"specUrl": f"/api/graphs/{graph_id}/openapi.json", "needsKey": True, "kind": "flow"}
    assert httpx.get(live.origin + config["specUrl"]).status_code == 401
    spec = httpx.get(live.origin + config["specUrl"], headers=live.headers()).json()
    assert spec["info"]["version"] == graph_id


def test_package_docs_page_is_offline_and_public(live):
    html, refs = _page(live, "/api/packages/examples%2Ftext@0.1.0/docs")
    _assert_offline(live, html, refs)
    assert "<title>examples/text@0.1.0 — Interactive Docs</title>" in html
    config = json.loads(refs.config)
    assert config == {"specUrl": "/api/packages/examples/text@0.1.0/openapi.json", "needsKey": False, "kind": "package"}
    assert httpx.get(live.origin + config["specUrl"]).status_code == 200


def test_a_package_that_is_not_public_gets_the_page_that_asks_for_a_key(live):
    # A tenant's private push (what `push` and `info` link to) — or no package at all: a browser
    # sends no key, so the page asks for one and loads the spec with it; that spec route decides.
    html, refs = _page(live, "/api/packages/examples/nope@1.0.0/docs")
    assert "<title>examples/nope@1.0.0 — Interactive Docs</title>" in html
    config = json.loads(refs.config)
    assert config == {"specUrl": "/api/packages/examples/nope@1.0.0/openapi.json", "needsKey": True, "kind": "package"}
    assert httpx.get(live.origin + config["specUrl"], headers=live.headers()).status_code == 404
    # Not a package reference at all: the plain 404, nothing of it on a page.
    r = httpx.get(live.origin + "/api/packages/%3Cb%3Ex@1.0.0/docs")
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/json")


def test_server_docs_page_is_offline_and_public(live):
    html, refs = _page(live, "/docs")
    _assert_offline(live, html, refs)
    assert json.loads(refs.config) == {"specUrl": "/api/openapi.json", "needsKey": False, "kind": "server"}


def test_docs_page_script_keeps_swagger_ui_offline_and_authorizes_with_the_key(live):
    js = httpx.get(live.origin + "/api/docs-assets/axiom-docs.js").text
    assert "validatorUrl: null" in js  # no third-party validator badge
    assert 'preauthorizeApiKey("bearerAuth"' in js
    assert 'request.headers.Authorization = "Bearer " + key' in js


@pytest.mark.parametrize("name", ["index.html", "..%2F..%2Fapp.py", "swagger-editor.js"])
def test_only_the_listed_assets_are_served(live, name):
    assert httpx.get(f"{live.origin}/api/docs-assets/{name}").status_code == 404


def test_a_title_cannot_inject_markup(live):
    # Only artifact ids (26 Crockford base-32 characters) reach the page, so no markup can be a title.
    path = "/api/graphs/%3Cscript%3Ealert(1)%3C%2Fscript%3E/docs"
    r = httpx.get(live.origin + path, headers=live.headers())
    assert (r.status_code, r.content) == (404, b'{"error":"not found"}')
    html, refs = _page(live, "/api/graphs/01JX3F8Q4ZJ4M9W4Y0B8T2K7RD/docs")
    assert "01JX3F8Q4ZJ4M9W4Y0B8T2K7RD" in html
    assert json.loads(refs.config)["specUrl"] == "/api/graphs/01JX3F8Q4ZJ4M9W4Y0B8T2K7RD/openapi.json"
