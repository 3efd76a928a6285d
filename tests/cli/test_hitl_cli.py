"""``executions resume ID --approve|--reject``: a pause survives SIGKILL of its runtime; the plain
``executions resume`` reports it (and does not wait on it); --approve with edited input completes it
(real node hosts); a second answer is refused with the reason."""
from __future__ import annotations

from engine_support import compile_file
from hitl_support import approval_flow, pause_then_kill

from axiom_ide.cli.main import main
from axiom_ide.runtime.runtime import Runtime


def test_resume_a_paused_execution_from_the_cli(example_workspace, tmp_path, capsys):
    import asyncio

    data = tmp_path / "data"
    rt = Runtime(data, inline=True)
    art = compile_file(approval_flow(example_workspace), example_workspace, store=rt._artifacts)
    asyncio.run(rt.close())
    pause_then_kill(data, art.graph_id)
    store = Runtime(data, inline=True)
    (rec,) = store.list_executions()
    asyncio.run(store.close())

    assert main(["executions", "resume", "--data-dir", str(data)]) == 0
    assert capsys.readouterr().out == f'{rec.id}  Paused (HITL)  paused before node "review": Ship it?\n'

    assert main(["executions", "resume", rec.id, "--approve", "--input", '{"text": "cli"}', "--data-dir", str(data)]) == 0
    assert capsys.readouterr().out == f"{rec.id}  Completed\n"

    assert main(["executions", "resume", rec.id, "--reject", "--data-dir", str(data)]) != 0
    err = capsys.readouterr().err
    assert f'execution "{rec.id}": the approval pause before node "review" was already resumed (approved)' in err


def test_flow_run_returns_at_the_pause_and_says_how_to_answer(example_workspace, tmp_path, capsys):
    data = tmp_path / "data"
    path = approval_flow(example_workspace)
    assert main(["flow", "run", str(path), "-d", '{"text": "a"}', "--data-dir", str(data)]) == 3
    captured = capsys.readouterr()
    assert captured.out == ""
    store = Runtime(data, inline=True)
    (rec,) = store.list_executions()
    import asyncio

    asyncio.run(store.close())
    assert rec.status == "Paused (HITL)"
    assert captured.err == (f'execution {rec.id} is paused before node "review": Ship it?; answer it with: '
                            f"axiom-ide executions resume {rec.id} --approve (or --reject)\n")
    assert main(["executions", "resume", rec.id, "--approve", "--data-dir", str(data)]) == 0
    assert capsys.readouterr().out == f"{rec.id}  Completed\n"
