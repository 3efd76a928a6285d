"""The request and response bodies of the Client Builder routes (``/api/clients/...``,
:mod:`.client_routes`), one model each: the requests validate and generate the OpenAPI request
schemas (:mod:`.routes`), the handlers answer with :func:`~.response_models.respond` and the
responses' schemas come from the same models."""
from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, field_validator

from axiom_ide.runtime.clients.model import LANGUAGE_KEYS, MAX_NAME_LENGTH
from axiom_ide.server.response_models import Reply, absent, ms
from axiom_ide.server.routes import Body

#: A client name as the schema states it (``check_client_name`` is the rule the server applies).
NAME_PATTERN = rf"^[A-Za-z][A-Za-z0-9_-]{{0,{MAX_NAME_LENGTH - 1}}}$"
Language = Annotated[str, Field(json_schema_extra={"enum": list(LANGUAGE_KEYS)})]


# -- requests --------------------------------------------------------------------------------------
class ClientCreate(Body):
    name: str = Field(description="The SDK's name (billing → billing_sdk): a letter, then letters, digits, - and _.",
                      json_schema_extra={"pattern": NAME_PATTERN, "maxLength": MAX_NAME_LENGTH})
    messages: ClassVar[dict[str, str]] = {"name:missing": "a client name is required",
                                          "name:type": '"name" must be a string'}
    # The name's rule is the runtime's (check_client_name, refused as invalid_client_name, as locally).


class MemberIn(Body):
    kind: Literal["node", "flow"] = Field(description="node or flow")
    target: str = Field(description="owner/pkg@version:Node for a node, the flow's name for a flow",
                        json_schema_extra={"minLength": 1})
    alias: str = Field(description="The method name the SDK generates (unique within the client)")


class MembersAdd(Body):
    members: list[MemberIn] = Field(description="Added all or none: each must name a node or flow the tenant sees "
                                    "here, every alias unique", json_schema_extra={"minItems": 1})
    messages: ClassVar[dict[str, str]] = {"members": '"members" must be a list of {{kind, target, alias}} objects'}


def _languages(values: list[str]) -> list[str]:
    if not values:
        raise ValueError("choose at least one language to build")
    for v in values:
        if v not in LANGUAGE_KEYS:
            raise ValueError(f'unknown language "{v}" (choose from {", ".join(LANGUAGE_KEYS)})')
    return values


class BuildRequest(Body):
    languages: list[Language] = Field(description="The languages this version is built in (one version for all)",
                                      json_schema_extra={"minItems": 1})
    messages: ClassVar[dict[str, str]] = {"languages:missing": "choose at least one language to build",
                                          "languages:type": '"languages" must be a list of language keys'}

    @field_validator("languages")
    @classmethod
    def _check(cls, value: list[str]) -> list[str]:
        return _languages(value)


class LanguageAdd(Body):
    language: Language = Field(description="A language the version does not have yet (or whose build failed)")
    messages: ClassVar[dict[str, str]] = {"language:missing": '"language" is required',
                                          "language:type": '"language" must be a language key'}

    @field_validator("language")
    @classmethod
    def _check(cls, value: str) -> str:
        return _languages([value])[0]


# -- responses -------------------------------------------------------------------------------------
class ClientMember(Reply):
    kind: str = Field(json_schema_extra={"enum": ["node", "flow"]})
    target: str
    alias: str


class ClientReply(Reply):
    name: str
    members: list[ClientMember]
    created_at: int | None = ms()
    updated_at: int | None = ms()


class ClientList(Reply):
    clients: list[ClientReply]


class BuildRow(Reply):
    language: str = Field(json_schema_extra={"enum": list(LANGUAGE_KEYS)})
    status: str = Field(json_schema_extra={"enum": ["pending", "building", "succeeded", "failed"]})
    error: str | None = Field(description="why the build failed; null otherwise")
    updated_at: int | None = ms()


class VersionMember(Reply):
    """A member as the version froze it: what it calls, its mode and message types."""

    kind: str = Field(json_schema_extra={"enum": ["node", "flow"]})
    alias: str
    target: str
    mode: str = Field(json_schema_extra={"enum": ["unary", "pipeline"]})
    description: str | None
    input: str = Field(description="the input message's full name")
    output: str = Field(description="the output message's full name")
    package: str = absent("a node's package")
    version: str = absent("a node's package version")
    node: str = absent("a node's name")
    flow: str = absent("a flow's name")
    graph_id: str = absent("the flow's compiled artifact the SDK invokes")


class VersionReply(Reply):
    client: str
    version: int
    created_at: int | None = ms()
    members: list[VersionMember]
    builds: list[BuildRow]


class VersionList(Reply):
    client: str
    versions: list[VersionReply]
