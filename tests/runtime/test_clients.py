"""runtime/clients below the CLI: message names stay unique across packages that both define
``Text``, the generated Python SDK's classes are real protobuf types that round-trip the
descriptors' fields, alias conventions, and a version's snapshot never changes."""
from __future__ import annotations

import re
import types

import pytest
from engine_support import add_faults_package

from axiom_ide.runtime.clients import gen_python, gen_typescript
from axiom_ide.runtime.clients.model import Member, camel, check_aliases, language, pascal, snake
from axiom_ide.runtime.clients.schema import schema
from axiom_ide.runtime.clients.service import Clients
from axiom_ide.runtime.clients.snapshot import node_member
from axiom_ide.runtime.clients.store import ClientStore
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.packages import Workspace
from axiom_ide.runtime.store.db import open_database


@pytest.fixture
def clients(example_workspace, tmp_path):
    add_faults_package(example_workspace)
    ws = Workspace(example_workspace)
    db = open_database(tmp_path / "d")
    stored: list = []
    yield Clients(ClientStore(db), lambda: ws, stored.append, lambda _n: None, tenant_id="local",
                  origin="http://127.0.0.1:9")
    db.close()


def test_alias_conventions():
    assert [snake("summarizeInvoice"), camel("summarize_invoice"), pascal("summarize_invoice")] == [
        "summarize_invoice", "summarizeInvoice", "SummarizeInvoice"]
    assert snake("HTTPCall") == "http_call"
    assert language("C#") == "csharp" and language("py") == "python"
    with pytest.raises(AxiomError, match=re.escape('alias "2x" of node "a@1.0.0:N" must start with a letter')):
        check_aliases([Member("node", "a@1.0.0:N", "2x")])


def test_same_named_messages_of_two_packages_get_distinct_sdk_names(clients):
    clients.create("mix")
    clients.add("mix", [node_member("examples/text@0.1.0:Echo"), node_member("tests/faults@0.1.0:Upper")])
    number = clients.new_version("mix", ["python"])
    snapshot = clients.version("mix", number).snapshot
    s = schema(snapshot)
    assert [(c.alias, c.input, c.output) for c in s.calls] == [
        ("echo", "examples_text_Text", "examples_text_Text"), ("upper", "tests_faults_Text", "tests_faults_Text")]
    files = gen_python.generate(snapshot, "http://127.0.0.1:9")
    module = types.ModuleType("mix_messages")
    exec(compile(files["mix_sdk/messages.py"], "messages.py", "exec"), module.__dict__)
    faults_text = module.tests_faults_Text(text="hi", big=2**40)
    assert type(faults_text).FromString(faults_text.SerializeToString()).big == 2**40
    assert module.examples_text_Text.DESCRIPTOR.full_name == "examples.text.Text"
    ts = gen_typescript.generate(snapshot, "http://127.0.0.1:9")["src/index.ts"]
    assert "export interface tests_faults_Text {\n  text?: string;\n  big?: string | number;\n}" in ts


def test_a_version_keeps_its_snapshot_when_members_change(clients):
    clients.create("billing")
    clients.add("billing", [node_member("examples/text@0.1.0:Greet")])
    clients.build("billing", ["python"])
    clients.remove("billing", ["greet"])
    clients.add("billing", [node_member("examples/math@0.1.0:Add")])
    clients.build("billing", ["python"])
    assert [(v.number, [m["alias"] for m in v.snapshot["members"]]) for v in clients.versions("billing")] == [
        (2, ["add"]), (1, ["greet"])]
    with pytest.raises(AxiomError, match='client "billing" has no version 3'):
        clients.queue_language("billing", 3, "go")
    clients.remove("billing", ["add"])
    with pytest.raises(AxiomError, match='client "billing" has no members; add nodes or flows first'):
        clients.build("billing", ["python"])
    assert [v.number for v in clients.versions("billing")] == [2, 1]
