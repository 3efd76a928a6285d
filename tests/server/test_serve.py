"""``axiom-ide serve`` starts, authenticates with bearer keys, and stops cleanly."""
from __future__ import annotations

import httpx

from conftest import start_server, stop_server


def test_missing_wrong_and_malformed_keys_get_401_unauthorized(live):
    url = f"{live.origin}/invocations/v1/executions"
    for headers in ({}, {"Authorization": "Bearer " + "0" * 64}, {"Authorization": "Bearer nope"},
                    {"Authorization": live.key}):
        r = httpx.get(url, headers=headers)
        assert (r.status_code, r.json()) == (401, {"error": "unauthorized"})


def test_serve_exits_cleanly_on_sigterm(tmp_path):
    server = start_server(tmp_path)
    assert server.origin.startswith("http://127.0.0.1:")
    stop_server(server)
    assert server.process.returncode == 0
