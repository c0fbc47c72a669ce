#!/usr/bin/env bash
# Pictures of the confirmation email for README.md: the demo's captured email rendered by headless
# Chromium (Debian's `chromium` package: apt-get install chromium) at desktop and phone widths,
# written to docs/. Run after `npm run demo` (it runs the demo when its email is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v chromium >/dev/null || { echo "needs Chromium: apt-get install chromium" >&2; exit 1; }
[ -f demo-output/confirmation.html ] || npm run demo >/dev/null
mkdir -p docs
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
shoot() { # width height file
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --hide-scrollbars --window-size="$1,$2" \
    --screenshot="$3" "file://$PWD/demo-output/confirmation.html" 2>/dev/null
  echo "wrote $3"
}
shoot 1000 1250 docs/email-desktop.png
shoot 390 1500 docs/email-mobile.png
