"""The pipeline engine, once per invoker: frames as produced, one final frame, errors and the result timeout."""
from __future__ import annotations

import pytest
from engine_support import add_faults_package, compile_file, write_flow


@pytest.fixture
def rt(make_runtime, tmp_path):
    return make_runtime(tmp_path / "data")


@pytest.fixture
def frames(aio):
    """``frames(rt, artifact, data)``: every frame the stream gives, the final one last."""
    def frames(rt, artifact, data, timeout=10.0):
        async def go():
            return [f async for f in rt.stream(artifact, data, timeout=timeout)]
        return aio(go())
    return frames


def test_words_streams_one_frame_per_word_then_final(rt, example_workspace, frames):
    art = compile_file(example_workspace / "flows" / "words.flow.yaml", example_workspace, store=rt._artifacts)
    out = frames(rt, art, {"text": "to be or"})
    assert [f["payload"] for f in out[:-1]] == [{"word": "TO", "index": 0}, {"word": "BE", "index": 1},
                                               {"word": "OR", "index": 2}]
    assert [f["frame_index"] for f in out] == [0, 1, 2, 3]
    assert out[-1] == {"execution_id": out[0]["execution_id"], "frame_index": 3, "is_final": True, "success": True}
    assert rt.find_execution(out[0]["execution_id"]).status == "Completed"


def test_unary_node_feeds_pipeline_per_frame(rt, example_workspace, frames):
    write_flow(example_workspace, "mixed", """\
        mode: pipeline
        imports: [examples/text@0.1.0]
        nodes:
          - {id: up, node: "examples/text@0.1.0:Upper"}
          - {id: split, node: "examples/text@0.1.0:WordStream"}
          - {id: echo, node: "examples/text@0.1.0:WordUpper"}
        edges:
          - {from: up, to: split}
          - {from: split, to: echo, when: 'output.index != 1'}
        """)
    art = compile_file(example_workspace / "flows" / "mixed.flow.yaml", example_workspace, store=rt._artifacts)
    out = frames(rt, art, {"text": "a b c"})
    assert [f["payload"]["word"] for f in out[:-1]] == ["A", "C"]
    assert out[-1]["success"] is True


def test_pipeline_failure_ends_with_error_frame_without_success(rt, example_workspace, frames):
    add_faults_package(example_workspace)
    write_flow(example_workspace, "pboom", """\
        mode: pipeline
        imports: [examples/text@0.1.0, tests/faults@0.1.0]
        nodes:
          - {id: bad, node: "tests/faults@0.1.0:Boom"}
          - {id: split, node: "examples/text@0.1.0:WordStream"}
        edges:
          - {from: bad, to: split, map: {text: text}}
        """)
    art = compile_file(example_workspace / "flows" / "pboom.flow.yaml", example_workspace, store=rt._artifacts)
    out = frames(rt, art, {"text": "x y"})
    assert out[-1]["is_final"] and "success" not in out[-1]
    assert out[-1]["error"] == 'node "bad": boom: x y'


def test_pipeline_timeout_final_frame(rt, example_workspace, frames):
    add_faults_package(example_workspace)
    write_flow(example_workspace, "phang", """\
        mode: pipeline
        imports: [examples/text@0.1.0, tests/faults@0.1.0]
        nodes:
          - {id: slow, node: "tests/faults@0.1.0:Hang"}
          - {id: split, node: "examples/text@0.1.0:WordStream"}
        edges:
          - {from: slow, to: split, map: {text: text}}
        """)
    art = compile_file(example_workspace / "flows" / "phang.flow.yaml", example_workspace, store=rt._artifacts)
    out = frames(rt, art, {"text": "x"}, timeout=0.5)
    assert out[-1]["error"] == "timeout waiting for pipeline result"
    assert rt.find_execution(out[-1]["execution_id"]).status == "Failed"


def test_a_pipeline_executions_stored_output_is_its_frames(rt, example_workspace, frames):
    art = compile_file(example_workspace / "flows" / "words.flow.yaml", example_workspace, store=rt._artifacts)
    out = frames(rt, art, {"text": "to be or"})
    rec = rt.find_execution(out[0]["execution_id"])
    assert rec.output == {"frames": [f["payload"] for f in out[:-1]]}
    assert rec.output == {"frames": [{"word": "TO", "index": 0}, {"word": "BE", "index": 1},
                                     {"word": "OR", "index": 2}]}


def test_frames_over_the_bound_keep_the_leading_ones_and_say_truncated():
    from axiom_ide.runtime.payload_bounds import FrameOutput, bounded_json

    out = FrameOutput(limit=40)
    for i in range(10):
        out.add({"word": f"w{i}"})  # 13 bytes + a comma each
    assert out.output() == {"frames": [{"word": "w0"}, {"word": "w1"}], "truncated": True, "total_frames": 10}
    assert bounded_json({"a": "x" * 10}, limit=100) == {"a": "x" * 10}
    big = bounded_json({"a": "x" * 200}, limit=100)
    assert big["truncated"] is True and big["bytes"] == len('{"a": "' + "x" * 200 + '"}')
    assert big["preview"].startswith('{"a": "xxx')
