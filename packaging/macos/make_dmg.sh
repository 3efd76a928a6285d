#!/usr/bin/env bash
# A compressed, read-only dmg holding the .app and a link to /Applications (drag to install).
# Usage: packaging/macos/make_dmg.sh "dist/Axiom IDE.app" dist/axiom-ide-<v>.dmg
set -euo pipefail
APP=$1
OUT=$2
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
rm -f "$OUT"
hdiutil create -volname "Axiom IDE" -srcfolder "$STAGE" -fs HFS+ -format UDZO -ov "$OUT"
