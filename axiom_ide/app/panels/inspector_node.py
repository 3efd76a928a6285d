"""Inspector page for one node: its canvas id (edited here: a rename, one undo step, edges
following), its compensation (``compensate:``, inspector_compensation.py), its description (from the package's axiom.yaml), package, version, input/output
schemas field by field (kind, required, doc comment), required secrets and the handler source,
highlighted with pygments (imported lazily — it is not needed to paint the first window)."""
from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QTextBrowser, QVBoxLayout, QWidget

from axiom_ide.app.panels.inspector_compensation import CompensationRow
from axiom_ide.app.theme import is_dark
from axiom_ide.backends.remote_descriptors import is_descriptor
from axiom_ide.runtime.model.refs import is_artifact_id


def schema_html(title: str, descriptor: Any, docs: Any) -> str:
    """A message's fields as an HTML table: name, kind, required, doc comment."""
    from axiom_ide.runtime.typecheck import describe_fields

    if descriptor is None:
        return f"<p><b>{title}</b>: unresolved</p>"
    doc = getattr(docs, "doc", "") if docs is not None else ""
    field_docs = getattr(docs, "fields", {}) if docs is not None else {}
    rows = []
    for name, kind, required in describe_fields(descriptor):
        rows.append(
            f"<tr><td><code>{html.escape(name)}</code></td><td>{html.escape(kind)}</td>"
            f"<td>{'required' if required else ''}</td><td>{html.escape(field_docs.get(name, ''))}</td></tr>"
        )
    body = "".join(rows) or "<tr><td colspan=4><i>no fields</i></td></tr>"
    caption = f"<p><b>{title}: {html.escape(descriptor.name)}</b>" + (f"<br/>{html.escape(doc)}" if doc else "") + "</p>"
    return caption + f"<table cellspacing=0 cellpadding=3>{body}</table>"


#: The code page of a node known from a remote's type descriptor (backends/remote_descriptors.py).
REMOTE_CODE = "<p><i>The handler's code is on the remote ({key}); this IDE has its types only.</i></p>"


def highlighted_source(path: Any) -> str:
    """The handler file as HTML with inline styles."""
    try:
        code = path.read_text(encoding="utf-8")
    except OSError as exc:
        return f"<p><i>Handler source not found: {html.escape(str(exc))}</i></p>"
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    style = "monokai" if is_dark() else "default"
    return highlight(code, PythonLexer(), HtmlFormatter(noclasses=True, style=style, nobackground=True))


class NodeInspector(QWidget):
    """Shows one node's canvas id (editable: a rename), description, contract and code."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("nodeInspector")
        self.doc: Any = None
        self.node_id: str | None = None
        self.header = QLabel(objectName="nodeHeader")
        self.header.setWordWrap(True)
        self.id_field = QLineEdit(objectName="nodeIdField")
        self.id_field.setToolTip("The node's canvas id: unique in the flow, ^[a-z0-9][a-z0-9_-]*$. "
                                 "Press Enter to rename; edges follow.")
        self.id_field.editingFinished.connect(self.commit_id)
        self.id_field.installEventFilter(self)
        self.id_error = QLabel(objectName="nodeIdError")
        self.id_error.setProperty("error", True)
        self.id_error.setWordWrap(True)
        self.id_error.hide()
        self.description = QLabel(objectName="nodeDescription")
        self.description.setWordWrap(True)
        self.details = QTextBrowser(objectName="nodeDetails")
        self.details.setOpenExternalLinks(False)
        self.source = QTextBrowser(objectName="nodeSource")
        id_row = QFormLayout()
        id_row.setContentsMargins(0, 0, 0, 0)
        id_row.addRow("Canvas id", self.id_field)
        self.compensation = CompensationRow(self)  # compensate: (inspector_compensation.py)
        id_row.addRow("Compensation", self.compensation.combo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.header)
        layout.addLayout(id_row)
        layout.addWidget(self.id_error)
        layout.addWidget(self.compensation.error)
        layout.addWidget(self.description)
        layout.addWidget(self.details, 3)
        source_label = QLabel("Handler source")
        source_label.setProperty("heading", True)
        layout.addWidget(source_label)
        layout.addWidget(self.source, 2)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """Esc in the id field puts the current id back (and drops a refusal message)."""
        escape = isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape
        if escape and watched == self.id_field and self.node_id is not None:
            self.id_field.setText(self.node_id)
            self.id_error.hide()
            return True
        return super().eventFilter(watched, event)

    def commit_id(self) -> None:
        """Rename the node to the typed id (Enter or leaving the field): one undo step, or an
        inline message saying why not (the typed text stays, to be corrected)."""
        doc, old = self.doc, self.node_id
        if doc is None or old is None or doc.flow.node(old) is None:
            return
        new = self.id_field.text().strip()
        reason = doc.rename_check(old, new)
        if reason is not None:
            self.id_error.setText(f"Not renamed: {reason}")
            self.id_error.show()
            return
        self.id_error.hide()
        if new != old:
            doc.rename_node(old, new)  # the inspector follows through doc.nodeRenamed

    def show_node(self, doc: Any, node_id: str) -> None:
        node = doc.flow.node(node_id)
        if node is None:
            return
        same = doc is self.doc and node_id == self.node_id
        self.doc, self.node_id = doc, node_id
        if not (same and self.id_field.hasFocus()):  # never overwrite what is being typed
            self.id_field.setText(node_id)
            self.id_error.hide()
        self.compensation.show_node(doc, node_id)
        spec = doc.spec(node_id)
        name = node.node.rsplit(":", 1)[-1]
        self.header.setText(f"<b>{html.escape(name)}</b><br/><code>{html.escape(node.node)}</code>")
        if node.node.startswith("flow:") and is_artifact_id(node.node[5:]):
            inner = getattr(getattr(getattr(spec, "analysis", None), "flow", None), "name", "") or "?"
            self.description.setText(f'Runs the published marketplace flow "{html.escape(inner)}" as one node. '
                                     "It cannot be edited; + Import on its Marketplace card pulls a copy.")
        elif node.node.startswith("flow:"):
            self.description.setText(f'Runs the flow "{html.escape(node.node[5:])}" as one node. '
                                     "Double-click the card to open it in its own tab.")
        else:
            description = getattr(spec, "description", "") if spec is not None else ""
            self.description.setText(html.escape(description or "No description."))
        if spec is None or not hasattr(spec, "package"):
            problems = doc.analysis.for_node(node_id) if hasattr(doc.analysis, "for_node") else []
            text = "".join(f"<p>{html.escape(d.message)}</p>" for d in problems) or "<p>This node does not resolve.</p>"
            self.details.setHtml(text)
            self.source.setHtml("")
            return
        pkg = doc.workspace.packages.get(f"{spec.package}@{spec.version}") if doc.workspace is not None else None

        def docs_for(desc: Any) -> Any:
            try:
                return pkg.message_doc(desc.full_name) if pkg is not None else None
            except Exception:  # noqa: BLE001 — imported/unknown messages may carry no source info
                return None

        secrets = ", ".join(spec.required_secrets) or "none"
        parts = [
            "<table cellpadding=2>",
            f"<tr><td>Package</td><td><b>{html.escape(spec.package)}</b></td></tr>",
            f"<tr><td>Version</td><td>{html.escape(spec.version)}</td></tr>",
            f"<tr><td>Kind</td><td>{html.escape(spec.kind)}</td></tr>",
            f"<tr><td>Required secrets</td><td>{html.escape(secrets)}</td></tr>",
            "</table>",
            schema_html("Input", spec.input_type, docs_for(spec.input_type)),
            schema_html("Output", spec.output_type, docs_for(spec.output_type)),
        ]
        self.details.setHtml("".join(parts))
        self.source.setHtml(REMOTE_CODE.format(key=html.escape(f"{spec.package}@{spec.version}"))
                            if is_descriptor(spec.package_root) else highlighted_source(spec.source_file))

    def details_text(self) -> str:
        """What the page says about the node, as plain text: description, then the contract."""
        return self.description.text() + "\n" + self.details.toPlainText()
