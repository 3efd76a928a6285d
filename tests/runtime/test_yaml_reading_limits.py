"""Every YAML the runtime reads is bounded: no anchors or aliases, a nesting depth and a size limit,
each refusal a located error (file:line:column) — never a hang, gigabytes or a RecursionError."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from axiom_ide.runtime import yaml_limits
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.model.flow import Flow, FlowNode
from axiom_ide.runtime.model.flow_yaml import dumps_flow, load_flow, loads_flow, loads_flow_fast, new_flow_file
from axiom_ide.runtime.packages import Workspace
from axiom_ide.runtime.packages.manifest import load_manifest, parse_manifest_text

EXAMPLES = Path(__file__).resolve().parents[2] / "axiom_ide" / "resources" / "examples" / "workspace"

#: Billion laughs: nine levels of nine aliases each would be 9**9 strings (~4 GiB as Python lists).
BOMB = "name: bomb\njoin:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"  {k}: &{k} [{', '.join([f'*{p}'] * 9)}]\n" for p, k in zip("abcdefgh", "bcdefghi", strict=True))

READERS = {
    "round-trip": lambda text: loads_flow(text, "f.flow.yaml"),
    "fast": lambda text: loads_flow_fast(text, "f.flow.yaml"),
    "manifest": lambda text: parse_manifest_text(text, Path("f.flow.yaml")),
}


@pytest.fixture(params=["libyaml", "pure"])
def scanner(request, monkeypatch):
    """With libyaml's pre-scan, and as where PyYAML has no libyaml (ruamel's composer enforces)."""
    if request.param == "pure":
        monkeypatch.setattr(yaml_limits, "_libyaml", lambda: None)
    return request.param


def refusal(read, text: str) -> tuple[str, str, str | None, int | None, int | None]:
    with pytest.raises(AxiomError) as info:
        read(text)
    (d,) = info.value.diagnostics
    return d.code, d.message, d.location.file, d.location.line, d.location.column


def code_for(reader: str, code: str) -> str:
    return "manifest_error" if reader == "manifest" else code  # where the workspace looks for it


@pytest.mark.parametrize("reader", READERS)
def test_a_billion_laughs_is_refused_at_its_first_anchor(reader, scanner):
    assert refusal(READERS[reader], BOMB) == (
        code_for(reader, "yaml_alias"), "YAML anchors are not supported (found &a)", "f.flow.yaml", 3, 6)


@pytest.mark.parametrize("reader", READERS)
def test_an_alias_and_a_merge_key_are_refused_where_they_are(reader, scanner):
    text = "name: x\nnodes:\n  - id: a\n    node: *who\n"
    assert refusal(READERS[reader], text)[1:] == ("YAML aliases are not supported (found *who)", "f.flow.yaml", 4, 11)
    text = "name: x\njoin:\n  b:\n    <<: *base\n"
    assert refusal(READERS[reader], text)[1:] == ("YAML aliases are not supported (found *base)", "f.flow.yaml", 4, 9)


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("depth", [10_000, 100_000])
def test_flow_style_nesting_ten_thousand_deep_is_a_located_error_not_a_recursion_error(reader, depth, scanner):
    text = "name: x\njoin:\n  deep: " + "[" * depth + "]" * depth + "\n"
    code, message, file, line, column = refusal(READERS[reader], text)
    assert (code, message, file, line) == (code_for(reader, "yaml_depth"), "YAML nested deeper than 64 levels",
                                           "f.flow.yaml", 3)
    assert 9 <= column <= 9 + depth


@pytest.mark.parametrize("reader", READERS)
def test_block_nesting_past_the_limit_is_refused_and_at_the_limit_is_read(reader, scanner):
    def nested(levels: int) -> str:  # the top-level map and join are two levels; "- " opens a list each
        return "name: x\njoin:\n  deep:\n    " + "- " * (levels - 2) + "end\n"

    code, message, file, line, column = refusal(READERS[reader], nested(yaml_limits.MAX_DEPTH + 1))
    assert (code, message, file, line, column) == (code_for(reader, "yaml_depth"), "YAML nested deeper than 64 levels",
                                                   "f.flow.yaml", 4, 5 + 2 * (yaml_limits.MAX_DEPTH - 2))
    READERS[reader](nested(yaml_limits.MAX_DEPTH))  # exactly at the limit: read


def test_flow_style_nesting_at_the_limit_is_read(scanner):
    levels = yaml_limits.MAX_DEPTH - 2  # inside the top-level map and join
    for read in (loads_flow, loads_flow_fast):
        value = read("name: x\njoin:\n  deep: " + "[" * levels + "]" * levels + "\n").flow.join["deep"]
        for _ in range(levels - 1):
            (value,) = value
        assert value == []


@pytest.mark.parametrize("reader", READERS)
def test_a_document_over_the_size_limit_is_refused_before_it_is_parsed(reader):
    text = "name: x\ndescription: " + "a" * yaml_limits.MAX_BYTES + "\n"
    assert refusal(READERS[reader], text)[:3] == (
        code_for(reader, "yaml_size"), f"YAML document too large ({len(text):,} bytes; the limit is 4,194,304)",
        "f.flow.yaml")


@pytest.mark.parametrize("fast", [False, True])
def test_files_are_refused_with_their_path(tmp_path, fast):
    path = tmp_path / "bomb.flow.yaml"
    path.write_text(BOMB)
    with pytest.raises(AxiomError) as info:
        load_flow(path, fast=fast)
    assert info.value.diagnostics[0].render() == f"{path}:3:6: error: YAML anchors are not supported (found &a)"
    path.write_text("name: x\ndescription: " + "é" * yaml_limits.MAX_BYTES + "\n")  # 2 bytes each
    with pytest.raises(AxiomError) as info:
        load_flow(path, fast=fast)
    assert info.value.diagnostics[0].code == "yaml_size"


def test_a_package_whose_manifest_is_a_bomb_is_a_workspace_problem_naming_its_line(tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns("gen", "__pycache__"))
    manifest = root / "packages" / "text" / "axiom.yaml"
    manifest.write_text(manifest.read_text() + "extra: &x [*x]\n")
    with pytest.raises(AxiomError) as info:
        load_manifest(manifest)
    lines = manifest.read_text().count("\n")
    assert info.value.diagnostics[0].render() == f"{manifest}:{lines}:8: error: YAML anchors are not supported (found &x)"
    problems = [d.render() for d in Workspace(root).problems]
    assert f"{manifest}:{lines}:8: error: YAML anchors are not supported (found &x)" in problems


def test_ampersands_and_asterisks_in_values_are_not_anchors_or_aliases(scanner):
    text = ('name: x\nnodes:\n  - id: a\n    node: p/q@1.0.0:A\n  - id: b\n    node: p/q@1.0.0:B\n'
            'edges:\n  - from: a\n    to: b\n    map:\n      n: "n | cel(\\"x * 2\\")"\n'
            '    when: output.a && output.b != "*"\n')
    for read in (loads_flow, loads_flow_fast):
        edge = read(text).flow.edges[0]
        assert (edge.map, edge.when) == ({"n": 'n | cel("x * 2")'}, 'output.a && output.b != "*"')


def test_every_example_flow_still_loads_and_saves_byte_identically(scanner):
    files = sorted((EXAMPLES / "flows").glob("*.flow.yaml"))
    assert files
    for path in files:
        text = path.read_text()
        assert dumps_flow(loads_flow(text, path)) == text, path
        fast = loads_flow_fast(text, path)
        assert fast.flow == loads_flow(text, path).flow and dumps_flow(fast) == text, path


def test_a_value_the_model_holds_twice_is_saved_twice_not_as_an_alias_it_could_not_read_back():
    policy = {"mode": "all"}
    flow = Flow("x", nodes=[FlowNode("a", "p/q@1.0.0:A")], join={"a": policy, "b": policy})
    text = dumps_flow(new_flow_file(flow))
    assert "&" not in text and "*" not in text
    assert loads_flow(text).flow.join == {"a": {"mode": "all"}, "b": {"mode": "all"}}

