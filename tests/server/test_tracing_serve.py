"""``axiom-ide serve --otlp-endpoint``: an invoked execution reaches a real OTLP/HTTP receiver as a trace
whose id is the execution id, and the server's log lines name the same trace and spans."""
from __future__ import annotations

import json

from live_server import start_server, stop_server
from otlp_support import start_receiver
from server_support import wait_for

INVOKE = "/invocations/v1/flows/invoke"


def test_serve_exports_each_execution_as_a_trace_its_log_lines_point_to(tmp_path):
    receiver = start_receiver()
    try:
        server = start_server(tmp_path, "--otlp-endpoint", receiver.base_url)
        graph_id = server.compile("greeter")
        with server.client() as c:
            r = c.post(INVOKE, json={"graph_id": graph_id, "input": {"name": "Ada"}, "wait": True})
            assert r.status_code == 202 and r.json()["result"]["output"] == {"text": "HEY! HELLO, ADA!"}
            execution_id = r.json()["execution_id"]
        # Spans are batched; the SDK sends them about a second after they end.
        assert wait_for(lambda: "execution greeter" in receiver.by_name())
        out = stop_server(server)
        assert server.process.returncode == 0 and out.strip().splitlines()[-1] == "Axiom API stopped"
    finally:
        receiver.close()
    spans = receiver.by_name()
    assert sorted(spans) == ["execution greeter", "node greet", "node shout"]
    assert {s.trace_id for s in spans.values()} == {execution_id}
    root = spans["execution greeter"]
    assert spans["node greet"].parent_span_id == spans["node shout"].parent_span_id == root.span_id
    logged = [json.loads(x) for x in out.splitlines() if x.startswith("{")]
    node_lines = {r["msg"] + " " + r["node"]: r for r in logged
                  if r.get("execution_id") == execution_id and "node" in r}
    assert node_lines["node completed greet"]["span_id"] == spans["node greet"].span_id
    assert node_lines["node completed shout"]["span_id"] == spans["node shout"].span_id
    assert receiver.rejected == []
