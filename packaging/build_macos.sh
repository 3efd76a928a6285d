#!/usr/bin/env bash
# Build dist/Axiom IDE.app (PyInstaller BUNDLE, Info.plist from resources/macos) and the dmg
# (dist/axiom-ide-<v>.dmg). Signing and notarization run when their variables are set:
#   AXIOM_CODESIGN_IDENTITY  "Developer ID Application: ..." (hardened runtime, entitlements.plist)
#   AXIOM_NOTARY_PROFILE     a `xcrun notarytool store-credentials` profile name
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VERSION=$("$PY" -c 'import axiom_ide; print(axiom_ide.__version__)')
packaging/macos/make_icns.sh
"$PY" -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller packaging/axiom-ide.spec
APP="dist/Axiom IDE.app"
"$APP/Contents/MacOS/axiom-ide" --version  # the CLI; the .app launches axiom-ide-gui (windowed)
test -x "$APP/Contents/MacOS/axiom-ide-gui"
if [ -n "${AXIOM_CODESIGN_IDENTITY:-}" ]; then
  codesign --force --deep --options runtime --timestamp --entitlements resources/macos/entitlements.plist \
    --sign "$AXIOM_CODESIGN_IDENTITY" "$APP"
  codesign --verify --strict --verbose=2 "$APP"
fi
packaging/macos/make_dmg.sh "$APP" "dist/axiom-ide-$VERSION.dmg"
if [ -n "${AXIOM_NOTARY_PROFILE:-}" ]; then
  xcrun notarytool submit "dist/axiom-ide-$VERSION.dmg" --keychain-profile "$AXIOM_NOTARY_PROFILE" --wait
  xcrun stapler staple "dist/axiom-ide-$VERSION.dmg"
fi
echo "dmg: dist/axiom-ide-$VERSION.dmg"
