"""The response bodies of the management routes (``/api/...``, management(_tenant).py), one model
each: the handlers answer with :func:`~axiom_ide.server.response_models.respond` and the routes'
OpenAPI responses are generated from the same models (``management_spec.RESPONSES``)."""
from __future__ import annotations

from typing import Any

from pydantic import Field

from axiom_ide.server.response_models import Num, Reply, absent, ms


class Diagnostic(Reply):
    code: str
    severity: str = Field(json_schema_extra={"enum": ["error", "warning", "info"]})
    message: str
    location: dict[str, Any] = Field(description="file, line, column, node, path, edge {from, to}")
    exception_type: str = absent()
    traceback: str = absent()
    text: str = Field(description="file:line:col: severity: message")


class CompileFailed(Reply):
    """400 of ``POST /api/compile``: ``invalid_argument`` or ``compile_failed`` with diagnostics."""

    error: str = Field(json_schema_extra={"enum": ["invalid_argument", "compile_failed"]})
    message: str
    diagnostics: list[Diagnostic] = absent()
    location: dict[str, Any] = absent("the first error's location")
    exception_type: str = absent()


class Compiled(Reply):
    ok: bool
    graph_id: str
    flow: str
    mode: str
    entry: str
    terminal: str
    input_type: str
    output_type: str
    created_at: int | None = ms()
    warnings: list[Diagnostic]


class ArtifactRow(Reply):
    graph_id: str
    flow: str
    mode: str = Field(json_schema_extra={"enum": ["unary", "pipeline"]})
    created_at: int | None = ms()


class Flow(Reply):
    name: str
    file: str | None
    description: str
    mode: str
    latest_artifact: ArtifactRow | None


class FlowProblem(Reply):
    file: str
    error: str


class Flows(Reply):
    flows: list[Flow]
    problems: list[FlowProblem]


class Artifacts(Reply):
    flow: str
    artifacts: list[ArtifactRow]


class GraphNode(Reply):
    id: str
    node: str
    kind: str
    input_type: str
    output_type: str


class Graph(Reply):
    graph_id: str
    flow: str
    mode: str
    entry: str
    terminal: str
    input_type: str
    output_type: str
    created_at: int | None = ms()
    warnings: list[str]
    nodes: list[GraphNode]
    source: dict[str, Any] | None = Field(description="the flow document as compiled")


class PackageNode(Reply):
    name: str
    ref: str
    type: str = Field(json_schema_extra={"enum": ["unary", "pipeline"]})
    description: str
    input: str
    output: str
    required_secrets: list[str]


class Package(Reply):
    name: str
    version: str
    key: str
    language: str
    description: str
    author: str = Field(description="the manifest's author (empty when it names none)")
    license: str = Field(description="the manifest's license (empty when it names none)")
    tags: list[str]
    nodes: list[PackageNode]
    messages: list[str] = Field(description="the messages the package's protos define (empty for none)")
    visibility: str = Field(description="`workspace`: the server's own workspace; `private`: the caller's push; "
                                        "`public`: published", json_schema_extra={"enum": ["workspace", "private",
                                                                                          "public"]})
    pushed_at: int | None = ms("unix milliseconds of the push; null for a workspace package")
    published_at: int | None = ms("unix milliseconds of the publish; null unless published")
    deploy_status: str = Field(description="`deployed`: every node answers at its endpoint; `failed`: one does "
                                           "not (see `deploy_detail`); `not deployed`: proto-only, no nodes",
                               json_schema_extra={"enum": ["deployed", "failed", "not deployed"]})
    deploy_detail: str | None = Field(description="why not deployed; null when deployed")


class Packages(Reply):
    packages: list[Package]
    problems: list[str]


class Secret(Reply):
    name: str
    created_at: int | None = ms()
    updated_at: int | None = ms()


class Secrets(Reply):
    secrets: list[Secret]


class SecretSet(Reply):
    name: str
    replaced: bool


class Config(Reply):
    id: str
    flow: str | None
    name: str
    node_timeout_seconds: Num | None
    max_attempts: int | None
    secret_overrides: list[str] = Field(description="override names only")
    created_at: int | None = ms()
    updated_at: int | None = ms()


class Configs(Reply):
    configs: list[Config]


class EffectiveConfig(Reply):
    flow: str | None
    node_timeout_seconds: Num
    max_attempts: int
    secret_overrides: list[str] = Field(description="names of the secret overrides that apply; never values")
    layers: list[str] = Field(description="ids of the configs applied, in layer order")


class Key(Reply):
    name: str
    key: str = Field(description="masked: first 8 … last 4")
    created_at: int | None = ms()
    last_used: int | None = ms()


class Keys(Reply):
    keys: list[Key]


class NewKey(Reply):
    name: str
    tenant: str
    key: str = Field(description="the raw key, shown once")
    masked: str
    created_at: int | None = ms()


class Whoami(Reply):
    """``GET /api/whoami``: who the caller's API key is (what ``axiom-ide whoami`` prints)."""

    email: str | None = Field(description="the user's email; null: this server's keys belong to no user account")
    tenant: str = Field(description="the tenant every request made with this key acts as")
    key: str = Field(description="the key's name")
    masked: str = Field(description="the key, masked: first 8 … last 4")
    created_at: int | None = ms()


class MemoryFlow(Reply):
    flow_id: str
    sessions: int
    last_active: int | None = ms()


class MemoryFlows(Reply):
    flows: list[MemoryFlow]


class MemorySessionRow(Reply):
    session_id: str
    turns: int
    entries: int
    last_active: int | None = ms()
    ended_at: int | None = ms("unix milliseconds of the last end; null while open")


class MemorySessions(Reply):
    flow_id: str
    sessions: list[MemorySessionRow]


class MemoryHit(Reply):
    id: str
    content: str
    scope_level: str
    memory_type: str
    importance: Num
    confidence: Num
    score: Num
    created_at: int | None = ms()


class MemorySearchResult(Reply):
    flow_id: str
    query: str
    method: str
    latency_ms: Num
    results: list[MemoryHit]


class Turn(Reply):
    id: str
    flow_id: str
    role: str
    content: str
    created_at: int | None = ms()


class Entry(Reply):
    id: str
    flow_id: str
    memory_type: str
    importance: Num
    confidence: Num = 1.0
    content: str
    created_at: int | None = ms()


class Consolidation(Reply):
    """An ended session's consolidation (runtime/memory/consolidation.py)."""
    status: str = Field(description="enqueued, running, done or failed")
    completed_at: int | None = ms("unix milliseconds it finished; null until then")
    note: str | None = Field(None, description='what it did, e.g. "4 turn(s) read: 2 fact(s) stored, 1 merged"')


class MemorySession(Reply):
    session_id: str
    ended_at: int | None = ms("unix milliseconds of the last end; null while open")
    consolidation: Consolidation | None = None
    turns: list[Turn]
    memories: list[Entry]


class MemoryEnded(Reply):
    session_id: str
    flows: list[str]
    ended_at: int | None = ms()
    consolidation: str = Field("enqueued", description="consolidation runs in the background; "
                               "GET the session for its status")


class Deleted(Reply):
    """A memory delete: how many records went, and what."""

    session_id: str = absent()
    flow_id: str = absent()
    deleted: int = Field(description="records removed")
