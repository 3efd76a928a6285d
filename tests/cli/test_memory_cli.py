"""``axiom-ide memory ls | show | search | end | rm`` over a real data dir (the memory store's own
API writes what node code would), and ``--remote`` against a real ``axiom-ide serve``."""
from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time

import pytest

from axiom_ide.cli.main import main
from axiom_ide.runtime.store.db import open_database
from axiom_ide.runtime.store.memory import SqliteMemory

WHEN = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC"


def _seed(data_dir, tenant: str = "local") -> None:
    db = open_database(data_dir)
    try:
        m = SqliteMemory(db)
        m.call_sync(tenant, "chat", "history_append", {"session_id": "support-42", "role": "user",
                                                       "content": "What export formats do you support?"})
        m.call_sync(tenant, "chat", "history_append", {"session_id": "support-42", "role": "assistant",
                                                       "content": "CSV and JSON are both supported."})
        m.call_sync(tenant, "chat", "session_write", {"session_id": "support-42", "importance": 0.8,
                                                      "content": "User works with CSV and JSON exports."})
        m.call_sync(tenant, "chat", "write", {"content": "User prefers CSV exports.", "importance": 0.6})
    finally:
        db.close()


@pytest.fixture
def data(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    _seed(d)
    return str(d)


def _run(capsys, monkeypatch, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ls_lists_flows_then_a_flows_sessions(data, capsys, monkeypatch):
    code, out, _ = _run(capsys, monkeypatch, "memory", "ls", "--data-dir", data)
    lines = out.splitlines()
    assert code == 0
    assert lines[0].split() == ["FLOW", "ID", "SESSIONS", "LAST", "ACTIVE"]
    assert re.fullmatch(rf"chat\s+1\s+{WHEN}", lines[1])
    code, out, _ = _run(capsys, monkeypatch, "memory", "ls", "--flow", "chat", "--data-dir", data)
    lines = out.splitlines()
    assert lines[0].split() == ["SESSION", "ID", "TURNS", "LAST", "ACTIVE"]
    assert re.fullmatch(rf"support-42\s+2\s+{WHEN}", lines[1])
    code, out, _ = _run(capsys, monkeypatch, "memory", "ls", "--flow", "chat", "--json", "--data-dir", data)
    body = json.loads(out)
    assert body["flow_id"] == "chat"
    assert [(s["session_id"], s["turns"], s["entries"]) for s in body["sessions"]] == [("support-42", 2, 1)]
    code, out, _ = _run(capsys, monkeypatch, "memory", "ls", "--flow", "nothing", "--data-dir", data)
    assert (code, out) == (0, "No memory sessions for flow nothing.\n")


def test_show_prints_the_conversation_then_the_semantic_memories(data, capsys, monkeypatch):
    code, out, _ = _run(capsys, monkeypatch, "memory", "show", "support-42", "--data-dir", data)
    lines = out.splitlines()
    assert code == 0
    assert lines[:3] == ["• Session support-42", "", "Conversation"]
    assert re.fullmatch(rf"  USER  {WHEN}", lines[3])
    assert lines[4] == "  What export formats do you support?"
    assert re.fullmatch(rf"  ASSISTANT  {WHEN}", lines[5])
    assert lines[6:10] == ["  CSV and JSON are both supported.", "· 2 turn(s) total", "", "Semantic memories"]
    assert lines[10].split() == ["TYPE", "IMPORTANCE", "CONTENT"]
    assert lines[11].split(None, 2) == ["semantic", "0.80", "User works with CSV and JSON exports."]
    assert lines[12] == "· 1 entr(ies) found"
    code, out, _ = _run(capsys, monkeypatch, "memory", "show", "support-42", "--json", "--data-dir", data)
    body = json.loads(out)
    assert set(body) == {"session_id", "ended_at", "consolidation", "turns", "memories"}
    assert body["consolidation"] is None  # never ended
    assert [t["role"] for t in body["turns"]] == ["user", "assistant"]


def test_show_of_an_unknown_or_odd_session_id_is_a_precise_error(data, capsys, monkeypatch):
    code, out, err = _run(capsys, monkeypatch, "memory", "show", "nope", "--data-dir", data)
    assert (code, out) == (1, "")
    assert err == 'error: no memory session "nope"; run "axiom-ide memory ls --flow FLOW" to list a flow\'s sessions\n'
    code, _, err = _run(capsys, monkeypatch, "memory", "show", "a\x07b", "--data-dir", data)
    assert code == 1
    assert err == "error: session ID 'a\\x07b' contains the unprintable character '\\x07'\n"
    code, _, err = _run(capsys, monkeypatch, "memory", "show", "x" * 300, "--data-dir", data)
    assert (code, err) == (1, "error: session ID is 300 characters long; at most 256 are allowed\n")


def test_search_prints_content_importance_score_and_the_footer(data, capsys, monkeypatch):
    code, out, _ = _run(capsys, monkeypatch, "memory", "search", "--flow", "chat", "CSV exports", "--data-dir", data)
    lines = out.splitlines()
    assert code == 0
    assert lines[0].split() == ["CONTENT", "IMPORTANCE", "SCORE"]
    assert re.fullmatch(r"User prefers CSV exports\.\s+0\.60\s+\d\.\d{4}", lines[1])
    assert re.fullmatch(r"· 1 result\(s\) — method: \w+, latency: \d+ms", lines[2])
    code, out, _ = _run(capsys, monkeypatch, "memory", "search", "--flow", "chat", "CSV", "--json", "--data-dir", data)
    body = json.loads(out)
    assert {"flow_id", "query", "results", "method", "latency_ms"} <= set(body)
    assert [r["content"] for r in body["results"]] == ["User prefers CSV exports."]
    code, _, err = _run(capsys, monkeypatch, "memory", "search", "--flow", "chat", "q" * 5000, "--data-dir", data)
    assert (code, err) == (1, "error: the search query is 5000 characters long; at most 4096 are allowed\n")


def test_end_asks_first_and_is_non_destructive(data, capsys, monkeypatch):
    code, out, _ = _run(capsys, monkeypatch, "memory", "end", "support-42", "--data-dir", data, stdin="n\n")
    assert (code, out) == (1, "End session support-42 and trigger consolidation? [y/N] Aborted.\n")
    code, out, _ = _run(capsys, monkeypatch, "memory", "end", "support-42", "--data-dir", data, stdin="y\n")
    assert (code, out) == (0, ("End session support-42 and trigger consolidation? [y/N] "
                               "✓ Session support-42 ended. Consolidation enqueued.\n"))
    code, out, _ = _run(capsys, monkeypatch, "memory", "end", "support-42", "--yes", "--data-dir", data)
    assert (code, out) == (0, "✓ Session support-42 ended. Consolidation enqueued.\n")
    code, out, _ = _run(capsys, monkeypatch, "memory", "show", "support-42", "--json", "--data-dir", data)
    body = json.loads(out)
    assert body["ended_at"] is not None and len(body["turns"]) == 2
    code, _, err = _run(capsys, monkeypatch, "memory", "end", "ghost", "--yes", "--data-dir", data)
    assert code == 1 and err.startswith('error: no memory session "ghost"')


def test_rm_confirms_deletes_and_counts_records(data, capsys, monkeypatch):
    code, out, _ = _run(capsys, monkeypatch, "memory", "rm", "support-42", "--data-dir", data, stdin="\n")
    assert (code, out) == (1, "Permanently delete session support-42? [y/N] Aborted.\n")
    code, out, _ = _run(capsys, monkeypatch, "memory", "rm", "support-42", "--data-dir", data, stdin="y\n")
    assert (code, out) == (0, ("Permanently delete session support-42? [y/N] "
                               "✓ Deleted session support-42 (3 record(s) removed).\n"))
    code, _, err = _run(capsys, monkeypatch, "memory", "rm", "--all", "--data-dir", data)
    assert (code, err) == (1, "error: --all requires --flow\n")
    code, _, err = _run(capsys, monkeypatch, "memory", "rm", "--data-dir", data)
    assert (code, err) == (1, "error: pass a session ID, or --flow FLOW --all to delete all of a flow's memory\n")
    code, out, _ = _run(capsys, monkeypatch, "memory", "rm", "--flow", "chat", "--all", "--yes", "--json",
                        "--data-dir", data)
    assert (code, json.loads(out)) == (0, {"flow_id": "chat", "deleted": 1})
    code, out, _ = _run(capsys, monkeypatch, "memory", "ls", "--data-dir", data)
    assert out == "No flows with memory yet.\n"


def test_end_consolidates_and_show_lists_the_facts_with_the_status(tmp_path, capsys, monkeypatch):
    d = tmp_path / "d"
    d.mkdir()
    db = open_database(d)
    try:
        m = SqliteMemory(db)
        for text in ("I prefer JSON exports.", "Thanks. I prefer JSON exports!"):
            m.call_sync("local", "chat", "history_append", {"session_id": "s-9", "role": "user", "content": text})
        m.call_sync("local", "chat", "session_write", {"session_id": "s-9", "content": "Session note: billing"})
    finally:
        db.close()
    code, out, _ = _run(capsys, monkeypatch, "memory", "show", "s-9", "--data-dir", str(d))
    assert out.splitlines()[-2:] == ["semantic  0.50        Session note: billing", "· 1 entr(ies) found"]
    code, out, _ = _run(capsys, monkeypatch, "memory", "end", "s-9", "--yes", "--data-dir", str(d))
    assert (code, out) == (0, "✓ Session s-9 ended. Consolidation enqueued.\n")
    code, out, _ = _run(capsys, monkeypatch, "memory", "show", "s-9", "--data-dir", str(d))
    lines = out.splitlines()
    assert lines[lines.index("Semantic memories") + 1].split() == ["TYPE", "IMPORTANCE", "CONTENT"]
    assert lines[-4:-1] == ["semantic  0.50        Session note: billing",
                            "semantic  0.80        User prefers JSON exports.", "· 2 entr(ies) found"]
    assert re.fullmatch(rf"· Consolidation done {WHEN} \(2 turn\(s\) read: 1 fact\(s\) stored, 1 merged\)",
                        lines[-1])
    # session-scoped search: only that session's own entries
    code, out, _ = _run(capsys, monkeypatch, "memory", "search", "--flow", "chat", "--session", "s-9", "billing",
                        "--json", "--data-dir", str(d))
    body = json.loads(out)
    assert body["session_id"] == "s-9" and [r["content"] for r in body["results"]] == ["Session note: billing"]
    assert body["results"][0]["scope_level"] == "session"
    code, out, _ = _run(capsys, monkeypatch, "memory", "search", "--flow", "chat", "JSON", "--data-dir", str(d))
    assert out.splitlines()[1].split()[:4] == ["User", "prefers", "JSON", "exports."]


# -- --remote ---------------------------------------------------------------------------------------
def test_remote_verbs_use_the_servers_memory_routes(tmp_path):
    import live_server as server_live

    server = server_live.start_server(tmp_path / "srv")
    try:
        _seed(server.data_dir)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AXIOM_API")}
        env.update(AXIOM_IDE_CONFIG_DIR=str(tmp_path / "cfg"), AXIOM_API_URL=server.origin, AXIOM_API_KEY=server.key)

        def cli(*argv: str, stdin: str = "") -> subprocess.CompletedProcess:
            return subprocess.run([sys.executable, "-m", "axiom_ide", "memory", *argv, "--remote"], input=stdin,
                                  capture_output=True, text=True, env=env, timeout=120)

        r = cli("ls")
        assert r.returncode == 0 and re.fullmatch(rf"chat\s+1\s+{WHEN}", r.stdout.splitlines()[1])
        r = cli("show", "support-42", "--json")
        assert r.returncode == 0 and len(json.loads(r.stdout)["turns"]) == 2
        r = cli("show", "ghost")
        assert r.returncode == 1 and r.stderr.startswith('error: no memory session "ghost"')
        r = cli("end", "support-42", "--yes")
        assert r.stdout == "✓ Session support-42 ended. Consolidation enqueued.\n"
        deadline = time.monotonic() + 60
        while True:  # the server consolidates in the background: wait for its status to say done
            state = json.loads(cli("show", "support-42", "--json").stdout)["consolidation"]
            if state["status"] == "done" or time.monotonic() > deadline:
                break
        assert state["status"] == "done" and state["note"] == "2 turn(s) read: 0 fact(s) stored, 0 merged"
        r = cli("search", "--flow", "chat", "--session", "support-42", "CSV exports")
        assert r.returncode == 0 and r.stdout.splitlines()[0].split() == ["CONTENT", "IMPORTANCE", "SCORE"]
        assert r.stdout.splitlines()[1].startswith("User works with CSV and JSON exports.")
        assert re.fullmatch(r"· 1 result\(s\) — method: hybrid, latency: \d+ms", r.stdout.splitlines()[2])
        # a session id as node code may choose it, slash and all, through the routes' path
        odd = "user/42 ü?#%"
        db = open_database(server.data_dir)
        try:
            SqliteMemory(db).call_sync("local", "chat", "history_append", {"session_id": odd, "role": "user",
                                                                           "content": "I use Postgres daily."})
        finally:
            db.close()
        r = cli("show", odd, "--json")
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["session_id"] == odd
        r = cli("end", odd, "--yes")
        assert r.stdout == f"✓ Session {odd} ended. Consolidation enqueued.\n"
        r = cli("rm", odd, "--yes")
        assert r.stdout == f"✓ Deleted session {odd} (1 record(s) removed).\n"
        r = cli("rm", "support-42", stdin="y\n")
        assert r.stdout == ("Permanently delete session support-42? [y/N] ✓ Deleted session support-42 "
                            "(3 record(s) removed).\n")
    finally:
        server_live.stop_server(server)
