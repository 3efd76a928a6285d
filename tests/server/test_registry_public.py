"""The marketplace reads answer without a key (guides/import-package-types: "`axiom search` and
`axiom info` work without authentication"): an anonymous caller of ``GET /api/registry/packages``,
``GET /api/packages`` and ``GET /api/registry/flows`` sees what is published and nothing else — no
tenant's private push — while a key still shows its tenant its own pushes; every other route still
answers 401. ``GET /api/packages`` also lists the server's own workspace to anyone, as its packages'
specs and docs pages (public) serve them. A real ``axiom-ide serve``; tenant ``local`` is
``live.key``, tenant ``acme`` ``live.other_key``."""
from __future__ import annotations

import httpx
import pytest
import registry_support

UNAUTHORIZED = {"error": "unauthorized"}


@pytest.fixture(scope="module")
def market(live, tmp_path_factory):
    """tester/open@0.1.0 published and tester/open@0.2.0 pushed by ``local``; tester/acme-only@0.1.0
    pushed (private) by ``acme``."""
    root = tmp_path_factory.mktemp("public-reads")
    registry_support.published_and_pushed(live, root / "open", "tester/open")
    with live.client(live.other_key, timeout=600) as acme:
        repo = registry_support.package_repo(root / "acme", "tester/acme-only")
        assert acme.post("/api/registry/packages", json=registry_support.archive(repo)).status_code == 201
    return live


def _anonymous(live) -> httpx.Client:
    return httpx.Client(base_url=live.origin, timeout=30)


def _keys(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [p["key"] for p in answer.json()["packages"]]


def test_an_anonymous_caller_sees_the_published_packages_with_their_nodes_and_messages(market):
    with _anonymous(market) as anyone:
        listed = anyone.get("/api/registry/packages")
        assert _keys(listed) == ["tester/open@0.1.0"]
        row = listed.json()["packages"][0]
        assert row["visibility"] == "public" and row["published_at"] >= row["pushed_at"]
        assert row["description"] == "Example arithmetic nodes — add, multiply and increment numbers."
        assert (row["language"], row["author"], row["license"]) == ("python", "Axiom IDE", "MIT")
        assert [(n["name"], n["type"], n["input"], n["output"]) for n in row["nodes"]] == [
            ("Add", "unary", "AddInput", "MathResult"), ("Multiply", "unary", "AddInput", "MathResult"),
            ("Increment", "unary", "Number", "Number")]
        assert row["nodes"][0]["description"] == "Adds a and b."
        assert row["messages"] == ["AddInput", "MathResult", "Number"]
        # the listing search/info read: the server's workspace (whose specs are public) and the published
        # versions — no push; the workspace's problems name server files: not for anyone
        packages = anyone.get("/api/packages")
        assert _keys(packages) == ["examples/math@0.1.0", "examples/text@0.1.0", "tester/open@0.1.0"]
        rows = {p["key"]: p for p in packages.json()["packages"]}
        assert rows["tester/open@0.1.0"]["messages"] == ["AddInput", "MathResult", "Number"]
        assert [rows[k]["visibility"] for k in rows] == ["workspace", "workspace", "public"]
        assert packages.json()["problems"] == []
        for key in rows:  # everything the anonymous listing names has a public spec and docs page
            name, _, version = key.partition("@")
            assert anyone.get(f"/api/packages/{name}@{version}/openapi.json").status_code == 200, key
            assert anyone.get(f"/api/packages/{name}@{version}/docs").status_code == 200, key
        assert anyone.get("/api/registry/flows").json() == {"flows": []}
        # the published package's spec and docs were public already
        assert anyone.get("/api/packages/tester/open@0.1.0/openapi.json").status_code == 200
        # a private push is never described to an anonymous caller
        assert anyone.get("/api/packages/tester/open@0.2.0/openapi.json").status_code == 404


def test_a_key_still_sees_its_own_pushes_and_never_another_tenants(market):
    with market.client() as mine, market.client(market.other_key) as theirs:
        assert _keys(mine.get("/api/registry/packages")) == ["tester/open@0.1.0", "tester/open@0.2.0"]
        rows = {p["key"]: p for p in mine.get("/api/registry/packages").json()["packages"]}
        assert rows["tester/open@0.2.0"]["visibility"] == "private"
        assert [n["name"] for n in rows["tester/open@0.2.0"]["nodes"]] == ["Add", "Multiply", "Increment"]
        assert _keys(theirs.get("/api/registry/packages")) == ["tester/acme-only@0.1.0", "tester/open@0.1.0"]
        workspace = _keys(mine.get("/api/packages"))
        assert "examples/text@0.1.0" in workspace and "tester/open@0.2.0" in workspace
        assert "tester/acme-only@0.1.0" not in workspace


def test_everything_else_still_needs_a_key(market):
    body = {"repository": "x", "commit": "0" * 40, "archive": "eA=="}
    with _anonymous(market) as anyone:
        refused = [
            anyone.get("/api/registry/packages/tester/open/protos"),  # import needs a login, even of a public package
            anyone.get("/api/registry/packages/tester/open/protos", params={"version": "0.2.0"}),
            anyone.post("/api/registry/packages", json=body),
            anyone.post("/api/registry/packages/tester/open/0.2.0/publish"),
            anyone.post(f"/api/registry/flows/{market.compile('hello')}/publish"),
            anyone.get(f"/api/graphs/{market.compile('hello')}"),
            anyone.get("/api/flows"),
            anyone.get("/api/whoami"),
            anyone.post("/invocations/v1/nodes/tester/open/0.1.0/Add", json={"a": 1, "b": 2}),
        ]
        assert [(r.status_code, r.json()) for r in refused] == [(401, UNAUTHORIZED)] * len(refused)
        # a key that is sent is checked, also on the routes that need none
        bad = {"Authorization": "Bearer " + "0" * 64}
        for path in ("/api/registry/packages", "/api/packages", "/api/registry/flows"):
            answer = anyone.get(path, headers=bad)
            assert (answer.status_code, answer.json()) == (401, UNAUTHORIZED), path
            empty = anyone.get(path, headers={"Authorization": "Basic eDp5"})
            assert empty.status_code == 401, path


def test_the_server_spec_says_which_reads_need_no_key(market):
    with _anonymous(market) as anyone:
        paths = anyone.get("/api/openapi.json").json()["paths"]
    for path in ("/api/registry/packages", "/api/packages", "/api/registry/flows"):
        op = paths[path]["get"]
        assert op["security"] == [{}, {"bearerAuth": []}] and "401" in op["responses"], path
    assert paths["/api/registry/packages"]["post"].get("security") is None  # push: the key
    assert paths["/api/registry/packages/{owner}/{pkg}/protos"]["get"].get("security") is None
    listing = paths["/api/registry/packages"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    row = listing["properties"]["packages"]["items"]
    assert {"description", "nodes", "messages"} <= set(row["required"])
    assert set(row["properties"]["nodes"]["items"]["properties"]) == {"name", "type", "description", "input", "output", "required_secrets"}


def test_the_remote_registry_client_reads_the_marketplace_without_a_key(market, aio):
    """RemoteRegistry (the IDE's and the CLI's client) with no key sends no Authorization header:
    the listing answers as the public; import's protos are the 401, said as "unauthorized"."""
    from axiom_ide.backends.remote import RemoteBackend
    from axiom_ide.backends.remote_registry import RemoteRegistry
    from axiom_ide.runtime.errors import AxiomError

    async def go():
        backend = RemoteBackend(market.origin, "")
        registry = RemoteRegistry(backend.api)
        try:
            packages, flows = await registry.packages(), await registry.flows()
            with pytest.raises(AxiomError) as refused:
                await registry.protos("tester/open", "0.1.0")
            return packages, flows, refused.value
        finally:
            await backend.close()

    packages, flows, refused = aio(go())
    assert [(p["key"], p["description"], [n["name"] for n in p["nodes"]]) for p in packages] == [
        ("tester/open@0.1.0", "Example arithmetic nodes — add, multiply and increment numbers.",
         ["Add", "Multiply", "Increment"])]
    assert flows == []
    assert refused.diagnostics[0].code == "unauthorized"
    assert refused.message.startswith(f"unauthorized: {market.origin} refused the API key")
