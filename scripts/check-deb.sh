#!/usr/bin/env bash
# Checks a built .deb: the app, `idesk` on the PATH, the icons and the
# desktop entry (with the incident-desk:// link handler) are all in it, and
# the packaged binary answers as idesk. Prints the package and installed sizes.
set -euo pipefail

deb=${1:?usage: check-deb.sh PACKAGE.deb}
[[ -f $deb ]] || { echo "check-deb: no such package: $deb" >&2; exit 1; }

failures=0
fail() { echo "check-deb: $*" >&2; failures=$((failures + 1)); }

contents=$(dpkg-deb -c "$deb")
has() { grep -qE "$1" <<<"$contents" || fail "missing from the package: $2"; }

has '^-rwx.* (\./)?usr/bin/incident-desk$' "the app binary usr/bin/incident-desk (executable)"
has '^-rwx.* (\./)?usr/bin/idesk$' "usr/bin/idesk (executable)"
for size in 32x32 128x128 512x512; do
  has " (\./)?usr/share/icons/hicolor/$size/apps/incident-desk.png$" "the $size icon"
done
has ' (\./)?usr/share/applications/.*\.desktop$' "the desktop entry"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$deb" "$work"

desktop=$(find "$work/usr/share/applications" -name '*.desktop' | head -n1)
if [[ -n $desktop ]]; then
  grep -qx 'Exec=incident-desk %u' "$desktop" || fail "the desktop entry does not start incident-desk with %u"
  grep -qx 'MimeType=x-scheme-handler/incident-desk;' "$desktop" || fail "the desktop entry does not handle incident-desk:// links"
  grep -qx 'Icon=incident-desk' "$desktop" || fail "the desktop entry has no icon"
  if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$desktop" || fail "desktop-file-validate refused the desktop entry"
  fi
fi

# idesk on the PATH is the app's binary in command-line mode.
grep -q 'exec /usr/bin/incident-desk idesk "$@"' "$work/usr/bin/idesk" || fail "usr/bin/idesk does not run the app's binary as idesk"
sh -n "$work/usr/bin/idesk" || fail "usr/bin/idesk is not a valid shell script"
version=$("$work/usr/bin/incident-desk" idesk --version 2>&1) || fail "the packaged binary does not run as idesk: $version"
[[ $version == idesk* ]] || fail "unexpected idesk --version: $version"

dpkg-deb -f "$deb" Depends | grep -q 'libwebkit2gtk-4.1-0' || fail "the package does not depend on WebKitGTK 4.1"
# Without an emoji font fontconfig has nothing to draw emoji with: boxes in the window.
dpkg-deb -f "$deb" Depends | grep -q 'fonts-noto-color-emoji' || fail "the package does not depend on fonts-noto-color-emoji"

bytes=$(stat -c %s "$deb")
installed_kib=$(dpkg-deb -f "$deb" Installed-Size)
awk -v name="$(basename "$deb")" -v bytes="$bytes" -v kib="$installed_kib" -v version="$version" \
  'BEGIN { printf "check-deb: %s: package %.1f MB, installed %.1f MB (%s)\n", name, bytes / 1e6, kib * 1024 / 1e6, version }'

if ((failures > 0)); then
  echo "check-deb: $failures problem(s) in $deb" >&2
  exit 1
fi
echo "check-deb: ok"
