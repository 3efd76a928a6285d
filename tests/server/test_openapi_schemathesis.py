"""Property-based API tests: schemathesis drives every operation of the server's own spec, with data
the spec allows (positive) and data it forbids (negative).

The spec is fetched from a dedicated live server (``GET /api/openapi.json``), so every route that
is registered is tested — including routes other modules add later, through their ``OPERATIONS``.
The run is small and repeatable: a fixed number of examples per operation and mode, a deterministic
seed, no example database.

Checks, on every response: the status code is documented, the content type is the documented one, a
JSON body matches its documented schema. Positive data must be accepted (``positive_data_acceptance``:
2xx, or 401/403/404/409/429 for ids that do not exist) and negative data refused with a 4xx
(``negative_data_rejection``) — so the server's validation and its spec agree both ways. A 5xx is
only ever the envelope's classified catch-all ``{"accepted": false, "error_message": ...}`` on an
operation that documents it (the HTTP reference's 500 for an invocation it cannot classify, e.g. an
unknown ``graph_id``) — never an unhandled exception (``internal error: ...``).

Where the spec cannot say what the server needs, positive acceptance is not asked for, and why:
:data:`CONTENT_DEPENDENT` (a random flow.yaml does not compile; random protobuf bytes are not the
node's message; a random archive is no package). Not covered here: generated ``graph_id``s never name a compiled artifact, so
successful runs are covered by the example-driven tests (test_openapi.py, tests/cli/test_api_cli.py);
invoke bodies lose any generated ``webhook`` (the server would POST to the generated URL, off this
machine); generated secret override names are made valid (OpenAPI 3.0 has no ``propertyNames``);
positive cases send no ``cursor`` (an opaque token only the server issues); a negative case whose
request line passes aiohttp's 8190-byte limit is refused by its HTTP parser (plain-text 400) before
the application sees it, so it is not checked against the spec.
"""
from __future__ import annotations

import re

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from live_server import start_server, stop_server
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.parameters import ParameterLocation

CONFORMANCE = [status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 8
#: Operations whose success depends on content no schema can describe.
CONTENT_DEPENDENT = {"POST /api/compile", "POST /invocations/v1/nodes/invoke",
                     "POST /invocations/v1/nodes/{owner}/{pkg}/{version}/{node}",
                     "POST /invocations/v1/nodes/{node_id}",
                     "POST /api/registry/packages",  # a random archive is no package
                     "POST /api/clients/{name}/members"}  # a random target names no node or flow
_SECRET_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,127}$")


@pytest.fixture(scope="module")
def api_server(tmp_path_factory):
    server = start_server(tmp_path_factory.mktemp("schemathesis"))
    yield server
    stop_server(server)


def _prepare(case, mode: GenerationMode) -> None:
    if mode is GenerationMode.POSITIVE and isinstance(case.query, dict):
        case.query.pop("cursor", None)  # an opaque token only the server issues
    if isinstance(case.body, dict):
        case.body.pop("webhook", None)
        overrides = case.body.get("secret_overrides")
        if isinstance(overrides, dict):
            case.body["secret_overrides"] = {k: v for k, v in overrides.items() if _SECRET_NAME.match(k)}


def _headers(case, mode: GenerationMode, auth: dict[str, str]) -> dict[str, str]:
    """Our key, unless this negative case is about the headers (then its own, e.g. no key at all)."""
    header = case.meta.components.get(ParameterLocation.HEADER) if case.meta else None
    if mode is GenerationMode.NEGATIVE and header is not None and header.mode.is_negative:
        return {}
    return auth


def _check_operation(operation, mode: GenerationMode, origin: str, auth: dict[str, str]) -> None:
    # schemathesis' own pytest plugin (``schema.parametrize``) does not run on pytest 9, so each
    # operation gets a plain Hypothesis test over the operation's strategy.
    checks = list(CONFORMANCE)
    if mode is GenerationMode.NEGATIVE:
        checks.append(negative_data_rejection)
    elif operation.label not in CONTENT_DEPENDENT:
        checks.append(positive_data_acceptance)
    documents_500 = "500" in operation.definition.raw.get("responses", {})

    @settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(mode))
    def check(case):
        _prepare(case, mode)
        response = case.call(base_url=origin, headers=_headers(case, mode, auth), timeout=60)
        if response.status_code == 400 and response.content.startswith(b"Got more than "):
            return  # a request line over aiohttp's 8190 bytes: its HTTP parser refuses it before the app
        case.validate_response(response, checks=checks)
        if response.status_code >= 500:
            body = response.json()
            assert documents_500 and response.status_code == 500, (response.status_code, body)
            assert body.get("accepted") is False, body
            assert not body["error_message"].startswith("internal error"), body

    try:
        check()
    except Unsatisfiable:
        assert mode is GenerationMode.NEGATIVE  # nothing to negate (no parameters, no body)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_every_operation_answers_as_documented(api_server, mode):
    spec = httpx.get(f"{api_server.origin}/api/openapi.json").json()
    schema = schemathesis.openapi.from_dict(spec)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == sum(len(item) for item in spec["paths"].values())
    failures: dict[str, str] = {}
    for operation in operations:
        try:
            _check_operation(operation, mode, api_server.origin, api_server.headers())
        except BaseException as exc:  # report every failing operation, not just the first
            if isinstance(exc, KeyboardInterrupt):
                raise
            failures[operation.label] = f"{type(exc).__name__}: {exc}"[:1500]
    assert not failures, "\n\n".join(f"== {label}\n{text}" for label, text in failures.items())
