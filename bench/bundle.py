"""Size and start time of the frozen app (packaging/build_linux.sh's dist/axiom-ide/).

- size: the bundle's total, its ten largest parts (top-level entries of ``_internal/``, a
  directory counted whole) and its ten largest files;
- start: wall time of ``axiom-ide --version`` and of ``axiom-ide gui`` to its first painted window
  (offscreen; ``AXIOM_IDE_SMOKE_QUIT=1`` makes the app quit right after, packaging/entry.py),
  each for the frozen bundle and for the source tree (``python packaging/entry.py``, the same
  entry point, with the venv's interpreter). The first run of each is reported on its own
  ("first") next to the median of the following ones ("warm"); the page cache is not dropped
  (a shared machine), so "first" is a cold process, not a cold disk.

Run: ``.venv/bin/python bench/bundle.py [--bundle dist/axiom-ide] [--runs 5]``. Without a bundle it
says how to build one and exits 0.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def size_of(path: Path) -> int:
    if path.is_symlink() or path.is_file():
        return path.lstat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() or p.is_symlink())


def mib(n: int) -> str:
    return f"{n / 2**20:8.1f} MiB"


def report_size(bundle: Path) -> None:
    internal = bundle / "_internal"
    total = size_of(bundle)
    parts = sorted(((size_of(p), p.relative_to(bundle)) for p in [*internal.iterdir(), bundle / "axiom-ide"]),
                   reverse=True)
    files = sorted(((p.lstat().st_size, p.relative_to(bundle)) for p in bundle.rglob("*") if p.is_file()), reverse=True)
    print(f"bundle {bundle}: {mib(total)} in {sum(1 for _ in bundle.rglob('*'))} entries")
    print("ten largest parts:")
    for n, rel in parts[:10]:
        print(f"  {mib(n)}  {rel}")
    print("ten largest files:")
    for n, rel in files[:10]:
        print(f"  {mib(n)}  {rel}")


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    began = time.monotonic()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, check=False)
    wall = time.monotonic() - began
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return wall, proc.stderr


def measure(name: str, cmd: list[str], env: dict[str, str], runs: int, painted: bool) -> None:
    walls, paints = [], []
    for _ in range(runs):
        wall, err = timed(cmd, env)
        walls.append(wall)
        m = re.search(r"first window painted after ([0-9.]+) s", err)
        if painted:
            if m is None:
                raise SystemExit(f"{name}: no 'first window painted' line in: {err[-2000:]}")
            paints.append(float(m.group(1)))
    warm = statistics.median(walls[1:]) if len(walls) > 1 else walls[0]
    line = f"  {name:<34} first {walls[0]:6.2f} s   warm {warm:6.2f} s   (process wall time)"
    if paints:
        line += f"   painted at {paints[0]:.2f} / {statistics.median(paints[1:] or paints):.2f} s after entry"
    print(line)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle", type=Path, default=REPO / "dist" / "axiom-ide")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    exe = args.bundle / "axiom-ide"
    if not exe.exists():
        print(f"no bundle at {args.bundle}: build one with packaging/build_linux.sh --no-deb")
        return
    report_size(args.bundle)
    with tempfile.TemporaryDirectory() as data:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "AXIOM_IDE_WORKSPACE")}
        env.update(QT_QPA_PLATFORM="offscreen", AXIOM_IDE_DATA_DIR=data, AXIOM_IDE_SMOKE_QUIT="1")
        src_env = dict(env, PYTHONPATH=str(REPO))
        source = [sys.executable, str(REPO / "packaging" / "entry.py")]
        print(f"start ({args.runs} runs each):")
        measure("frozen  axiom-ide --version", [str(exe), "--version"], env, args.runs, painted=False)
        measure("source  axiom-ide --version", [*source, "--version"], src_env, args.runs, painted=False)
        measure("frozen  axiom-ide gui (first paint)", [str(exe), "gui"], env, args.runs, painted=True)
        measure("source  axiom-ide gui (first paint)", [*source, "gui"], src_env, args.runs, painted=True)


if __name__ == "__main__":
    main()
