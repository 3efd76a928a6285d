"""The plain observer: strong and weak listeners."""
from __future__ import annotations

import gc
import logging

from axiom_ide.runtime.model.flow import Flow, FlowNode
from axiom_ide.runtime.observer import Event


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


class Scene:
    """Stands for the canvas scene: a later listener that must stay in step with the model."""

    def __init__(self) -> None:
        self.nodes: list[str] = []

    def on_node_added(self, node, index: int) -> None:
        self.nodes.insert(index, node.id)


def buggy_listener(*args) -> None:
    raise RuntimeError("listener bug")


def test_a_raising_listener_is_logged_by_name_and_the_next_one_is_still_called(caplog):
    ev = Event()
    seen = []
    ev.connect(buggy_listener)
    ev.connect(lambda *args: seen.append(args))
    with caplog.at_level(logging.ERROR, logger="axiom_ide.runtime.observer"):
        ev.emit(1, "a")
    assert seen == [(1, "a")]
    (record,) = caplog.records
    assert record.getMessage() == ("event listener test_events.buggy_listener failed; "
                                   "the other listeners are still called")
    assert record.exc_info[1].args == ("listener bug",)


def test_a_raising_first_model_listener_leaves_the_scene_in_step_with_the_flow(caplog):
    flow = Flow("f")
    scene = Scene()
    flow.node_added.connect(buggy_listener)  # the first listener, raising every time
    flow.node_added.connect_weak(scene.on_node_added)
    with caplog.at_level(logging.ERROR, logger="axiom_ide.runtime.observer"):
        flow.add_node(FlowNode("a", "p/q@1.0.0:A"))
        flow.add_node(FlowNode("b", "p/q@1.0.0:B"))
    assert scene.nodes == [n.id for n in flow.nodes] == ["a", "b"]
    assert len(caplog.records) == 2


def test_a_raising_weak_listener_is_logged_under_its_method_name(caplog):
    class Broken:
        def on(self, *args) -> None:
            raise ValueError("weak bug")

    ev, broken = Event(), Broken()
    ev.connect_weak(broken.on)
    with caplog.at_level(logging.ERROR, logger="axiom_ide.runtime.observer"):
        ev.emit()
    assert "test_events.test_a_raising_weak_listener_is_logged_under_its_method_name.<locals>.Broken.on" in \
        caplog.records[0].getMessage()
