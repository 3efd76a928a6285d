"""The Events API shows a re-run's history: a server started on a data dir whose runtime was
SIGKILLed mid-node resumes it, and GET …/events lists NODE_INTERRUPTED and the attempt-2 re-run."""
from __future__ import annotations

from engine_support import add_faults_package, chain
from live_server import start_server, stop_server
from resume_support import running
from server_support import wait_for

from axiom_ide.runtime.engine.runner import INTERRUPTED_REASON


def test_events_api_lists_the_interrupted_attempt_and_the_rerun(example_workspace, tmp_path):
    add_faults_package(example_workspace)
    flow = chain(example_workspace, "slow3", ["Slow"] * 3)
    with running(flow, tmp_path / "data", 1, inline=True):
        pass  # SIGKILLed while a node runs
    server = start_server(tmp_path, workspace=example_workspace)  # resumes it on start
    try:
        with server.client() as c:
            (row,) = c.get("/invocations/v1/executions").json()["executions"]
            eid = row["execution_id"]
            url = f"/invocations/v1/executions/{eid}"
            assert wait_for(lambda: c.get(url).json()["status"] == "Completed"), c.get(url).json()
            cut = c.get(url + "/events", params={"type": "NODE_INTERRUPTED"}).json()["events"]
            assert [(e["type"], e["attempt"], e["data"]) for e in cut] == [
                ("NODE_INTERRUPTED", 1, {"reason": INTERRUPTED_REASON})]
            node = cut[0]["node"]
            history = c.get(url + "/events", params={"node": node}).json()["events"]
            assert [(e["type"], e.get("attempt")) for e in history if e["type"] != "LOG"] == [
                ("NODE_STARTED", 1), ("NODE_INTERRUPTED", 1), ("NODE_STARTED", 2), ("NODE_COMPLETED", 2)]
    finally:
        stop_server(server)
