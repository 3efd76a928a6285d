"""Pins and flow-test mocks are one mechanism (runtime/pins.py): a case's mocks are its run's pins on
a plain Runtime (no special invoker), so its events say ``pinned`` exactly as an editor pin's do; and
a pipeline run's pinned node answers every frame reaching it with its pin."""
from __future__ import annotations

from engine_support import add_faults_package, chain, compile_file

from axiom_ide.runtime import event_types as ev
from axiom_ide.runtime import flowtest
from axiom_ide.runtime.packages import Workspace

CASES = """\
cases:
  - name: mocked boom
    input: {text: x}
    mocks:
      n2: {text: from the mock}
    expect:
      output: {text: from the mock, big: "0"}
  - name: real boom
    input: {text: x}
    expect: {failure: NODE_FAILED, error: "boom: X"}
"""


def test_a_cases_mocks_are_its_runs_pins_on_the_plain_runtime(example_workspace, tmp_path, make_runtime, aio):
    add_faults_package(example_workspace)
    flow = chain(example_workspace, "boomy", ["Upper", "Boom"])  # Boom raises whenever it is called
    test_file = flow.with_name("boomy" + flowtest.SUFFIX)
    test_file.write_text(CASES, encoding="utf-8")
    rt = make_runtime(tmp_path / "data")
    invoker = rt.invoker
    results = aio(flowtest.run_test_file(rt, Workspace(example_workspace), flowtest.load_test_file(test_file)))
    assert [(r.name, r.status, r.messages) for r in results] == [("mocked boom", "passed", []),
                                                                  ("real boom", "passed", [])]
    assert rt.invoker is invoker and rt.runner.invoker is invoker  # nothing wrapped round it
    mocked, real = results
    assert (mocked.mocked, real.mocked) == (["n2"], [])
    assert mocked.to_json()["mocked"] == ["n2"]
    events = rt.execution_events(mocked.execution_id)
    assert events[0].type == ev.EXECUTION_STARTED and events[0].data["pinned"] == ["n2"]
    assert [(e.type, e.data.get("pinned")) for e in events if e.node == "n2"] == [
        (ev.NODE_STARTED, True), (ev.NODE_COMPLETED, True)]  # exactly an editor pin's events
    assert "pinned" not in rt.execution_events(real.execution_id)[0].data


def _stream(rt, art, text, **kw):
    async def go():
        return [f async for f in rt.stream(art, {"text": text}, timeout=30, **kw)]
    return go()


def test_a_pinned_pipeline_node_answers_every_frame_with_its_pin(example_workspace, tmp_path, make_runtime, aio):
    art = compile_file(example_workspace / "flows" / "words.flow.yaml", example_workspace)
    rt = make_runtime(tmp_path / "data")
    pin = {"word": "PINNED", "index": 7}
    frames = aio(_stream(rt, art, "to be or", pins={"shout": pin}))
    assert [f["payload"] for f in frames if not f["is_final"]] == [pin, pin, pin]  # one per word reaching it
    assert frames[-1]["is_final"] and frames[-1]["success"] is True
    events = rt.execution_events(frames[-1]["execution_id"])
    assert events[0].data["pinned"] == ["shout"]
    shout = [(e.type, e.data.get("pinned"), e.data.get("frames")) for e in events
             if e.node == "shout" and e.type in (ev.NODE_STARTED, ev.NODE_COMPLETED)]
    assert shout == [(ev.NODE_STARTED, True, None), (ev.NODE_COMPLETED, True, 3)]
    split = [e for e in events if e.node == "split" and e.type == ev.NODE_COMPLETED]
    assert "pinned" not in split[0].data and split[0].data["frames"] == 3  # the real WordStream ran
    # the entry pinned: its one inbound frame (the input) is answered once, and shout runs for real on it
    frames = aio(_stream(rt, art, "to be or", pins={"split": {"word": "pinned", "index": 0}}))
    assert [f["payload"] for f in frames if not f["is_final"]] == [{"word": "PINNED", "index": 0}]
    cps = {cp.node: cp for cp in rt.execution_checkpoints(frames[-1]["execution_id"])}
    assert set(cps) == {"split", "shout"}  # a pinned node's frames checkpoint is kept as any node's


def test_a_bad_pipeline_pin_is_refused_before_anything_is_recorded(example_workspace, tmp_path, make_runtime, aio):
    import pytest

    from axiom_ide.runtime.errors import AxiomError

    art = compile_file(example_workspace / "flows" / "words.flow.yaml", example_workspace)
    rt = make_runtime(tmp_path / "data")
    with pytest.raises(AxiomError) as bad:
        aio(_stream(rt, art, "x", pins={"shout": {"word": 1}}))
    assert bad.value.message.startswith('pinned output of "shout": invalid JSON for Word: ')
    assert rt.list_executions() == []
