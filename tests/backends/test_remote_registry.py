"""RemoteRegistry against a real ``serve`` subprocess: a push from a git repository streams its build
steps to ``on_log`` before the result; the pushed package is listed for its tenant only; publish,
protos and flow publish; the server's refusals come back as AxiomErrors in its words."""
from __future__ import annotations

import live_server as server_live
import pytest
import registry_support

from axiom_ide.backends.push_source import push_source
from axiom_ide.backends.remote import RemoteBackend
from axiom_ide.backends.remote_registry import RemoteRegistry
from axiom_ide.runtime.errors import AxiomError

live = server_live.live_fixture("remote-registry")


def _registry(live, key=None) -> tuple[RemoteBackend, RemoteRegistry]:
    backend = RemoteBackend(live.origin, key or live.key)
    return backend, RemoteRegistry(backend.api)


def test_push_streams_steps_then_publish_and_protos(live, aio, tmp_path):
    repo = registry_support.package_repo(tmp_path, "tester/remote-calc")
    source = push_source(repo)
    assert (source.commit, source.subdir) == (registry_support.git(repo, "rev-parse", "HEAD"), "")
    steps: list[str] = []

    async def go():
        backend, reg = _registry(live)
        other, theirs = _registry(live, live.other_key)
        try:
            result = await reg.push(source, on_log=steps.append)
            mine = [p["key"] for p in await reg.packages()]
            foreign = [p["key"] for p in await theirs.packages()]
            published = await reg.publish("tester/remote-calc", "0.1.0")
            with pytest.raises(AxiomError) as again:
                await reg.publish("tester/remote-calc", "0.1.0")
            protos = await theirs.protos("tester/remote-calc")
            missing = await reg.protos("tester/none")
            return result, mine, foreign, published, again.value, protos, missing
        finally:
            await backend.close()
            await other.close()

    result, mine, foreign, published, again, protos, missing = aio(go())
    assert steps == result["log"] and steps[0].startswith("Unpacking ")
    assert steps[-1] == "  ✓ tester/remote-calc@0.1.0 deployed (private to your tenant)"
    assert "tester/remote-calc@0.1.0" in mine and "tester/remote-calc@0.1.0" not in foreign
    assert published["visibility"] == "public"
    assert (again.diagnostics[0].code, again.message.split(":")[0]) == (
        "already_published", "tester/remote-calc@0.1.0 is already published")
    assert [f["path"] for f in protos["files"]] == ["add_input.proto"] and missing is None


def test_flow_publish_and_the_public_flow_list(live, aio):
    graph_id = live.compile("hello")

    async def go():
        backend, reg = _registry(live)
        try:
            published = await reg.publish_flow(graph_id)
            with pytest.raises(AxiomError) as again:
                await reg.publish_flow(graph_id)
            return published, again.value, await reg.flows()
        finally:
            await backend.close()

    published, again, flows = aio(go())
    assert published == {"artifact_id": graph_id, "visibility": "public"}
    assert again.diagnostics[0].code == "already_published"
    assert [f["graph_id"] for f in flows] == [graph_id]


def test_a_package_in_a_subdirectory_with_a_file_url_origin(live, aio, tmp_path):
    """A monorepo: the package is one directory of the repository; origin is a file:// URL."""
    inner = registry_support.package_repo(tmp_path / "src", "tester/mono", push=False)
    top = tmp_path / "mono"
    top.mkdir()
    registry_support.git(tmp_path, "init", "-q", "-b", "main", str(top))
    (top / "README.md").write_text("monorepo\n")
    import shutil

    shutil.copytree(inner, top / "packages" / "mono", ignore=shutil.ignore_patterns(".git"))
    registry_support.commit_all(top, "monorepo")
    bare = tmp_path / "mono-origin.git"
    registry_support.git(tmp_path, "init", "-q", "--bare", str(bare))
    registry_support.git(top, "remote", "add", "origin", bare.as_uri())
    registry_support.git(top, "push", "-q", "origin", "main")
    source = push_source(top / "packages" / "mono")
    assert (source.subdir, source.remote_url) == ("packages/mono", bare.as_uri())

    async def go():
        backend, reg = _registry(live)
        try:
            return await reg.push(source)
        finally:
            await backend.close()

    assert aio(go())["key"] == "tester/mono@0.1.0"
