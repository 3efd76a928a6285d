#!/usr/bin/env bash
# Wrap dist/axiom-ide/ as a .deb: the bundle under /usr/lib/axiom-ide, /usr/bin/axiom-ide, the
# desktop entry, AppStream metadata and the hicolor icons. Usage: packaging/make_deb.sh VERSION
# (DEB_COMPRESS=xz for the smallest package; zstd, the default, packs 270 MB in seconds.)
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=$1
ARCH=$(dpkg --print-architecture)
STAGE=build/deb/axiom-ide_${VERSION}_${ARCH}
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/usr/lib" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
  "$STAGE/usr/share/metainfo" "$STAGE/usr/share/doc/axiom-ide"
cp -a dist/axiom-ide "$STAGE/usr/lib/axiom-ide"
ln -s ../lib/axiom-ide/axiom-ide "$STAGE/usr/bin/axiom-ide"
install -m 0644 resources/linux/axiom-ide.desktop "$STAGE/usr/share/applications/"
install -m 0644 resources/linux/io.axiom.AxiomIDE.metainfo.xml "$STAGE/usr/share/metainfo/"
for png in resources/icons/hicolor/*/apps/axiom-ide.png; do
  size=$(basename "$(dirname "$(dirname "$png")")")
  install -D -m 0644 "$png" "$STAGE/usr/share/icons/hicolor/$size/apps/axiom-ide.png"
done
install -D -m 0644 resources/icons/axiom-ide.svg "$STAGE/usr/share/icons/hicolor/scalable/apps/axiom-ide.svg"
install -m 0644 resources/licenses/README.md "$STAGE/usr/share/doc/axiom-ide/copyright"
SIZE=$(du -sk "$STAGE/usr" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$SIZE/" packaging/debian/control.in > "$STAGE/DEBIAN/control"
dpkg-deb --root-owner-group -Z"${DEB_COMPRESS:-zstd}" --build "$STAGE" "dist/axiom-ide_${VERSION}_${ARCH}.deb" >/dev/null
echo "deb: dist/axiom-ide_${VERSION}_${ARCH}.deb"
