"""RemoteConsole's Client Builder against a real ``axiom-ide serve``, side by side with the local
Console over the same example workspace: the same calls give the same records (clients, members,
versions with per-language status, the marketplace's packages and flows) and the same refusals in
the same words; a build runs on the remote and its zip comes back as the local one does."""
from __future__ import annotations

import asyncio
import io
import json
import zipfile

import live_server as server_live
import pytest

from axiom_ide.backends.local import LocalBackend
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.packages import Workspace

live = server_live.live_fixture("remote-clients")
remote = server_live.remote_fixture()

MEMBERS = [("node", "examples/text@0.1.0:Greet", "greet"), ("flow", "hello", "helloFlow")]


@pytest.fixture
def local(make_runtime, tmp_path, live):
    return LocalBackend(make_runtime(tmp_path / "data"), lambda: Workspace(live.workspace)).console


async def _settled(console, name: str, timeout: float = 600) -> list:
    """The versions once every build has ended (a build runs on the backend; polled as the page
    polls). ``timeout`` only bounds a failure, it is never what the test waits for."""
    end = asyncio.get_running_loop().time() + timeout
    while True:
        versions = await console.client_versions(name)
        if all(b.status in ("succeeded", "failed") for v in versions for b in v.builds):
            return versions
        assert asyncio.get_running_loop().time() < end, f"the builds of {name} never ended"
        await asyncio.sleep(0.05)


def _errors(console, aio) -> list[tuple[str, str]]:
    async def attempt(coro):
        try:
            await coro
        except AxiomError as exc:
            return exc.diagnostics[0].code, exc.message
        return "no error", ""

    async def go():
        return [await attempt(console.client_create("")),
                await attempt(console.client_create("9lives")),
                await attempt(console.client_create("same")),
                await attempt(console.client_get("never-made")),
                await attempt(console.client_add("same", [("node", "examples/text@0.1.0:Nope", "nope")])),
                await attempt(console.client_add("same", [("flow", "nowhere", "nowhere")])),
                await attempt(console.client_add("same", [("node", "examples/text@0.1.0:Upper", "up"),
                                                          ("node", "examples/text@0.1.0:Echo", "up")])),
                await attempt(console.client_remove("same", ["absent"])),
                await attempt(console.client_build("same", ["python"])),
                await attempt(console.client_archive("same", 1, "python"))]

    return aio(go())


def test_the_same_calls_give_the_same_records_and_refusals(live, remote, local, aio):
    console = remote().console
    for c in (console, local):
        aio(c.client_create("same"))
    assert _errors(console, aio) == _errors(local, aio)
    assert aio(console.client_marketplace()) == aio(local.client_marketplace())

    async def build(c):
        await c.client_add("same", MEMBERS)
        await c.client_remove("same", ["helloFlow"])
        client = await c.client_add("same", [MEMBERS[1]])
        number = await c.client_build("same", ["python", "rust"])
        versions = await _settled(c, "same")
        return client, number, versions

    (rc, rn, rv), (lc, ln, lv) = aio(build(console)), aio(build(local))
    assert rc.members == lc.members and rc.name == lc.name == "same"
    assert rn == ln == 1
    assert [(v.client, v.number, [(b.language, b.status, b.error) for b in v.builds]) for v in rv] == [
        (v.client, v.number, [(b.language, b.status, b.error) for b in v.builds]) for v in lv]
    assert [m["alias"] for m in rv[0].snapshot["members"]] == ["greet", "helloFlow"]
    assert aio(console.client_delete("same")) is True and aio(console.client_delete("same")) is False


def test_a_build_and_a_language_added_later_run_on_the_remote(live, remote, aio):
    console = remote().console

    async def go():
        await console.client_create("billing")
        await console.client_add("billing", MEMBERS)
        number = await console.client_build("billing", ["Python"])
        first = await console.client_versions("billing")
        await _settled(console, "billing")
        key = await console.client_add_language("billing", number, "ts")
        await _settled(console, "billing")
        return number, first, key, await console.client_versions("billing"), await console.client_archive(
            "billing", number, "py")

    number, first, key, versions, data = aio(go())
    assert number == 1 and first[0].builds[0].language == "python"
    assert first[0].builds[0].status in ("pending", "building", "succeeded")
    assert key == "typescript" and [b.language for b in versions[0].builds] == ["python", "typescript"]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        manifest = json.loads(z.read("billing-sdk-py/manifest.json"))
    assert manifest["client"] == "billing" and [m["alias"] for m in manifest["members"]] == ["greet", "helloFlow"]
    with live.client() as c:  # it is the remote's own record
        assert c.get("/api/clients/billing/versions/1").json()["builds"][0]["status"] == "succeeded"
