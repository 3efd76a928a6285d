"""The Go SDK: a struct per message (JSON tags with the proto field names; 64-bit integers as
strings, as in the proto3 JSON mapping), and a ``Client`` over ``net/http`` (standard library only)
with one exported method per member — PascalCase of its alias, so other packages can call it —
taking the typed input and returning the typed output (pipeline members: the slice of frames).
Checked with ``go vet``."""
from __future__ import annotations

import json
from typing import Any

from axiom_ide.runtime.clients.model import pascal, snake
from axiom_ide.runtime.clients.schema import Field, schema

SCALAR = {"string": "string", "bytes": "string", "bool": "bool", "double": "float64", "float": "float32",
          "int32": "int32", "uint32": "uint32", "int64": "string", "uint64": "string", "enum": "string"}

CLIENT = '''// APIError is a non-success answer: Status 401 means a missing, invalid or revoked API key.
type APIError struct {
\tStatus int
\tBody   string
}

func (e *APIError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.Status, e.Body) }

// Client calls the members. NewClient reads AXIOM_API_KEY when apiKey is "".
type Client struct {
\tAPIKey  string
\tBaseURL string
\tHTTP    *http.Client
}

// NewClient makes a client; an empty baseURL means AXIOM_BASE_URL, else DefaultBaseURL.
func NewClient(apiKey, baseURL string) *Client {
\tif apiKey == "" {
\t\tapiKey = os.Getenv("AXIOM_API_KEY")
\t}
\tif baseURL == "" {
\t\tbaseURL = os.Getenv("AXIOM_BASE_URL")
\t}
\tif baseURL == "" {
\t\tbaseURL = DefaultBaseURL
\t}
\treturn &Client{APIKey: apiKey, BaseURL: strings.TrimRight(baseURL, "/"), HTTP: http.DefaultClient}
}

func (c *Client) send(path string, body any, stream bool) (*http.Response, error) {
\tdata, err := json.Marshal(body)
\tif err != nil {
\t\treturn nil, err
\t}
\treq, err := http.NewRequest("POST", c.BaseURL+path, bytes.NewReader(data))
\tif err != nil {
\t\treturn nil, err
\t}
\treq.Header.Set("Authorization", "Bearer "+c.APIKey)
\treq.Header.Set("Content-Type", "application/json")
\tif stream {
\t\treq.Header.Set("Accept", "text/event-stream")
\t}
\tresp, err := c.HTTP.Do(req)
\tif err != nil {
\t\treturn nil, err
\t}
\tif resp.StatusCode >= 300 {
\t\tdefer resp.Body.Close()
\t\ttext, _ := io.ReadAll(resp.Body)
\t\treturn nil, &APIError{Status: resp.StatusCode, Body: string(text)}
\t}
\treturn resp, nil
}

func (c *Client) post(path string, body any, out any) error {
\tresp, err := c.send(path, body, false)
\tif err != nil {
\t\treturn err
\t}
\tdefer resp.Body.Close()
\treturn json.NewDecoder(resp.Body).Decode(out)
}

type frame struct {
\tPayload json.RawMessage `json:"payload"`
\tIsFinal bool            `json:"is_final"`
\tSuccess bool            `json:"success"`
\tError   string          `json:"error"`
}

func (c *Client) frames(path string, body any) ([]json.RawMessage, error) {
\tresp, err := c.send(path, body, true)
\tif err != nil {
\t\treturn nil, err
\t}
\tdefer resp.Body.Close()
\tvar out []json.RawMessage
\tscanner := bufio.NewScanner(resp.Body)
\tscanner.Buffer(make([]byte, 1<<20), 1<<26)
\tfor scanner.Scan() {
\t\tline := scanner.Text()
\t\tif !strings.HasPrefix(line, "data:") {
\t\t\tcontinue
\t\t}
\t\tvar f frame
\t\tif err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data:")), &f); err != nil {
\t\t\treturn nil, err
\t\t}
\t\tif f.IsFinal && !f.Success && f.Error != "" {
\t\t\treturn out, &APIError{Status: 200, Body: f.Error}
\t\t}
\t\tif len(f.Payload) > 0 {
\t\t\tout = append(out, f.Payload)
\t\t}
\t\tif f.IsFinal {
\t\t\tbreak
\t\t}
\t}
\treturn out, scanner.Err()
}
'''


def _type(f: Field) -> str:
    def one(kind: str, ref: str) -> str:
        return "*" + ref if kind == "message" else SCALAR.get(kind, "any")
    if f.kind == "map":
        assert f.map_value is not None
        return "map[string]" + one(*f.map_value)
    return ("[]" if f.repeated else "") + one(f.kind, f.ref)


def package_name(client: str) -> str:
    return snake(client.replace("-", "_")).replace("_", "") + "sdk"


def generate(snapshot: dict[str, Any], origin: str) -> dict[str, str]:
    s = schema(snapshot)
    pkg = package_name(snapshot["client"])
    src = [f"// Package {pkg} is the {snapshot['client']} client SDK (version {snapshot['version']}).",
           f"package {pkg}", "",
           'import (\n\t"bufio"\n\t"bytes"\n\t"encoding/json"\n\t"fmt"\n\t"io"\n\t"net/http"\n\t"os"\n\t"strings"\n)', "",
           f"// DefaultBaseURL is the deployment this SDK was downloaded from.\nconst DefaultBaseURL = {json.dumps(origin)}", ""]
    for m in s.messages:
        src.append(f"// {m.name} is {m.full_name}.\ntype {m.name} struct {{")
        src += [f"\t{pascal(f.name) or 'X'} {_type(f)} `json:\"{f.name},omitempty\"`" for f in m.fields]
        src.append("}\n")
    src.append(CLIENT)
    for c in s.calls:
        name, path = pascal(c.alias), json.dumps(c.path)
        body = "req" if c.kind == "node" else f'map[string]any{{"graph_id": {json.dumps(c.graph_id)}, "input": req}}'
        if c.streaming:
            src.append(f"// {name} streams the output frames of {c.alias}.\n"
                       f"func (c *Client) {name}(req *{c.input}) ([]*{c.output}, error) {{\n"
                       f"\traw, err := c.frames({path}, {body})\n\tif err != nil {{\n\t\treturn nil, err\n\t}}\n"
                       f"\tout := make([]*{c.output}, 0, len(raw))\n\tfor _, r := range raw {{\n"
                       f"\t\tv := &{c.output}{{}}\n\t\tif err := json.Unmarshal(r, v); err != nil {{\n\t\t\treturn nil, err\n\t\t}}\n"
                       f"\t\tout = append(out, v)\n\t}}\n\treturn out, nil\n}}\n")
        elif c.kind == "node":
            src.append(f"// {name} calls {c.path}.\nfunc (c *Client) {name}(req *{c.input}) (*{c.output}, error) {{\n"
                       f"\tout := &{c.output}{{}}\n\treturn out, c.post({path}, req, out)\n}}\n")
        else:
            src.append(f"// {name} invokes flow graph {c.graph_id}.\n"
                       f"func (c *Client) {name}(req *{c.input}) (*{c.output}, error) {{\n"
                       f"\tvar reply struct {{\n\t\tResult struct {{\n\t\t\tSuccess bool `json:\"success\"`\n"
                       f"\t\t\tOutput *{c.output} `json:\"output\"`\n\t\t}} `json:\"result\"`\n\t}}\n"
                       f'\tbody := map[string]any{{"graph_id": {json.dumps(c.graph_id)}, "input": req, "wait": true}}\n'
                       f"\tif err := c.post({path}, body, &reply); err != nil {{\n\t\treturn nil, err\n\t}}\n"
                       f"\tif !reply.Result.Success {{\n\t\treturn nil, &APIError{{Status: 202, Body: \"the flow failed\"}}\n\t}}\n"
                       f"\treturn reply.Result.Output, nil\n}}\n")
    mod = f"module {snapshot['client']}-sdk\n\ngo 1.18\n"
    return {"go.mod": mod, "client.go": "\n".join(src)}


def readme_usage(snapshot: dict[str, Any]) -> tuple[str, str, list[str]]:
    s = schema(snapshot)
    return "go mod tidy", 'c := NewClient("", "") // reads AXIOM_API_KEY\n', [
        f"`{pascal(c.alias)}(*{c.input}) ({'[]' if c.streaming else ''}*{c.output}, error)`" for c in s.calls]
