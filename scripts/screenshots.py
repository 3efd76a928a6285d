"""Screenshots of what a person sees, for a layout audit (a tool, not a test).

    xvfb-run -a -s "-screen 0 1280x720x24" .venv/bin/python scripts/screenshots.py OUT_DIR

Starts the real window as a first launch does: a fresh config and data dir in a temporary folder
(no stored window geometry) and a copy of the example workspace. Then, one after the other: every
example flow, a run with its result tabs, the Executions view, the execution detail page, every
Console page, and every window or dialog the menus open (modal ones are saved, then cancelled).
Each PNG is named after what it shows, and ``sizes.txt`` lists each window's size and minimum.
Look at every picture: a clipped, overlapping or blank view is a bug.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "axiom_ide" / "resources" / "examples" / "workspace"
#: (menu action, what it opens) for the windows and dialogs the menus open.
MENU_SURFACES = (
    ("new-flow-action", "new_flow"), ("open-flow-action", "open_flow"), ("run-action", "run_graph"),
    ("run-dataset-action", "run_dataset"), ("compare-with-action", "compare_with"),
    ("push-package-action", "push_package"), ("connections-action", "connections"),
    ("shortcuts-action", "shortcuts"), ("command-palette-action", "command_palette"),
)
CONSOLE_PAGES = ("API Keys", "Secrets", "Flow Configs", "Usage", "Memory", "Client Builder")

Step = Iterator[int]  # each step yields how many ms to let the event loop run before the next


def main(out: Path) -> int:
    base = Path(tempfile.mkdtemp(prefix="axiom-screens-"))
    os.environ["XDG_CONFIG_HOME"] = str(base / "config")
    os.environ["XDG_DATA_HOME"] = str(base / "share")
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")  # no real keyring
    workspace = base / "workspace"
    shutil.copytree(EXAMPLES, workspace, ignore=shutil.ignore_patterns("gen", "__pycache__"))
    out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QDialog, QMenu, QWidget

    app = QApplication(["axiom-ide"])
    app.setOrganizationName("Axiom")
    app.setApplicationName("Axiom IDE")
    from axiom_ide.app.main_window import MainWindow, schedule_start
    from axiom_ide.app.theme import install_theme

    install_theme(app)
    window = MainWindow(workspace, base / "data")
    for question, answer in (("ask_unsaved", "discard"), ("ask_unsaved_many", "discard_all"), ("ask_stop_debug", True)):
        setattr(window, question, lambda *_args, a=answer: a)  # quitting never stops on a question
    window.show()
    schedule_start(window, [])
    sizes = (out / "sizes.txt").open("w")

    def save(widget: QWidget, name: str) -> None:
        widget.grab().save(str(out / f"{name}.png"))
        top = widget.window()
        hint = top.minimumSizeHint()
        sizes.write(f"{name}: {type(top).__name__} {top.width()}x{top.height()} "
                    f"(minimum {hint.width()}x{hint.height()})\n")

    def shown() -> set[QWidget]:
        return {w for w in QApplication.topLevelWidgets() if w.isVisible() and not isinstance(w, QMenu)}

    def steps() -> Step:
        yield 1500  # the workspace loads after the first paint
        for path in sorted((workspace / "flows").glob("*.flow.yaml")):
            window.open_path(path)
            yield 400
            save(window, f"flow_{path.name.removesuffix('.flow.yaml')}")
        tab = window.open_path(workspace / "flows" / "linear.flow.yaml") and window.current_tab()
        run = window.start_run(tab, {"text": "hello there"})
        while run.state.is_running:
            yield 100
        yield 300
        tabs = window.results.tabs
        for i in range(tabs.count()):
            tabs.setCurrentIndex(i)
            yield 200
            save(window, f"result_{tabs.tabText(i).lower()}")
        window.show_executions()
        yield 600
        save(window, "executions")
        window.execution_pages.open(run.state.execution_id)
        while run.state.execution_id not in window.execution_pages.pages:
            yield 100
        yield 800
        page = window.execution_pages.pages[run.state.execution_id]
        save(page, "execution_detail")
        page.close()
        for name in CONSOLE_PAGES:
            console_page = window.show_console(name)
            yield 600
            save(console_page.window(), f"console_{name.lower().replace(' ', '_')}")
        console_page.window().close()
        for action, name in MENU_SURFACES:
            before = shown()
            modal: list[QWidget] = []
            waiting = [True]

            def grab_modal(name: str = name, modal: list[QWidget] = modal, waiting: list[bool] = waiting) -> None:
                dialog = QApplication.activeModalWidget()  # exec() returns only once it is closed
                if dialog is None:
                    if waiting[0]:
                        QTimer.singleShot(50, grab_modal)
                    return
                save(dialog, name)
                modal.append(dialog)
                dialog.close()

            QTimer.singleShot(400, grab_modal)
            window.actions[action].trigger()
            yield 600
            waiting[0] = False
            for w in shown() - before:
                if not modal:
                    save(w, name)
                w.reject() if isinstance(w, QDialog) else w.close()
            yield 100
        sizes.close()
        window.close()
        app.quit()

    run_steps(steps(), QTimer.singleShot)
    return app.exec()


def run_steps(steps: Step, later: Callable[[int, Callable[[], None]], None]) -> None:
    def advance() -> None:
        delay = next(steps, None)
        if delay is not None:
            later(delay, advance)

    later(0, advance)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1])))
