"""Pinned data (runtime/pins.py): an editor run's pins replace those nodes' outputs — the node's
host is never called, the events say ``pinned`` — and pins live beside the flow, 0600, never in it."""
from __future__ import annotations

import json
import stat

import pytest
from engine_support import add_faults_package, chain, compile_file

from axiom_ide.runtime import event_types as ev
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.pins import Pin, load_pins, pins_path, save_pins


def test_a_pinned_node_is_never_called_and_its_events_say_pinned(example_workspace, tmp_path, make_runtime, aio):
    add_faults_package(example_workspace)
    # Boom raises whenever it runs: a run that succeeds proves its host was never called.
    art = compile_file(chain(example_workspace, "boom", ["Upper", "Boom"]), example_workspace)
    rt = make_runtime(tmp_path / "data")

    async def go():
        unpinned = await rt.run(art, {"text": "x"}, timeout=30)
        pinned = await rt.run(art, {"text": "x"}, timeout=30, pins={"n2": {"text": "pinned!"}})
        return unpinned, pinned

    unpinned, pinned = aio(go())
    assert unpinned.error == 'node "n2": boom: X'
    assert (pinned.status, pinned.output) == ("Completed", {"text": "pinned!", "big": "0"})
    events = rt.execution_events(pinned.execution_id)
    assert events[0].type == ev.EXECUTION_STARTED and events[0].data["pinned"] == ["n2"]
    n2 = [(e.type, e.data.get("pinned")) for e in events if e.node == "n2"]
    assert n2 == [(ev.NODE_STARTED, True), (ev.NODE_COMPLETED, True)]
    n1 = [e for e in events if e.node == "n1" and e.type == ev.NODE_COMPLETED]
    assert len(n1) == 1 and "pinned" not in n1[0].data  # the unpinned node ran for real
    assert not any(e.type == ev.NODE_FAILED for e in events)
    # the pin is the node's checkpointed output, as any output is
    assert [cp.node for cp in rt.execution_checkpoints(pinned.execution_id)] == ["n1", "n2"]


def test_a_pin_on_an_unknown_node_or_of_the_wrong_message_is_refused_before_the_run(
        example_workspace, tmp_path, make_runtime, aio):
    art = compile_file(example_workspace / "flows" / "greeter.flow.yaml", example_workspace)
    rt = make_runtime(tmp_path / "data")
    with pytest.raises(AxiomError) as unknown:
        aio(rt.start(art, {"name": "Ada"}, pins={"nope": {}}))
    assert unknown.value.message == 'pinned node "nope": no node with canvas id "nope" in greeter (its nodes: greet, shout)'
    with pytest.raises(AxiomError) as wrong:
        aio(rt.start(art, {"name": "Ada"}, pins={"greet": {"text": 1}}))
    assert wrong.value.message.startswith('pinned output of "greet": invalid JSON for GreetReply: ')
    assert rt.list_executions() == []
    out = aio(rt.run(art, {"name": "Ada"}, timeout=30, pins={"greet": {"greeting": "  yo  "}}))
    assert out.output == {"text": "HEY! YO"}


def test_pins_file_beside_the_flow_is_0600_and_round_trips(tmp_path):
    flow = tmp_path / "flows" / "greeter.flow.yaml"
    flow.parent.mkdir()
    flow.write_text("name: greeter\n", encoding="utf-8")
    assert pins_path(flow) == tmp_path / "flows" / "greeter.flow.pins.json"
    assert load_pins(flow) == {}
    save_pins(flow, {"greet": Pin({"greeting": "hi"}, "execution abc")})
    path = pins_path(flow)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text()) == {"version": 1, "pins": {"greet": {"output": {"greeting": "hi"},
                                                                             "source": "execution abc"}}}
    assert load_pins(flow) == {"greet": Pin({"greeting": "hi"}, "execution abc")}
    assert flow.read_text(encoding="utf-8") == "name: greeter\n"  # never in the flow.yaml
    save_pins(flow, {})
    assert not path.exists()
    path.write_text('{"pins": [\n', encoding="utf-8")
    with pytest.raises(AxiomError) as bad:
        load_pins(flow)
    d = bad.value.diagnostics[0]
    assert (d.location.file, d.location.line) == (str(path), 2) and d.message.startswith("malformed JSON")
