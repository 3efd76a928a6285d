#!/usr/bin/env bash
# Tools some end-to-end tests drive: curl (the docs' curl commands run verbatim), Node.js (the
# "Use via API" JavaScript snippet), Chromium (the offline interactive docs' try-it-out, over
# the DevTools protocol), bubblewrap (the node sandbox,
# tests/runtime/test_sandbox.py), desktop-file-utils (the .desktop entry, tests/packaging) and the
# toolchains the Client Builder's SDKs are built and called with (npm, a JDK, Go, rustfmt, and
# mono's mcs, which checks the C# SDK's syntax where no .NET SDK is — Debian has none;
# tests/server/test_client_sdk.py, tests/cli/test_client_cli.py). On
# Debian/Ubuntu as root, install the missing ones; otherwise print the command. Tests that need a
# missing tool skip with a reason naming it — except under CI (CI=true), where a missing tool
# fails the run (tests/conftest.py requires_tool; the sandbox tests likewise for bwrap).
set -u
[ "$(uname -s)" = "Linux" ] || exit 0
missing=""
command -v curl >/dev/null 2>&1 || missing="$missing curl"
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
{ command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; } || missing="$missing chromium"
command -v bwrap >/dev/null 2>&1 || missing="$missing bubblewrap"
command -v desktop-file-validate >/dev/null 2>&1 || missing="$missing desktop-file-utils"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
command -v javac >/dev/null 2>&1 || missing="$missing default-jdk-headless"
command -v go >/dev/null 2>&1 || missing="$missing golang-go"
command -v rustfmt >/dev/null 2>&1 || missing="$missing rustfmt"
command -v mcs >/dev/null 2>&1 || missing="$missing mono-mcs"
[ -z "$missing" ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing test tools:$missing"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null \
    || echo "could not install:$missing (the tests that need them will skip)" >&2
elif command -v apt-get >/dev/null 2>&1; then
  echo "some end-to-end tests skip without: sudo apt-get install -y$missing" >&2
fi
exit 0
