"""The gen/ swap (runtime/packages/dirswap.py): on Linux one ``renameat2(RENAME_EXCHANGE)``, so a
host starting at any moment finds a whole ``gen/``; elsewhere (or on a kernel/filesystem that
cannot exchange) two renames, with the same end state."""
from __future__ import annotations

import ctypes
import errno
import os
import sys
import threading
from pathlib import Path

import pytest

from axiom_ide.runtime.packages import dirswap
from axiom_ide.runtime.packages.generate import generate

SWAPS = 400


def staged(parent: Path, n: int) -> Path:
    d = parent / f".gen.{n}.tmp"
    d.mkdir()
    (d / "__init__.py").write_text(f"N = {n}\n")
    return d


def swap_many(parent: Path, gen: Path) -> list[str]:
    """``SWAPS`` swaps while a reader thread stats ``gen/__init__.py`` in a loop; what it missed."""
    missing: list[str] = []
    started, done = threading.Event(), threading.Event()

    def reader() -> None:
        reads = 0
        while not done.is_set():
            try:
                (gen / "__init__.py").stat()
            except FileNotFoundError:
                missing.append(f"read {reads}")
            reads += 1
            started.set()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    assert started.wait(30)
    try:
        for n in range(1, SWAPS + 1):
            dirswap.swap_in(staged(parent, n), gen)
    finally:
        done.set()
        thread.join(30)
    return missing


def hidden(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RENAME_EXCHANGE is Linux's")
def test_on_linux_gen_is_never_missing_during_many_swaps(tmp_path):
    assert dirswap._renameat2 is not None  # glibc's renameat2 was found
    gen = tmp_path / "gen"
    dirswap.swap_in(staged(tmp_path, 0), gen)  # the first: no gen/ yet, a plain rename
    assert dirswap.exchange(staged(tmp_path, -1), gen)  # ext4/tmpfs here can exchange
    assert swap_many(tmp_path, gen) == []
    assert (gen / "__init__.py").read_text() == f"N = {SWAPS}\n"
    assert hidden(tmp_path) == [".gen.-1.tmp"]  # only the one exchanged by hand above (it holds the old tree)


def test_without_the_exchange_two_renames_give_the_same_end_state(tmp_path, monkeypatch):
    monkeypatch.setattr(dirswap, "_renameat2", None)  # another OS, or a C library without renameat2
    gen = tmp_path / "gen"
    assert not dirswap.exchange(staged(tmp_path, -1), gen)
    (tmp_path / ".gen.-1.tmp" / "__init__.py").unlink()
    (tmp_path / ".gen.-1.tmp").rmdir()
    for n in range(3):
        dirswap.swap_in(staged(tmp_path, n), gen)
    assert (gen / "__init__.py").read_text() == "N = 2\n"
    assert hidden(tmp_path) == []


def test_a_kernel_or_filesystem_that_cannot_exchange_falls_back(tmp_path, monkeypatch):
    calls: list[int] = []

    def refuses(*args: object) -> int:  # what an old kernel (ENOSYS) or filesystem (EINVAL) answers
        calls.append(args[4])  # type: ignore[arg-type]
        ctypes.set_errno(errno.EINVAL)
        return -1

    monkeypatch.setattr(dirswap, "_renameat2", refuses)
    gen = tmp_path / "gen"
    (gen / "stale").mkdir(parents=True)
    dirswap.swap_in(staged(tmp_path, 1), gen)
    assert calls == [2]  # RENAME_EXCHANGE was asked for, then two renames did it
    assert sorted(p.name for p in gen.iterdir()) == ["__init__.py"]
    assert hidden(tmp_path) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RENAME_EXCHANGE is Linux's")
def test_an_exchange_that_fails_otherwise_raises_and_changes_nothing(tmp_path):
    gen = tmp_path / "gen"
    gen.mkdir()
    with pytest.raises(OSError) as info:
        dirswap.exchange(tmp_path / "absent", gen)
    assert (info.value.errno, info.value.filename, info.value.filename2) == (
        errno.ENOENT, str(tmp_path / "absent"), str(gen))
    assert gen.is_dir()


def test_generate_over_an_existing_gen_uses_the_exchange_and_leaves_nothing_beside_it(tmp_path, monkeypatch):
    from test_packages_workspace import with_import

    root = with_import(tmp_path, "message Report { string summary = 1; }\n")
    generate(root)
    used: list[bool] = []
    real = dirswap.exchange
    monkeypatch.setattr(dirswap, "exchange", lambda a, b: used.append(real(a, b)) or used[-1])
    generate(root)
    assert used == [dirswap._renameat2 is not None]
    assert (root / "gen" / "messages_pb2.py").is_file()
    assert hidden(root) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RENAME_EXCHANGE is Linux's")
def test_a_first_gen_another_process_put_in_place_meanwhile_is_exchanged_not_an_error(tmp_path, monkeypatch):
    # Runs racing on a fresh package: both saw no gen/, the other one's rename landed first, so
    # this one's rename onto a non-empty gen/ answered ENOTEMPTY. The swap retries as an exchange.
    gen, mine, other = tmp_path / "gen", staged(tmp_path, 2), staged(tmp_path, 1)
    real = os.rename
    calls: list[int] = []

    def raced(src, dst):
        if Path(src) == mine and not calls:
            calls.append(1)
            real(other, dst)  # the other process's first gen/ lands between the check and this rename
        return real(src, dst)

    monkeypatch.setattr(os, "rename", raced)
    dirswap.swap_in(mine, gen)
    assert (gen / "__init__.py").read_text() == "N = 2\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gen"]
