"""The Java SDK: a class per message (public fields, ``toMap`` / ``fromMap`` in the proto3 JSON
mapping), a small JSON reader/writer (``Json``, JDK only), and a ``Client`` over
``java.net.http`` with one camelCase method per member taking the typed input and returning the
typed output (pipeline members: the list of output frames). ``mvn package``; checked with javac."""
from __future__ import annotations

import json
from typing import Any

from axiom_ide.runtime.clients.model import camel, snake
from axiom_ide.runtime.clients.schema import Field, schema

SCALAR = {"string": "String", "bytes": "String", "bool": "Boolean", "double": "Double", "float": "Float",
          "int32": "Integer", "uint32": "Long", "int64": "String", "uint64": "String", "enum": "String"}
#: How a JSON value ``{v}`` (an Object) becomes the field's Java type.
CONVERT = {"String": "String.valueOf({v})", "Boolean": "(Boolean) {v}", "Double": "((Number) {v}).doubleValue()",
           "Float": "((Number) {v}).floatValue()", "Integer": "((Number) {v}).intValue()",
           "Long": "((Number) {v}).longValue()"}

JSON_JAVA = '''package {pkg};

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/** A minimal JSON reader and writer (maps, lists, strings, numbers, booleans, null). */
public final class Json {{
    private final String s;
    private int i;

    private Json(String s) {{ this.s = s; }}

    public static Object parse(String text) {{
        Json p = new Json(text);
        Object v = p.value();
        p.ws();
        if (p.i != p.s.length()) throw new IllegalArgumentException("trailing data at " + p.i);
        return v;
    }}

    private void ws() {{ while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++; }}

    private Object value() {{
        ws();
        char c = s.charAt(i);
        if (c == '{{') {{
            Map<String, Object> m = new LinkedHashMap<>();
            i++; ws();
            if (s.charAt(i) == '}}') {{ i++; return m; }}
            while (true) {{
                ws(); String k = string(); ws(); i++; // ':'
                m.put(k, value()); ws();
                if (s.charAt(i++) == '}}') return m;
            }}
        }}
        if (c == '[') {{
            List<Object> l = new ArrayList<>();
            i++; ws();
            if (s.charAt(i) == ']') {{ i++; return l; }}
            while (true) {{
                l.add(value()); ws();
                if (s.charAt(i++) == ']') return l;
            }}
        }}
        if (c == '"') return string();
        if (s.startsWith("true", i)) {{ i += 4; return Boolean.TRUE; }}
        if (s.startsWith("false", i)) {{ i += 5; return Boolean.FALSE; }}
        if (s.startsWith("null", i)) {{ i += 4; return null; }}
        int start = i;
        while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
        return Double.valueOf(s.substring(start, i));
    }}

    private String string() {{
        StringBuilder b = new StringBuilder();
        i++; // opening quote
        while (true) {{
            char c = s.charAt(i++);
            if (c == '"') return b.toString();
            if (c != '\\\\') {{ b.append(c); continue; }}
            char e = s.charAt(i++);
            switch (e) {{
                case 'n': b.append('\\n'); break;
                case 't': b.append('\\t'); break;
                case 'r': b.append('\\r'); break;
                case 'b': b.append('\\b'); break;
                case 'f': b.append('\\f'); break;
                case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
                default: b.append(e);
            }}
        }}
    }}

    public static String write(Object v) {{
        if (v == null) return "null";
        if (v instanceof String) {{
            StringBuilder b = new StringBuilder("\\"");
            for (char ch : ((String) v).toCharArray()) {{
                if (ch == '"' || ch == '\\\\') b.append('\\\\').append(ch);
                else if (ch < 0x20) b.append(String.format("\\\\u%04x", (int) ch));
                else b.append(ch);
            }}
            return b.append('"').toString();
        }}
        if (v instanceof Number || v instanceof Boolean) return v.toString();
        if (v instanceof Map) {{
            StringJoiner j = new StringJoiner(",", "{{", "}}");
            ((Map<?, ?>) v).forEach((k, x) -> j.add(write(String.valueOf(k)) + ":" + write(x)));
            return j.toString();
        }}
        if (v instanceof List) {{
            StringJoiner j = new StringJoiner(",", "[", "]");
            ((List<?>) v).forEach(x -> j.add(write(x)));
            return j.toString();
        }}
        if (v instanceof Jsonable) return write(((Jsonable) v).toMap());
        return write(v.toString());
    }}
}}
'''

CLIENT_HEAD = '''package {pkg};

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {client} client (version {version}): one method per member. Reads AXIOM_API_KEY. */
@SuppressWarnings("unchecked")
public final class Client {{
    public static final String DEFAULT_BASE_URL = {origin};
    private final String apiKey;
    private final String baseUrl;
    private final HttpClient http = HttpClient.newHttpClient();

    public Client() {{ this(System.getenv("AXIOM_API_KEY"), null); }}

    public Client(String apiKey, String baseUrl) {{
        this.apiKey = apiKey;
        this.baseUrl = baseUrl != null ? baseUrl : (System.getenv("AXIOM_BASE_URL") != null
            ? System.getenv("AXIOM_BASE_URL") : DEFAULT_BASE_URL);
    }}

    /** A non-success answer: its HTTP status (401: missing, invalid or revoked key) and body. */
    public static final class ApiException extends IOException {{
        public final int status;
        public ApiException(int status, String body) {{ super("HTTP " + status + ": " + body); this.status = status; }}
    }}

    private String post(String path, Object body, boolean stream) throws IOException, InterruptedException {{
        HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl + path))
            .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
            .header("Accept", stream ? "text/event-stream" : "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))).build();
        HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() >= 300) throw new ApiException(resp.statusCode(), resp.body());
        return resp.body();
    }}

    private List<Map<String, Object>> frames(String path, Object body) throws IOException, InterruptedException {{
        List<Map<String, Object>> out = new ArrayList<>();
        for (String line : post(path, body, true).split("\\n")) {{
            if (!line.startsWith("data:")) continue;
            Map<String, Object> frame = (Map<String, Object>) Json.parse(line.substring(5));
            if (Boolean.TRUE.equals(frame.get("is_final")) && !Boolean.TRUE.equals(frame.get("success"))
                    && frame.get("error") != null) throw new ApiException(200, Json.write(frame));
            if (frame.get("payload") != null) out.add((Map<String, Object>) frame.get("payload"));
        }}
        return out;
    }}

    private static Map<String, Object> flowBody(String graphId, Jsonable input, boolean wait) {{
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("graph_id", graphId);
        body.put("input", input.toMap());
        if (wait) body.put("wait", Boolean.TRUE);
        return body;
    }}
'''


def _java_type(f: Field) -> str:
    def one(kind: str, ref: str) -> str:
        return ref if kind == "message" else SCALAR.get(kind, "Object")
    if f.kind == "map":
        assert f.map_value is not None
        return f"java.util.Map<String, {one(*f.map_value)}>"
    t = one(f.kind, f.ref)
    return f"java.util.List<{t}>" if f.repeated else t


def _convert(kind: str, ref: str, v: str) -> str:
    if kind == "message":
        return f"{ref}.fromMap((java.util.Map<String, Object>) {v})"
    return CONVERT.get(SCALAR.get(kind, "String"), "{v}").format(v=v)


def _from(f: Field, v: str) -> str:
    if f.kind == "map":
        assert f.map_value is not None
        kind, ref = f.map_value
        return (f"new java.util.LinkedHashMap<>(((java.util.Map<String, Object>) {v}).entrySet().stream().collect("
                f"java.util.stream.Collectors.toMap(e -> e.getKey(), e -> {_convert(kind, ref, 'e.getValue()')})))")
    if f.repeated:
        return (f"((java.util.List<Object>) {v}).stream().map(x -> {_convert(f.kind, f.ref, 'x')})"
                ".collect(java.util.stream.Collectors.toList())")
    return _convert(f.kind, f.ref, v)


def _field(name: str) -> str:
    return camel(name) or "x"


def generate(snapshot: dict[str, Any], origin: str) -> dict[str, str]:
    s = schema(snapshot)
    pkg = "ai.axiom.sdk." + snake(snapshot["client"].replace("-", "_"))
    path = "src/main/java/" + pkg.replace(".", "/")
    files = {f"{path}/Jsonable.java": (f"package {pkg};\n\n/** A message that writes itself as JSON. */\n"
                                       "public interface Jsonable {\n    java.util.Map<String, Object> toMap();\n}\n"),
             f"{path}/Json.java": JSON_JAVA.format(pkg=pkg)}
    for m in s.messages:
        body = [f"package {pkg};", "", f"/** {m.full_name}. */", '@SuppressWarnings("unchecked")',
                f"public final class {m.name} implements Jsonable {{"]
        body += [f"    public {_java_type(f)} {_field(f.name)};" for f in m.fields]
        body.append("\n    @Override\n    public java.util.Map<String, Object> toMap() {\n"
                    "        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();")
        body += [f"        if ({_field(f.name)} != null) m.put(\"{f.name}\", {_field(f.name)});" for f in m.fields]
        body.append("        return m;\n    }\n")
        body.append(f"    public static {m.name} fromMap(java.util.Map<String, Object> m) {{\n"
                    f"        {m.name} out = new {m.name}();\n        if (m == null) return out;")
        for f in m.fields:
            get = 'm.get("' + f.name + '")'
            body.append(f"        if ({get} != null) out.{_field(f.name)} = {_from(f, get)};")
        body.append("        return out;\n    }\n}\n")
        files[f"{path}/{m.name}.java"] = "\n".join(body)
    client = [CLIENT_HEAD.format(pkg=pkg, client=snapshot["client"], version=snapshot["version"],
                                 origin=json.dumps(origin))]
    for c in s.calls:
        name, path_lit, gid = camel(c.alias), json.dumps(c.path), json.dumps(c.graph_id)
        throws = "throws IOException, InterruptedException"
        if c.streaming:
            args = f"{path_lit}, request.toMap()" if c.kind == "node" else f"{path_lit}, flowBody({gid}, request, false)"
            client.append(f"    /** {c.alias}: the output frames. */\n"
                          f"    public List<{c.output}> {name}({c.input} request) {throws} {{\n"
                          f"        List<{c.output}> out = new ArrayList<>();\n"
                          f"        for (Map<String, Object> p : frames({args})) out.add({c.output}.fromMap(p));\n"
                          f"        return out;\n    }}\n")
        elif c.kind == "node":
            client.append(f"    /** {c.alias}. */\n    public {c.output} {name}({c.input} request) {throws} {{\n"
                          f"        return {c.output}.fromMap((Map<String, Object>) Json.parse(post({path_lit}, "
                          "request.toMap(), false)));\n    }\n")
        else:
            client.append(f"    /** {c.alias}. */\n    public {c.output} {name}({c.input} request) {throws} {{\n"
                          f"        Map<String, Object> reply = (Map<String, Object>) Json.parse(post({path_lit}, "
                          f"flowBody({gid}, request, true), false));\n"
                          "        Map<String, Object> result = (Map<String, Object>) reply.get(\"result\");\n"
                          "        if (result == null || !Boolean.TRUE.equals(result.get(\"success\")))\n"
                          "            throw new ApiException(202, Json.write(reply));\n"
                          f"        return {c.output}.fromMap((Map<String, Object>) result.get(\"output\"));\n    }}\n")
    client.append("}\n")
    files[f"{path}/Client.java"] = "\n".join(client)
    files["pom.xml"] = (f'<project xmlns="http://maven.apache.org/POM/4.0.0">\n  <modelVersion>4.0.0</modelVersion>\n'
                        f"  <groupId>ai.axiom.sdk</groupId>\n  <artifactId>{snapshot['client']}-sdk</artifactId>\n"
                        f"  <version>{snapshot['version']}.0.0</version>\n"
                        "  <properties><maven.compiler.release>11</maven.compiler.release></properties>\n"
                        "</project>\n")
    return files


def readme_usage(snapshot: dict[str, Any]) -> tuple[str, str, list[str]]:
    s = schema(snapshot)
    return "mvn package", "Client client = new Client(); // reads AXIOM_API_KEY\n", [
        f"`{'List<' + c.output + '>' if c.streaming else c.output} {camel(c.alias)}({c.input})`" for c in s.calls]
