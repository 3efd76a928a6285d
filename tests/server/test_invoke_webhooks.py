"""``webhook: {"url", "headers"}`` on an invoke: the result is POSTed to a real HTTP receiver when the
caller does not get it inline, retried with backoff on 5xx/429/connection errors, not on other 4xx."""
from __future__ import annotations

import pytest
from server_support import Receiver, test_flows, wait_for

INVOKE = "/invocations/v1/flows/invoke"


@pytest.fixture(scope="module")
def flows(live):
    test_flows(live)
    return live


def test_an_async_run_posts_its_result_to_the_webhook_with_the_callers_headers(live):
    graph_id = live.compile("hello")
    with Receiver() as hook, live.client() as c:
        r = c.post(INVOKE, json={"graph_id": graph_id, "input": {"name": "Ada"},
                                 "webhook": {"url": hook.url, "headers": {"X-Token": "t0k"}}})
        assert r.status_code == 202
        execution_id = r.json()["execution_id"]
        assert wait_for(lambda: hook.received)
    [got] = hook.received
    assert got.path == "/hook"
    assert got.headers["x-token"] == "t0k"
    assert got.headers["x-axiom-execution-id"] == execution_id
    assert got.headers["content-type"] == "application/json"
    result = got.body.pop("result")
    assert got.body == {"accepted": True, "execution_id": execution_id}
    assert result["success"] is True and result["output"] == {"greeting": "Hello, Ada!"}


def test_a_failed_run_is_delivered_too(flows):
    graph_id = flows.compile("faults-boom")
    with Receiver() as hook, flows.client() as c:
        c.post(INVOKE, json={"graph_id": graph_id, "input": {"text": "w"}, "webhook": {"url": hook.url}})
        assert wait_for(lambda: hook.received)
    result = hook.received[0].body["result"]
    assert result["success"] is False and "boom: w" in result["error"]


def test_delivery_is_retried_on_5xx_and_429_until_accepted(live):
    graph_id = live.compile("hello")
    with Receiver(statuses=[503, 429, 500]) as hook, live.client() as c:
        c.post(INVOKE, json={"graph_id": graph_id, "input": {"name": "B"}, "webhook": {"url": hook.url}})
        assert wait_for(lambda: len(hook.received) == 4)
    bodies = [h.body for h in hook.received]
    assert all(b == bodies[0] for b in bodies)  # the same delivery each time


def test_a_4xx_answer_is_not_retried(live):
    graph_id = live.compile("hello")
    with Receiver(statuses=[404]) as hook, live.client() as c:
        c.post(INVOKE, json={"graph_id": graph_id, "input": {"name": "C"}, "webhook": {"url": hook.url}})
        assert wait_for(lambda: hook.received)
        # a second async run with a webhook is delivered after it: the first was not retried in between
        c.post(INVOKE, json={"graph_id": graph_id, "input": {"name": "D"}, "webhook": {"url": hook.url}})
        assert wait_for(lambda: len(hook.received) == 2)
    assert [h.body["result"]["output"]["greeting"] for h in hook.received] == ["Hello, C!", "Hello, D!"]


def test_a_waited_run_that_returns_inline_does_not_call_the_webhook(live):
    graph_id = live.compile("hello")
    with Receiver() as hook, live.client() as c:
        r = c.post(INVOKE, json={"graph_id": graph_id, "input": {"name": "E"}, "wait": True,
                                 "webhook": {"url": hook.url}})
        assert r.json()["result"]["success"] is True
        # an async run posted afterwards is the only delivery
        c.post(INVOKE, json={"graph_id": graph_id, "input": {"name": "F"}, "webhook": {"url": hook.url}})
        assert wait_for(lambda: hook.received)
    assert [h.body["result"]["output"]["greeting"] for h in hook.received] == ["Hello, F!"]


def test_a_waited_run_that_times_out_delivers_its_result_later(flows):
    graph_id = flows.compile("faults-slow4")
    with Receiver() as hook, flows.client() as c:
        r = c.post(INVOKE, json={"graph_id": graph_id, "input": {"text": "s"}, "wait": True, "timeout_seconds": 1,
                                 "webhook": {"url": hook.url}})
        assert r.json()["error_message"] == "timeout waiting for flow result (1s)"
        assert wait_for(lambda: hook.received)
    assert hook.received[0].body["execution_id"] == r.json()["execution_id"]
    assert hook.received[0].body["result"]["output"]["text"] == "s++++"
