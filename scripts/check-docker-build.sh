#!/usr/bin/env bash
# Builds the bot from exactly the files deploy/Dockerfile's build stage copies, in an empty folder,
# so a build that depends on anything else (tests, say) fails here and not on the owner's server.
# With a Docker engine present, it also runs the real `docker build`.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The build stage is everything before the second FROM; copy each COPY source (not --from ones).
awk '/^FROM /{n++} n==1 && /^COPY / && !/--from/ {for (i = 2; i < NF; i++) print $i}' deploy/Dockerfile |
  while read -r path; do
    mkdir -p "$work/$(dirname "$path")"
    cp -r "$path" "$work/$path"
  done
echo "Docker build stage files: $(cd "$work" && ls -A | tr '\n' ' ')"
(cd "$work" && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
test -s "$work/dist/main.js" && test -s "$work/dist/cli/orders.js"
echo "check-docker-build: the build stage's files build dist/ on their own."
if docker info >/dev/null 2>&1; then
  docker build -f deploy/Dockerfile -t lean-order-bot:ci .
  echo "check-docker-build: docker build succeeded."
else
  echo "check-docker-build: no Docker engine here; the image itself was not built."
fi
