"""A Client Builder build cut off by a stop never says "building" forever: the next runtime to open
its client store (``Runtime.client_store``: ``serve`` and the IDE's LocalBackend alike) fails it
with the reason; a build another live runtime on the same data dir queued is left to it."""
from __future__ import annotations

from axiom_ide.runtime.clients.store import INTERRUPTED

SNAPSHOT = {"client": "cut", "members": [], "descriptor_sets": {}}


def _builds(rt, number):
    return [(b.language, b.status, b.error) for b in rt.client_store().version("cut", number).builds]


def test_a_build_cut_off_by_a_stop_fails_when_the_next_runtime_opens_its_clients(make_runtime, aio, tmp_path):
    first = make_runtime(tmp_path / "data")
    store = first.client_store()
    store.create("cut")
    number = store.new_version("cut", SNAPSHOT, ["python", "go", "typescript"])
    store.set_status("cut", number, "python", "building")
    store.set_status("cut", number, "go", "succeeded", archive=b"zip")
    aio(first.close())  # the IDE quits mid-build

    again = make_runtime(tmp_path / "data")  # the IDE starts again
    assert _builds(again, number) == [("python", "failed", INTERRUPTED), ("go", "succeeded", ""),
                                      ("typescript", "failed", INTERRUPTED)]
    again.client_store().add_build("cut", number, "python")  # + language… queues it again
    assert again.client_store().version("cut", number).build("python").status == "pending"


def test_a_live_runtimes_builds_are_left_to_it(make_runtime, aio, tmp_path):
    ide = make_runtime(tmp_path / "data")
    store = ide.client_store()
    store.create("cut")
    number = store.new_version("cut", SNAPSHOT, ["python"])
    store.set_status("cut", number, "python", "building")

    serve = make_runtime(tmp_path / "data")  # `serve` on the same data dir while the IDE builds
    assert _builds(serve, number) == [("python", "building", "")]
    aio(ide.close())
    later = make_runtime(tmp_path / "data")
    assert _builds(later, number) == [("python", "failed", INTERRUPTED)]
