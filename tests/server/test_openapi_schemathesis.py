"""Property-based API tests: schemathesis drives every operation of the server's own spec.

The spec is fetched from a dedicated live server (``GET /api/openapi.json``), so every route that
is registered is tested — including routes other modules add later, through their ``OPERATIONS``.
The run is small and repeatable: positive data only (bodies and parameters the spec allows), five
examples per operation, a deterministic seed, no example database.

Checks: the status code is documented, the content type is the documented one, a JSON body
matches its documented schema, and a 500 is only ever the envelope's classified catch-all
``{"accepted": false, "error_message": ...}`` for a known cause — never an unhandled exception
(``internal error: ...``). ``not_a_server_error`` is not used: the HTTP reference documents 500 for
invocations it cannot classify (a missing or unknown ``graph_id``).

Not covered here: generated ``graph_id``s never name a compiled artifact, so successful runs are
covered by the example-driven tests (test_openapi.py, tests/cli/test_api_cli.py); invoke bodies lose
any generated ``webhook`` (the server would POST to the generated URL, off this machine).
"""
from __future__ import annotations

import httpx
import pytest
import schemathesis
from conftest import start_server, stop_server
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import content_type_conformance, response_schema_conformance, status_code_conformance

CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 5


@pytest.fixture(scope="module")
def api_server(tmp_path_factory):
    server = start_server(tmp_path_factory.mktemp("schemathesis"))
    yield server
    stop_server(server)


def _check_operation(operation, origin: str, headers: dict) -> None:
    # schemathesis' own pytest plugin (``schema.parametrize``) does not run on pytest 9, so each
    # operation gets a plain Hypothesis test over the operation's strategy.
    @settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(GenerationMode.POSITIVE))
    def check(case):
        if isinstance(case.body, dict):
            case.body.pop("webhook", None)
        response = case.call(base_url=origin, headers=headers, timeout=60)
        case.validate_response(response, checks=CHECKS)
        if response.status_code == 500:
            body = response.json()
            assert body.get("accepted") is False, body
            assert not body["error_message"].startswith("internal error"), body

    check()


def test_every_operation_answers_as_documented(api_server):
    spec = httpx.get(f"{api_server.origin}/api/openapi.json").json()
    schema = schemathesis.openapi.from_dict(spec)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == sum(len(item) for item in spec["paths"].values())
    failures: dict[str, str] = {}
    for operation in operations:
        try:
            _check_operation(operation, api_server.origin, api_server.headers())
        except Exception as exc:  # noqa: BLE001 — report every failing operation, not just the first
            failures[operation.label] = f"{type(exc).__name__}: {exc}"[:2000]
    assert failures == {}
