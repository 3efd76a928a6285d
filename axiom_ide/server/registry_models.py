"""Request and response models of the registry routes (:mod:`axiom_ide.server.registry_routes`);
the routes' OpenAPI operations are generated from them."""
from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from axiom_ide.server.response_models import Reply, absent, ms
from axiom_ide.server.routes import Body, Query

COMMIT_PATTERN = "^[0-9a-f]{40}$"


class PushBody(Body):
    repository: str = Field(description="The git remote the commit was pushed to (URL or local path)",
                            json_schema_extra={"minLength": 1, "maxLength": 4096})
    commit: str = Field(description="The 40-hex HEAD commit the archive was made from",
                        json_schema_extra={"pattern": COMMIT_PATTERN})
    archive: str = Field(description="base64 of a gzip'd tar of the package tree at that commit "
                                     "(`git archive --format=tar.gz <commit>:<package dir>`)",
                         json_schema_extra={"minLength": 1})
    messages: ClassVar[dict[str, str]] = {
        "repository": '"repository" (a string) is required', "commit": '"commit" (40 hex digits) is required',
        "archive": '"archive" (base64 of a tar.gz) is required'}


class ProtosQuery(Query):
    version: str | None = Field(None, description="The version; omitted: the most recent one")


class NodeEndpoint(Reply):
    name: str
    node_id: str
    endpoint: str = Field(description="POST URL of the node's JSON endpoint")
    curl: str


class Pushed(Reply):
    """201 of a push and 200 of a publish: the stored package version."""

    name: str
    version: str
    key: str
    visibility: str = Field(json_schema_extra={"enum": ["private", "public"]})
    commit: str
    repository: str
    pushed_at: int = ms()
    published_at: int | None = ms()
    package_url: str = Field(description="the package's live endpoint: POST <package_url>/<Node>")
    docs_url: str
    nodes: list[NodeEndpoint]
    log: list[str] = absent("build progress, one line per step (push only)")


class PushFailed(Reply):
    """400 of a push: the step that failed, in its own words, and the log up to it."""

    error: str = Field(json_schema_extra={"enum": ["push_failed", "invalid_archive", "invalid_argument"]})
    message: str
    log: list[str] = absent()


class RegistryNode(Reply):
    """A node of a listed package, as its axiom.yaml declares it."""

    name: str
    type: str = Field(json_schema_extra={"enum": ["unary", "pipeline"]})
    description: str
    input: str = Field(description="the input message type")
    output: str = Field(description="the output message type")
    required_secrets: list[str] = Field(default_factory=list, description="the secrets the node needs to run")


class RegistryPackage(Reply):
    name: str
    version: str
    key: str
    visibility: str = Field(json_schema_extra={"enum": ["private", "public"]})
    commit: str
    pushed_at: int = ms()
    published_at: int | None = ms()
    description: str = Field(description="the manifest's description (empty when it has none)")
    language: str
    author: str
    license: str
    tags: list[str]
    nodes: list[RegistryNode] = Field(description="empty for a proto-only package")
    messages: list[str] = Field(description="the messages the package defines (what `import` downloads)")
    deploy_status: str = Field(description="as `GET /api/packages` says it: `deployed`, `failed` (see "
                                           "`deploy_detail`) or `not deployed` (proto-only)",
                               json_schema_extra={"enum": ["deployed", "failed", "not deployed"]})
    deploy_detail: str | None = Field(description="why not deployed; null when deployed")


class RegistryPackages(Reply):
    packages: list[RegistryPackage] = Field(description="most recently published first (a push by its push "
                                                        "time), then by name, then the higher version")


class ProtoFile(Reply):
    path: str = Field(description="file name: the first message it defines, snake_case")
    content: str
    messages: list[str]


class ImportedFile(Reply):
    path: str
    content: str


class ProtoImport(Reply):
    """Message types the package imports from another package (its ``imports/<scope-name>/<version>/``)."""

    package: str
    version: str
    messages: list[str]
    files: list[ImportedFile]


class Protos(Reply):
    name: str
    version: str
    files: list[ProtoFile]
    imports: list[ProtoImport] = Field(default_factory=list, description="the types the package imports from "
                                       "others (for a type descriptor of it; `import` takes `files` only)")


class FlowPublished(Reply):
    artifact_id: str
    visibility: str = Field(json_schema_extra={"enum": ["public"]})


class PublicFlow(Reply):
    graph_id: str
    flow: str
    published_at: int = ms()


class PublicFlows(Reply):
    flows: list[PublicFlow]


def millis(t: Any) -> int | None:
    return int(float(t) * 1000) if t is not None else None


def build_pushed(answer: dict[str, Any]) -> dict[str, Any]:
    """The 201 body as the model orders and checks it (for the streamed push's final frame)."""
    from axiom_ide.server.response_models import build

    result: dict[str, Any] = build(Pushed, answer)
    return result
