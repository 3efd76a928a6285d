"""Run → Run Node Code in Sandbox and Run → Python Interpreter for Packages…: two preferences the
runtime reads when it starts, so each change says it applies the next time Axiom IDE starts."""
from __future__ import annotations

from typing import Any

from axiom_ide.app import actions as action_defs

#: Status-bar words after the sandbox setting changes (the runtime reads it when it starts).
SANDBOX_ON = "Node code will run in the sandbox the next time Axiom IDE starts"
SANDBOX_OFF = "Node code will run without the sandbox the next time Axiom IDE starts (for debugging native code)"

#: Title of the interpreter setting's refusal box; the status-bar words after it is set.
INTERPRETER_TITLE = "Python Interpreter for Packages"
INTERPRETER_SET = ("Packages whose requirements Axiom IDE does not include will use {path} (Python {version}) "
                   "the next time Axiom IDE starts")


def toggle_sandbox(window: Any) -> None:
    """Remember the sandbox action's state."""
    on = window.actions["sandbox-action"].isChecked()
    window.prefs.set_sandbox_nodes(on)
    window.statusBar().showMessage(SANDBOX_ON if on else SANDBOX_OFF, 8000)


def choose_package_python(window: Any) -> None:
    """A file that runs as Python 3.11+ is remembered; anything else is refused, saying why."""
    from axiom_ide.backends.local_factory import check_package_python as check_python
    from axiom_ide.runtime.errors import AxiomError

    path = window.ask_package_python()
    if path is None:
        return
    try:
        version = check_python(path)
    except AxiomError as exc:
        window.show_error(INTERPRETER_TITLE, ValueError(exc.message))  # the words, without "error: "
        return
    window.prefs.set_python_for_packages(path)
    window.actions["interpreter-action"].setStatusTip(f"{action_defs.INTERPRETER_TIP} Now: {path}")
    window.statusBar().showMessage(INTERPRETER_SET.format(path=path, version=".".join(map(str, version))), 8000)
