"""axiom.yaml parsing, schema checks (the reference's patterns and messages) and writing."""
from __future__ import annotations

import pytest

from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.packages.manifest import (
    Manifest,
    NodeDecl,
    check_manifest,
    dump_manifest,
    load_manifest,
    parse_manifest_text,
)
from axiom_ide.runtime.packages.naming import flatten_scope, module_scope, proto_package, snake_case

FULL = """\
name: christian/text-tools
version: 1.2.0
language: python
description: Text processing nodes
author: Christian Lucas
license: MIT
tags: [text, nlp]
nodes:
  - name: SummarizeText
    description: Summarize input text
    input: TextRequest
    output: SummaryResult
    required_secrets: [OPENAI_API_KEY]
  - name: StreamTokens
    input: TextRequest
    output: TokenFrame
    type: pipeline
    mutation_capable: true
imports:
  - package: axiom-official/axiom-conv-ai
    version: 1.0.0
    messages: [ChatTurn]
env:
  - name: LOG_LEVEL
    description: Verbosity of node logging
    default: info
build:
  dockerfile: custom/Dockerfile
  system_deps: [ffmpeg]
"""


def test_full_manifest_parses_every_field():
    m = parse_manifest_text(FULL)
    assert (m.name, m.version, m.language) == ("christian/text-tools", "1.2.0", "python")
    assert (m.description, m.author, m.license, m.tags) == ("Text processing nodes", "Christian Lucas", "MIT", ["text", "nlp"])
    assert m.nodes[0] == NodeDecl("SummarizeText", "Summarize input text", "TextRequest", "SummaryResult",
                                  "unary", ["OPENAI_API_KEY"], False, line=9)
    assert (m.nodes[1].type, m.nodes[1].mutation_capable, m.nodes[1].line) == ("pipeline", True, 14)
    assert (m.imports[0].package, m.imports[0].version, m.imports[0].messages) == (
        "axiom-official/axiom-conv-ai", "1.0.0", ["ChatTurn"])
    assert (m.env[0].name, m.env[0].default, m.env[0].required) == ("LOG_LEVEL", "info", False)
    assert (m.build.dockerfile, m.build.system_deps) == ("custom/Dockerfile", ["ffmpeg"])
    assert check_manifest(m) == []
    assert not m.is_proto_only


def test_malformed_yaml_is_a_manifest_error_with_line_and_column(tmp_path):
    path = tmp_path / "axiom.yaml"
    path.write_text("name: a/b\nversion: [1.0.0\nlanguage: python\n")
    with pytest.raises(AxiomError) as info:
        load_manifest(path)
    d = info.value.diagnostics[0]
    assert d.code == "manifest_error"
    assert d.message.startswith("axiom.yaml is not valid YAML: ")
    assert (d.location.file, d.location.line, d.location.column) == (str(path), 3, 9)


def test_top_level_must_be_a_mapping():
    with pytest.raises(AxiomError, match=r"axiom\.yaml must be a mapping"):
        parse_manifest_text("- a\n- b\n")


@pytest.mark.parametrize("text, message, line", [
    ("name: text-tools\nversion: 0.1.0\nlanguage: python\n",
     'package name "text-tools" must be scoped: your-handle/package-name (pattern: ^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*$)', 1),
    ("name: Chris/Tools\nversion: 0.1.0\nlanguage: python\n",
     ('invalid package name "Chris/Tools": both parts may contain only lowercase letters, digits, and hyphens, '
      "and must start with a letter or digit (pattern: ^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*$)"), 1),
    ("version: 0.1.0\nlanguage: python\n", "name is required: a scoped package name (handle/package-name)", None),
    ("name: a/b\nversion: 1.0\nlanguage: python\n",
     ('invalid version "1.0": must be semantic versioning MAJOR.MINOR.PATCH '
      "(pattern: ^v?[0-9]+\\.[0-9]+\\.[0-9]+(-[a-zA-Z0-9.]+)?$)"), 2),
    ("name: a/b\nversion: 0.1.0\nlanguage: cobol\n",
     'unsupported language "cobol": must be one of go, python, rust, java, typescript, csharp', 3),
    ("name: a/b\nversion: 0.1.0\n", "language is required: one of go, python, rust, java, typescript, csharp", None),
])
def test_identity_field_errors_quote_the_docs_rules(text, message, line):
    diags = check_manifest(parse_manifest_text(text))
    assert [d.message for d in diags] == [message]
    assert diags[0].location.line == line
    assert diags[0].is_error


def test_semver_accepts_the_documented_examples():
    for v in ("1.0.0", "v2.1.3", "0.4.0-beta.1"):
        assert check_manifest(parse_manifest_text(f"name: a/b\nversion: {v}\nlanguage: go\n")) == []


def test_node_entry_errors():
    text = """\
name: a/b
version: 0.1.0
language: python
nodes:
  - name: greet
    input: A
    output: B
  - name: Echo
    input: A
  - name: Echo
    input: A
    output: B
    type: batch
imports:
  - package: x/y
    version: 1.0.0
    messages: []
"""
    messages = [(d.message, d.location.line) for d in check_manifest(parse_manifest_text(text))]
    assert messages == [
        ('node name "greet" must be PascalCase: the first character must be uppercase, and only letters and digits are allowed', 5),
        ('node "Echo": output is required (a message name)', 8),
        ('duplicate node name "Echo"', 10),
        ('node "Echo": invalid type "batch": must be unary or pipeline', 10),
        ('import "x/y@1.0.0" has an empty messages list; re-run `axiom import x/y@1.0.0` to populate it', 15),
    ]


def test_dump_writes_required_fields_first_and_omits_defaults(tmp_path):
    m = Manifest(name="a/b", version="0.1.0", language="python", description="D",
                 nodes=[NodeDecl("Greet", "", "In", "Out"), NodeDecl("Stream", "s", "In", "Out", "pipeline")])
    assert dump_manifest(m) == (
        "name: a/b\nversion: 0.1.0\nlanguage: python\ndescription: D\nnodes:\n"
        "  - name: Greet\n    input: In\n    output: Out\n"
        "  - name: Stream\n    description: s\n    input: In\n    output: Out\n    type: pipeline\n"
    )
    (tmp_path / "axiom.yaml").write_text(dump_manifest(m))
    again = load_manifest(tmp_path / "axiom.yaml")
    assert again.to_dict() == m.to_dict()


def test_full_manifest_round_trips_through_dump():
    m = parse_manifest_text(FULL)
    assert parse_manifest_text(dump_manifest(m)).to_dict() == m.to_dict()


def test_naming_helpers():
    assert snake_case("SummarizeText") == "summarize_text"
    assert snake_case("WordUpper") == "word_upper"
    assert snake_case("HTTPFetch2") == "http_fetch2"
    assert flatten_scope("christian/text-ops") == "christian-text-ops"
    assert module_scope("axiom-official/axiom-text-ops") == "axiom_official_axiom_text_ops"
    assert proto_package("my-org/order-tools") == "my_org.order_tools"
