"""One error value (issue 10 item 7): a run failure is an ``errors.Diagnostic`` from the engine to the
store (``executions.error_detail``) to the backend's ``Failure`` and the CLI, rendered by
the one ``errors.render``; a node that raised keeps its exception type and traceback — in process
and through real node host processes."""
from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from engine_support import add_faults_package, chain, compile_file, write_flow
from error_value_support import BLAME_TEXT, blame_flow

from axiom_ide.backends import LocalBackend, attribute_failure
from axiom_ide.cli.main import main
from axiom_ide.runtime import event_types as ev
from axiom_ide.runtime.errors import Diagnostic, Location, envelope_extras, error, render
from axiom_ide.runtime.store import db as dbmod
from axiom_ide.runtime.store.db import Database
from axiom_ide.runtime.store.executions import ExecutionStore


@pytest.fixture
def ws(example_workspace):
    add_faults_package(example_workspace)
    return example_workspace


@pytest.fixture
def rt(make_runtime, tmp_path):
    return make_runtime(tmp_path / "data")


def run(aio, rt, ws, flow, data):
    artifact = compile_file(ws / "flows" / f"{flow}.flow.yaml", ws, store=rt._artifacts)
    return aio(rt.run(artifact, data, timeout=20))


def stored(data_dir, execution_id):
    """The execution as a fresh connection to the SQLite file reads it (not this runtime's cache)."""
    db = Database(data_dir / dbmod.DB_FILENAME)
    try:
        return ExecutionStore(db).get(execution_id)
    finally:
        db.close()


def test_a_raising_node_keeps_type_traceback_and_canvas_id(rt, ws, aio, tmp_path):
    chain(ws, "boom", ["Upper", "Boom"])
    outcome = run(aio, rt, ws, "boom", {"text": "x"})
    rec = stored(tmp_path / "data", outcome.execution_id)
    d = rec.diagnostic
    assert (d.code, d.message, d.location.node, d.exception_type) == (
        "NODE_FAILED", 'node "n2": boom: X', "n2", "ValueError")
    handler = ws / "packages" / "faults" / "nodes" / "boom.py"
    # The handler's own frame: its file, its line 2, the raising statement; the message last.
    assert d.traceback.splitlines()[:2] == ["Traceback (most recent call last):",
                                            f'  File "{handler}", line 2, in boom']  # no host frames
    assert "raise ValueError('boom: ' + input.text)" in d.traceback
    assert d.traceback.rstrip().endswith("ValueError: boom: X")
    assert outcome.diagnostic == d  # what the caller is told is what was stored
    failed = [e for e in rt.execution_events(outcome.execution_id) if e.type == ev.NODE_FAILED]
    assert failed[0].data["exception_type"] == "ValueError"
    assert failed[0].data["traceback"] == d.traceback
    failure = aio(LocalBackend(rt, ws).result(outcome.execution_id)).failure
    assert (failure.kind, failure.node, failure.edge, failure.exception_type) == ("NODE_FAILED", "n2", None, "ValueError")
    assert failure.traceback == d.traceback and failure.diagnostic == d
    assert envelope_extras(d) == {"code": "NODE_FAILED", "location": {"node": "n2"}, "exception_type": "ValueError"}


def test_the_node_is_the_structured_one_not_the_first_named_in_the_text(rt, ws, aio):
    blame_flow(ws)
    outcome = run(aio, rt, ws, "blames", {"text": "x"})
    assert outcome.error == BLAME_TEXT
    failure = aio(LocalBackend(rt, ws).result(outcome.execution_id)).failure
    assert (failure.node, failure.exception_type) == ("n2", "RuntimeError")
    # Message parsing (the fallback for executions stored before error_detail) blames n1.
    assert attribute_failure(BLAME_TEXT, "NODE_FAILED").node == "n1"


def test_an_edge_failure_is_located_on_its_edge(rt, ws, aio):
    write_flow(ws, "badcond", """\
        imports: [examples/text@0.1.0]
        nodes:
          - {id: a, node: "examples/text@0.1.0:Echo"}
          - {id: b, node: "examples/text@0.1.0:Upper"}
        edges:
          - {from: a, to: b, when: 'output.text / 2 > 1'}
        """)
    outcome = run(aio, rt, ws, "badcond", {"text": "x"})
    d = rt.find_execution(outcome.execution_id).diagnostic
    assert (d.code, d.location.edge, d.location.node, d.exception_type, d.traceback) == (
        "EDGE_CONDITION", ("a", "b"), None, None, None)
    assert render(d) == f"error: {outcome.error}"  # the message names its edge: not twice
    assert envelope_extras(d)["location"] == {"edge": {"from": "a", "to": "b"}}


def test_flow_run_prints_the_failure_with_the_one_renderer(ws, capsys, invoker):
    chain(ws, "boom", ["Upper", "Boom"])
    how = ["--inline"] if invoker == "inline" else []
    code = main(["flow", "run", str(ws / "flows" / "boom.flow.yaml"), "-d", '{"text": "x"}', *how])
    out = capsys.readouterr()
    assert (code, out.out, out.err) == (1, "", 'error: node "n2": boom: X\n')
    assert main(["executions", "ls", "--json"]) == 0
    eid = json.loads(capsys.readouterr().out)["executions"][0]["execution_id"]
    data_dir = Path(os.environ["AXIOM_IDE_DATA_DIR"])  # the CLI's data dir: the test's own (conftest)
    assert render(stored(data_dir, eid).diagnostic) == 'error: node "n2": boom: X'


def test_compile_and_run_errors_render_in_the_same_order(ws, capsys, aio, make_runtime, tmp_path):
    two = ws / "flows" / "two.flow.yaml"
    two.write_text("name: two\nimports: [examples/text@0.1.0]\nnodes:\n"
                   "  - id: a\n    node: examples/text@0.1.0:Echo\n  - id: b\n    node: examples/text@0.1.0:Echo\n"
                   "edges: []\n")
    assert main(["flow", "compile", str(two)]) == 1
    compile_line = capsys.readouterr().err.splitlines()[0]
    chain(ws, "boom", ["Upper", "Boom"])
    rt = make_runtime(tmp_path / "data")
    run_line = render(run(aio, rt, ws, "boom", {"text": "x"}).diagnostic)
    # position, severity, canvas element, message — for both
    assert compile_line == 'error: node "b": graph must have exactly one start node'
    assert run_line == 'error: node "n2": boom: X'
    # With a file position it comes first; a canvas element the message does not name follows the severity.
    assert render(error("x", "bad", file="f.flow.yaml", line=3, column=5)) == "f.flow.yaml:3:5: error: bad"
    assert render(Diagnostic("x", "bad", location=Location(edge=("a", "b")))) == 'error: edge "a" → "b": bad'
    assert str(Location(file="f.flow.yaml", line=3, node="a")) == 'f.flow.yaml:3: node "a"'


def test_executions_stored_before_the_error_value_still_attribute(rt, ws, aio, tmp_path):
    """An execution row without ``error_detail`` (written before the column existed) is attributed by the
    fallback: the EXECUTION_FAILED event's node, else the catalog's text prefixes."""
    chain(ws, "boom", ["Upper", "Boom"])
    outcome = run(aio, rt, ws, "boom", {"text": "x"})
    aio(rt.close())
    path = tmp_path / "data" / dbmod.DB_FILENAME
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE executions SET error_detail = NULL WHERE id = ?", (outcome.execution_id,))
    again = type(rt)(tmp_path / "data", inline=True)
    try:
        assert again.find_execution(outcome.execution_id).diagnostic is None
        failure = aio(LocalBackend(again, ws).result(outcome.execution_id))
        assert (failure.failure.node, failure.failure.kind, failure.failure.message) == (
            "n2", "NODE_FAILED", 'node "n2": boom: X')
        assert failure.failure.exception_type is None  # the old row never had it
    finally:
        aio(again.close())


def test_the_error_detail_migration_keeps_old_rows_and_old_journal_rows_fold(tmp_path):
    """A database at the schema before ``error_detail`` with a failed execution in it (statement 4,
    the old column list) opens, migrates and reads: no error value, attribution by the text."""
    path = tmp_path / dbmod.DB_FILENAME
    conn = sqlite3.connect(path)
    before = next(i for i, m in enumerate(dbmod.MIGRATIONS) if "error_detail" in m)
    for number, script in enumerate(dbmod.MIGRATIONS[:before]):
        for statement in dbmod._split(script):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version={number + 1}")
    row = ("e" * 32, "g", "boom", "unary", "local", "Failed", None, None, None,
           'downstream join failed: node "bad": boom: X', "JOIN_FAILED", None, None, None, None,
           1.0, 1.0, 2.0, 2.0, None)
    conn.execute(dbmod.JOURNALED[dbmod.J_EXECUTION_V1], row)
    conn.commit()
    conn.close()
    db = Database(path)
    try:
        assert db.conn.execute("PRAGMA user_version").fetchone()[0] == len(dbmod.MIGRATIONS) > before
        rec = ExecutionStore(db).get("e" * 32)
        assert rec.error_detail is None and rec.diagnostic is None
        failure = attribute_failure(rec.error, rec.error_code, (), rec.diagnostic)
        assert (failure.kind, failure.node) == ("JOIN_FAILED", "bad")
        # A statement-5 update (a journal written before) folds and leaves error_detail alone.
        with db.transaction() as c:
            c.execute(dbmod.JOURNALED[dbmod.J_EXECUTION_UPDATE_V1], row[1:] + ("e" * 32,))
        assert ExecutionStore(db).get("e" * 32).error_detail is None
    finally:
        db.close()


def test_a_damaged_error_detail_reads_as_absent(rt, ws, aio, tmp_path):
    chain(ws, "boom", ["Upper", "Boom"])
    outcome = run(aio, rt, ws, "boom", {"text": "x"})
    path = tmp_path / "data" / dbmod.DB_FILENAME
    for junk in ("{not json", "[1, 2]", '{"code": 5}'):
        with sqlite3.connect(path) as conn:
            conn.execute("UPDATE executions SET error_detail = ? WHERE id = ?", (junk, outcome.execution_id))
        rec = stored(tmp_path / "data", outcome.execution_id)
        assert rec.diagnostic is None and rec.error == 'node "n2": boom: X'


def test_diagnostic_json_round_trips():
    d = Diagnostic("NODE_FAILED", 'node "n": x', location=Location(node="n"), exception_type="ValueError",
                   traceback="Traceback ...\nValueError: x\n")
    assert Diagnostic.from_json(json.loads(json.dumps(d.to_json()))) == d
    e = error("type_mismatch", "m", file="f", line=1, column=2, edge=("a", "b"), path="text")
    assert Diagnostic.from_json(e.to_json()) == e
    assert Diagnostic.from_json({"message": 3}) is None and Diagnostic.from_json(None) is None
    assert envelope_extras(None) == {} and envelope_extras(Diagnostic("INTERNAL", "internal error: x")) == {
        "code": "INTERNAL"}


def test_a_pipeline_node_that_raises_keeps_its_type(rt, ws, aio):
    write_flow(ws, "pboom", """\
        mode: pipeline
        imports: [tests/faults@0.1.0]
        nodes:
          - {id: p1, node: "tests/faults@0.1.0:Upper"}
          - {id: p2, node: "tests/faults@0.1.0:Boom"}
        edges:
          - {from: p1, to: p2}
        """)
    artifact = compile_file(ws / "flows" / "pboom.flow.yaml", ws, store=rt._artifacts)

    async def frames():
        return [f async for f in rt.stream(artifact, {"text": "x"}, timeout=20)]

    final = aio(frames())[-1]
    assert final["error"] == 'node "p2": boom: X'
    d = rt.find_execution(final["execution_id"]).diagnostic
    assert (d.code, d.location.node, d.exception_type) == ("NODE_FAILED", "p2", "ValueError")
    assert "line 2, in boom" in d.traceback


def test_the_log_line_of_a_failed_execution_is_the_rendered_error(rt, ws, aio, caplog):
    chain(ws, "boom", ["Upper", "Boom"])
    with caplog.at_level("INFO", logger="axiom_ide.runtime.engine.runner"):
        outcome = run(aio, rt, ws, "boom", {"text": "x"})
    assert f'execution {outcome.execution_id} failed: error: node "n2": boom: X' in caplog.messages


def test_a_huge_traceback_is_bounded_and_keeps_its_exception_line():
    from axiom_ide.runtime.host.failures import TRACEBACK_LIMIT, node_traceback

    try:
        raise ValueError("x" * (4 * TRACEBACK_LIMIT) + " END")
    except ValueError as exc:
        text = node_traceback(exc)
    assert len(text) <= TRACEBACK_LIMIT + 100
    assert text.startswith("Traceback (most recent call last):\n") and text.rstrip().endswith("x END")
    assert "characters left out" in text
