"""One description per route: typed request models (pydantic) that both validate and document.

A route module builds a :class:`RouteTable`, declares each route once with its method, path, summary,
and the models of its JSON body and query string, and gets from the same declaration

- the aiohttp route (``table.setup(app)``), whose handler receives the validated models
  (``body=``, ``query=``) — a request the models refuse never reaches it; and
- the OpenAPI operation (``table.operations()`` → the module's ``OPERATIONS``), whose request schema
  is generated from the models (:func:`openapi_schema`), so the spec and the validation cannot
  disagree.

A refused request is answered in the route group's own documented 400 envelope (``invalid``), with
a message naming the field: a model may give a field's wording in ``messages`` — key ``field``,
or ``field:missing`` / ``field:type`` / ``field:range`` for one kind of problem (``{got}`` is the
JSON type that was sent, ``{value}`` the value as JSON); otherwise it is ``<field> is required``,
``unknown field(s): ...`` or ``<field>: <pydantic's message>``. A body that is not JSON at all goes
to ``bad_json`` (the invocation routes word it ``invalid request body: ...``).

Request bodies are strict (``"3"`` is not an integer, ``1.5`` not an integer, ``true`` not a
number) and refuse unknown fields unless a model says otherwise; query strings are text, so their
models convert (``limit=10``).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict, ValidationError

from axiom_ide.server.envelope import BodyError, body_bytes, parse_json


class Body(BaseModel):
    """A JSON request body: strict types, unknown fields refused."""

    model_config = ConfigDict(strict=True, extra="forbid")
    #: field → the message for a wrong value of it (``{got}``: the JSON type sent; ``{value}``: it as JSON).
    messages: ClassVar[dict[str, str]] = {}
    #: The message for unknown fields (``{names}``: them, comma-separated).
    unknown_fields: ClassVar[str] = "unknown field(s): {names}"


class Query(BaseModel):
    """A query string: values are text and converted; unknown parameters are ignored."""

    model_config = ConfigDict(extra="ignore", validate_default=True)  # defaults go through the validators too
    messages: ClassVar[dict[str, str]] = {}
    unknown_fields: ClassVar[str] = "unknown parameter(s): {names}"


def json_type(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number")


_RANGE_ERRORS = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal", "too_short",
                           "too_long", "string_too_short", "string_too_long", "string_pattern_mismatch",
                           "literal_error", "enum"})


def describe(exc: ValidationError, model: type[BaseModel]) -> str:
    """One sentence for the first problem pydantic found, naming the field."""
    errors = exc.errors()
    unknown = [str(e["loc"][-1]) for e in errors if e["type"] == "extra_forbidden"]
    if unknown and len(unknown) == len(errors):
        return model.unknown_fields.format(names=", ".join(sorted(unknown)))  # type: ignore[attr-defined]
    err = next(e for e in errors if e["type"] != "extra_forbidden")
    loc = ".".join(str(p) for p in err["loc"])
    top = str(err["loc"][0]) if err["loc"] else ""
    messages: dict[str, str] = getattr(model, "messages", {})
    if err["type"] == "missing":
        return messages.get(f"{top}:missing") or messages.get(top) or f"{loc} is required"
    if err["type"] == "value_error":  # a validator's own words
        return str(err["ctx"]["error"])
    kind = "range" if err["type"] in _RANGE_ERRORS else "type"
    template = messages.get(f"{loc}:{kind}") or messages.get(f"{top}:{kind}") or messages.get(loc) or messages.get(top)
    if template:
        value = err.get("input")
        try:
            shown = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            shown = repr(value)
        return template.format(got=json_type(value), value=shown)
    return f"{loc}: {err['msg'][0].lower()}{err['msg'][1:]}" if loc else err["msg"]


class Invalid(Exception):
    """The request does not match its models; ``str(exc)`` names the field."""


class NotAnObject(Exception):
    """The body is JSON but not an object; ``str(exc)`` is the JSON type it is."""


def validate_body(request: web.Request, model: type[BaseModel], *, required: bool = True) -> Any:
    """The body validated by ``model``; an absent body is ``{}`` unless ``required``.
    Raises BodyError (not JSON) or Invalid."""
    raw = body_bytes(request)
    data: Any = parse_json(raw) if raw.strip() or required else {}
    if not isinstance(data, dict):
        raise NotAnObject(json_type(data))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Invalid(describe(exc, model)) from None


def validate_query(request: web.Request, model: type[BaseModel]) -> Any:
    data: dict[str, Any] = {}
    for key in request.query:
        values = request.query.getall(key)
        data[key] = values if len(values) > 1 else values[0]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Invalid(describe(exc, model)) from None


# -- OpenAPI ---------------------------------------------------------------------------------------
def openapi_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema as OpenAPI 3.0 wants it: inlined definitions, ``nullable`` instead of
    a null type, ``enum`` for ``const``, boolean exclusive bounds, one ``example``."""
    raw = model.model_json_schema(mode="validation")
    raw.pop("description", None)  # the model's docstring is for programmers
    defs = raw.pop("$defs", {})
    return _convert(raw, defs)


def _convert(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_convert(n, defs) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = defs[node["$ref"].rsplit("/", 1)[1]]
        return _convert({**target, **{k: v for k, v in node.items() if k != "$ref"}}, defs)
    out = {k: _convert(v, defs) for k, v in node.items() if k != "title"}
    if "properties" in node:  # property names are data, not keywords: keep them all
        out["properties"] = {name: _convert(v, defs) for name, v in node["properties"].items()}
    variants = out.get("anyOf")
    if variants and {"type": "null"} in variants:
        rest = [v for v in variants if v != {"type": "null"}]
        del out["anyOf"]
        out = {**rest[0], **out} if len(rest) == 1 else {**out, "anyOf": rest}
        out["nullable"] = True
    if out.get("default", 0) is None and not out.get("nullable"):
        del out["default"]  # pydantic's "absent" default, not a value the schema allows
    if "const" in out:
        out["enum"] = [out.pop("const")]
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if bound in out and not isinstance(out[bound], bool):
            out[plain] = out.pop(bound)
            out[bound] = True
    if "examples" in out:
        examples = out.pop("examples")
        if examples:
            out["example"] = examples[0]
    return out


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = openapi_schema(model)
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        description = prop.pop("description", None)
        param: dict[str, Any] = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            param["description"] = description
        if prop.get("type") == "array":
            param["explode"] = True
        params.append(param)
    return params


# -- the table -------------------------------------------------------------------------------------
@dataclass
class Route:
    method: str
    path: str
    handler: Callable
    operation: dict[str, Any]


@dataclass
class RouteTable:
    """The routes of one module. ``invalid(message)`` is the group's 400 for a refused field;
    ``bad_json(detail)`` for a body that is not JSON (default: ``invalid``)."""

    invalid: Callable[[str], web.StreamResponse]
    bad_json: Callable[[str], web.StreamResponse] | None = None
    #: The message for a JSON body that is not an object (``{got}``: its JSON type).
    not_an_object: str = "expected a JSON object, got {got}"
    tags: list[str] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)

    def route(self, method: str, path: str, *, responses: dict[str, Any], summary: str = "",
              body: type[BaseModel] | None = None, body_required: bool = True, query: type[BaseModel] | None = None,
              parameters: list[dict[str, Any]] | None = None, description: str = "",
              extra_content: dict[str, Any] | None = None, tags: list[str] | None = None) -> Callable:
        """Declare a route; the decorated handler is called as ``handler(request, body=..., query=...)``
        (only the models declared). ``extra_content`` adds request media types the handler reads
        itself (e.g. a YAML body): a request of one of those types gets ``body=None``."""
        operation: dict[str, Any] = {"summary": summary, "tags": tags or self.tags}  # summary: else the docstring
        if description:
            operation["description"] = description
        params = list(parameters or [])
        if query is not None:
            params += query_parameters(query)
        if params:
            operation["parameters"] = params
        if body is not None:
            content = {"application/json": {"schema": openapi_schema(body)}, **(extra_content or {})}
            operation["requestBody"] = {"required": body_required, "content": content}
        operation["responses"] = {**responses, "400": responses.get("400") or _generic_400()} if (
            body is not None or query is not None) else dict(responses)

        def decorate(fn: Callable) -> Callable:
            operation["summary"] = operation["summary"] or " ".join((fn.__doc__ or fn.__name__).split())
            invalid, bad_json = self.invalid, self.bad_json or self.invalid
            own_types = set(extra_content or ())  # media types the handler reads itself

            async def handler(request: web.Request) -> web.StreamResponse:
                kwargs: dict[str, Any] = {}
                try:
                    if query is not None:
                        kwargs["query"] = validate_query(request, query)
                    if body is not None and request.content_type not in own_types:
                        kwargs["body"] = validate_body(request, body, required=body_required)
                    elif body is not None:
                        kwargs["body"] = None
                except BodyError as exc:
                    return bad_json(str(exc))
                except NotAnObject as exc:
                    return invalid(self.not_an_object.format(got=exc))
                except Invalid as exc:
                    return invalid(str(exc))
                return await fn(request, **kwargs)

            handler.__name__ = fn.__name__
            handler.__doc__ = fn.__doc__
            handler.__module__ = fn.__module__
            if getattr(fn, "axiom_public", False):
                handler.axiom_public = True  # type: ignore[attr-defined]
            if getattr(fn, "axiom_key_optional", False):
                handler.axiom_key_optional = True  # type: ignore[attr-defined]
            handler.axiom_models = {"body": body, "query": query}  # type: ignore[attr-defined]  # for tests and tools
            self.routes.append(Route(method, path, handler, operation))
            return handler

        return decorate

    def setup(self, app: web.Application) -> None:
        for r in self.routes:
            app.router.add_route(r.method, r.path, r.handler)

    def operations(self) -> dict[tuple[str, str], dict[str, Any]]:
        """``{(METHOD, path as aiohttp spells it canonically): operation}`` for the server spec."""
        return {(r.method, _canonical(r.path)): r.operation for r in self.routes}


def _canonical(path: str) -> str:
    import re

    return re.sub(r"\{([^{}:]+):(?:[^{}]|\{[^{}]*\})*\}", r"{\1}", path)


def _generic_400() -> dict[str, Any]:
    return {"description": "A field does not match the request schema (the message names it).",
            "content": {"application/json": {"schema": {"type": "object", "properties": {
                "error": {"type": "string"}, "message": {"type": "string"}}}}}}
