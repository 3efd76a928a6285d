"""Writing what ``axiom-ide import`` downloaded (guides/import-package-types, "What axiom import writes"):
the .proto files into ``imports/<scope-name>/<version>/``, the ``imports:`` entry of axiom.yaml (a
re-import merges newly published message names into the existing entry; another version is a
second entry), then ``generate`` (Python packages; the other languages compile the protos in their
own build, and ``generate`` here supports Python only).

Nothing is half-written: a collision with a local message fails before anything is written, the
files land in a temporary directory renamed into place, and when generate fails the previous
directory and axiom.yaml are put back (generate itself is atomic: a failed one leaves gen/ as it was).
"""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Any

from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.fileio import atomic_write_text
from axiom_ide.runtime.packages.manifest import MANIFEST_FILE, ImportDecl, load_manifest, save_manifest
from axiom_ide.runtime.packages.messages import import_dir
from axiom_ide.runtime.packages.scaffold import _declared_messages


def _safe_name(path: str) -> str:
    name = Path(path).name
    if not name.endswith(".proto") or name != path or name.startswith("."):
        raise AxiomError.of("invalid_response", f'the registry sent a proto file named "{path}"; refusing to write it')
    return name


def import_protos(root: Path, protos: dict[str, Any]) -> tuple[Path, list[str], bool]:
    """Write the ``GET .../protos`` answer ``protos`` into the package at ``root``; (the import
    directory, the imported message names, whether gen/ was regenerated)."""
    from axiom_ide.runtime.packages.generate import generate

    name, version = str(protos["name"]), str(protos["version"])
    files = list(protos.get("files") or [])
    messages = [m for f in files for m in f.get("messages", [])]
    local = _declared_messages(root)
    for message in messages:
        if message in local:
            raise AxiomError.of("import_collision", f"import collision: message {message} exists in both your local "
                                f'messages/ and the imported package "{name}@{version}"; rename one of the two first')
    manifest_path = root / MANIFEST_FILE
    manifest_text = manifest_path.read_text(encoding="utf-8")
    target = root / import_dir(name, version)
    staging = target.parent / f".{version}.{uuid.uuid4().hex}.tmp"
    backup = target.parent / f".{version}.{uuid.uuid4().hex}.old"
    staging.mkdir(parents=True)
    try:
        for f in files:
            atomic_write_text(staging / _safe_name(str(f["path"])), str(f["content"]))
        if target.exists():
            os.rename(target, backup)
        os.rename(staging, target)
        manifest = load_manifest(manifest_path)
        entry = next((i for i in manifest.imports if i.package == name and i.version == version), None)
        if entry is None:
            manifest.imports.append(ImportDecl(name, version, list(messages)))
        else:
            entry.messages += [m for m in messages if m not in entry.messages]
        save_manifest(manifest, manifest_path)
        if manifest.language == "python":  # Rust, Java, C#: the protos compile in the language build
            generate(root, load_manifest(manifest_path))
    except BaseException:
        atomic_write_text(manifest_path, manifest_text)
        shutil.rmtree(target if backup.exists() or not staging.exists() else staging, ignore_errors=True)
        if backup.exists():
            os.rename(backup, target)
        shutil.rmtree(staging, ignore_errors=True)
        for d in (target.parent, target.parent.parent):  # directories this import made, when left empty
            try:
                d.rmdir()
            except OSError:
                pass
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(backup, ignore_errors=True)
    return target, messages, manifest.language == "python"
