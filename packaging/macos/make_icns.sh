#!/usr/bin/env bash
# resources/icons/axiom-ide.icns from the committed PNGs (macOS iconutil; sizes 16-512 and @2x).
set -euo pipefail
cd "$(dirname "$0")/../.."
SET=build/axiom-ide.iconset
rm -rf "$SET" && mkdir -p "$SET"
for s in 16 32 128 256 512; do
  cp "resources/icons/hicolor/${s}x${s}/apps/axiom-ide.png" "$SET/icon_${s}x${s}.png"
done
for s in 16 32 128 256; do
  d=$((s * 2))
  cp "resources/icons/hicolor/${d}x${d}/apps/axiom-ide.png" "$SET/icon_${s}x${s}@2x.png"
done
iconutil -c icns "$SET" -o resources/icons/axiom-ide.icns
