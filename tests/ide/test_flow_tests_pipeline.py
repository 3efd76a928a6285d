"""Flow tests of a pipeline flow in the IDE: the Tests tab runs its cases (Run all, Run) through the
real engine — inline and real node hosts — green and red with the frames diff; **Save as test
case** on a pipeline run's Executions row writes its frames as the case's output, and that case
passes."""
from __future__ import annotations

from ide_support import click, click_item, open_flow, select_row, wait_done
from ruamel.yaml import YAML
from test_flow_tests_tab import show_tests_tab

CASES = """\
cases:
  - name: shouts every word
    input: {text: "to be"}
    expect:
      output: {frames: [{word: TO, index: 0}, {word: BE, index: 1}]}
  - name: counts frames wrong
    input: {text: "to be or"}
    expect:
      assert: ["size(output.frames) == 2"]
  - name: mocked shout
    input: {text: "a b c"}
    mocks:
      shout: {word: MOCK, index: 9}
    expect:
      partial: {frames: [{word: MOCK}, {word: MOCK}, {word: MOCK}]}
"""


def test_the_tests_tab_runs_pipeline_cases(qtbot, run_window, example_workspace):
    window = run_window
    (example_workspace / "flows" / "words.flow.test.yaml").write_text(CASES, encoding="utf-8")
    open_flow(window, example_workspace, "words")
    panel = show_tests_tab(qtbot, window)
    qtbot.waitUntil(lambda: panel.case_names() == ["shouts every word", "counts frames wrong", "mocked shout"])
    click(qtbot, panel.run_all_button)
    qtbot.waitUntil(lambda: "running…" not in panel.results_by_case().values(), timeout=60000)
    assert panel.results_by_case() == {"shouts every word": "passed", "counts frames wrong": "failed",
                                       "mocked shout": "passed"}
    click_item(qtbot, panel.tree, panel.tree.topLevelItem(1))
    assert "flow: assertion `size(output.frames) == 2` is false" in panel.detail.toPlainText()
    click_item(qtbot, panel.tree, panel.tree.topLevelItem(2))
    assert panel.detail.toPlainText().splitlines()[-1] == "Mocked (not called): shout"


def test_save_as_test_case_from_a_pipeline_run_keeps_its_frames(qtbot, window, example_workspace):
    test_file = example_workspace / "flows" / "words.flow.test.yaml"
    tab = open_flow(window, example_workspace, "words")
    window.show()
    qtbot.waitExposed(window)
    window.start_run(tab, {"text": "hi there"})
    wait_done(qtbot, tab)
    window.flow_tools.ask_case_name = lambda default: "two words"
    window.show_executions()
    executions = window.executions_page
    qtbot.waitUntil(lambda: [r[0] for r in executions.rows()] == ["Completed"])
    select_row(qtbot, executions.table, 0)
    click(qtbot, executions.save_test_button)
    panel = window.flow_tools.tests_panel
    qtbot.waitUntil(lambda: panel.case_names() == ["two words"], timeout=10000)
    case = YAML(typ="safe").load(test_file.read_text(encoding="utf-8"))["cases"][0]
    assert case == {"name": "two words", "input": {"text": "hi there"},
                    "expect": {"output": {"frames": [{"word": "HI", "index": 0}, {"word": "THERE", "index": 1}]}}}
    click_item(qtbot, panel.tree, panel.tree.topLevelItem(0))
    click(qtbot, panel.run_button)
    qtbot.waitUntil(lambda: panel.results_by_case() == {"two words": "passed"}, timeout=30000)
