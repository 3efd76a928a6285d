"""Flow tests of pipeline flows: a case's input is the entry message the entry node streams from;
the flow's output is every frame the terminal node produced, in order (``{"frames": [...]}``, the
shape a pipeline execution stores), and a node's is its output frames. Mocks are the run's pins
(one frame out per frame in); failures and timeouts are judged as for unary cases. Real engine,
node hosts and in-process nodes both."""
from __future__ import annotations

from engine_support import add_faults_package

from axiom_ide.runtime import flowtest
from axiom_ide.runtime.packages import Workspace

WORDS = """\
cases:
  - name: shouts each word in order
    input: {text: "to be or"}
    expect:
      output: {frames: [{word: TO, index: 0}, {word: BE, index: 1}, {word: OR, index: 2}]}
      assert: ["size(output.frames) == 3", "output.frames.exists(f, f.word == 'BE')"]
      nodes:
        split: {partial: {frames: [{word: to}, {word: be}, {word: or}]}}
  - name: a mocked split answers its one input frame
    input: {text: "to be or"}
    mocks:
      split: {word: pinned, index: 4}
    expect:
      output: {frames: [{word: PINNED, index: 4}]}
  - name: wrong frames show a diff
    input: {text: "to be"}
    expect:
      partial: {frames: [{word: TO}, {word: XX}]}
  - name: a bad input fails
    input: {txt: 1}
    expect: {failure: INVALID_INPUT}
"""


def _run(rt, example_workspace, aio, name, body):
    test_file = example_workspace / "flows" / f"{name}{flowtest.SUFFIX}"
    test_file.write_text(body, encoding="utf-8")
    return aio(flowtest.run_test_file(rt, Workspace(example_workspace), flowtest.load_test_file(test_file)))


def test_pipeline_cases_judge_the_terminal_frames_in_order(example_workspace, tmp_path, make_runtime, aio):
    rt = make_runtime(tmp_path / "data")
    results = _run(rt, example_workspace, aio, "words", WORDS)
    assert [(r.name, r.status) for r in results] == [
        ("shouts each word in order", "passed"), ("a mocked split answers its one input frame", "passed"),
        ("wrong frames show a diff", "failed"), ("a bad input fails", "passed")], [r.messages for r in results]
    ok, mocked, wrong, _bad = results
    assert ok.messages == [] and ok.mocked == [] and mocked.mocked == ["split"]
    assert rt.find_execution(ok.execution_id).mode == "pipeline"
    (message,) = wrong.messages
    assert message.startswith("flow: output does not contain the expected fields")
    assert '-      "word": "XX"' in message and '+      "word": "BE"' in message
    assert '"index"' not in message  # the diff shows only what the case asked about


def test_a_failing_pipeline_node_fails_the_case_with_its_error(example_workspace, tmp_path, make_runtime, aio):
    from engine_support import write_flow

    add_faults_package(example_workspace)
    write_flow(example_workspace, "streamboom", """\
        mode: pipeline
        imports: [examples/text@0.1.0, tests/faults@0.1.0]
        nodes:
          - {id: bad, node: "tests/faults@0.1.0:Boom"}
          - {id: split, node: "examples/text@0.1.0:WordStream"}
        edges:
          - {from: bad, to: split, map: {text: text}}
        """)
    rt = make_runtime(tmp_path / "data")
    results = _run(rt, example_workspace, aio, "streamboom", """\
cases:
  - name: expects the failure
    input: {text: "a b"}
    expect: {failure: NODE_FAILED, error: 'node "bad": boom: a b'}
  - name: expects frames
    input: {text: "a b"}
    expect: {assert: ["size(output.frames) == 2"]}
""")
    assert [(r.name, r.status) for r in results] == [("expects the failure", "passed"), ("expects frames", "failed")], \
        [r.messages for r in results]
    assert results[1].messages[0].startswith("the run failed (NODE_FAILED): ")
    assert 'node "bad": boom: a b' in results[1].messages[0]


def test_a_long_pipeline_run_saved_as_a_case_expects_its_frame_count(example_workspace, tmp_path, make_runtime, aio):
    """Its stored output keeps only the leading frames ("truncated"): the case asserts the count."""
    from engine_support import compile_file

    from axiom_ide.backends.local_tests import LocalTests

    flow = example_workspace / "flows" / "words.flow.yaml"
    rt = make_runtime(tmp_path / "data")
    art = compile_file(flow, example_workspace, store=rt._artifacts)

    async def go():
        frames = [f async for f in rt.stream(art, {"text": "w " * 3000}, timeout=60)]
        tests = LocalTests(rt, Workspace(example_workspace))
        await tests.save_test_case(flow, frames[-1]["execution_id"], "many words")
        return frames, await tests.run_flow_tests(flow)

    frames, outcomes = aio(go())
    assert frames[-1]["success"] is True and len(frames) == 3001
    assert rt.find_execution(frames[-1]["execution_id"]).output["truncated"] is True
    from ruamel.yaml import YAML

    case = YAML(typ="safe").load(flow.with_name("words" + flowtest.SUFFIX).read_text(encoding="utf-8"))["cases"][0]
    assert case["expect"] == {"assert": ["size(output.frames) == 3000"]}
    assert [(o.name, o.status) for o in outcomes] == [("many words", "passed")], [o.messages for o in outcomes]
