#!/usr/bin/env bash
# One-shot, idempotent set-up for a fresh clone: Debian packages, npm dependencies, native builds.
# Every step is skipped when it is already done, so `npm test` stays fast on a warm machine.
set -euo pipefail
cd "$(dirname "$0")/../.."

APT_PACKAGES=(libfaiss-dev libopenblas-dev libopenblas0-pthread cmake g++ make python3 patchelf chromium lbzip2 libvulkan1)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "[setup] apt: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm dependencies: reinstall only when the lock file changed since the last install.
stamp=node_modules/.kard-setup-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "[setup] npm ci"
  # Dependency install scripts stay off (see allowScripts in package.json): the ones that matter here
  # download binaries from GitHub, which fails offline; native parts are built below from Debian's libraries.
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

for step in tools/setup/steps/*.sh; do
  [ -e "$step" ] || continue
  bash "$step"
done
echo "[setup] ready"
