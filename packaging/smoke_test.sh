#!/usr/bin/env bash
# Smoke test of the real bundle, offline: the frozen `--version`, `render` of an example flow to
# PNG, `flow run` through a node host (the bundle's own executable as host), `serve` + one invoke
# over HTTP with curl, and the GUI started offscreen and closed cleanly. Every command runs with
# networking unavailable: `unshare -n`, a network namespace of its own whose only interface is
# the loopback (brought up: `serve` and curl talk over it). The example workspace is the bundle's
# own read-only copy: generated code must land in the data dir, never in the bundle.
# Usage: packaging/smoke_test.sh [path/to/axiom-ide]   (default dist/axiom-ide/axiom-ide)
set -euo pipefail
cd "$(dirname "$0")/.."
APP=$(readlink -f "${1:-dist/axiom-ide/axiom-ide}")
[ -x "$APP" ] || { echo "smoke: no bundle at $APP (run packaging/build_linux.sh)" >&2; exit 1; }
BUNDLE=$(dirname "$APP")
WS="$BUNDLE/_internal/axiom_ide/resources/examples/workspace"
WORK=$(mktemp -d)
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
export AXIOM_IDE_DATA_DIR="$WORK/data" AXIOM_IDE_WORKSPACE="$WS" QT_QPA_PLATFORM=offscreen
unset PYTHONPATH PYTHONHOME VIRTUAL_ENV
before=$(find "$BUNDLE" -newer "$APP" | wc -l)

if unshare -n true 2>/dev/null; then
  OFFLINE=(unshare -n sh -c 'ip link set lo up 2>/dev/null || true; exec "$@"' offline)
  echo "smoke: networking unavailable (unshare -n; loopback only)"
else
  echo "smoke: FAIL: cannot drop networking here (unshare -n not permitted)" >&2
  exit 1
fi
offline() { "${OFFLINE[@]}" "$@"; }
step() { echo "smoke: $*"; }

step "--version"
out=$(offline "$APP" --version)
[ "$out" = "axiom-ide $(grep -Po '__version__ = "\K[^"]+' axiom_ide/__init__.py)" ] || { echo "unexpected: $out" >&2; exit 1; }

step "render branching.flow.yaml"
offline "$APP" render "$WS/flows/branching.flow.yaml" -o "$WORK/branching.png" >/dev/null
[ "$(head -c 8 "$WORK/branching.png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || { echo "not a PNG" >&2; exit 1; }

step "flow run hello.flow.yaml through a node host"
out=$(offline "$APP" flow run "$WS/flows/hello.flow.yaml" -d '{"name": "Ada"}' --json)
grep -q '"success": true' <<<"$out" || { echo "flow run: $out" >&2; exit 1; }
grep -q 'Hello, Ada!' <<<"$out" || { echo "flow run output: $out" >&2; exit 1; }

step "serve + one invoke over HTTP"
PORT=$((20000 + RANDOM % 20000))
graph=$(offline "$APP" flow compile "$WS/flows/hello.flow.yaml" --json | grep -Po '"graph_id": *"\K[^"]+')
key=$(offline "$APP" keys create smoke --json | grep -Po '"key": *"\K[^"]+')
# one namespace for server and client: both see the same (only) loopback
cat > "$WORK/serve_and_invoke.sh" <<SH
set -eu
"$APP" serve --port $PORT > "$WORK/serve.log" 2>&1 &
server=\$!
for _ in \$(seq 1 300); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/api/docs-assets/swagger-ui.css" && break
  kill -0 \$server 2>/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }
  sleep 0.1
done
# the docs page and its offline assets come from the bundle's data files
for asset in /docs /api/docs-assets/swagger-ui-bundle.js /api/docs-assets/swagger-ui.css /api/docs-assets/axiom-docs.js; do
  curl -sSf -o /dev/null "http://127.0.0.1:$PORT\$asset" || { echo "GET \$asset failed" >&2; exit 1; }
done
curl -sS -X POST "http://127.0.0.1:$PORT/invocations/v1/flows/invoke" -H "Authorization: Bearer $key" \
  -H 'Content-Type: application/json' -d '{"graph_id": "$graph", "input": {"name": "Ada"}, "wait": true}'
kill -INT \$server
wait \$server
SH
out=$(offline sh "$WORK/serve_and_invoke.sh")
grep -q 'Hello, Ada!' <<<"$out" || { echo "invoke: $out" >&2; exit 1; }

step "GUI offscreen: first window, then a clean close"
out=$(AXIOM_IDE_SMOKE_QUIT=1 offline timeout 120 "$APP" gui 2>&1) || { echo "gui: $out" >&2; exit 1; }
grep -q "first window painted after" <<<"$out" || { echo "gui: $out" >&2; exit 1; }
if grep -q "Fatal Python error\|Segmentation fault\|Aborted" <<<"$out"; then echo "gui: $out" >&2; exit 1; fi
# An error the app logs while it closes (e.g. a start-up task finishing after the window closed):
# shown, not fatal — the exit was clean (status 0) and nothing was lost.
echo "$out" | grep '"level": "error"' | sed 's/^/smoke: gui logged: /' | cut -c1-300 || true

DEB=$(ls -t dist/axiom-ide_*.deb 2>/dev/null | head -1 || true)
if [ -n "$DEB" ] && [ "${1:-}" = "" ]; then
  step "$(basename "$DEB"): desktop entry, icon and binary; --version from the installed path"
  contents=$(dpkg-deb --contents "$DEB")  # grep -q reads it from a here-string: no pipe to break on
  for path in ./usr/bin/axiom-ide ./usr/lib/axiom-ide/axiom-ide ./usr/share/applications/axiom-ide.desktop \
              ./usr/share/icons/hicolor/256x256/apps/axiom-ide.png ./usr/share/icons/hicolor/scalable/apps/axiom-ide.svg; do
    grep -q " $path" <<<"$contents" || { echo "$DEB lacks $path" >&2; exit 1; }
  done
  grep -q libxcb-cursor0 <<<"$(dpkg-deb --field "$DEB" Depends)" || { echo "$DEB: Depends lacks Qt's xcb libraries" >&2; exit 1; }
  dpkg-deb -x "$DEB" "$WORK/root"  # a container-less root: the package's files as installed
  out=$(offline "$WORK/root/usr/bin/axiom-ide" --version)
  case "$out" in "axiom-ide "*) ;; *) echo "installed --version: $out" >&2; exit 1 ;; esac
fi

after=$(find "$BUNDLE" -newer "$APP" | wc -l)
[ "$after" = "$before" ] || { echo "the bundle was written to:" >&2; find "$BUNDLE" -newer "$APP" >&2; exit 1; }
[ -z "$(find "$WS" -name gen -o -name __pycache__)" ] || { echo "gen/ or __pycache__ in the bundle" >&2; exit 1; }
echo "smoke: OK"
