#!/usr/bin/env bash
# Debian packages the test suite needs, installed when missing, for `npm test` and CI alike
# (the README's test command must work on a fresh machine, not only under .ci/run):
# - MariaDB, the real server behind the MySQLDatabase example's tests;
# - busybox-static, the static binary of the busybox and sandbox images Capstan makes for the
#   local node (src/controlplane/images). Checked by package, not by command: Debian's
#   dynamically linked `busybox` package also installs /bin/busybox;
# - for the local node's tests: a C compiler and libseccomp's headers (runc is built with
#   seccomp), iproute2 for the pod bridge, and nftables for kube-proxy and the node's firewall.
# Elsewhere than Debian or Ubuntu it says what is missing and leaves the rest to the tests.
set -euo pipefail

want=()
if ! command -v mariadbd >/dev/null 2>&1 || ! command -v mariadb-install-db >/dev/null 2>&1; then
  want+=(mariadb-server-core mariadb-client)
fi
if ! dpkg-query -W -f '${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed'; then
  want+=(busybox-static)
fi
command -v cc >/dev/null 2>&1 || want+=(gcc)
[ -f /usr/include/seccomp.h ] || want+=(libseccomp-dev)
command -v ip >/dev/null 2>&1 || want+=(iproute2)
command -v nft >/dev/null 2>&1 || [ -x /usr/sbin/nft ] || want+=(nftables)
[ ${#want[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing for some tests: ${want[*]} (Debian package names); install them, or those tests fail." >&2
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "Installing from Debian's packages: ${want[*]}…" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${want[@]}" >/dev/null
