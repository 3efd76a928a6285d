"""Console → Client Builder on a remote (a real ``axiom-ide serve`` in a subprocess, switched to
through Settings → Connections), with clicks: New client, + Add nodes & flows from the remote's
marketplace (a node and a flow), Build a version in Python — built on the remote, the status moving
on by itself —, Download saving ``billing-sdk-py.zip``; then the generated package is imported and
calls the remote with the API key."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import live_server
import pytest
from ide_support import click, click_tab, close_window, make_window, shown, type_and_enter
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QLineEdit
from sdk_support import unzip
from test_connections import fill_remote, open_connections, save_and_wait
from test_console_client_builder import open_builder

live = live_server.live_fixture("client-builder-remote")

SCRIPT = """
import json
from billing_sdk import Client, GreetRequest, GreetReply
c = Client()
node = c.greet(GreetRequest(name="Ada"))
flow = c.hello_flow(GreetRequest(name="Bob"))
print(json.dumps({"node": node.greeting, "flow": flow.greeting, "typed": isinstance(flow, GreetReply)}))
"""


@pytest.fixture
def window(qtbot, example_workspace, tmp_path, live, monkeypatch):
    monkeypatch.setenv("AXIOM_IDE_CONFIG_DIR", str(tmp_path / "config"))
    w = make_window(qtbot, example_workspace, tmp_path / "data", tmp_path / "settings.ini")
    dialog = open_connections(qtbot, w)
    fill_remote(qtbot, dialog, live.origin, live.key)
    assert save_and_wait(qtbot, dialog, "ok").startswith("✓ Logged in as")
    click(qtbot, dialog.close_button)
    yield w
    close_window(w)


def test_build_and_download_a_python_sdk_on_the_remote_and_call_it(qtbot, window, live, tmp_path):
    console, page = open_builder(qtbot, window)
    click(qtbot, page.new_button)
    type_and_enter(qtbot, page.new_name, "billing")
    qtbot.waitUntil(lambda: page.heading.text() == "<h3>billing</h3>", timeout=10000)
    with live.client() as c:  # the client is the remote's
        assert [x["name"] for x in c.get("/api/clients").json()["clients"]] == ["billing"]
    assert window.backend_status.text() == f"Remote: {live.origin.removeprefix('http://')}"
    # + Add nodes & flows: the remote's packages and flows.
    click(qtbot, page.add_button)
    qtbot.waitUntil(page.market.isVisible, timeout=10000)
    card = next(c for c in page.market.cards if c.name == "examples/text")
    click(qtbot, card.node_buttons["Greet"])
    click_tab(qtbot, page.market.tabs, 1)
    assert "hello" in page.market.flow_buttons
    click(qtbot, page.market.flow_buttons["hello"])
    row = next(r for r in page.market.tray_rows if r.target == "hello")
    row.alias.selectAll()
    qtbot.keyClicks(row.alias, "helloFlow")
    assert page.market.submit.text() == "Add 2 members"
    click(qtbot, page.market.submit)
    qtbot.waitUntil(lambda: page.member_rows() == [("examples/text@0.1.0", ""), ("  Greet", "greet"),
                                                   ("flow hello", "helloFlow")], timeout=10000)
    # Build a version in Python: built on the remote, the statuses refresh by themselves.
    click(qtbot, page.lang_boxes["python"])
    click(qtbot, page.build_button)
    qtbot.waitUntil(lambda: page.status_rows(1) == {"Python": "succeeded"}, timeout=120000)
    shots = os.environ.get("AXIOM_SHOTS")
    if shots:
        console.resize(1280, 720)
        qtbot.waitUntil(lambda: page.status_rows(1) == {"Python": "succeeded"})
        console.grab().save(os.path.join(shots, "client-builder-remote.png"))
    # Download: the save dialog prefilled with billing-sdk-py.zip; the zip lands where it says.
    page.download_dir = tmp_path
    top = page.versions_tree.topLevelItem(0)
    python = next(top.child(i) for i in range(top.childCount()) if top.child(i).text(0) == "Python")
    click(qtbot, page.versions_tree.itemWidget(python, 2).findChild(type(page.add_button)))
    dialog = shown(window, QFileDialog)
    assert dialog.findChild(QLineEdit, "fileNameEdit").text() == "billing-sdk-py.zip"
    target = tmp_path / "billing-sdk-py.zip"
    click(qtbot, dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save))
    qtbot.waitUntil(target.exists, timeout=10000)
    assert page.downloaded == [target] and page.error.text() == ""
    # The generated package, imported as is, calls the remote (its baked-in origin) with the key.
    sdk = unzip(target, tmp_path / "sdk")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "AXIOM_BASE_URL")}
    env.update(AXIOM_API_KEY=live.key, PYTHONPATH=str(sdk))
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, cwd=tmp_path,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.strip().splitlines()[-1]) == {"node": "Hello, Ada!", "flow": "Hello, Bob!",
                                                                "typed": True}
