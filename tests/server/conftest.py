"""tests/server's ``live`` fixture: a real ``axiom-ide serve`` in a subprocess, shared by a test
module (the helpers are in live_server.py)."""
from __future__ import annotations

from live_server import live_fixture

live = live_fixture("live")
