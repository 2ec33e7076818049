# Sourced by .ci/backends/*.sh: Debian packages for the tests' back-ends, installed once.
#
# debian_install NAME PKG...  installs those of PKG that are missing, non-interactively,
#   with no maintainer script allowed to start a daemon (the tests start what they need,
#   on loopback). Where it cannot (no apt-get, not root) it says so and returns: the tests
#   then skip, or fail under CI=true. PRESEED, if set, goes to debconf-set-selections first.

debian_install() {
  local name=$1; shift
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "$name: $* already installed"
    return 0
  fi
  if ! command -v apt-get >/dev/null; then
    echo "$name: no apt-get (not Debian): ${missing[*]} not installed (the tests will skip)" >&2
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "$name: not root, cannot install ${missing[*]} (the tests will skip)" >&2
    return 0
  fi
  export DEBIAN_FRONTEND=noninteractive
  if [ -n "${PRESEED:-}" ]; then
    debconf-set-selections <<<"$PRESEED"
  fi
  local made_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    made_policy=1
  fi
  local status=0
  apt-get update -q \
    && apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends "${missing[@]}" \
    || status=$?
  [ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d
  [ "$status" = 0 ] || return "$status"
  echo "$name: installed ${missing[*]}"
}
