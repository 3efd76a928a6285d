"""Use via API / Open interactive docs on an unchanged flow reuse its compiled graph_id (an edit
makes a new one); without a browser the docs address is offered on the clipboard, and the
session's docs key never reaches the terminal."""
from __future__ import annotations

import json
import re
import subprocess

import pytest
from ide_support import click, drag, on_card, open_flow, shown
from PySide6.QtCore import QPointF
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMessageBox

from axiom_ide.app.api_commands import COPY_URL, NO_BROWSER
from axiom_ide.app.dialogs.use_api import UseApiDialog

DOCS_URL = r"http://127\.0\.0\.1:\d+/api/graphs/([0-9A-Z]{26})/docs#key=([0-9a-f]{64})"


def use_api_graph_id(qtbot, window) -> str:
    click(qtbot, window.inspector.flow_page.use_api)
    dialog = shown(window, UseApiDialog)
    qtbot.waitUntil(lambda: dialog.graph_id is not None, timeout=10000)
    graph_id = dialog.graph_id
    dialog.close()
    return graph_id


def test_use_via_api_twice_gives_one_graph_id_until_the_flow_changes(qtbot, window, example_workspace):
    tab = open_flow(window, example_workspace, "hello")
    first = use_api_graph_id(qtbot, window)
    assert use_api_graph_id(qtbot, window) == first
    runtime = window.bridge.wait_ready().runtime
    assert len(runtime.list_artifacts("hello")) == 1  # one artifact stored, not one per click
    # An edit (a card moved) is a new flow text: a new graph_id, then that one is reused.
    item = tab.scene.item_for_node(tab.doc.flow.nodes[0].id)
    drag(tab.view, on_card(item), on_card(item) + QPointF(0, 150))
    assert tab.doc.is_dirty
    second = use_api_graph_id(qtbot, window)
    assert second != first and re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", second)
    assert use_api_graph_id(qtbot, window) == second
    # Undo back to the first text: its graph_id again.
    tab.doc.undo_stack.undo()
    assert use_api_graph_id(qtbot, window) == first


def test_no_browser_says_so_and_copy_url_puts_the_docs_address_on_the_clipboard(
        qtbot, window, example_workspace, monkeypatch, capfd):
    tried: list[str] = []

    def no_browser(url) -> bool:  # what openUrl answers when no browser can be started
        tried.append(url.toString())
        return False

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(no_browser))
    open_flow(window, example_workspace, "hello")
    QGuiApplication.clipboard().clear()
    click(qtbot, window.inspector.flow_page.open_docs)
    qtbot.waitUntil(lambda: window.api.no_browser_box is not None
                    and window.api.no_browser_box.isVisible(), timeout=10000)
    box = shown(window, QMessageBox)
    assert box.text() == NO_BROWSER
    assert len(tried) == 1 and re.fullmatch(DOCS_URL, tried[0])
    copy = next(b for b in box.buttons() if b.text() == COPY_URL)
    click(qtbot, copy)
    assert QGuiApplication.clipboard().text() == tried[0]
    qtbot.waitUntil(lambda: not box.isVisible())
    # The docs (and the Use via API snippets) keep the same graph_id while the flow is unchanged.
    graph_id = re.fullmatch(DOCS_URL, tried[0]).group(1)
    assert use_api_graph_id(qtbot, window) == graph_id
    key = re.fullmatch(DOCS_URL, tried[0]).group(2)
    out, err = capfd.readouterr()
    assert key not in out and key not in err


def test_qt_warnings_while_opening_the_docs_mask_the_key(qtbot, window, example_workspace, qtlog):
    # The offscreen platform really cannot open URLs and warns with the whole address.
    open_flow(window, example_workspace, "hello")
    click(qtbot, window.inspector.flow_page.open_docs)
    qtbot.waitUntil(lambda: window.api.no_browser_box is not None
                    and window.api.no_browser_box.isVisible(), timeout=10000)
    warnings = [r.message for r in qtlog.records if "openUrl" in r.message]
    assert warnings and all(re.search(r"#key=…'", w) for w in warnings), warnings
    assert not any(re.search(r"#key=[0-9a-f]{64}", r.message) for r in qtlog.records)
    window.api.no_browser_box.close()


@pytest.mark.requires_tool("node", why="runs the docs page's script")
def test_the_docs_page_is_titled_with_the_flows_name_once_its_spec_loads(tmp_path):
    from importlib import resources

    script = resources.files("axiom_ide.server").joinpath("static/axiom-docs.js").read_text("utf-8")
    # The page's DOM and Swagger UI, as far as the script touches them; then the spec's answer.
    harness = """
const vm = require("vm");
const heading = {textContent: "Flow 01J — Interactive API Docs"};
const el = () => ({hidden: true, addEventListener() {}, focus() {}, textContent: "", value: ""});
const nodes = {"axiom-docs-config": {textContent: JSON.stringify({specUrl: "/api/graphs/01J/openapi.json", needsKey: true})},
               "axiom-key-form": el(), "axiom-key": el(), "axiom-key-message": el()};
let options = null;
const document = {title: "Flow 01J — Interactive API Docs", getElementById: (id) => nodes[id],
                  querySelector: (q) => q === ".axiom-docs-header h1" ? heading : null};
const store = {"axiom-docs-api-key": "k"};
const context = {document, URL, JSON,
  window: {location: {hash: "", href: "http://127.0.0.1:8765/api/graphs/01J/docs", pathname: "/api/graphs/01J/docs", search: ""}},
  sessionStorage: {getItem: (k) => store[k] || null, setItem: (k, v) => { store[k] = v; }, removeItem: (k) => { delete store[k]; }},
  history: {replaceState() {}},
  SwaggerUIBundle: (o) => { options = o; return {}; }};
context.window.ui = null;
vm.runInNewContext(process.argv[2], context);
options.responseInterceptor({url: "http://127.0.0.1:8765/api/graphs/01J/openapi.json", status: 200,
  text: JSON.stringify({info: {title: "branching — Axiom flow API"}})});
console.log(JSON.stringify([document.title, heading.textContent]));
"""
    (tmp_path / "harness.js").write_text(harness)
    out = subprocess.run(["node", str(tmp_path / "harness.js"), script], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == ["branching — Interactive API Docs"] * 2


def test_run_twice_and_use_via_api_share_the_graph_id_of_an_unchanged_flow(qtbot, window, example_workspace):
    from ide_support import wait_done

    from axiom_ide.app.dialogs.run_graph import RunGraphDialog

    window.show()
    qtbot.waitExposed(window)
    tab = open_flow(window, example_workspace, "hello")
    ids = []
    for _ in range(2):
        click(qtbot, tab.run_button)
        dialog = shown(window, RunGraphDialog)
        click(qtbot, dialog.run_button)
        wait_done(qtbot, tab)
        assert tab.run.state.status == "Completed"
        ids.append(tab.run.state.graph_id)
    assert ids[0] == ids[1] and ids[0] is not None
    assert use_api_graph_id(qtbot, window) == ids[0]
