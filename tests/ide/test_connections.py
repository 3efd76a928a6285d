"""Settings → Connections against a real ``axiom-ide serve`` in a subprocess (its own data dir): a
wrong key shows the 401 message and switches nothing; the right key shows whoami's answer, the
title and the status bar say "Remote: host", ▶ Run runs the flow on the remote (the execution is
there, not in the local data dir), the Executions view lists the remote's executions; Local again."""
from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import live_server
import pytest
from ide_support import click, click_menu_item, open_flow, shown, type_over, wait_done
from PySide6.QtCore import Qt

from axiom_ide.app.dialogs.run_graph import RunGraphDialog

live = live_server.live_fixture("remote-ide")


@pytest.fixture
def config_dir(tmp_path, monkeypatch):
    path = tmp_path / "config"
    monkeypatch.setenv("AXIOM_IDE_CONFIG_DIR", str(path))
    return path


def open_connections(qtbot, window):
    if not window.isVisible():
        window.show()
        qtbot.waitExposed(window)
    click_menu_item(qtbot, window, "Settings", window.actions["connections-action"])
    qtbot.waitUntil(lambda: getattr(window, "connections_dialog", None) is not None
                    and window.connections_dialog.isVisible())
    return window.connections_dialog


def fill_remote(qtbot, dialog, origin: str, key: str) -> None:
    click(qtbot, dialog.remote_button)
    type_over(qtbot, dialog.api_url, origin)
    type_over(qtbot, dialog.key, key)


def save_and_wait(qtbot, dialog, state: str) -> str:
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: dialog.result_label.property("state") == state, timeout=30000)
    return dialog.result_label.text()


def test_a_wrong_key_shows_the_401_and_switches_nothing(qtbot, window, live, config_dir):
    dialog = open_connections(qtbot, window)
    assert dialog.local_button.isChecked() and not dialog.remote_form.isEnabled()
    fill_remote(qtbot, dialog, live.origin, "0" * 64)
    assert dialog.key.echoMode() == dialog.key.EchoMode.Password
    click(qtbot, dialog.show_key)
    assert dialog.key.echoMode() == dialog.key.EchoMode.Normal and dialog.show_key.text() == "Hide"
    text = save_and_wait(qtbot, dialog, "error")
    assert text.startswith(f"unauthorized: {live.origin} refused the API key")
    assert window.backend_status.text() == "Local" and window.windowTitle().endswith("(Local)")
    assert not (config_dir / "credentials.json").exists()
    assert window.prefs.connection_mode() == "local"


def test_bad_urls_and_an_unreachable_remote_say_so(qtbot, window, config_dir):
    dialog = open_connections(qtbot, window)
    fill_remote(qtbot, dialog, "example.com", "k" * 64)
    assert save_and_wait(qtbot, dialog, "error") == ('The API URL must start with http:// or https:// and name a '
                                                    'host (got "example.com").')
    type_over(qtbot, dialog.api_url, "http://127.0.0.1:9")  # discard: nothing listens
    assert save_and_wait(qtbot, dialog, "error").startswith("cannot reach http://127.0.0.1:9")


def test_tls_to_a_plain_http_server_is_a_tls_failure(qtbot, window, live, config_dir):
    dialog = open_connections(qtbot, window)
    fill_remote(qtbot, dialog, live.origin.replace("http://", "https://"), live.key)
    text = save_and_wait(qtbot, dialog, "error")
    assert text.startswith(f"TLS failure talking to {live.origin.replace('http://', 'https://')}")
    assert window.backend_status.text() == "Local"


def test_switch_to_the_remote_and_run_a_flow_there(qtbot, window, live, config_dir, example_workspace, tmp_path):
    dialog = open_connections(qtbot, window)
    fill_remote(qtbot, dialog, live.origin, live.key)
    text = save_and_wait(qtbot, dialog, "ok")
    assert text == "✓ Logged in as test (tenant: local)"
    host = live.origin.removeprefix("http://")
    assert window.backend_status.text() == f"Remote: {host}"
    assert window.windowTitle().endswith(f"(Remote: {host})")
    # Stored as the CLI stores it: 0600 in the config dir (no keyring answers under test), never in QSettings.
    creds = config_dir / "credentials.json"
    assert stat.S_IMODE(os.stat(creds).st_mode) == 0o600
    assert json.loads(creds.read_text()) == {"api_url": live.origin, "ingress_url": live.origin, "key": live.key}
    settings_text = (tmp_path / "settings.ini").read_text()
    assert live.key not in settings_text
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)

    tab = open_flow(window, example_workspace, "hello")
    assert window.windowTitle() == f"hello — Axiom IDE (Remote: {host})"
    # The inspector's API section names the remote's endpoint, not the local server's.
    assert window.inspector.flow_page.endpoint.text() == f"POST {live.origin}/invocations/v1/flows/invoke"
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    run_dialog = shown(window, RunGraphDialog)
    type_over(qtbot, run_dialog.control("name"), "Remote Ada")
    qtbot.mouseClick(run_dialog.run_button, Qt.MouseButton.LeftButton)
    wait_done(qtbot, tab, timeout=60000)
    run = tab.run
    assert run.state.status == "Completed", window.results.title.text()
    assert json.loads(window.results.output.toPlainText()) == {"greeting": "Hello, Remote Ada!"}
    execution_id = run.state.execution_id
    with live.client() as client:  # the execution is on the remote ...
        answer = client.get(f"/invocations/v1/executions/{execution_id}")
        assert answer.status_code == 200 and answer.json()["status"] == "Completed"
    assert not (tmp_path / "data" / "axiom.db").exists() or _local_has_no(tmp_path / "data", execution_id)

    # ... and the Executions view lists the remote's executions.
    window.show_executions()
    panel = window.executions_page
    qtbot.waitUntil(lambda: execution_id in [r.id for r in panel.records], timeout=20000)
    with live.client() as client:  # a run by someone else on the remote shows up by the change probe
        graph = live.compile("hello")
        other = client.post("/invocations/v1/flows/invoke",
                            json={"graph_id": graph, "input": {"name": "Bo"}, "wait": True}).json()["execution_id"]
    qtbot.waitUntil(lambda: other in [r.id for r in panel.records], timeout=20000)

    # Local again: the title and the status bar follow; the local store never saw the remote run.
    dialog = open_connections(qtbot, window)
    assert dialog.remote_button.isChecked() and dialog.api_url.text() == live.origin
    click(qtbot, dialog.local_button)
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: window.backend_status.text() == "Local")
    assert window.windowTitle() == "hello — Axiom IDE (Local)"
    assert window.prefs.connection_mode() == "local"
    qtbot.waitUntil(lambda: execution_id not in [r.id for r in panel.records], timeout=20000)


def _local_has_no(data_dir: Path, execution_id: str) -> bool:
    import sqlite3

    db = sqlite3.connect(data_dir / "axiom.db")
    try:
        return db.execute("SELECT count(*) FROM executions WHERE id = ?", (execution_id,)).fetchone()[0] == 0
    finally:
        db.close()


def _window_without_factory(qtbot, workspace, tmp_path, mode: str):
    from PySide6.QtCore import QSettings

    from axiom_ide.app.main_window import MainWindow
    from axiom_ide.app.settings import Preferences

    prefs = Preferences(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    prefs.set_connection_mode(mode)
    window = MainWindow(workspace, tmp_path / "data", prefs, quiet=True, serve_api=False)
    qtbot.addWidget(window)
    return window


def test_a_stored_remote_connection_is_where_the_next_session_starts(qtbot, live, config_dir, example_workspace,
                                                                    tmp_path):
    from axiom_ide.backends import credentials
    from axiom_ide.backends.remote import RemoteBackend

    credentials.save(live.origin, "", live.key)
    window = _window_without_factory(qtbot, example_workspace, tmp_path, "remote")
    host = live.origin.removeprefix("http://")
    window.panels_follow_document()
    assert window.backend_status.text() == f"Remote: {host}" and window.windowTitle() == f"Axiom IDE (Remote: {host})"
    backend = window.bridge.wait_ready()
    assert isinstance(backend, RemoteBackend) and backend.api_url == live.origin
    window.bridge.close()


def test_a_remote_mode_without_credentials_starts_local_and_says_why(qtbot, config_dir, example_workspace, tmp_path):
    window = _window_without_factory(qtbot, example_workspace, tmp_path, "remote")
    assert window.backend_status.text() == "Local"
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("The Remote connection has no stored"))
    window.bridge.close()


def _proxy(upstream: str, *, throttle_invokes: int = 0):
    """A real HTTP proxy on 127.0.0.1 in front of the live server that passes everything through but
    hangs up on an SSE stream after its first frame (while it drains the rest from the server, so
    the execution goes on there), and answers the first ``throttle_invokes`` invokes with the
    platform's 429 (Retry-After: 1). Returns (origin, stop)."""
    import asyncio

    import httpx
    from aiohttp import web

    from axiom_ide.app.qt_bridge import LoopThread

    thread = LoopThread("faulty-proxy")
    throttled = [throttle_invokes]

    async def handler(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        if request.path.endswith("/flows/invoke") and throttled[0] > 0:
            throttled[0] -= 1
            return web.json_response({"error": "rate_limited", "message": "invoke rate limit exceeded",
                                      "retry_after_seconds": 1}, status=429, headers={"Retry-After": "1"})
        headers = {k: v for k, v in request.headers.items() if k.lower() in ("authorization", "content-type",
                                                                              "accept")}
        client = httpx.AsyncClient(base_url=upstream, timeout=60)
        if not request.path.endswith("/flows/invoke/stream"):
            async with client:
                up = await client.request(request.method, request.path_qs, content=body, headers=headers)
            return web.Response(status=up.status_code, body=up.content,
                                headers={"Content-Type": up.headers.get("content-type", "application/json")})
        response = web.StreamResponse(status=200, headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        stream = client.stream("POST", request.path_qs, content=body, headers=headers)
        up = await stream.__aenter__()
        chunks = up.aiter_bytes()
        buffered = b""
        while b"\n\n" not in buffered:
            buffered += await chunks.__anext__()
        first, _, _ = buffered.partition(b"\n\n")
        await response.write(first + b"\n\n")
        request.transport.close()  # hang up on the IDE mid-stream

        async def drain() -> None:
            async for _ in chunks:
                pass
            await stream.__aexit__(None, None, None)
            await client.aclose()

        asyncio.get_running_loop().create_task(drain())
        return response


    runner, origin = thread.submit(live_server.serve_handler(handler)).result(30)

    def stop() -> None:
        thread.submit(runner.cleanup()).result(30)
        thread.stop()

    return origin, stop


def test_a_dropped_stream_is_said_and_the_run_reattached_by_its_id(qtbot, window, live, config_dir,
                                                                   example_workspace):
    origin, stop = _proxy(live.origin)
    try:
        dialog = open_connections(qtbot, window)
        fill_remote(qtbot, dialog, origin, live.key)
        assert save_and_wait(qtbot, dialog, "ok") == "✓ Logged in as test (tenant: local)"
        qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
        tab = open_flow(window, example_workspace, "words")
        run_dialog = window.run_flow()
        qtbot.keyClicks(run_dialog.control("text"), "to be or")
        click(qtbot, run_dialog.run_button)
        notices: list[str] = []
        qtbot.waitUntil(lambda: tab.run is not None)
        tab.run.notice.connect(notices.append)
        wait_done(qtbot, tab, timeout=60000)
        run = tab.run
        execution_id = run.state.execution_id
        assert execution_id and notices, window.results.output.toPlainText()
        assert notices[0].startswith("The stream dropped (") and notices[0].endswith(
            f"reattached to execution {execution_id} by its id")
        assert run.state.status == "Completed"
        # The frames the stream lost come from the remote's checkpoints: the output is whole.
        assert window.results.output.toPlainText().splitlines() == [
            '[0] {"word": "TO", "index": 0}', '[1] {"word": "BE", "index": 1}', '[2] {"word": "OR", "index": 2}',
            "— 3 frame(s), stream complete"]
        with live.client() as client:
            assert client.get(f"/invocations/v1/executions/{execution_id}").json()["status"] == "Completed"
    finally:
        stop()


def test_a_debug_run_on_the_remote_pauses_steps_and_continues(qtbot, window, live, config_dir, example_workspace):
    from test_debugger_core import choose, right_click_menu

    dialog = open_connections(qtbot, window)
    fill_remote(qtbot, dialog, live.origin, live.key)
    save_and_wait(qtbot, dialog, "ok")
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    tab = open_flow(window, example_workspace, "linear")
    choose(qtbot, right_click_menu(qtbot, tab, "echo"), "Set breakpoint")
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    run_dialog = shown(window, RunGraphDialog)
    type_over(qtbot, run_dialog.control("text"), "far away")
    qtbot.mouseClick(run_dialog.debug_button, Qt.MouseButton.LeftButton)
    run, bar = tab.run, tab.debug_bar
    qtbot.waitUntil(lambda: run.state.status == "Debug paused" and run.state.paused_at == "echo", timeout=60_000)
    with live.client() as client:  # the LIVE session is the remote's
        session = client.get(f"/invocations/v1/debug/sessions/{run.debug_session_id}").json()
        assert session["paused_at"] == "echo"
    # A run is going on the remote: switching away is refused, in words, and changes nothing.
    switch = open_connections(qtbot, window)
    click(qtbot, switch.local_button)
    click(qtbot, switch.save_button)
    assert switch.result_label.text() == "Stop the running flow before switching the connection."
    assert window.backend_status.text().startswith("Remote: ") and window.prefs.connection_mode() == "remote"
    qtbot.mouseClick(switch.close_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(bar.step_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: run.state.status == "Debug paused" and run.state.paused_at == "upper", timeout=60_000)
    qtbot.mouseClick(bar.continue_button, Qt.MouseButton.LeftButton)
    wait_done(qtbot, tab, timeout=60_000)
    assert run.state.status == "Completed" and run.state.result.output == {"text": "FAR AWAY"}


def test_a_rate_limited_remote_is_waited_out_and_said_in_the_status_bar(qtbot, window, live, config_dir,
                                                                        example_workspace):
    origin, stop = _proxy(live.origin, throttle_invokes=1)
    try:
        dialog = open_connections(qtbot, window)
        fill_remote(qtbot, dialog, origin, live.key)
        save_and_wait(qtbot, dialog, "ok")
        qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
        tab = open_flow(window, example_workspace, "hello")
        said: list[str] = []
        window.statusBar().messageChanged.connect(said.append)
        qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
        run_dialog = shown(window, RunGraphDialog)
        type_over(qtbot, run_dialog.control("name"), "Patient")
        qtbot.mouseClick(run_dialog.run_button, Qt.MouseButton.LeftButton)
        wait_done(qtbot, tab, timeout=60_000)
        assert tab.run.state.status == "Completed"
        assert json.loads(window.results.output.toPlainText()) == {"greeting": "Hello, Patient!"}
        host = origin.removeprefix("http://")
        assert f"{host} answered 429 (rate limited); retrying in 1s" in said
    finally:
        stop()


def test_the_cli_path_is_kept_and_the_cli_backend_talks_to_the_active_remote(qtbot, window, live, config_dir, aio):
    from axiom_ide.app.connection_commands import cli_backend

    command = f"{sys.executable} -m axiom_ide"
    dialog = open_connections(qtbot, window)
    type_over(qtbot, dialog.cli_path, command)
    fill_remote(qtbot, dialog, live.origin, live.key)
    from axiom_ide import __version__

    assert save_and_wait(qtbot, dialog, "ok") == ("✓ Logged in as test (tenant: local)\n"
                                                  f"axiom CLI: axiom-ide version {__version__}")
    assert window.prefs.cli_path() == command
    cli = cli_backend(window)
    assert aio(cli.whoami())["tenant"] == "local"


def test_a_missing_cli_is_said_and_nothing_is_kept(qtbot, window, config_dir, tmp_path):
    dialog = open_connections(qtbot, window)
    missing = str(tmp_path / "no-such-axiom")
    type_over(qtbot, dialog.cli_path, missing)
    assert save_and_wait(qtbot, dialog, "error") == (f'the axiom CLI "{missing}" was not found; install it or set '
                                                    "its path in Settings → Connections")
    assert window.prefs.cli_path() == "" and dialog.isVisible()


def test_a_flow_the_remote_cannot_compile_fails_in_the_result_panel_in_its_words(qtbot, window, live, config_dir,
                                                                                example_workspace):
    from engine_support import add_faults_package, chain

    add_faults_package(example_workspace)  # a package only this machine has
    chain(example_workspace, "local-only", ["Upper"])
    window.refresh_packages()
    dialog = open_connections(qtbot, window)
    fill_remote(qtbot, dialog, live.origin, live.key)
    save_and_wait(qtbot, dialog, "ok")
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    tab = open_flow(window, example_workspace, "local-only")
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    run_dialog = shown(window, RunGraphDialog)
    type_over(qtbot, run_dialog.control("text"), "x")
    qtbot.mouseClick(run_dialog.run_button, Qt.MouseButton.LeftButton)
    wait_done(qtbot, tab, timeout=60_000)
    run = tab.run
    assert run.state.status == "Failed" and run.state.result.failure.kind == "COMPILE"
    assert run.state.result.failure.message == (
        'imported package "tests/faults@0.1.0" is not in the workspace\n'
        'node "n1": package "tests/faults@0.1.0" not found in the workspace\n'
        f"(compiled on the remote {live.origin}: a flow there can use the remote's packages, not this workspace's)")
    assert window.results.title.text() == "Execution Failed"
    assert "tests/faults" in window.results.output.toPlainText()


def _box_text(qtbot, window, previous=None) -> str:
    qtbot.waitUntil(lambda: getattr(window, "publishing", None) is not None and window.publishing.box is not None
                    and window.publishing.box is not previous and window.publishing.box.isVisible(), timeout=30_000)
    return window.publishing.box.text()


def test_publish_needs_a_remote_and_says_so(qtbot, window, example_workspace):
    open_flow(window, example_workspace, "hello")
    if not window.isVisible():
        window.show()
        qtbot.waitExposed(window)
    click_menu_item(qtbot, window, "Run", window.actions["publish-flow-action"])
    assert _box_text(qtbot, window) == ("Publishing puts a compiled flow on a remote Axiom deployment's marketplace; "
                                        "connect to one first (Settings → Connections → Remote).")


def test_publish_compiles_on_the_remote_confirms_in_the_docs_words_then_publishes(qtbot, window, live, config_dir,
                                                                                  example_workspace):
    dialog = open_connections(qtbot, window)
    fill_remote(qtbot, dialog, live.origin, live.key)
    save_and_wait(qtbot, dialog, "ok")
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    open_flow(window, example_workspace, "hello")
    click_menu_item(qtbot, window, "Run", window.actions["publish-flow-action"])
    text = _box_text(qtbot, window)
    graph_id = window.publishing.graph_id
    assert graph_id and len(graph_id) == 26
    assert text == (f"Publishing flow {graph_id} makes it publicly visible to every Axiom tenant. This cannot be "
                    "undone — published flows are immutable.")
    confirm = window.publishing.box
    publish = next(b for b in confirm.buttons() if b.text() == "Publish")
    assert confirm.defaultButton() is not publish  # irreversible: Enter never publishes
    click(qtbot, publish)
    answer = _box_text(qtbot, window, previous=confirm)
    with live.client() as client:
        has_registry = client.get("/api/registry/flows").status_code == 200
    if has_registry:  # the platform's registry routes (issue #15 item 4)
        assert answer == (f"✓ published flow {graph_id}\n  visibility: public — marketplace-visible, forkable, "
                          "importable as a subflow\n  this version is immutable; compile a new flow to iterate further")
    else:  # a remote without them: its refusal, in words, and nothing published
        assert answer == (f"{live.origin} has no flow marketplace (it does not serve "
                          "POST /api/registry/flows/{id}/publish)")


PUSH_CLI = """\
import sys, time
if sys.argv[1] == "version":
    print("axiom version 9.9.9")
elif sys.argv[1] == "push":
    for step in ("1. Validate package", "2. Generate service", "3. Run tests", "4. Deploy"):
        print(step, flush=True)
        time.sleep(0.05)
    print("✓ pushed examples/math@0.1.0 (private to your tenant)", flush=True)
"""


def _use_cli(qtbot, window, command: str) -> None:
    dialog = open_connections(qtbot, window)
    type_over(qtbot, dialog.cli_path, command)
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: window.prefs.cli_path() == command, timeout=30_000)


def test_push_package_streams_the_build_log_and_says_what_was_pushed(qtbot, window, config_dir, tmp_path):
    script = tmp_path / "axiom_cli.py"
    script.write_text(PUSH_CLI)
    _use_cli(qtbot, window, f"{sys.executable} {script}")
    click_menu_item(qtbot, window, "Run", window.actions["push-package-action"])
    qtbot.waitUntil(lambda: getattr(window, "push_dialog", None) is not None and window.push_dialog.isVisible())
    dialog = window.push_dialog
    assert [dialog.package.itemText(i) for i in range(dialog.package.count())] == ["examples/math@0.1.0",
                                                                                   "examples/text@0.1.0"]
    click(qtbot, dialog.push_button)
    qtbot.waitUntil(lambda: dialog.result_label.property("state") == "ok", timeout=30_000)
    assert dialog.result_label.text() == "✓ pushed examples/math@0.1.0"
    assert dialog.log.toPlainText().splitlines() == [
        "1. Validate package", "2. Generate service", "3. Run tests", "4. Deploy",
        "✓ pushed examples/math@0.1.0 (private to your tenant)"]


def test_push_package_through_axiom_ide_says_why_not_in_the_clis_words(qtbot, window, config_dir):
    command = f"{sys.executable} -m axiom_ide"
    _use_cli(qtbot, window, command)
    click_menu_item(qtbot, window, "Run", window.actions["push-package-action"])
    qtbot.waitUntil(lambda: getattr(window, "push_dialog", None) is not None and window.push_dialog.isVisible())
    dialog = window.push_dialog
    click(qtbot, dialog.push_button)
    qtbot.waitUntil(lambda: dialog.result_label.property("state") == "error", timeout=60_000)
    # Not a git repository with its HEAD on origin (or, without the registry verbs, no push verb):
    # either way the CLI's exit status and its own words.
    assert dialog.result_label.text().startswith(f'"{Path(sys.executable).name} -m axiom_ide push" exited with status ')
    assert dialog.push_button.isEnabled()
