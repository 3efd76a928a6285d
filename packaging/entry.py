"""The frozen app's entry point: ``axiom-ide`` (the CLI) plus the two hidden entries a frozen
executable needs to stand in for ``python``.

The runtime starts node hosts as ``<python> -m axiom_ide.runtime.host.worker ...`` and protoc as
``<python> -m grpc_tools.protoc ...``, with ``sys.executable`` as ``<python>``. In the bundle
``sys.executable`` is this program, so it accepts exactly those ``-m`` forms (and ``host ...`` as a
short name for the worker); the runtime's command lines stay the same frozen or not. Anything
else is the CLI.

On Windows and macOS the bundle has a second, windowed executable, ``axiom-ide-gui`` (no console
window beside the IDE; the spec's GUI_NAME): started without arguments it opens the IDE, as the
.app does (Finder passes none).

``AXIOM_IDE_SMOKE_QUIT=1`` (packaging/smoke_test.sh, bench/bundle.py): the GUI quits by itself
once its first window has painted, printing ``first window painted after <s> s`` to stderr — a
clean close of a real start, measurable without a display.
"""
import os
import runpy
import sys
import time

_STARTED = time.monotonic()

_MODULES = {"axiom_ide.runtime.host.worker", "grpc_tools.protoc"}
#: The windowed executable's name (packaging/axiom-ide.spec GUI_NAME).
GUI_NAME = "axiom-ide-gui"


def default_argv(argv: list[str], *, executable: str, frozen: bool, platform: str) -> list[str]:
    """The arguments to act on: ``gui`` when a frozen launcher that opens the IDE got none."""
    if not frozen:
        return argv
    if platform == "darwin":
        # Finder starts Axiom IDE.app without arguments (older macOS adds -psn_<n>): open the IDE
        return [a for a in argv if not a.startswith("-psn_")] or ["gui"]
    name = executable.replace("\\", "/").rsplit("/", 1)[-1].lower().removesuffix(".exe")
    return argv or (["gui"] if name == GUI_NAME else [])


def _main() -> int:
    argv = default_argv(sys.argv[1:], executable=sys.executable, frozen=bool(getattr(sys, "frozen", False)),
                        platform=sys.platform)
    sys.argv[1:] = argv
    if argv[:1] == ["host"]:
        argv = ["-m", "axiom_ide.runtime.host.worker", *argv[1:]]
    if len(argv) >= 2 and argv[0] == "-m" and argv[1] in _MODULES:
        sys.argv = [argv[1], *argv[2:]]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        return 0
    if os.environ.get("AXIOM_IDE_SMOKE_QUIT") == "1":
        _quit_after_first_paint()
    from axiom_ide.cli.main import main

    return main()


def _quit_after_first_paint() -> None:
    """Make QApplication.exec close every window and return once a top-level window has painted."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    real_exec = QApplication.exec

    def exec_then_quit(app: QApplication) -> int:
        def check() -> None:
            shown = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w.windowHandle() is not None
                     and w.windowHandle().isExposed()]
            if shown and not shown[0].grab().isNull():  # grab() paints the window
                print(f"first window painted after {time.monotonic() - _STARTED:.3f} s", file=sys.stderr, flush=True)
                QApplication.closeAllWindows()
                app.quit()
            else:
                QTimer.singleShot(20, check)

        QTimer.singleShot(0, check)
        return real_exec()

    QApplication.exec = exec_then_quit  # type: ignore[method-assign]


if __name__ == "__main__":
    sys.exit(_main())
