"""Pinned data in the editor: pin a node's output so the editor's runs skip that node.

A card's right-click menu has **Pin output…** (a dialog taking the output as JSON, checked against
the node's output message; a pinned node's menu reads **Edit pin…** and **Unpin**), and the payload
popover of an executed node has **Pin output** (its recorded output becomes the pin). A pinned card
shows a pin badge. Pins are not part of the flow document: they live beside the flow in
``<name>.flow.pins.json`` (``runtime/pins.py``; an unsaved flow's menu reads "Save the flow first
to pin outputs."). Pin and unpin are still one :class:`PinCommand` each on the flow tab's undo
stack, so Undo takes them back like any edit, in order with the edits; but a pin is not an edit of
the flow.yaml, so it never marks the tab modified: :class:`PinCommand` is ``beside_flow`` and the
document's dirty state skips such commands (``document/beside.py`` explains why ``setClean()``
would be wrong). A pin on a canvas id the flow no longer has is dropped when the flow opens, with
a status-bar note naming it (as breakpoints are). A paste or duplicate of a pinned node pins its
copy the same, as a child of the paste's own undo step (:meth:`TabPins.pasted`); the pin comes
from the flow copied from (this tab, or the pins file beside that flow), never from the clipboard. Only ▶ Run / Debug from the editor pass pins
(``FlowRun.pins`` → ``LocalBackend.start(pins=...)``, or ``LocalBackend.stream(pins=...)`` for a
pipeline flow, whose pinned node answers every frame reaching it with its pin). A backend that
takes no pins — a RemoteBackend: pins never leave the IDE, the remote's invoke has no such field —
runs the flow as it is, and the status bar says "Pins apply to local runs only; N pin(s) ignored"
once as the run starts and again as it ends (the end's own status line would hide it); compile,
serve, API invokes and publish never see pins. Flow-test mocks are the same mechanism
(``runtime/pins.py``).
"""
from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QMenu, QPlainTextEdit, QVBoxLayout, QWidget

from axiom_ide.document.commands import Command
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.pins import TYPED, Pin, check_output, load_pins, pins_path, save_pins

PIN, EDIT, UNPIN = "Pin output…", "Edit pin…", "Unpin"
SAVE_FIRST = "Save the flow first to pin outputs."
NO_TYPE = "The node does not resolve: its output message is unknown."
DROPPED = 'Pin on "{node}" dropped: the flow has no such node any more'
LOCAL_ONLY = "Pins apply to local runs only; {n} pin(s) ignored"


class PinCommand(Command):
    """Pin ``node`` to ``new`` (None: unpin); undo restores ``old``. Holds ids and copies only.
    With a ``parent`` it is a child of that step (a paste's macro: the pasted copy's pin)."""

    #: Not an edit of the flow.yaml: the document stays unmodified (document/beside.py).
    beside_flow = True

    def __init__(self, pins: TabPins, node: str, new: Pin | None, old: Pin | None,
                 parent: Command | None = None) -> None:
        super().__init__(f'Pin output of "{node}"' if new is not None else f'Unpin "{node}"', parent)
        self.pins, self.node, self.new, self.old = pins, node, new, old

    def redo(self) -> None:
        self.pins.apply(self.node, self.new)

    def undo(self) -> None:
        self.pins.apply(self.node, self.old)


class PinOutputDialog(QDialog):
    """**Pin output…**: the node's output as JSON; **Pin** accepts it when it is a valid message."""

    def __init__(self, node: str, descriptor: Any, value: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Pin output — {node}")
        self.setObjectName("pinOutputDialog")
        self.descriptor = descriptor
        #: The parsed output once accepted.
        self.value: Any = None
        layout = QVBoxLayout(self)
        kind = descriptor.full_name.rsplit(".", 1)[-1] if descriptor is not None else "?"
        layout.addWidget(QLabel(f'Output of "{node}" ({kind}, JSON). Editor runs use it instead of running the node.'))
        self.editor = QPlainTextEdit(json.dumps(value, indent=2, ensure_ascii=False, default=str),
                                     objectName="pinOutputJson")
        layout.addWidget(self.editor, 1)
        self.error = QLabel("", objectName="pinOutputError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #d9534f;")
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.pin_button = buttons.addButton("Pin", QDialogButtonBox.ButtonRole.AcceptRole)
        self.pin_button.setObjectName("pinOutputPin")
        buttons.accepted.connect(self._pin)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(460, 320)

    def _pin(self) -> None:
        try:
            value = json.loads(self.editor.toPlainText())
        except json.JSONDecodeError as exc:
            self._refuse(f"Invalid JSON: {exc}")
            return
        problem = NO_TYPE if self.descriptor is None else check_output(self.descriptor, value)
        if problem:
            self._refuse(problem)
            return
        self.value = value
        self.accept()

    def _refuse(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()


class TabPins:
    """One tab's pins: ``tab.pins`` (canvas id → Pin), the card badges, the right-click items and
    the pins file beside the flow."""

    def __init__(self, tab: Any, note: Callable[[str], None], window: QWidget | None = None) -> None:
        self.tab = tab
        self.note = note
        self.window = window
        #: The dialog last opened (tests and the window keep it alive while it shows).
        self.dialog: PinOutputDialog | None = None
        tab.pins = {}
        #: Pins of nodes removed in this tab (a cut), by canvas id, for a paste of them.
        self._removed: dict[str, Pin] = {}
        self._path = None
        self.load()
        tab.follow(tab.doc.pathChanged, lambda _p: self.load())
        tab.follow(tab.doc.nodeRenamed, self.renamed)
        tab.doc.paste_extenders.append(self.pasted)
        tab.doc.remove_extenders.append(self.removed)
        menus = getattr(tab, "breakpoint_list", None)
        if menus is not None:
            menus.menu_extenders.append(self.extend_menu)

    # -- the model -------------------------------------------------------------------------------
    def load(self) -> None:
        """Read the pins beside the flow; a Save As keeps the pins the tab had (written beside the
        new file when it has none yet)."""
        path = self.tab.doc.path
        previous, self._path = dict(self.tab.pins), path
        pins: dict[str, Pin] = {}
        if path is not None:
            try:
                pins = load_pins(path)
            except AxiomError as exc:
                self.note(f"Pins not loaded: {exc}")
            if not pins and previous and not pins_path(path).exists():
                pins = previous
                save_pins(path, pins)
        present = {n.id for n in self.tab.doc.flow.nodes}
        dropped = sorted(set(pins) - present)
        if dropped and path is not None:
            pins = {node: pin for node, pin in pins.items() if node in present}
            save_pins(path, pins)
            for node in dropped:
                self.note(DROPPED.format(node=node))
        for node in set(previous) | set(pins):
            self._badge(node, node in pins)
        self.tab.pins = pins

    def apply(self, node: str, pin: Pin | None) -> None:
        """Set (or remove) one pin and write the file: what :class:`PinCommand` does and undoes."""
        if pin is None:
            self.tab.pins.pop(node, None)
        else:
            self.tab.pins[node] = pin
        self._badge(node, pin is not None)
        path = self.tab.doc.path
        if path is not None:
            save_pins(path, self.tab.pins)

    def renamed(self, old_id: str, new_id: str) -> None:
        """A pin follows its node's rename (and the rename's undo); the scene moves the badge itself."""
        pin = self.tab.pins.pop(old_id, None)
        if pin is None or old_id == new_id:
            if pin is not None:
                self.tab.pins[old_id] = pin
            return
        self.tab.pins[new_id] = pin
        path = self.tab.doc.path
        if path is not None:
            save_pins(path, self.tab.pins)

    def pasted(self, payload: dict[str, Any], id_map: dict[str, str], macro: Command) -> None:
        """A paste or duplicate of pinned nodes pins each copy the same, in the paste's undo step.
        The pins are the source flow's (``payload["from"]``): this tab's own when the copy came
        from this flow, else the pins file beside that flow; none when this flow has no file yet."""
        source, path = payload.get("from"), self.tab.doc.path
        if not source or path is None:
            return
        pins = self.tab.pins
        if Path(source) != path:
            try:
                pins = load_pins(source)
            except AxiomError:
                return
        for old_id, new_id in id_map.items():
            pin, current = pins.get(old_id), self.tab.pins.get(new_id)
            if pin is None and pins is self.tab.pins:  # cut, then pasted: the pin the cut took
                pin = self._removed.get(old_id)
            if pin is not None and pin != current:
                PinCommand(self, new_id, Pin(copy.deepcopy(pin.output), pin.source), current, parent=macro)

    def removed(self, node_ids: list[str], macro: Command) -> None:
        """A removed (or cut) node's pin goes with it, in the removal's undo step: undo brings both
        back, and a node later given the same id starts unpinned."""
        for node in node_ids:
            pin = self.tab.pins.get(node)
            if pin is not None:
                self._removed[node] = pin  # a paste of the cut (or deleted) card pins it again
                PinCommand(self, node, None, pin, parent=macro)

    def _badge(self, node: str, on: bool) -> None:
        scene = self.tab.scene
        if scene is not None and hasattr(scene, "set_pinned"):
            scene.set_pinned(node, on)

    def set(self, node: str, pin: Pin | None) -> None:
        """Pin or unpin ``node`` as one undoable command."""
        old = self.tab.pins.get(node)
        if old == pin:
            return
        self.tab.doc.undo_stack.push(PinCommand(self, node, pin, old))

    def for_run(self) -> dict[str, Any]:
        """Canvas id → output JSON of the pins on nodes the flow has (what a ▶ Run passes)."""
        present = {n.id for n in self.tab.doc.flow.nodes}
        return {node: pin.output for node, pin in self.tab.pins.items() if node in present}

    def watch(self, run: Any) -> None:
        """A run from the editor on a backend that takes no pins (a RemoteBackend): say so once as
        it starts and again as it ends (``run.pins_ignored`` counts them; 0 when the pins apply)."""
        run.pins_ignored = 0
        count = len(run.pins or {})
        if not count:
            return
        text = LOCAL_ONLY.format(n=count)

        def status(value: str) -> None:  # Running: the backend that compiled the flow runs it
            if value != "Running" or run.pins_ignored:  # once: a Debug run is Running again after each pause
                return
            if not getattr(run.bridge.backend, "takes_pins", False):
                run.pins_ignored = count
                self.note(text)

        run.state.statusChanged.connect(status)
        run.ended.connect(lambda _result: self.note(text) if run.pins_ignored else None)

    def pin_from_run(self, node: str, output: Any, execution_id: str) -> bool:
        """The payload popover's **Pin output**: the recorded output becomes the pin."""
        if self.tab.doc.path is None:
            self.note(SAVE_FIRST)
            return False
        self.set(node, Pin(output, f"execution {execution_id}"))
        self.note(f'Pinned the output of "{node}": editor runs use it instead of running the node')
        return True

    # -- gestures --------------------------------------------------------------------------------
    def extend_menu(self, menu: QMenu, node: str) -> None:
        if self.tab.doc.path is None:
            menu.addAction(SAVE_FIRST).setEnabled(False)
            return
        if node in self.tab.pins:
            menu.addAction(EDIT, lambda: self.ask(node))
            menu.addAction(UNPIN, lambda: self.set(node, None))
        else:
            menu.addAction(PIN, lambda: self.ask(node))

    def ask(self, node: str) -> PinOutputDialog:
        """Open **Pin output…** for ``node``, prefilled with its pin or an example message."""
        from axiom_ide.runtime.message_schema import example_message

        spec = (getattr(getattr(self.tab.doc, "analysis", None), "nodes", None) or {}).get(node)
        descriptor = getattr(spec, "output_type", None)
        current = self.tab.pins.get(node)
        value = current.output if current is not None else (example_message(descriptor) if descriptor else {})
        dialog = PinOutputDialog(node, descriptor, value, self.window or self.tab)
        dialog.accepted.connect(lambda: self.set(node, Pin(dialog.value, current.source if current and
                                                           dialog.value == current.output else TYPED)))
        dialog.open()  # window-modal, does not block the event loop
        self.dialog = dialog
        return dialog
