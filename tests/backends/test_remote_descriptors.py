"""Remote package descriptors against a real ``serve`` subprocess: a published version is fetched
once and kept (immutable); a private push is fetched again and follows a re-push; a package the
remote does not have is absent (and a stale descriptor of it removed); an unreachable remote is
said as such. A descriptor is a package the workspace resolves: nodes with their message types."""
from __future__ import annotations

import os
import stat

import live_server as server_live
import registry_support

from axiom_ide.backends.remote import RemoteBackend
from axiom_ide.backends.remote_descriptors import (
    cache_root,
    cached,
    descriptor_dir,
    host_key,
    is_descriptor,
    manifest_of,
    meta,
    sync_descriptors,
    write_descriptor,
)
from axiom_ide.runtime.model.refs import parse_node_ref
from axiom_ide.runtime.packages import Workspace

live = server_live.live_fixture(
    "remote-descriptors",
    setup=lambda s: registry_support.published_and_pushed(s, s.data_dir.parent / "repos", "tester/types"))


def _sync(aio, origin: str, key: str, root, keys):
    async def go():
        backend = RemoteBackend(origin, key)
        try:
            return await sync_descriptors(backend.registry, root, keys, origin.removeprefix("http://"))
        finally:
            await backend.close()

    return aio(go())


def test_descriptors_resolve_published_kept_private_refetched_absent_removed(live, aio, tmp_path):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    root = cache_root(workspace, live.origin)
    assert root == workspace / ".axiom" / "remote" / host_key(live.origin)
    assert ":" not in root.name

    first = _sync(aio, live.origin, live.key, root, ["tester/types@0.1.0", "tester/types@0.2.0", "tester/none@1.0.0"])
    assert sorted(first.fetched) == ["tester/types@0.1.0", "tester/types@0.2.0"]
    assert first.absent == ["tester/none@1.0.0"] and not first.failed
    assert set(cached(root)) == {"tester/types@0.1.0", "tester/types@0.2.0"}
    folder = descriptor_dir(root, "tester/types@0.2.0")
    assert meta(folder)["visibility"] == "private"
    assert all(stat.S_IMODE(os.stat(f).st_mode) == 0o600 for f in folder.rglob("*") if f.is_file())

    # The workspace resolves a descriptor like any package: ports and types, no node code.
    ws = Workspace(workspace, extra_roots=list(cached(root).values()))
    spec = ws.resolve(parse_node_ref("tester/types@0.2.0:Increment"))
    assert (spec.input_type.name, spec.output_type.name) == ("Number", "Number")
    assert [f.name for f in spec.input_type.fields] == ["value"]
    assert not spec.source_file.exists() and is_descriptor(spec.package_root)
    # Local mode (no extra roots): the descriptors are not seen.
    assert "tester/types@0.2.0" not in Workspace(workspace).packages

    # Again: the published one is kept without a read; the private one is fetched again.
    again = _sync(aio, live.origin, live.key, root, ["tester/types@0.1.0", "tester/types@0.2.0"])
    assert again.kept == ["tester/types@0.1.0"] and again.fetched == ["tester/types@0.2.0"]

    # Another tenant does not see the private push: its stale descriptor goes, the published stays.
    other = _sync(aio, live.origin, live.other_key, root, ["tester/types@0.1.0", "tester/types@0.2.0"])
    assert other.kept == ["tester/types@0.1.0"] and other.absent == ["tester/types@0.2.0"]
    assert set(cached(root)) == {"tester/types@0.1.0"}


def test_an_unreachable_remote_is_said_and_writes_nothing(aio, tmp_path):
    origin = "http://127.0.0.1:9"  # discard: nothing listens
    root = cache_root(tmp_path, origin)
    result = _sync(aio, origin, "k" * 64, root, ["tester/types@0.2.0"])
    message = result.failed["tester/types@0.2.0"]
    assert message.startswith('package "tester/types@0.2.0" could not be fetched: the remote 127.0.0.1:9 could not '
                              "be reached (cannot reach http://127.0.0.1:9")
    assert not root.exists()


def test_a_listing_row_becomes_the_descriptor_manifest():
    row = {"name": "tester/x", "version": "1.2.0", "description": "X.", "nodes": [
        {"name": "Fetch", "type": "pipeline", "description": "Fetches.", "input": "Req", "output": "Page",
         "required_secrets": ["API_TOKEN"]}, {"name": "Plain", "input": "A", "output": "B"}]}
    manifest = manifest_of(row)
    assert (manifest.name, manifest.version, manifest.language) == ("tester/x", "1.2.0", "python")
    fetch, plain = manifest.nodes
    assert (fetch.type, fetch.required_secrets, fetch.input, fetch.output) == ("pipeline", ["API_TOKEN"], "Req", "Page")
    assert (plain.type, plain.required_secrets) == ("unary", [])


def test_a_descriptor_keeps_the_types_its_package_imports(tmp_path):
    from axiom_ide.runtime.registry.store import imported_protos

    row = {"name": "tester/wrap", "version": "0.3.0", "visibility": "private",
           "nodes": [{"name": "Wrap", "input": "Number", "output": "Wrapped"}]}
    number = 'syntax = "proto3";\npackage tester.types;\nmessage Number {\n  double value = 1;\n}\n'
    protos = {"name": "tester/wrap", "version": "0.3.0",
              "files": [{"path": "wrapped.proto", "content": 'syntax = "proto3";\npackage tester.wrap;\n'
                                                             "message Wrapped {\n  string text = 1;\n}\n",
                         "messages": ["Wrapped"]}],
              "imports": [{"package": "tester/types", "version": "0.1.0", "messages": ["Number"],
                           "files": [{"path": "number.proto", "content": number}]}]}
    folder = descriptor_dir(tmp_path / "remote", "tester/wrap@0.3.0")
    write_descriptor(folder, row, protos, "http://remote")
    spec = Workspace(tmp_path / "ws", extra_roots=[folder]).resolve(parse_node_ref("tester/wrap@0.3.0:Wrap"))
    assert (spec.input_type.full_name, spec.output_type.full_name) == ("tester.types.Number", "tester.wrap.Wrapped")
    # What the server sends for it: the imports/ directory of the stored package, as read back.
    assert imported_protos(folder) == protos["imports"]
