"""A pin never reaches an API run: with a pins file beside the flow (as the editor writes it), an
invoke over HTTP on a real ``axiom-ide serve`` runs the node for real, and the invoke body has no
field through which a caller could pass pins."""
from __future__ import annotations

from axiom_ide.runtime.pins import Pin, pins_path, save_pins

INVOKE = "/invocations/v1/flows/invoke"


def test_pins_beside_the_flow_never_reach_an_http_invoke(live):
    flow = live.workspace / "flows" / "greeter.flow.yaml"
    save_pins(flow, {"greet": Pin({"greeting": "PINNED"})})
    assert pins_path(flow).is_file()
    graph_id = live.compile("greeter")
    with live.client() as c:
        r = c.post(INVOKE, json={"graph_id": graph_id, "input": {"name": "Ada"}, "wait": True})
        assert r.status_code == 202, r.text
        body = r.json()
        assert body["result"]["output"] == {"text": "HEY! HELLO, ADA!"}  # greet ran, not its pin
        events = c.get(f"/invocations/v1/executions/{body['execution_id']}/events").json()["events"]
        greet = [e for e in events if e.get("node") == "greet" and e["type"].startswith("NODE_")]
        assert [e["type"] for e in greet] == ["NODE_STARTED", "NODE_COMPLETED"]
        assert not any(e.get("pinned") or (e.get("data") or {}).get("pinned") for e in events)
        # A caller cannot smuggle pins in: the invoke body refuses the field.
        smuggled = c.post(INVOKE, json={"graph_id": graph_id, "input": {"name": "Ada"}, "wait": True,
                                        "pins": {"greet": {"greeting": "PINNED"}}})
    assert smuggled.status_code == 400, smuggled.text
    assert "pins" in smuggled.text
