#!/usr/bin/env bash
# Qt's runtime needs a few system libraries that pip cannot install. On Debian/Ubuntu run as
# root, install the missing ones; otherwise print the one command that does it.
# Usage: scripts/ensure-qt-libs.sh [gui]   (gui: also the X11/xcb libraries a real window needs)
set -u
[ "$(uname -s)" = "Linux" ] || exit 0
libs="libEGL.so.1:libegl1 libGL.so.1:libgl1 libxkbcommon.so.0:libxkbcommon0 libfontconfig.so.1:libfontconfig1 libdbus-1.so.3:libdbus-1-3"
if [ "${1:-}" = "gui" ]; then
  libs="$libs libxcb-cursor.so.0:libxcb-cursor0 libxkbcommon-x11.so.0:libxkbcommon-x11-0 libxcb-icccm.so.4:libxcb-icccm4 libxcb-keysyms.so.1:libxcb-keysyms1 libxcb-image.so.0:libxcb-image0 libxcb-render-util.so.0:libxcb-render-util0 libxcb-shape.so.0:libxcb-shape0 libxcb-xinerama.so.0:libxcb-xinerama0"
fi
missing=""
for pair in $libs; do
  lib=${pair%%:*}; pkg=${pair##*:}
  ldconfig -p 2>/dev/null | grep -q "$lib" || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing Qt runtime libraries:$missing"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
elif command -v apt-get >/dev/null 2>&1; then
  echo "Qt needs these system packages: sudo apt-get install -y$missing" >&2
fi
exit 0
