"""A server started without a workspace (create_app(workspace=None)) refuses workspace work with a
400 that says why; it used to answer POST /api/compile with a 500 (Path(None) in Workspace)."""
from __future__ import annotations

import asyncio

from aiohttp.test_utils import TestClient, TestServer

from axiom_ide.runtime.runtime import Runtime
from axiom_ide.server.app import create_app


def test_compile_without_a_workspace_is_a_400_not_a_500(tmp_path):
    runtime = Runtime(tmp_path / "data", inline=True)
    raw, _key = runtime.create_api_key("ci")

    async def go():
        async with TestClient(TestServer(create_app(runtime, workspace=None))) as client:
            auth = {"Authorization": f"Bearer {raw}"}
            posted = await client.post("/api/compile", json={"source": "name: x\nnodes: []\n"}, headers=auth)
            by_name = await client.post("/api/compile", json={"flow": "welcome"}, headers=auth)
            flows = await client.get("/api/flows", headers=auth)
            return (posted.status, await posted.json(), by_name.status, await by_name.json(),
                    flows.status, await flows.json())

    posted, posted_body, by_name, by_name_body, flows, flows_body = asyncio.run(go())
    assert (posted, posted_body) == (400, {"error": "invalid_argument",
                                           "message": "this server has no workspace to compile against"})
    assert (by_name, by_name_body) == (400, {"error": "invalid_argument",
                                             "message": 'no flow named "welcome" in the workspace'})
    assert (flows, flows_body) == (200, {"flows": [], "problems": []})
