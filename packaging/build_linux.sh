#!/usr/bin/env bash
# Build the Linux onedir bundle (dist/axiom-ide/) and wrap it as a .deb (dist/axiom-ide_<v>_<arch>.deb).
# Needs: the venv with the `packaging` extra (PyInstaller), dpkg-deb. Usage: packaging/build_linux.sh [--no-deb]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
"$PY" -c 'import PyInstaller' 2>/dev/null || { echo "PyInstaller missing: pip install -e '.[packaging]'" >&2; exit 1; }
VERSION=$("$PY" -c 'import axiom_ide; print(axiom_ide.__version__)')
start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller packaging/axiom-ide.spec
echo "bundle: dist/axiom-ide ($(du -sh dist/axiom-ide | cut -f1), $(( $(date +%s) - start ))s)"
[ "${1:-}" = "--no-deb" ] && exit 0
packaging/make_deb.sh "$VERSION"
