"""Use via API (compiled graph_id, curl / Python / JavaScript), the IDE's own HTTP server on the
same runtime (next free port, status bar) and Open interactive docs — end to end over HTTP."""
from __future__ import annotations

import re
import socket

import httpx
import pytest
from ide_support import click, open_flow, shown, type_over
from PySide6.QtWidgets import QLabel

from axiom_ide.app.dialogs.use_api import UseApiDialog


@pytest.fixture
def window(run_window):
    return run_window


@pytest.fixture
def taken_port():
    """A port something else already listens on: the IDE must take the next one."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    yield sock.getsockname()[1]
    sock.close()


def start_server(qtbot, window, port):
    origins = []
    window.start_local_server(origins.append, port=port)
    qtbot.waitUntil(lambda: bool(origins), timeout=10000)
    return origins[0]


def test_use_via_api_compiles_the_canvas_into_a_real_graph_id(qtbot, window, example_workspace):
    open_flow(window, example_workspace, "hello")
    click(qtbot, window.inspector.flow_page.use_api)
    dialog = shown(window, UseApiDialog)
    qtbot.waitUntil(lambda: dialog.graph_id is not None, timeout=10000)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", dialog.graph_id)
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == ["curl", "Python", "JavaScript"]
    curl = dialog.texts["curl"].toPlainText()
    assert curl.startswith("curl -X POST 'http://127.0.0.1:8765/invocations/v1/flows/invoke'")
    assert f'"graph_id": "{dialog.graph_id}"' in curl and '"wait": true' in curl
    assert '"name": ""' in curl
    assert "httpx.post(" in dialog.texts["python"].toPlainText()
    assert "await fetch(" in dialog.texts["js"].toPlainText()
    runtime = window.bridge.wait_ready().runtime
    assert runtime.find_artifact(dialog.graph_id).flow_name == "hello"
    dialog.tabs.setCurrentIndex(1)
    click(qtbot, dialog.copy_button)
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == dialog.texts["python"].toPlainText()


def test_use_via_api_from_the_run_dialog_prefills_the_input(qtbot, window, example_workspace):
    open_flow(window, example_workspace, "hello")
    run_dialog = window.run_flow()
    type_over(qtbot, run_dialog.control("name"), "Ada")
    click(qtbot, run_dialog.use_api)
    dialog = shown(window, UseApiDialog)
    qtbot.waitUntil(lambda: dialog.graph_id is not None, timeout=10000)
    assert '"name": "Ada"' in dialog.texts["curl"].toPlainText()
    run_dialog.reject()


def test_ide_serves_the_api_on_its_runtime_next_free_port(qtbot, window, example_workspace, taken_port):
    origin = start_server(qtbot, window, taken_port)
    assert origin.startswith("http://127.0.0.1:") and int(origin.rsplit(":", 1)[1]) > taken_port
    assert window.findChild(QLabel, "serverStatus").text() == f"API {origin}"
    tab = open_flow(window, example_workspace, "hello")
    assert window.inspector.flow_page.endpoint.text() == f"POST {origin}/invocations/v1/flows/invoke"
    # The curl command of the dialog, sent with httpx to the IDE's own server.
    click(qtbot, window.inspector.flow_page.use_api)
    dialog = shown(window, UseApiDialog)
    qtbot.waitUntil(lambda: dialog.graph_id is not None, timeout=10000)
    key = window.local_server.docs_key
    response = httpx.post(f"{origin}/invocations/v1/flows/invoke", headers={"Authorization": f"Bearer {key}"},
                          json={"graph_id": dialog.graph_id, "input": {"name": "Ada"}, "wait": True}, timeout=30)
    assert response.status_code == 202
    body = response.json()
    assert body["result"]["output"] == {"greeting": "Hello, Ada!"}
    # The same runtime: the API's execution is on the Executions page.
    window.show_executions()
    qtbot.waitUntil(lambda: [r[4] for r in window.executions_page.rows()] == [body["execution_id"]])
    assert tab.doc.flow.name == "hello"


def test_open_interactive_docs_opens_the_compiled_flows_docs_page(qtbot, window, example_workspace, taken_port):
    open_flow(window, example_workspace, "hello")
    opened = []
    window.open_url = opened.append
    window.start_local_server(port=taken_port)
    page = window.inspector.flow_page
    click(qtbot, page.open_docs)
    qtbot.waitUntil(lambda: bool(opened), timeout=10000)
    assert page.open_docs.text() == "Open interactive docs" and page.open_docs.isEnabled()
    url = opened[0]
    m = re.fullmatch(r"(http://127\.0\.0\.1:\d+)/api/graphs/([0-9A-Z]{26})/docs#key=([0-9a-f]{64})", url)
    assert m, url
    origin, graph_id, key = m.groups()
    assert httpx.get(url.split("#")[0], timeout=10).status_code == 200
    spec = httpx.get(f"{origin}/api/graphs/{graph_id}/openapi.json", headers={"Authorization": f"Bearer {key}"},
                     timeout=10)
    assert spec.status_code == 200 and spec.json()["info"]["version"] == graph_id


def test_docs_button_shows_compile_errors_under_it(qtbot, window, example_workspace):
    doc = open_flow(window, example_workspace, "hello").doc
    doc.set_node("greet", node="examples/text@0.1.0:Nope")
    window.open_url = lambda url: pytest.fail(f"opened {url}")
    page = window.inspector.flow_page
    click(qtbot, page.open_docs)
    qtbot.waitUntil(lambda: not page.api_error.isHidden(), timeout=10000)
    assert "Nope" in page.api_error.text()


def test_use_via_api_refuses_a_flow_with_a_type_mismatch(qtbot, window, example_workspace):
    (example_workspace / "flows" / "mismatch.flow.yaml").write_text(
        "name: mismatch\nimports: [examples/text@0.1.0, examples/math@0.1.0]\nnodes:\n"
        "  - id: score\n    node: examples/text@0.1.0:Score\n  - id: inc\n    node: examples/math@0.1.0:Increment\n"
        "edges:\n  - from: score\n    to: inc\n    map:\n      value: text\n")
    tab = open_flow(window, example_workspace, "mismatch")
    assert not tab.run_button.isEnabled()  # what the Run button already refused
    window.inspector.flow_page.use_api.click()
    dialog = window._use_api_dialog
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10000)
    assert dialog.error.text() == ('edge "score" → "inc" field `value`: Type mismatch: `string` → `double`. '
                                   "Add a transform to convert the value.")
    assert dialog.graph_id is None and not dialog.copy_button.isEnabled()
    assert window.bridge.wait_ready().runtime.latest_artifact("mismatch") is None
