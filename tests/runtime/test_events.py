"""The plain observer: strong and weak listeners."""
from __future__ import annotations

import gc

from axiom_ide.runtime.events import Event


class Listener:
    def __init__(self) -> None:
        self.seen: list[tuple] = []

    def on(self, *args) -> None:
        self.seen.append(args)


def test_a_weak_listener_hears_events_while_its_object_lives_and_drops_out_after():
    ev = Event()
    listener = Listener()
    handle = ev.connect_weak(listener.on)
    ev.emit(1, "a")
    assert listener.seen == [(1, "a")] and len(ev) == 1
    del listener
    gc.collect()
    ev.emit(2, "b")  # nobody to call: the stale handler removes itself
    assert len(ev) == 0
    ev.disconnect(handle)  # disconnecting an already-dropped handler is harmless
    assert len(ev) == 0


def test_a_weak_listener_can_be_disconnected_by_its_handle():
    ev = Event()
    listener = Listener()
    ev.disconnect(ev.connect_weak(listener.on))
    ev.emit(3)
    assert listener.seen == [] and len(ev) == 0
