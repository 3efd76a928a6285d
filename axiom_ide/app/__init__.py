"""The Qt application layer: main window, actions, panels, dialogs and the runtime bridge.

``app`` may import ``document``, ``canvas`` and ``runtime``; nothing below imports ``app``.
Entry point: :func:`axiom_ide.app.main.run_app` (the ``axiom-ide gui`` verb calls it).
"""
