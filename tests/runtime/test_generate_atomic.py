"""``generate`` is atomic across proto units (runtime/packages/generate.py): everything goes into a
sibling temporary directory swapped in for gen/ only when every unit compiled, so a package with
one good and one broken proto keeps gen/ exactly as it was — for generate itself, for a run's
``ensure_gen`` and for ``import`` (backends/registry_import.py)."""
from __future__ import annotations

import stat
from pathlib import Path

import pytest
from test_packages_workspace import IMPORTED, with_import

from axiom_ide.backends.registry_import import import_protos
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.host.freshness import ensure_gen
from axiom_ide.runtime.packages.generate import generate

BROKEN = IMPORTED.replace("int32 count = 2;", "int32 = 2;")


def tree(root: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and directory (None) under ``root``, hidden ones too."""
    return {p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None)
            for p in sorted(root.rglob("*"))}


def break_import(root: Path) -> None:
    (root / "imports/christian-text-ops/1.0.0/tokens_result.proto").write_text(BROKEN)


def test_a_broken_imported_proto_leaves_gen_exactly_as_it_was(tmp_path):
    root = with_import(tmp_path, "message Report { string summary = 1; }\n")
    generate(root)
    (root / "messages/messages.proto").write_text(  # the local unit changes and still compiles ...
        (root / "messages/messages.proto").read_text() + "message Extra { int32 n = 1; }\n")
    break_import(root)  # ... the imported one does not
    before = tree(root)
    with pytest.raises(AxiomError) as info:
        generate(root)
    d = info.value.diagnostics[0]
    assert (d.code, d.message, d.location.line) == ("proto_error", "Expected field name.", 7)
    assert tree(root) == before  # gen/ byte for byte, and no temporary directory left beside it


def test_a_failed_first_generate_leaves_no_gen_and_a_good_one_only_its_files(tmp_path):
    root = with_import(tmp_path, "message Report { string summary = 1; }\n")
    break_import(root)
    before = tree(root)
    with pytest.raises(AxiomError):
        generate(root)
    assert tree(root) == before and not (root / "gen").exists()
    (root / "imports/christian-text-ops/1.0.0/tokens_result.proto").write_text(IMPORTED)
    (root / "gen").mkdir()
    (root / "gen" / "removed_pb2.py").write_text("# from a .proto deleted since\n")
    written = generate(root)
    files = {p.relative_to(root / "gen").as_posix() for p in (root / "gen").rglob("*.py")}
    assert files == {p.relative_to(root / "gen").as_posix() for p in written} == {
        "__init__.py", "axiom_context.py", "messages_pb2.py", "christian_text_ops_messages_pb2.py",
        "imports/christian-text-ops/1.0.0/tokens_result_pb2.py"}
    assert stat.S_IMODE((root / "gen").stat().st_mode) == 0o755
    assert [p.name for p in root.iterdir() if p.name.startswith(".")] == []


def test_a_runs_ensure_gen_into_a_gen_home_is_atomic_too(tmp_path):
    root = with_import(tmp_path, "message Report { string summary = 1; }\n")
    home = tmp_path / "data" / "gen" / "a-p"
    ensure_gen(root, home)
    assert (home / "gen" / "messages_pb2.py").is_file()
    (root / "messages/messages.proto").write_text(
        (root / "messages/messages.proto").read_text() + "message Extra { int32 n = 1; }\n")
    break_import(root)
    before = tree(home)
    with pytest.raises(AxiomError):
        ensure_gen(root, home)
    assert tree(home) == before


def test_an_import_whose_proto_breaks_generate_leaves_the_package_as_it_was(tmp_path):
    root = with_import(tmp_path, "message Report { string summary = 1; }\n")
    generate(root)
    before = tree(root)
    protos = {"name": "christian/other-ops", "version": "2.0.0",
              "files": [{"path": "other.proto", "messages": ["Other"],
                         "content": 'syntax = "proto3";\npackage ext.other;\nmessage Other {\n  string = 1;\n}\n'}]}
    with pytest.raises(AxiomError) as info:
        import_protos(root, protos)
    assert info.value.diagnostics[0].message == "Expected field name."
    assert tree(root) == before  # axiom.yaml, imports/ and gen/ byte for byte
    protos["files"][0]["content"] = protos["files"][0]["content"].replace("string = 1;", "string o = 1;")
    target, messages, generated = import_protos(root, protos)
    assert target == root / "imports" / "christian-other-ops" / "2.0.0"
    assert (messages, generated) == (["Other"], True)
    assert (root / "gen/christian_other_ops_messages_pb2.py").is_file()
    assert (root / "gen/christian_text_ops_messages_pb2.py").is_file()
