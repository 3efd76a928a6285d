"""Crash recovery: unsaved edits are written to ``<data dir>/recovery/`` every few seconds.

For each dirty document the autosave writes ``<id>.flow.yaml`` (the document's current text) and
``<id>.json`` (the original path, the flow name, when). A clean save or a deliberate close removes
the pair; what is left on the next start was lost in a crash and is offered for restore.
"""
from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from axiom_ide.runtime.fileio import atomic_write_text

AUTOSAVE_INTERVAL_MS = 5000


def document_text(doc: Any) -> str:
    """The flow.yaml text a save would write now, without saving."""
    return doc.to_text()


@dataclass(frozen=True)
class RecoveryEntry:
    """One recoverable document left behind by an earlier session."""

    #: The recovered flow.yaml text file.
    text_file: Path
    #: Where the document was saved before ("" for a never-saved document).
    original_path: str
    name: str
    saved_at: float

    def text(self) -> str:
        return self.text_file.read_text(encoding="utf-8")

    def discard(self) -> None:
        self.text_file.unlink(missing_ok=True)
        self.text_file.with_suffix("").with_suffix(".json").unlink(missing_ok=True)


def _key(doc: Any) -> str:
    path = getattr(doc, "path", None)
    basis = str(Path(path).resolve()) if path else f"unsaved-{id(doc)}"
    return hashlib.sha1(basis.encode("utf-8")).hexdigest()[:16]


class RecoveryManager(QObject):
    """Autosaves dirty documents on a timer; lists and restores leftovers."""

    #: (path of the recovery file) after a dirty document was written.
    written = Signal(str)

    def __init__(self, folder: Path, documents: Callable[[], Iterable[Any]], interval_ms: int = AUTOSAVE_INTERVAL_MS,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.folder = Path(folder)
        self._documents = documents
        self._keys: dict[int, str] = {}
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.autosave)

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _paths(self, doc: Any) -> tuple[Path, Path]:
        key = self._keys.setdefault(id(doc), _key(doc))
        return self.folder / f"{key}.flow.yaml", self.folder / f"{key}.json"

    def autosave(self) -> None:
        for doc in list(self._documents()):
            if doc.is_dirty:
                self.write(doc)

    def write(self, doc: Any) -> Path:
        text_file, meta_file = self._paths(doc)
        # Owner-only, like the rest of the data dir (runtime/store/datadir.py).
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        atomic_write_text(text_file, document_text(doc), mode=0o600)
        meta = {"path": str(doc.path) if getattr(doc, "path", None) else "", "name": doc.flow.name, "saved_at": time.time()}
        atomic_write_text(meta_file, json.dumps(meta), mode=0o600)
        self.written.emit(str(text_file))
        return text_file

    def forget(self, doc: Any) -> None:
        """The document was saved or closed on purpose: drop its recovery files."""
        if id(doc) not in self._keys:
            return
        for p in self._paths(doc):
            p.unlink(missing_ok=True)
        if not doc.is_dirty:
            self._keys.pop(id(doc), None)

    def rekey(self, doc: Any) -> None:
        """The document's path changed (Save As): later autosaves go under the new name."""
        self.forget(doc)
        self._keys.pop(id(doc), None)

    def leftovers(self) -> list[RecoveryEntry]:
        out: list[RecoveryEntry] = []
        if not self.folder.is_dir():
            return out
        for meta_file in sorted(self.folder.glob("*.json")):
            text_file = meta_file.with_suffix(".flow.yaml")
            if not text_file.exists():
                meta_file.unlink(missing_ok=True)
                continue
            try:
                meta = json.loads(meta_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            out.append(RecoveryEntry(text_file, meta.get("path", ""), meta.get("name", ""), float(meta.get("saved_at", 0))))
        return out
