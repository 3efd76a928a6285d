"""``disabled: true`` on a node: old files unchanged, the node passes its input through (real node
hosts), compile refuses a disabled node whose input and output differ, and flow diff shows it."""
from __future__ import annotations

import json

from axiom_ide.cli.main import main
from axiom_ide.runtime.model.flow_yaml import dumps_flow, load_flow


def _disable(path, node_id: str) -> None:
    text = path.read_text(encoding="utf-8")
    marker = f"  - id: {node_id}\n"
    head, tail = text.split(marker, 1)
    line, rest = tail.split("\n", 1)
    path.write_text(f"{head}{marker}{line}\n    disabled: true\n{rest}", encoding="utf-8")


def test_missing_key_means_enabled_and_files_round_trip_unchanged(example_workspace):
    path = example_workspace / "flows" / "linear.flow.yaml"
    ff = load_flow(path)
    assert not any(n.disabled for n in ff.flow.nodes)
    assert dumps_flow(ff) == path.read_text(encoding="utf-8")
    _disable(path, "upper")
    ff = load_flow(path)
    assert [n.disabled for n in ff.flow.nodes] == [False, True]
    ff.flow.update_node("upper", disabled=False)
    assert "disabled" not in dumps_flow(ff)


def test_disabled_node_passes_its_input_through(example_workspace, capsys):
    path = example_workspace / "flows" / "linear.flow.yaml"
    _disable(path, "upper")
    assert main(["flow", "run", str(path), "-d", '{"text": "quiet"}']) == 0
    assert json.loads(capsys.readouterr().out) == {"text": "quiet"}


def test_compile_refuses_a_disabled_node_whose_types_differ(example_workspace, capsys):
    path = example_workspace / "flows" / "greeter.flow.yaml"
    _disable(path, "greet")
    assert main(["flow", "compile", str(path)]) == 1
    err = capsys.readouterr().err
    assert 'node "greet" is disabled, but its input ' in err and "cannot pass its input through" in err


def test_flow_diff_shows_disabling(example_workspace, capsys):
    path = example_workspace / "flows" / "linear.flow.yaml"
    old = example_workspace / "old.flow.yaml"
    old.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    _disable(path, "upper")
    assert main(["flow", "diff", str(old), str(path)]) == 0
    assert capsys.readouterr().out == "~ node upper disabled: False → True\n"
    from axiom_ide.runtime.flowdiff import load_side, merged_flow

    drawn = merged_flow(load_side(str(old)), load_side(str(path)))  # what --render draws: dimmed
    assert drawn.node("upper").disabled is True



def test_a_disabled_pipeline_node_is_refused(example_workspace, capsys):
    path = example_workspace / "flows" / "words.flow.yaml"
    _disable(path, "shout")
    assert main(["flow", "run", str(path), "-d", '{"text": "a b"}']) == 1
    assert 'node "shout" is disabled, but a pipeline node cannot be passed through' in capsys.readouterr().err
