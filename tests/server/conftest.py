"""tests/server's ``live`` fixture: a real ``axiom-ide serve`` in a subprocess, shared by a test
module (the helpers are in live_server.py)."""
from __future__ import annotations

import pytest
from live_server import start_server, stop_server


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    server = start_server(tmp_path_factory.mktemp("live"))
    yield server
    stop_server(server)
