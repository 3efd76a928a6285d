"""The C# and Rust SDKs: typed message structs/classes from the descriptors and a client
with one method per member (the language's own naming: C# ``SummarizeInvoiceAsync``, Rust
``summarize_invoice``), each reading AXIOM_API_KEY. Checked by the toolchain where it is installed
(:mod:`.build`)."""
from __future__ import annotations

import json
from typing import Any

from axiom_ide.runtime.clients.model import pascal, snake
from axiom_ide.runtime.clients.schema import Field, schema

# -- C# --------------------------------------------------------------------------------------------
CS_SCALAR = {"string": "string", "bytes": "string", "bool": "bool", "double": "double", "float": "float",
             "int32": "int", "uint32": "uint", "int64": "string", "uint64": "string", "enum": "string"}


def _cs_type(f: Field) -> str:
    def one(kind: str, ref: str) -> str:
        return ref if kind == "message" else CS_SCALAR.get(kind, "object")
    if f.kind == "map":
        assert f.map_value is not None
        return f"Dictionary<string, {one(*f.map_value)}>?"
    t = one(f.kind, f.ref)
    return f"List<{t}>?" if f.repeated else t + "?"


def _cs_member(field: str, message: str) -> str:
    """A field's property name: PascalCase, and never its class's own name (C# refuses a member
    named like its enclosing type, CS0542: ``Text.text`` is ``TextValue``; the JSON name stays)."""
    name = pascal(field) or "X"
    return f"{name}Value" if name == message else name


def csharp(snapshot: dict[str, Any], origin: str) -> dict[str, str]:
    s = schema(snapshot)
    ns = pascal(snapshot["client"].replace("-", "_")) + "Sdk"
    src = ["using System.Collections.Generic;", "using System.Net.Http;", "using System.Net.Http.Json;",
           "using System.Text.Json.Serialization;", "using System.Threading.Tasks;", "",
           # a block namespace (not C# 10's file-scoped one): mono's mcs checks it where no .NET SDK is
           f"namespace {ns}", "{", ""]
    for m in s.messages:
        src.append(f"/// <summary>{m.full_name}</summary>\npublic sealed class {m.name}\n{{")
        src += [f"    [JsonPropertyName(\"{f.name}\")] public {_cs_type(f)} {_cs_member(f.name, m.name)} {{ get; set; }}"
                for f in m.fields]
        src.append("}\n")
    src.append(f"public sealed class Client\n{{\n    public const string DefaultBaseUrl = {json.dumps(origin)};\n"
               "    private readonly HttpClient _http;\n\n"
               "    public Client(string? apiKey = null, string? baseUrl = null)\n    {\n"
               "        _http = new HttpClient { BaseAddress = new System.Uri(baseUrl ?? DefaultBaseUrl) };\n"
               "        _http.DefaultRequestHeaders.Add(\"Authorization\", \"Bearer \" + (apiKey ?? "
               "System.Environment.GetEnvironmentVariable(\"AXIOM_API_KEY\")));\n    }\n")
    for c in s.calls:
        name = pascal(c.alias) + "Async"
        if c.kind == "node":
            src.append(f"    public async Task<{c.output}?> {name}({c.input} request)\n    {{\n"
                       f"        var resp = await _http.PostAsJsonAsync({json.dumps(c.path)}, request);\n"
                       f"        resp.EnsureSuccessStatusCode();\n        return await resp.Content.ReadFromJsonAsync<{c.output}>();\n    }}\n")
        else:
            src.append(f"    private sealed class {name}Reply {{ [JsonPropertyName(\"result\")] public {name}Result? Result {{ get; set; }} }}\n"
                       f"    private sealed class {name}Result {{ [JsonPropertyName(\"output\")] public {c.output}? Output {{ get; set; }} }}\n"
                       f"    public async Task<{c.output}?> {name}({c.input} request)\n    {{\n"
                       f"        var body = new Dictionary<string, object> {{ [\"graph_id\"] = {json.dumps(c.graph_id)}, "
                       f"[\"input\"] = request, [\"wait\"] = true }};\n"
                       f"        var resp = await _http.PostAsJsonAsync({json.dumps(c.path)}, body);\n"
                       f"        resp.EnsureSuccessStatusCode();\n"
                       f"        var reply = await resp.Content.ReadFromJsonAsync<{name}Reply>();\n        return reply?.Result?.Output;\n    }}\n")
    src.append("}\n")
    src.append("}\n")  # the namespace
    proj = ('<Project Sdk="Microsoft.NET.Sdk">\n  <PropertyGroup>\n    <TargetFramework>net8.0</TargetFramework>\n'
            "    <Nullable>enable</Nullable>\n  </PropertyGroup>\n</Project>\n")
    return {f"{ns}.csproj": proj, "Client.cs": "\n".join(src)}


# -- Rust ------------------------------------------------------------------------------------------
RS_SCALAR = {"string": "String", "bytes": "String", "bool": "bool", "double": "f64", "float": "f32",
             "int32": "i32", "uint32": "u32", "int64": "String", "uint64": "String", "enum": "String"}


def _rs_type(f: Field) -> str:
    def one(kind: str, ref: str) -> str:
        return f"Box<{ref}>" if kind == "message" else RS_SCALAR.get(kind, "serde_json::Value")
    if f.kind == "map":
        assert f.map_value is not None
        return f"std::collections::HashMap<String, {one(*f.map_value)}>"
    t = one(f.kind, f.ref)
    return f"Vec<{t}>" if f.repeated else f"Option<{t}>"


RUST_KEYWORDS = {"type", "match", "fn", "struct", "impl", "use", "mod", "ref", "self", "loop", "move", "in", "as"}


def rust(snapshot: dict[str, Any], origin: str) -> dict[str, str]:
    s = schema(snapshot)
    src = [f"//! The {snapshot['client']} client SDK (version {snapshot['version']}).", "",
           "use serde::{Deserialize, Serialize};", "",
           f"/// The deployment this SDK was downloaded from.\npub const DEFAULT_BASE_URL: &str = {json.dumps(origin)};", ""]
    for m in s.messages:
        src.append(f"/// {m.full_name}\n#[derive(Clone, Debug, Default, Serialize, Deserialize)]\npub struct {m.name} {{")
        for f in m.fields:
            field = snake(f.name) or "x"
            rename = f"    #[serde(rename = \"{f.name}\", default)]\n"
            src.append(f"{rename}    pub {'r#' + field if field in RUST_KEYWORDS else field}: {_rs_type(f)},")
        src.append("}\n")
    src.append("""/// Calls the members; `Client::new(None, None)` reads AXIOM_API_KEY.
pub struct Client {
    api_key: String,
    base_url: String,
    http: reqwest::blocking::Client,
}

impl Client {
    pub fn new(api_key: Option<String>, base_url: Option<String>) -> Self {
        Client {
            api_key: api_key.unwrap_or_else(|| std::env::var("AXIOM_API_KEY").unwrap_or_default()),
            base_url: base_url.unwrap_or_else(|| DEFAULT_BASE_URL.to_string()),
            http: reqwest::blocking::Client::new(),
        }
    }

    fn post<T: serde::de::DeserializeOwned>(&self, path: &str, body: &impl Serialize) -> Result<T, reqwest::Error> {
        self.http
            .post(format!("{}{}", self.base_url, path))
            .bearer_auth(&self.api_key)
            .json(body)
            .send()?
            .error_for_status()?
            .json()
    }
""")
    for c in s.calls:
        name = snake(c.alias)
        if c.kind == "node":
            src.append(f"    pub fn {name}(&self, request: &{c.input}) -> Result<{c.output}, reqwest::Error> {{\n"
                       f"        self.post({json.dumps(c.path)}, request)\n    }}\n")
        else:
            src.append(f"    pub fn {name}(&self, request: &{c.input}) -> Result<{c.output}, reqwest::Error> {{\n"
                       f"        let body = serde_json::json!({{\"graph_id\": {json.dumps(c.graph_id)}, \"input\": request, \"wait\": true}});\n"
                       f"        let reply: serde_json::Value = self.post({json.dumps(c.path)}, &body)?;\n"
                       f"        Ok(serde_json::from_value(reply[\"result\"][\"output\"].clone()).unwrap_or_default())\n    }}\n")
    src.append("}\n")
    cargo = (f'[package]\nname = "{snake(snapshot["client"].replace("-", "_"))}_sdk"\nversion = "{snapshot["version"]}.0.0"\n'
             'edition = "2021"\n\n[dependencies]\nserde = { version = "1", features = ["derive"] }\n'
             'serde_json = "1"\nreqwest = { version = "0.12", features = ["blocking", "json"] }\n')
    return {"Cargo.toml": cargo, "src/lib.rs": "\n".join(src)}


def readme_usage(lang: str, snapshot: dict[str, Any]) -> tuple[str, str, list[str]]:
    s = schema(snapshot)
    if lang == "csharp":
        return "dotnet build", "var client = new Client(); // reads AXIOM_API_KEY\n", [
            f"`Task<{c.output}?> {pascal(c.alias)}Async({c.input})`" for c in s.calls]
    return "cargo build", "let client = Client::new(None, None); // reads AXIOM_API_KEY\n", [
        f"`{snake(c.alias)}(&{c.input}) -> Result<{c.output}>`" for c in s.calls]
