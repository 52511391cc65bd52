#!/usr/bin/env bash
# Installs Debian's Chromium and the Noto fonts that the e2e tests and screenshots use.
# Idempotent: does nothing (and touches no network) when both are already there.
set -euo pipefail

packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium)
# fonts-noto-core renders Hindi, Kannada, Bengali and Gujarati instead of empty boxes.
if ! dpkg-query -W -f='${Status}' fonts-noto-core 2>/dev/null | grep -q 'install ok installed'; then
	packages+=(fonts-noto-core)
fi

if [ ${#packages[@]} -eq 0 ]; then
	echo "install-browser: chromium and fonts-noto-core already installed"
	exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-browser: missing ${packages[*]} and this is not a Debian/Ubuntu machine;" >&2
	echo "install-browser: install Chromium at /usr/bin/chromium and the Noto fonts by hand" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-browser: missing ${packages[*]}; as root run:" >&2
	echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y ${packages[*]}" >&2
	exit 1
fi

echo "install-browser: installing ${packages[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
# Wait for a concurrent apt/dpkg run rather than failing on its lock.
apt_opts=(-o DPkg::Lock::Timeout=300 -q)
apt-get "${apt_opts[@]}" update
apt-get "${apt_opts[@]}" install -y "${packages[@]}"
test -x /usr/bin/chromium
