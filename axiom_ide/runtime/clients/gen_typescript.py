"""The TypeScript SDK: typed interfaces for every message (the proto3 JSON mapping, proto field
names), and a ``Client`` with one method per member (camelCase of its alias) over ``fetch``;
pipeline members return an async iterator of frames. ``npm install && npm run build`` (tsc)."""
from __future__ import annotations

import json
from typing import Any

from axiom_ide.runtime.clients.model import camel
from axiom_ide.runtime.clients.schema import Field, schema

TS_SCALAR = {"string": "string", "bytes": "string", "bool": "boolean", "double": "number", "float": "number",
             "int32": "number", "uint32": "number", "int64": "string | number", "uint64": "string | number",
             "enum": "string | number"}

HEAD = '''// The {client} client SDK (version {version}): one method per member. Reads AXIOM_API_KEY.

/** Baked in at build time: the deployment this SDK was downloaded from. */
export const DEFAULT_BASE_URL = {origin};

export class AxiomApiError extends Error {{
  constructor(public status: number, public body: unknown) {{
    super(`HTTP ${{status}}: ${{JSON.stringify(body)}}`);
  }}
}}

export interface ClientOptions {{
  apiKey?: string;
  baseUrl?: string;
}}

/** The environment under Node (empty in a browser). */
const env: Record<string, string | undefined> =
  (globalThis as {{ process?: {{ env?: Record<string, string | undefined> }} }}).process?.env ?? {{}};

interface Frame {{
  frame_index?: number;
  payload?: unknown;
  is_final?: boolean;
  success?: boolean;
  error?: string;
}}

'''

CLIENT = '''export class Client {
  readonly apiKey: string;
  readonly baseUrl: string;

  constructor(options: ClientOptions = {}) {
    const key = options.apiKey ?? env.AXIOM_API_KEY ?? "";
    if (!key) throw new Error("no API key: set AXIOM_API_KEY or pass apiKey");
    this.apiKey = key;
    this.baseUrl = (options.baseUrl ?? env.AXIOM_BASE_URL ?? DEFAULT_BASE_URL).replace(/\\/+$/, "");
  }

  private async send(path: string, body: unknown, stream = false): Promise<Response> {
    const resp = await fetch(this.baseUrl + path, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${this.apiKey}`,
        "Content-Type": "application/json",
        Accept: stream ? "text/event-stream" : "application/json",
      },
      body: JSON.stringify(body),
    });
    if (!resp.ok) {
      const text = await resp.text();
      let detail: unknown = text;
      try { detail = JSON.parse(text); } catch { /* not JSON */ }
      throw new AxiomApiError(resp.status, detail);
    }
    return resp;
  }

  private async *frames(path: string, body: unknown): AsyncGenerator<Frame> {
    const resp = await this.send(path, body, true);
    const text = await resp.text();
    for (const line of text.split("\\n")) {
      if (!line.startsWith("data:")) continue;
      const frame = JSON.parse(line.slice(5)) as Frame;
      if (frame.is_final && !frame.success && frame.error) throw new AxiomApiError(200, frame);
      yield frame;
      if (frame.is_final) return;
    }
  }
'''

NODE_UNARY = '''
  /** {doc} */
  async {method}(request: {input}): Promise<{output}> {{
    const resp = await this.send({path}, request);
    return (await resp.json()) as {output};
  }}
'''
NODE_STREAM = '''
  /** {doc} Yields each output frame. */
  async *{method}(request: {input}): AsyncGenerator<{output}> {{
    for await (const frame of this.frames({path}, request)) {{
      if (frame.payload !== undefined) yield frame.payload as {output};
    }}
  }}
'''
FLOW_UNARY = '''
  /** {doc} */
  async {method}(request: {input}, timeoutSeconds = 30): Promise<{output}> {{
    const resp = await this.send({path}, {{ graph_id: {graph_id}, input: request, wait: true, timeout_seconds: timeoutSeconds }});
    const reply = (await resp.json()) as {{ result?: {{ success?: boolean; output?: unknown }} }};
    if (!reply.result?.success) throw new AxiomApiError(resp.status, reply);
    return (reply.result.output ?? {{}}) as {output};
  }}
'''
FLOW_STREAM = '''
  /** {doc} Yields each output frame. */
  async *{method}(request: {input}, timeoutSeconds = 30): AsyncGenerator<{output}> {{
    const body = {{ graph_id: {graph_id}, input: request, timeout_seconds: timeoutSeconds }};
    for await (const frame of this.frames({path}, body)) {{
      if (frame.payload !== undefined) yield frame.payload as {output};
    }}
  }}
'''


def _ts_type(f: Field) -> str:
    def one(kind: str, ref: str) -> str:
        return ref if kind == "message" else TS_SCALAR.get(kind, "unknown")
    if f.kind == "map":
        assert f.map_value is not None
        return f"Record<string, {one(*f.map_value)}>"
    t = one(f.kind, f.ref)
    return f"Array<{t}>" if f.repeated else t


def generate(snapshot: dict[str, Any], origin: str) -> dict[str, str]:
    s = schema(snapshot)
    name = snapshot["client"]
    src = HEAD.format(client=name, version=snapshot["version"], origin=json.dumps(origin))
    for m in s.messages:
        src += f"/** {m.full_name} */\nexport interface {m.name} {{\n"
        src += "".join(f"  {f.name}?: {_ts_type(f)};\n" for f in m.fields)
        src += "}\n\n"
    src += CLIENT
    for c in s.calls:
        template = {("node", False): NODE_UNARY, ("node", True): NODE_STREAM,
                    ("flow", False): FLOW_UNARY, ("flow", True): FLOW_STREAM}[(c.kind, c.streaming)]
        doc = (c.description or f"The {c.kind} {c.alias}.").replace("*/", "* /")
        src += template.format(method=camel(c.alias), input=c.input, output=c.output, path=json.dumps(c.path),
                               graph_id=json.dumps(c.graph_id), doc=doc)
    src += "}\n"
    package = {"name": f"{name}-sdk", "version": f"{snapshot['version']}.0.0", "type": "module",
               "main": "dist/index.js", "types": "dist/index.d.ts",
               "scripts": {"build": "tsc"}, "dependencies": {},
               "devDependencies": {"typescript": "^5.4.0"}}
    tsconfig = {"compilerOptions": {"target": "ES2022", "module": "ES2022", "moduleResolution": "node",
                                    "lib": ["ES2022", "DOM"], "declaration": True, "strict": True,
                                    "outDir": "dist", "rootDir": "src", "skipLibCheck": True},
                "include": ["src"]}
    return {"package.json": json.dumps(package, indent=2) + "\n", "tsconfig.json": json.dumps(tsconfig, indent=2) + "\n",
            "src/index.ts": src}


def readme_usage(snapshot: dict[str, Any]) -> tuple[str, str, list[str]]:
    s = schema(snapshot)
    methods = [f"`{camel(c.alias)}({c.input}): {'AsyncGenerator<' + c.output + '>' if c.streaming else 'Promise<' + c.output + '>'}`"
               for c in s.calls]
    first = s.calls[0]
    example = (f'import {{ Client }} from "{snapshot["client"]}-sdk";\n\nconst client = new Client(); '
               f"// reads AXIOM_API_KEY\nconst result = await client.{camel(first.alias)}({{}});\n")
    return "npm install && npm run build", example, methods
