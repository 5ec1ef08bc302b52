#!/usr/bin/env bash
# Installs the web players the browser tests drive (hls.js, dash.js) from the npm registry
# into a git-ignored directory. Prints the directory; exits non-zero when npm is unavailable.
set -u
dest="${1:-.data/player-libs}"
if [ -f "$dest/node_modules/hls.js/dist/hls.min.js" ] && \
   [ -f "$dest/node_modules/dashjs/dist/dash.all.min.js" ]; then
  echo "$dest"; exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "npm is not installed" >&2; exit 2; }
mkdir -p "$dest"
timeout 300 npm install --silent --no-audit --no-fund --no-package-lock --prefix "$dest" \
  hls.js@1.5 dashjs@4.7 >&2 || { echo "npm install failed" >&2; exit 3; }
echo "$dest"
