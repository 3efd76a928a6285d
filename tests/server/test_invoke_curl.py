"""The seed docs' curl commands, run verbatim with curl against the local server: only the origin,
the key (``$AXIOM_API_KEY`` in the environment, as the docs intend) and the ``graph_id`` change."""
from __future__ import annotations

import json
import os
import subprocess

import pytest
from server_support import sse_frames

pytestmark = pytest.mark.requires_tool("curl")

ORIGIN = "https://flows.example-axiom-host.com"

# reference/http-api "Invoke a flow" and getting-started/invoke-via-api (identical there).
INVOKE = """curl -X POST 'https://flows.example-axiom-host.com/invocations/v1/flows/invoke' \\
  -H "Authorization: Bearer $AXIOM_API_KEY" \\
  -H 'Content-Type: application/json' \\
  -d '{
    "graph_id": "01JX3F8Q4ZJ4M9W4Y0B8T2K7RD",
    "input": { "text": "hello" },
    "wait": true
  }'"""

# reference/http-api "Stream a flow over SSE" and getting-started/invoke-via-api.
STREAM = """curl -N -X POST 'https://flows.example-axiom-host.com/invocations/v1/flows/invoke/stream' \\
  -H "Authorization: Bearer $AXIOM_API_KEY" \\
  -H 'Content-Type: application/json' \\
  -d '{
    "graph_id": "01JX3F8Q4ZJ4M9W4Y0B8T2K7RD",
    "input": { "text": "hello" }
  }'"""

# concepts/execution-model "Unary invocation".
INVOKE_ADA = """curl -X POST 'https://flows.example-axiom-host.com/invocations/v1/flows/invoke' \\
  -H "Authorization: Bearer $AXIOM_API_KEY" \\
  -H 'Content-Type: application/json' \\
  -d '{"graph_id": "01JX3Z9KQ4WV8RT2M5XB7CDEFG", "input": {"name": "Ada"}, "wait": true}'"""

# guides/flow-configs (its origin placeholder is empty: https:///).
INVOKE_CONFIG = """curl -X POST "https:///invocations/v1/flows/invoke" \\
  -H "Authorization: Bearer $AXIOM_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{
    "graph_id": "",
    "input": {"name": "Ada"},
    "wait": true,
    "config_id": "load-test"
  }'"""


def _run(live, command: str, graph_id: str, placeholder: str, origin: str = ORIGIN) -> str:
    command = command.replace(origin, live.origin).replace(f'"graph_id": "{placeholder}"', f'"graph_id": "{graph_id}"')
    out = subprocess.run(["bash", "-c", command], capture_output=True, text=True,
                         env=dict(os.environ, AXIOM_API_KEY=live.key), timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_the_documented_invoke_command(live):
    body = json.loads(_run(live, INVOKE, live.compile("linear"), "01JX3F8Q4ZJ4M9W4Y0B8T2K7RD"))
    assert body["accepted"] is True and len(body["execution_id"]) == 32
    assert body["result"]["success"] is True
    assert body["result"]["output"] == {"text": "HELLO"}


def test_the_documented_stream_command(live):
    text = _run(live, STREAM, live.compile("words"), "01JX3F8Q4ZJ4M9W4Y0B8T2K7RD")
    frames = sse_frames(text)
    assert [f.get("payload") for f in frames] == [{"word": "HELLO", "index": 0}, None]
    assert frames[-1]["is_final"] is True and frames[-1]["success"] is True


def test_the_execution_model_invoke_command(live):
    body = json.loads(_run(live, INVOKE_ADA, live.compile("hello"), "01JX3Z9KQ4WV8RT2M5XB7CDEFG"))
    assert body["result"]["output"] == {"greeting": "Hello, Ada!"}


def test_the_flow_configs_invoke_command(live):
    from axiom_ide.runtime.store.configs import ConfigStore
    from axiom_ide.runtime.store.db import open_database
    from axiom_ide.runtime.store.secrets import SecretBox, load_master_key

    db = open_database(live.data_dir)
    try:
        ConfigStore(db, SecretBox(load_master_key(live.data_dir, use_keyring=False)[0])).set(
            "load-test", flow_name="hello", node_timeout_seconds=5)
    finally:
        db.close()
    body = json.loads(_run(live, INVOKE_CONFIG, live.compile("hello"), "", origin="https://"))
    assert body["result"]["output"] == {"greeting": "Hello, Ada!"}
