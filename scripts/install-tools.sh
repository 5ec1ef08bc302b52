#!/usr/bin/env bash
# Installs optional system tools the test suite and benchmarks use, when we are root and a
# package manager is reachable. Each tool's tests skip with a reason when it is missing.
set -u
need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v nginx >/dev/null 2>&1 || need+=(nginx)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
[ -d /usr/share/doc/python3/html ] || need+=(python3-doc)
command -v rclone >/dev/null 2>&1 || need+=(rclone)
command -v cadaver >/dev/null 2>&1 || need+=(cadaver)
command -v litmus >/dev/null 2>&1 || need+=(litmus)
command -v mount.davfs >/dev/null 2>&1 || need+=(davfs2)
command -v dig >/dev/null 2>&1 || need+=(bind9-dnsutils)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "optional tools missing (${need[*]}); not root or no apt-get: related tests will skip"
  exit 0
fi
echo "installing optional tools: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
timeout 600 apt-get update -qq >/dev/null 2>&1 || true
for pkg in "${need[@]}"; do
  timeout 900 apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null 2>&1 \
    || echo "could not install $pkg; its tests will skip"
done
# nginx's package may start a daemon on port 80; the benchmarks run their own instances.
command -v nginx >/dev/null 2>&1 && { nginx -s stop >/dev/null 2>&1 || true; }
exit 0
