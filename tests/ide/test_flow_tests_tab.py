"""The result panel's **Tests** tab and **Save as test case** (issue 18): a flow's
``.flow.test.yaml`` cases listed, run through the real engine (Run / Run all), green and red with
the expected-vs-actual diff, a malformed file's ``file:line``; an execution from the Executions
view saved as a case that then passes."""
from __future__ import annotations

from ide_support import click, click_item, click_tab, open_flow, select_row, wait_done

CASES = """\
# kept: a comment at the top
cases:
  - name: greets Ada
    input: {name: Ada}
    expect:
      output: {text: "HEY! HELLO, ADA!"}
  - name: wrong shout
    input: {name: Bob}
    expect:
      output: {text: "HEY! HELLO, ADA!"}
  - name: mocked greet
    input: {name: Zed}
    mocks:
      greet: {greeting: "  yo  "}
    expect:
      output: {text: "HEY! YO"}
"""


def show_tests_tab(qtbot, window):
    panel = window.flow_tools.tests_panel
    tabs = window.results.tabs
    index = tabs.indexOf(panel)
    assert index >= 0, "no Tests tab"
    assert tabs.tabText(index) == "Tests"
    click_tab(qtbot, tabs, index)
    return panel


def test_run_all_shows_green_and_red_with_the_diff(qtbot, run_window, example_workspace):
    """Inline and through real node host processes; the mocked case never calls Greet."""
    window = run_window
    (example_workspace / "flows" / "greeter.flow.test.yaml").write_text(CASES, encoding="utf-8")
    tab = open_flow(window, example_workspace, "greeter")
    panel = show_tests_tab(qtbot, window)
    qtbot.waitUntil(lambda: panel.case_names() == ["greets Ada", "wrong shout", "mocked greet"])
    assert set(panel.results_by_case().values()) == {"not run"}
    click(qtbot, panel.run_all_button)
    qtbot.waitUntil(lambda: "running…" not in panel.results_by_case().values(), timeout=60000)
    assert panel.results_by_case() == {"greets Ada": "passed", "wrong shout": "failed", "mocked greet": "passed"}
    red = panel.tree.topLevelItem(1)
    assert red.foreground(1).color().name() == "#c62828"
    assert panel.tree.topLevelItem(0).foreground(1).color().name() == "#2e7d32"
    click_item(qtbot, panel.tree, red)
    text = panel.detail.toPlainText()
    assert "flow: output differs" in text
    assert '-  "text": "HEY! HELLO, ADA!"' in text
    assert '+  "text": "HEY! HELLO, BOB!"' in text
    click_item(qtbot, panel.tree, panel.tree.topLevelItem(2))  # the mocked case: its mock answered greet
    assert panel.detail.toPlainText().splitlines()[-1] == "Mocked (not called): greet"
    # the mock belonged to its case: an editor run afterwards calls the real Greet
    run = window.start_run(tab, {"name": "Zed"})
    wait_done(qtbot, tab, timeout=60000)
    assert run.state.result.output == {"text": "HEY! HELLO, ZED!"}


def test_a_malformed_test_file_shows_its_file_and_line(qtbot, window, example_workspace):
    path = example_workspace / "flows" / "greeter.flow.test.yaml"
    path.write_text("cases:\n  - name: x\n    input: {name: [\n", encoding="utf-8")
    open_flow(window, example_workspace, "greeter")
    window.show()
    qtbot.waitExposed(window)
    panel = show_tests_tab(qtbot, window)
    qtbot.waitUntil(lambda: panel.problems.isVisible())
    assert f"{path}:" in panel.problems.text()
    assert "malformed YAML" in panel.problems.text()
    assert panel.case_names() == []
    assert not panel.run_all_button.isEnabled()


def test_save_as_test_case_appends_the_run_and_it_passes(qtbot, window, example_workspace):
    test_file = example_workspace / "flows" / "greeter.flow.test.yaml"
    test_file.write_text(CASES, encoding="utf-8")
    tab = open_flow(window, example_workspace, "greeter")
    window.show()
    qtbot.waitExposed(window)
    run = window.start_run(tab, {"name": "Grace"})
    wait_done(qtbot, tab)
    execution_id = run.state.execution_id
    asked = []
    window.flow_tools.ask_case_name = lambda default: asked.append(default) or "greets Grace"
    window.show_executions()
    executions = window.executions_page
    qtbot.waitUntil(lambda: len(executions.rows()) == 1)
    select_row(qtbot, executions.table, 0)
    click(qtbot, executions.save_test_button)
    panel = window.flow_tools.tests_panel
    qtbot.waitUntil(lambda: "greets Grace" in panel.case_names(), timeout=10000)
    assert asked == [f"run {execution_id[:8]}"]
    assert window.results.tabs.currentWidget() is panel
    text = test_file.read_text(encoding="utf-8")
    assert text.startswith("# kept: a comment at the top\n")
    from ruamel.yaml import YAML

    case = YAML(typ="safe").load(text)["cases"][-1]
    assert case == {"name": "greets Grace", "input": {"name": "Grace"},
                    "expect": {"output": {"text": "HEY! HELLO, GRACE!"}}}
    item = panel.tree.topLevelItem(panel.case_names().index("greets Grace"))
    click_item(qtbot, panel.tree, item)
    click(qtbot, panel.run_button)
    qtbot.waitUntil(lambda: panel.results_by_case()["greets Grace"] == "passed", timeout=30000)
    assert panel.results_by_case()["greets Ada"] == "not run"


def test_save_as_test_case_from_a_failed_run_expects_its_failure(qtbot, window, example_workspace):
    test_file = example_workspace / "flows" / "greeter.flow.test.yaml"
    tab = open_flow(window, example_workspace, "greeter")
    window.show()
    qtbot.waitExposed(window)
    window.start_run(tab, {"nam": 1})
    wait_done(qtbot, tab)
    asked = []
    window.flow_tools.ask_case_name = lambda default: asked.append(default) or default
    window.show_executions()
    executions = window.executions_page
    qtbot.waitUntil(lambda: [r[0] for r in executions.rows()] == ["Failed"])
    select_row(qtbot, executions.table, 0)
    click(qtbot, executions.save_test_button)
    panel = window.flow_tools.tests_panel
    qtbot.waitUntil(lambda: panel.case_names() == asked, timeout=10000)
    assert asked[0].startswith("failing ")
    from ruamel.yaml import YAML

    case = YAML(typ="safe").load(test_file.read_text(encoding="utf-8"))["cases"][0]
    assert case["expect"]["failure"] == "INVALID_INPUT"
    click(qtbot, panel.run_all_button)
    qtbot.waitUntil(lambda: panel.results_by_case() == {asked[0]: "passed"}, timeout=30000)
