"""Flow tests through the LocalBackend: ``backend.flow_tests`` lists, runs and grows a flow's
``<name>.flow.test.yaml`` (``runtime/flowtest.py``), and compares two executions node by node
(:meth:`LocalTests.run_diff`, ``runtime/rundiff.py``). No Qt here; the IDE's Tests tab, **Save as
test case** and **Compare runs** read only the value types below.

Cases run through the backend's own runtime as it is — its real engine and node hosts. A case's
mocks are its run's pins (``runtime/pins.py``): they belong to that one execution, so an editor run
going at the same time never sees a test's mock.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from axiom_ide.runtime import flowtest
from axiom_ide.runtime.errors import AxiomError, render
from axiom_ide.runtime.store import executions as ex


@dataclass(frozen=True)
class TestCaseInfo:
    name: str
    line: int | None


@dataclass(frozen=True)
class TestListing:
    """A flow's test file as the Tests tab lists it."""
    #: The test file (it may not exist yet: then ``exists`` is False and there are no cases).
    file: str
    exists: bool
    cases: tuple[TestCaseInfo, ...] = ()
    #: The file's own problems (``file:line: message``): nothing in it can run.
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class TestOutcome:
    name: str
    #: ``passed`` / ``failed`` / ``error`` (runtime/flowtest.py).
    status: str
    #: What went wrong: expected-vs-actual diffs, or ``file:line`` errors.
    messages: tuple[str, ...] = ()
    duration: float = 0.0
    execution_id: str | None = None
    #: Canvas ids a mock answered in the run (its events say ``pinned: true``).
    mocked: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunDiffView:
    """Two executions compared (``runtime/rundiff.py``'s ``diff_runs`` JSON, plain values only)."""
    #: ``{"a": head, "b": head, "same_flow", "input", "output", "first_divergent_node", "nodes": [...]}``.
    diff: dict[str, Any]
    #: The first run's flow as it was compiled (``Flow.to_plain()``): the canvas to draw.
    flow: dict[str, Any]


def test_file_for(flow_path: str | Path) -> Path:
    p = Path(flow_path)
    return p.with_name(p.name.removesuffix(".flow.yaml") + flowtest.SUFFIX)


def _expected_output(output: Any) -> dict[str, Any]:
    """A completed run's output as a case's expectation. A pipeline run's stored output is its
    frames, ``{"frames": [...]}``; one too long to keep whole (``"truncated": true``) becomes the
    frame count it had, as a case's pipeline output is every frame (runtime/flowtest.py)."""
    if isinstance(output, dict) and output.get("truncated") is True and isinstance(output.get("total_frames"), int):
        return {"assert": [f"size(output.frames) == {output['total_frames']}"]}
    return {"output": output}


class LocalTests:
    def __init__(self, runtime: Any, workspace: Any) -> None:
        self.runtime = runtime
        #: A callable returning the current Workspace (the IDE rescans packages).
        self._workspace = workspace

    async def list_flow_tests(self, flow_path: str | Path) -> TestListing:
        return list_tests(flow_path)

    async def run_flow_tests(self, flow_path: str | Path, names: list[str] | None = None) -> list[TestOutcome]:
        """Run the cases called ``names`` (None: all) one after another; one outcome per case run
        (a file that cannot be read: one ``(file)`` error outcome)."""
        tf = flowtest.load_test_file(test_file_for(flow_path))
        if names is not None:
            tf.cases = [c for c in tf.cases if c.name in names]
        workspace = self._workspace() if callable(self._workspace) else self._workspace
        results = await flowtest.run_test_file(self.runtime, workspace, tf)
        return [TestOutcome(r.name, r.status, tuple(r.messages), r.duration, r.execution_id, tuple(r.mocked))
                for r in results]

    async def save_test_case(self, flow_path: str | Path, execution_id: str, name: str) -> TestListing:
        """Append a case made of ``execution_id``'s input and its output (or its failure) to the
        flow's test file — created when missing, comments and layout kept, written atomically."""
        return save_case(flow_path, self.runtime.find_execution(execution_id, tenant_id=self.runtime.tenant_id),
                         execution_id, name)

    async def run_diff(self, first: str, second: str) -> RunDiffView:
        """``first`` and ``second`` compared node by node; an unknown id raises its AxiomError."""
        from axiom_ide.runtime.rundiff import diff_runs, run_summary

        tenant = self.runtime.tenant_id
        recs = []
        for eid in (first, second):
            rec = self.runtime.find_execution(eid, tenant_id=tenant)
            if rec is None:
                raise AxiomError.of("execution_not_found", f'execution "{eid}" not found')
            recs.append(rec)
        diff = diff_runs(run_summary(self.runtime, recs[0]), run_summary(self.runtime, recs[1]))
        artifact = self.runtime.find_artifact(recs[0].graph_id, tenant_id=tenant)
        return RunDiffView(diff, dict(artifact.source) if artifact is not None else {})


def list_tests(flow_path: str | Path) -> TestListing:
    """The flow's test file as the Tests tab lists it (a file read: any backend)."""
    path = test_file_for(flow_path)
    if not path.is_file():
        return TestListing(str(path), False)
    tf = flowtest.load_test_file(path)
    return TestListing(str(path), True, tuple(TestCaseInfo(c.name, c.line) for c in tf.cases),
                       tuple(render(d) for d in tf.problems))


def save_case(flow_path: str | Path, rec: Any, execution_id: str, name: str) -> TestListing:
    """Append ``rec``'s input and output (or failure) as the case ``name`` to the flow's test file
    (``rec``: the execution record of any backend, None when it was not found)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    from axiom_ide.runtime.fileio import atomic_write_text

    if rec is None:
        raise AxiomError.of("not_found", f"no execution {execution_id}")
    if rec.status not in (ex.COMPLETED, ex.FAILED):
        raise AxiomError.of("flow_test_invalid", f"execution {execution_id[:8]} is {rec.status}: only a "
                            "completed or failed run can become a test case")
    name = name.strip()
    if not name:
        raise AxiomError.of("flow_test_invalid", "a test case needs a name")
    path = test_file_for(flow_path)
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    doc: Any = CommentedMap()
    if path.is_file():
        tf = flowtest.load_test_file(path)
        if tf.problems:
            raise AxiomError(list(tf.problems))
        doc = yaml.load(path.read_text(encoding="utf-8"))
        if any(c.name == name for c in tf.cases):
            raise AxiomError.of("flow_test_invalid", f'{path.name} already has a case named "{name}"',
                                file=str(path))
    case = CommentedMap()
    case["name"] = name
    case["input"] = rec.input_json if rec.input_json is not None else {}
    if rec.status == ex.COMPLETED:
        case["expect"] = _expected_output(rec.output)
    else:
        case["expect"] = {"failure": rec.error_code or "FAILED", "error": rec.error or ""}
    if doc.get("cases") is None:
        doc["cases"] = []
    doc["cases"].append(case)
    out = io.StringIO()
    yaml.dump(doc, out)
    atomic_write_text(path, out.getvalue())
    return list_tests(flow_path)
