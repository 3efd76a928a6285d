"""What the inspector's API section and the Run Graph dialog show about invoking a flow.

The endpoint, example input and the curl / Python / JavaScript texts come from
:mod:`axiom_ide.runtime.api_snippets` (shared with ``axiom-ide flow api``); this module adds the
flow-type labels of the docs (concepts/execution-model, "Running a flow from the editor").
"""
from __future__ import annotations

from axiom_ide.runtime.api_snippets import (  # noqa: F401 (re-exported for the app)
    DEFAULT_PORT,
    GRAPH_ID_PLACEHOLDER,
    INVOKE_PATH,
    LANGUAGES,
    LOCAL_ORIGIN,
    STREAM_PATH,
    curl_command,
    endpoint,
    example_input,
    snippet,
)

UNARY_LABEL = "Unary — single request / response"
PIPELINE_LABEL = "⚡ Pipeline — streams multiple frames via SSE"
#: Tab titles of the Use via API dialog, per snippet language.
LANGUAGE_TITLES = {"curl": "curl", "python": "Python", "js": "JavaScript"}


def docs_url(origin: str, graph_id: str, key: str | None = None) -> str:
    """The interactive docs page of a compiled flow; ``key`` is handed over in the fragment (the
    page keeps it for the tab and removes it from the address bar)."""
    return f"{origin.rstrip('/')}/api/graphs/{graph_id}/docs" + (f"#key={key}" if key else "")
