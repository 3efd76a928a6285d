"""Flow tests kept in git beside the flow (``<name>.flow.test.yaml``; ``axiom-ide flow test``).

A test file::

    flow: greeter.flow.yaml        # optional: default is the file's name without ".test"
    cases:
      - name: greets Ada
        input: {name: Ada}
        timeout: 10                # seconds (default 30)
        mocks:                     # canvas id → the output it gives; the real node is never called
          greet: {text: "hello"}
        expect:
          output: {text: "HEY!"}          # exact
          partial: {text: "HEY!"}         # these keys (recursively) match
          assert: ["output.text != ''"]   # CEL over ``output`` (and ``input``)
          nodes:                          # any node's output by canvas id, the same three ways
            greet: {partial: {text: hello}, assert: ["output.text.size() > 0"]}
          error: "invalid JSON"           # the run fails and its error contains this text
          failure: INVALID_INPUT          # ... with this failure kind (error code)

A pipeline flow's case has the same keys. ``input`` is the entry message, as for a pipeline run
(:meth:`Runtime.stream`: the entry node streams from it), and the flow's output is every frame the
terminal node produced, in order — ``{"frames": [...]}``, the shape a pipeline execution stores —
so the three ways apply to it as they are::

      - name: streams the words
        input: {text: "to be"}
        expect:
          output: {frames: [{word: TO, index: 0}, {word: BE, index: 1}]}   # these frames, in order
          partial: {frames: [{word: TO}, {word: BE}]}                     # each frame has these keys
          assert: ["size(output.frames) == 2", "output.frames.exists(f, f.word == 'BE')"]
          nodes:                                      # a node's output frames (its first 100)
            split: {partial: {frames: [{word: to}, {word: be}]}}

A mock answers every frame reaching its node with its one output (``runtime/pins.py``), and
``timeout`` bounds the whole stream (``failure: PIPELINE_TIMEOUT``).

A malformed case, a mock or node expectation naming a canvas id the flow does not have, and an
assertion that does not compile are reported as that case's error with ``file:line``; the other
cases still run. Cases run one after another through the real engine and node hosts of any
:class:`~axiom_ide.runtime.runtime.Runtime` — no special invoker: a case's mocks are its run's
*pins* (``runtime/pins.py``), encoded against each node's output message, so the engine answers
for a mocked node itself and the run's events say ``pinned: true`` for it, exactly as for an
editor pin. Which nodes a mock answered (:attr:`CaseResult.mocked`) is read from those events.
"""
from __future__ import annotations

import difflib
import fnmatch
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from axiom_ide.runtime import yaml_limits
from axiom_ide.runtime.conditions import ConditionError, compile_cel
from axiom_ide.runtime.errors import AxiomError, Diagnostic, error, render

SUFFIX = ".flow.test.yaml"
DEFAULT_TIMEOUT = 30.0
_CASE_KEYS = {"name", "input", "timeout", "mocks", "expect"}
_EXPECT_KEYS = {"output", "partial", "assert", "nodes", "error", "failure"}
_NODE_EXPECT_KEYS = {"output", "partial", "assert"}

PASSED, FAILED, ERROR = "passed", "failed", "error"


@dataclass
class TestCase:
    name: str
    file: str
    line: int | None
    input: Any = None
    timeout: float = DEFAULT_TIMEOUT
    mocks: dict[str, Any] = field(default_factory=dict)
    expect: dict[str, Any] = field(default_factory=dict)
    #: Problems found reading the case (it is then reported as an error, not run).
    problems: list[Diagnostic] = field(default_factory=list)
    #: (line of each key) for precise messages.
    lines: dict[str, int | None] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass
class CaseResult:
    file: str
    name: str
    status: str
    messages: list[str] = field(default_factory=list)
    duration: float = 0.0
    execution_id: str | None = None
    #: Canvas ids a mock answered in the run (its events' ``pinned: true``), in completion order.
    mocked: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "name": self.name, "status": self.status, "messages": self.messages,
                "duration_s": round(self.duration, 3), "execution_id": self.execution_id, "mocked": self.mocked}


@dataclass
class TestFile:
    path: Path
    flow_path: Path
    cases: list[TestCase]
    #: Problems with the file as a whole (unreadable YAML, no cases list): nothing runs.
    problems: list[Diagnostic] = field(default_factory=list)


# -- reading -------------------------------------------------------------------------------------
def _line(node: Any, key: Any = None) -> int | None:
    lc = getattr(node, "lc", None)
    if lc is None:
        return None
    try:
        return (lc.key(key)[0] if key is not None else lc.line) + 1
    except (KeyError, TypeError, AttributeError):
        return lc.line + 1


def _plain(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


def _problem(file: str, line: int | None, message: str, code: str = "flow_test_invalid") -> Diagnostic:
    return error(code, message, file=file, line=line)


def discover(target: str | Path) -> list[Path]:
    """Test files for ``target``: a test file, a flow (its sibling test file) or a folder (recursive)."""
    p = Path(target)
    if p.is_dir():
        return sorted(x for x in p.rglob(f"*{SUFFIX}") if ".git" not in x.parts)
    if p.name.endswith(SUFFIX):
        if not p.is_file():
            raise AxiomError.of("file_not_found", f"flow test file not found: {p}", file=str(p))
        return [p]
    if p.name.endswith(".flow.yaml"):
        t = p.with_name(p.name[: -len(".flow.yaml")] + SUFFIX)
        if not t.is_file():
            raise AxiomError.of("file_not_found", f"no test file for {p}: expected {t.name} beside it", file=str(t))
        return [t]
    raise AxiomError.of("file_not_found", f"{p} is not a folder, a *.flow.yaml or a *{SUFFIX}", file=str(p))


def load_test_file(path: str | Path) -> TestFile:
    """Read a test file with the YAML limits; a problem is kept with the case (or the file) it is in."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    p = Path(path)
    file = str(p)
    default_flow = p.with_name(p.name[: -len(SUFFIX)] + ".flow.yaml") if p.name.endswith(SUFFIX) else p
    try:
        yaml_limits.check_size(p.stat().st_size, file)
        doc = yaml_limits.load(YAML(typ="rt"), p.read_text(encoding="utf-8"), file)
    except AxiomError as exc:
        return TestFile(p, default_flow, [], list(exc.diagnostics))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return TestFile(p, default_flow, [], [_problem(file, mark.line + 1 if mark else None,
                                                      f"malformed YAML: {exc.problem or exc.context}", "yaml_syntax")])
    except (YAMLError, UnicodeDecodeError, OSError) as exc:
        return TestFile(p, default_flow, [], [_problem(file, None, f"unreadable test file: {exc}", "yaml_syntax")])
    if not isinstance(doc, dict):
        return TestFile(p, default_flow, [], [_problem(file, 1, "a flow test file is a mapping with a `cases:` list")])
    flow_path = default_flow
    if doc.get("flow") is not None:
        if not isinstance(doc["flow"], str):
            return TestFile(p, default_flow, [], [_problem(file, _line(doc, "flow"), "`flow:` must be a file name")])
        flow_path = (p.parent / doc["flow"]).resolve()
    cases_raw = doc.get("cases")
    if not isinstance(cases_raw, list) or not cases_raw:
        return TestFile(p, flow_path, [], [_problem(file, _line(doc, "cases") if "cases" in doc else 1,
                                                    "`cases:` must be a non-empty list of test cases")])
    cases = [_read_case(file, i, raw, _line(cases_raw, i) if hasattr(cases_raw, "lc") else None)
             for i, raw in enumerate(cases_raw)]
    return TestFile(p, flow_path, cases)


def _read_case(file: str, index: int, raw: Any, line: int | None) -> TestCase:
    if not isinstance(raw, dict):
        case = TestCase(f"case {index + 1}", file, line)
        case.problems.append(_problem(file, line, f"case {index + 1} must be a mapping (name, input, expect, ...)"))
        return case
    line = _line(raw) or line
    name = raw.get("name")
    case = TestCase(str(name) if isinstance(name, str) and name else f"case {index + 1}", file, line)
    bad = case.problems

    def at(key: str, node: Any = raw) -> int | None:
        return _line(node, key)

    for key in raw:
        if key not in _CASE_KEYS:
            bad.append(_problem(file, at(key), f'case "{case.name}": unknown key `{key}` '
                                f"(expected one of {', '.join(sorted(_CASE_KEYS))})"))
    case.input = _plain(raw.get("input"))
    if "timeout" in raw:
        t = raw["timeout"]
        if isinstance(t, bool) or not isinstance(t, (int, float)) or t <= 0:
            bad.append(_problem(file, at("timeout"), f'case "{case.name}": `timeout` must be a positive number of seconds'))
        else:
            case.timeout = float(t)
    mocks = raw.get("mocks", {})
    if not isinstance(mocks, dict):
        bad.append(_problem(file, at("mocks"), f'case "{case.name}": `mocks` must map canvas ids to outputs'))
    else:
        case.mocks = _plain(mocks)
        case.lines.update({f"mock:{k}": _line(mocks, k) for k in mocks})
    expect = raw.get("expect", {})
    if not isinstance(expect, dict):
        bad.append(_problem(file, at("expect"), f'case "{case.name}": `expect` must be a mapping'))
        return case
    for key in expect:
        if key not in _EXPECT_KEYS:
            bad.append(_problem(file, _line(expect, key), f'case "{case.name}": unknown expectation `{key}` '
                                f"(expected one of {', '.join(sorted(_EXPECT_KEYS))})"))
    case.expect = _plain(expect)
    _check_asserts(case, expect, "expect", _line)
    nodes = expect.get("nodes", {})
    if not isinstance(nodes, dict):
        bad.append(_problem(file, _line(expect, "nodes"), f'case "{case.name}": `expect.nodes` must map canvas ids to expectations'))
    else:
        for node_id, node_expect in nodes.items():
            case.lines[f"node:{node_id}"] = _line(nodes, node_id)
            if not isinstance(node_expect, dict) or not set(node_expect) <= _NODE_EXPECT_KEYS:
                bad.append(_problem(file, _line(nodes, node_id), f'case "{case.name}": node "{node_id}": expect '
                                    f"{', '.join(sorted(_NODE_EXPECT_KEYS))}"))
            else:
                _check_asserts(case, node_expect, f'node "{node_id}"', _line)
    for key in ("error", "failure"):
        if key in expect and not isinstance(expect[key], str):
            bad.append(_problem(file, _line(expect, key), f'case "{case.name}": `expect.{key}` must be a string'))
    return case


def _check_asserts(case: TestCase, expect: Any, what: str, line_of: Any) -> None:
    asserts = expect.get("assert")
    if asserts is None:
        return
    if isinstance(asserts, str):
        asserts = [asserts]
    if not isinstance(asserts, list) or not all(isinstance(a, str) for a in asserts):
        case.problems.append(_problem(case.file, line_of(expect, "assert"),
                                      f'case "{case.name}": {what}: `assert` must be a CEL expression or a list of them'))
        return
    for i, text in enumerate(asserts):
        try:
            compile_cel(text)
        except ConditionError as exc:
            seq = expect.get("assert")
            line = _line(seq, i) if hasattr(seq, "lc") else line_of(expect, "assert")
            case.problems.append(_problem(case.file, line, f'case "{case.name}": {what}: assertion `{text}` '
                                          f"does not compile: {exc}", "flow_test_cel"))


# -- checking ------------------------------------------------------------------------------------
def partial_match(expected: Any, actual: Any) -> bool:
    """``expected`` is contained in ``actual``: dict keys recursively, lists element by element."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and partial_match(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and all(
            partial_match(e, a) for e, a in zip(expected, actual, strict=True))
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)) and not isinstance(expected, bool):
        return bool(expected == actual)
    return bool(expected == actual)


def _subset_view(expected: Any, actual: Any) -> Any:
    """``actual`` cut down to ``expected``'s keys, so a partial diff shows only what was asked about."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return {k: _subset_view(expected[k], actual[k]) if k in actual else "<missing>" for k in expected}
    if isinstance(expected, list) and isinstance(actual, list):  # frames: element by element, extras as they are
        return [_subset_view(e, a) for e, a in zip(expected, actual, strict=False)] + actual[len(expected):]
    return actual


def json_diff(expected: Any, actual: Any) -> str:
    a = json.dumps(expected, indent=2, sort_keys=True, ensure_ascii=False).splitlines()
    b = json.dumps(actual, indent=2, sort_keys=True, ensure_ascii=False).splitlines()
    return "\n".join(difflib.unified_diff(a, b, "expected", "actual", lineterm="", n=2))


def _check_value(what: str, expect: dict[str, Any], actual: Any, extra: dict[str, Any]) -> list[str]:
    out: list[str] = []
    if "output" in expect and expect["output"] != actual:
        out.append(f"{what}: output differs\n{json_diff(expect['output'], actual)}")
    if "partial" in expect and not partial_match(expect["partial"], actual):
        out.append(f"{what}: output does not contain the expected fields\n"
                   f"{json_diff(expect['partial'], _subset_view(expect['partial'], actual))}")
    asserts = expect.get("assert") or []
    for text in [asserts] if isinstance(asserts, str) else asserts:
        try:
            ok = compile_cel(text).run({"output": actual, **extra})
        except ConditionError as exc:
            out.append(f"{what}: assertion `{text}` failed to evaluate: {exc}")
            continue
        if ok is not True:
            out.append(f"{what}: assertion `{text}` is {json.dumps(ok)}; output was "
                       f"{json.dumps(actual, ensure_ascii=False, sort_keys=True)}")
    return out


# -- running -------------------------------------------------------------------------------------
def select(cases: list[TestCase], pattern: str | None) -> list[TestCase]:
    """``-k PATTERN``: a case whose name contains it, or matches it as a glob (case-insensitive)."""
    if not pattern:
        return cases
    pat = pattern.lower()
    return [c for c in cases if pat in c.name.lower() or fnmatch.fnmatch(c.name.lower(), pat)]


async def run_test_file(runtime: Any, workspace: Any, tf: TestFile, pattern: str | None = None) -> list[CaseResult]:
    """Run the selected cases of ``tf`` one after another; every case gets a result."""
    file = str(tf.path)
    if tf.problems:
        return [CaseResult(file, "(file)", ERROR, [render(d) for d in tf.problems])]
    cases = select(tf.cases, pattern)
    if not cases:
        return []
    try:
        artifact, compiled = _compile(runtime, workspace, tf.flow_path)
    except AxiomError as exc:
        msgs = [f"{file}: cannot compile {tf.flow_path.name}:"] + [render(d) for d in exc.diagnostics]
        return [CaseResult(file, c.name, ERROR, msgs) for c in cases]
    return [await _run_case(runtime, artifact, compiled, c) for c in cases]


def _compile(runtime: Any, workspace: Any, flow_path: Path) -> tuple[Any, Any]:
    from axiom_ide.runtime.compiler.compile import compile_flow
    from axiom_ide.runtime.errors import has_errors
    from axiom_ide.runtime.model.flow_yaml import load_flow
    from axiom_ide.runtime.model.validate import validate_flow_file

    ff = load_flow(flow_path, fast=True)
    diagnostics = validate_flow_file(ff)
    if has_errors(diagnostics):
        raise AxiomError(diagnostics)
    artifact, _ = compile_flow(ff.flow, workspace)
    artifact = runtime.artifact(artifact)
    return artifact, runtime.compiled(artifact)


def _unknown_ids(case: TestCase, compiled: Any) -> list[Diagnostic]:
    ids = compiled.plan.nodes
    known = ", ".join(sorted(ids))
    out = []
    for kind, key in (("mock", "mocks"), ("node", "nodes")):
        names = case.mocks if key == "mocks" else (case.expect.get("nodes") or {})
        for node_id in names:
            if node_id not in ids:
                out.append(_problem(case.file, case.lines.get(f"{kind}:{node_id}"),
                                    f'case "{case.name}": {kind} "{node_id}": no node with canvas id "{node_id}" '
                                    f"in {compiled.artifact.flow_name} (its nodes: {known})", "flow_test_unknown_node"))
    return out


def _encode_mocks(case: TestCase, compiled: Any) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """The case's mocks as the run's pins (``pins.encode_pin``); every bad one is a problem of its own."""
    from axiom_ide.runtime.pins import encode_pin

    mocks: dict[str, bytes] = {}
    problems: list[Diagnostic] = []
    for node_id, output in case.mocks.items():
        node = compiled.plan.nodes[node_id]
        try:
            mocks[node_id] = encode_pin(compiled, node_id, output)
        except Exception as exc:  # noqa: BLE001 — any encoding problem is the mock's, reported as such
            problems.append(_problem(case.file, case.lines.get(f"mock:{node_id}"),
                                     f'case "{case.name}": mock "{node_id}": not a valid {node.output_type}: {exc}',
                                     "flow_test_mock"))
    return mocks, problems


async def _run_case(runtime: Any, artifact: Any, compiled: Any, case: TestCase) -> CaseResult:
    result = CaseResult(case.file, case.name, ERROR)
    problems = list(case.problems) or _unknown_ids(case, compiled)
    mocks: dict[str, bytes] = {}
    if not problems:
        mocks, problems = _encode_mocks(case, compiled)
    if problems:
        result.messages = [render(d) for d in problems]
        return result
    t0 = time.perf_counter()
    try:  # the mocks are this run's pins: the engine answers for those nodes (runtime/pins.py)
        if artifact.mode == "pipeline":
            outcome = await _stream(runtime, artifact, case, mocks)
        else:
            outcome = await runtime.run(artifact, case.input, timeout=case.timeout, **({"pins": mocks} if mocks else {}))
    finally:
        result.duration = time.perf_counter() - t0
    result.execution_id = outcome.execution_id
    if mocks:
        from axiom_ide.runtime.pins import pinned_nodes

        result.mocked = pinned_nodes(runtime.execution_events(outcome.execution_id))
    result.messages = _judge(runtime, case, outcome)
    result.status = FAILED if result.messages else PASSED
    return result


async def _stream(runtime: Any, artifact: Any, case: TestCase, mocks: dict[str, bytes]) -> Any:
    """A pipeline case's run (:meth:`Runtime.stream`): its outcome, whose output is every frame the
    terminal node produced, in order — ``{"frames": [...]}``, never cut short as the stored output of
    a long run is (runtime/payload_bounds.py)."""
    from axiom_ide.runtime.engine.runner import Outcome
    from axiom_ide.runtime.store import executions as ex

    frames: list[Any] = []
    final: dict[str, Any] = {}
    async for frame in runtime.stream(artifact, case.input, timeout=case.timeout, pins=mocks or None):
        if frame.get("is_final"):
            final = frame
        else:
            frames.append(frame.get("payload"))
    execution_id = final.get("execution_id", "")
    rec = runtime.find_execution(execution_id) if execution_id else None
    if rec is None:
        return Outcome(execution_id, ex.FAILED, error=final.get("error") or "the pipeline run ended without a result")
    output = {"frames": frames} if final.get("success") else None
    return Outcome(rec.id, rec.status, output, None, rec.error, rec.error_code, rec.diagnostic)


def _judge(runtime: Any, case: TestCase, outcome: Any) -> list[str]:
    expect = case.expect
    wants_failure = "error" in expect or "failure" in expect
    out: list[str] = []
    if not outcome.success:
        error = (outcome.diagnostic.message if outcome.diagnostic is not None else None) or outcome.error or outcome.status
        code = outcome.code or ""
        if outcome.code in ("TIMEOUT", "PIPELINE_TIMEOUT"):
            error = f"timed out after {case.timeout:g}s"
        if not wants_failure:
            return [f"the run failed ({code}): {error}"]
        if "error" in expect and expect["error"] not in error and expect["error"] not in (outcome.error or ""):
            out.append(f"error text differs: expected it to contain {json.dumps(expect['error'])}, "
                       f"got {json.dumps(error)}")
        if "failure" in expect and expect["failure"] != code:
            out.append(f"failure kind differs: expected {expect['failure']}, got {code}")
    elif wants_failure:
        out.append("expected the run to fail"
                   + (f" with {expect['failure']}" if "failure" in expect else "")
                   + (f" (error containing {json.dumps(expect['error'])})" if "error" in expect else "")
                   + f", but it succeeded with output {json.dumps(outcome.output, ensure_ascii=False, sort_keys=True)}")
    else:
        out += _check_value("flow", expect, outcome.output, {"input": case.input})
    nodes = expect.get("nodes") or {}
    if nodes:
        outputs = _node_outputs(runtime, outcome.execution_id)
        for node_id, node_expect in nodes.items():
            if node_id not in outputs:
                out.append(f'node "{node_id}": did not run (no output recorded)')
                continue
            out += _check_value(f'node "{node_id}"', node_expect, outputs[node_id], {"input": case.input})
    return out


def _node_outputs(runtime: Any, execution_id: str) -> dict[str, Any]:
    """Each node's last recorded output in the execution (its checkpoints, decoded); a pipeline
    node's is ``{"frames": [...]}``, its frames checkpoint's output frames."""
    from axiom_ide.runtime.history import checkpoints_json

    rec = runtime.find_execution(execution_id)
    if rec is None:
        return {}
    return {row["node"]: {"frames": row["frames"]["output"]} if "frames" in row else row.get("output")
            for row in checkpoints_json(runtime, rec)}


# -- reporting -----------------------------------------------------------------------------------
def format_report(results: list[CaseResult]) -> str:
    lines: list[str] = []
    for r in results:
        mark = {PASSED: "PASS", FAILED: "FAIL", ERROR: "ERROR"}[r.status]
        lines.append(f"{mark}  {r.file} :: {r.name}" + (f"  ({r.duration:.2f}s)" if r.status != ERROR else ""))
        for m in r.messages:
            lines += ["    " + x for x in m.splitlines()]
    counts = {s: sum(1 for r in results if r.status == s) for s in (PASSED, FAILED, ERROR)}
    lines.append(f"{counts[PASSED]} passed, {counts[FAILED]} failed, {counts[ERROR]} error(s)"
                 if results else "no test cases selected")
    return "\n".join(lines)


def junit_xml(results: list[CaseResult]) -> bytes:
    """JUnit XML: one ``<testsuite>`` per test file, one ``<testcase>`` per case."""
    from xml.etree import ElementTree as ET

    root = ET.Element("testsuites", name="axiom-ide flow test", tests=str(len(results)),
                      failures=str(sum(r.status == FAILED for r in results)),
                      errors=str(sum(r.status == ERROR for r in results)))
    by_file: dict[str, list[CaseResult]] = {}
    for r in results:
        by_file.setdefault(r.file, []).append(r)
    for file, rs in by_file.items():
        suite = ET.SubElement(root, "testsuite", name=file, tests=str(len(rs)),
                              failures=str(sum(r.status == FAILED for r in rs)),
                              errors=str(sum(r.status == ERROR for r in rs)),
                              time=f"{sum(r.duration for r in rs):.3f}")
        for r in rs:
            tc = ET.SubElement(suite, "testcase", classname=Path(file).name.removesuffix(SUFFIX), name=r.name,
                               time=f"{r.duration:.3f}")
            if r.status != PASSED:
                tag = "failure" if r.status == FAILED else "error"
                el = ET.SubElement(tc, tag, message=(r.messages[0].splitlines()[0] if r.messages else r.status))
                el.text = "\n".join(r.messages)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
