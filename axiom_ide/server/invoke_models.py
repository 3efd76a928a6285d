"""The invoke routes' request bodies (reference/http-api "Invoke a flow"), as models that validate
the request (``invocations.py``) and generate its schema — in the server's spec and in every
flow's spec (``openapi.py``), so the two can never disagree."""
from __future__ import annotations

import base64
import binascii
from typing import Any, ClassVar

from pydantic import ConfigDict, Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from axiom_ide.server.routes import Body
from axiom_ide.server.webhooks import Webhook, parse_webhook

GRAPH_ID: dict[str, Any] = {"type": "string", "pattern": "^[0-9A-HJKMNP-TV-Z]{26}$",
            "description": "A compiled artifact's 26-character id."}
COMMON_FIELDS: dict[str, dict[str, Any]] = {
    "payload": {"type": "string", "format": "byte",
                "description": "The entry node's input message as protobuf bytes, base64-encoded. "
                               "`input` takes precedence when both are set."},
    "timeout_seconds": {"type": "integer", "default": 30,
                        "description": "How long to wait for the result (unary with `wait`) or the stream "
                                       "(pipeline) before giving up; default 30."},
    "config_id": {"type": "string",
                  "description": "Named flow config profile; when omitted the defaults apply "
                                 "(tenant default → flow default)."},
    "debug_session_id": {"type": "string",
                         "description": "Stream this execution's per-node debug events to the named debug "
                                        "session (the `X-Debug-Session-Id` header takes precedence)."},
}
WAIT: dict[str, Any] = {"type": "boolean", "default": False,
        "description": "Block until the execution completes and include `result`; otherwise the response "
                       "returns at once with `accepted` and `execution_id`."}
WEBHOOK: dict[str, Any] = {"type": "object", "required": ["url"], "additionalProperties": False,
           "description": "Where to POST the result (the body a waited invoke returns) when it is not returned "
                          "inline: without `wait`, or when a `wait` runs out of time.",
           "properties": {"url": {"type": "string", "format": "uri", "pattern": "^https?://"},
                          "headers": {"type": "object", "additionalProperties": {"type": "string"}}}}


class InvokeStreamBody(Body):
    """The body of ``/invoke/stream`` (reference/http-api "Invoke a flow"; ``wait`` does not apply)."""

    model_config = ConfigDict(strict=True, extra="forbid",
                              json_schema_extra={"required": ["graph_id"]})  # a missing one: the documented 500
    graph_id: str | None = Field(None, json_schema_extra=GRAPH_ID)
    input: Any = Field(None, description="The entry node's input message as a JSON object (one that does not "
                                         "match it fails the run: `invalid JSON for <Message>: ...`).")
    payload: str | None = Field(None, json_schema_extra=COMMON_FIELDS["payload"])
    timeout_seconds: int | None = Field(None, ge=1, json_schema_extra=COMMON_FIELDS["timeout_seconds"])
    config_id: str | None = Field(None, json_schema_extra=COMMON_FIELDS["config_id"])
    debug_session_id: str | None = Field(None, json_schema_extra=COMMON_FIELDS["debug_session_id"])
    messages: ClassVar[dict[str, str]] = {"graph_id": "graph_id must be a string, got {got}",
                "payload": "payload must be a base64 string, got {got}",
                "timeout_seconds": "timeout_seconds must be a positive integer, got {value}",
                "config_id": "config_id must be a string, got {got}",
                "debug_session_id": "debug_session_id must be a string, got {got}",
                "wait": "wait must be true or false, got {got}"}

    @field_validator("payload")
    @classmethod
    def _base64(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise ValueError(f"payload is not valid base64: {exc}") from None
        return value


    #: Accepted and ignored (as the platform does), not documented: frames are always delivered as produced.
    wait: SkipJsonSchema[bool] = False


class InvokeBody(InvokeStreamBody):
    """The body of ``/invoke``: the stream's fields, ``wait`` and ``webhook``."""

    wait: bool = Field(False, json_schema_extra=WAIT)
    webhook: Any = Field(None, json_schema_extra={**WEBHOOK, "nullable": True})

    @field_validator("webhook")
    @classmethod
    def _webhook(cls, value: Any) -> Webhook | None:
        return None if value is None else parse_webhook(value)  # its ValueError names the field




class NodeInvokeBody(Body):
    """The body of ``POST /invocations/v1/nodes/invoke`` (protobuf bytes in, protobuf bytes out)."""

    node_id: str = Field(min_length=1, description="A node id or a name path `owner/pkg/version/Node`.")
    payload: str = Field(description="The node's input message as protobuf bytes, base64-encoded.",
                         json_schema_extra={"format": "byte"})
    messages: ClassVar[dict[str, str]] = {"node_id": "node_id is required", "payload:missing": "payload is required",
                "payload": "payload must be a base64 string"}
