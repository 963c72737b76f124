#!/usr/bin/env bash
# Install the Debian packages the integration tests start as real servers:
# Virtuoso, Orthanc (+ DICOMweb plugin), PostgreSQL, Chromium (+ chromedriver).
#
# - Idempotent: installs only what is missing; a warm machine returns at once without apt-get update.
# - Non-interactive: runs as root in CI with no terminal.
# - Starts nothing: Debian's postinst scripts would start postgresql and orthanc through
#   invoke-rc.d / deb-systemd-invoke; a policy-rc.d that exits 101 forbids it during the install, and
#   any policy-rc.d that was there before is put back afterwards. The tests start their own servers.
#
# Environment:
#   CIKG_SYSTEM_DEPS_REINSTALL=1   reinstall every package (repair a broken machine)
set -euo pipefail

PACKAGES=(
    virtuoso-opensource
    orthanc
    orthanc-dicomweb
    postgresql
    chromium
    chromium-driver
)

log() { printf 'system-deps: %s\n' "$*" >&2; }

is_installed() {
    [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" == "installed" ]]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
    if [[ "${CIKG_SYSTEM_DEPS_REINSTALL:-0}" == "1" ]] || ! is_installed "$pkg"; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    log "all present: ${PACKAGES[*]}"
    exit 0
fi
log "installing: ${missing[*]}"
if [[ ${EUID:-$(id -u)} -ne 0 ]]; then
    log "must run as root to install (CI does); try: sudo $0"
    exit 1
fi

# Forbid service start-up while packages are configured; restore whatever policy was there before.
POLICY=/usr/sbin/policy-rc.d
backup=""
if [[ -e "$POLICY" || -L "$POLICY" ]]; then
    backup="$(mktemp /usr/sbin/.policy-rc.d.cikg-backup.XXXXXX)"
    mv -f "$POLICY" "$backup"
fi
restore_policy() {
    rm -f "$POLICY"
    if [[ -n "$backup" ]]; then
        mv -f "$backup" "$POLICY"
    fi
}
trap restore_policy EXIT
printf '#!/bin/sh\n# written by cikg .ci/system-deps.sh for the duration of the install\nexit 101\n' >"$POLICY"
chmod 0755 "$POLICY"

export DEBIAN_FRONTEND=noninteractive
APT=(apt-get -q -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0)

"${APT[@]}" update
extra=()
if [[ "${CIKG_SYSTEM_DEPS_REINSTALL:-0}" == "1" ]]; then
    extra+=(--reinstall)
fi
"${APT[@]}" install -y --no-install-recommends "${extra[@]}" "${missing[@]}"

for pkg in "${missing[@]}"; do
    if ! is_installed "$pkg"; then
        log "package $pkg is still not installed"
        exit 1
    fi
done

# Nothing we installed may be left running as a system service.
for name in virtuoso-t Orthanc postgres chromedriver; do
    if pids="$(pgrep -x "$name")"; then
        log "warning: '$name' is running (pids: ${pids//$'\n'/ }); the tests start their own servers," \
            "so a system service is not needed"
    fi
done
log "done"
