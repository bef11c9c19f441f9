#!/usr/bin/env bash
# Installs what Incident Desk needs to build, run and test, and nothing that
# is already there: Debian packages (WebKitGTK 4.1 and friends, the test
# display and tools), tauri-driver, and the UI's npm packages.
# Idempotent: a second run only checks, which takes about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

# --- system packages -------------------------------------------------------
PACKAGES=(
  # build: WebKitGTK 4.1 and the libraries Tauri links
  build-essential pkg-config libssl-dev
  libwebkit2gtk-4.1-dev libjavascriptcoregtk-4.1-dev libsoup-3.0-dev
  libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev
  # end-to-end tests: a virtual display, a private session bus, the WebDriver
  xvfb xauth dbus dbus-x11 webkit2gtk-driver
  # notifications, PDFs and screenshots in tests
  dunst poppler-utils imagemagick xclip
  # fonts embedded in the PDF report at build time
  fonts-dejavu-core fonts-droid-fallback
  # checking the .deb's desktop entry
  desktop-file-utils
)

missing=()
for package in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if ((${#missing[@]})); then
  command -v apt-get >/dev/null || die "missing packages (${missing[*]}) and no apt-get: install them by hand"
  SUDO=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || die "need root or sudo to install: ${missing[*]}"
    SUDO=(sudo)
  fi
  say "installing ${#missing[@]} system packages: ${missing[*]}"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Rust tools ------------------------------------------------------------
command -v cargo >/dev/null || die "cargo not found: install Rust (https://rustup.rs) first"
cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
cargo clippy --version >/dev/null 2>&1 || rustup component add clippy

TAURI_DRIVER_VERSION=2.1.0
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
if ! "$CARGO_BIN/tauri-driver" --help >/dev/null 2>&1 && ! command -v tauri-driver >/dev/null; then
  say "installing tauri-driver $TAURI_DRIVER_VERSION"
  cargo install tauri-driver --locked --version "$TAURI_DRIVER_VERSION" --quiet
fi

# --- Node packages ---------------------------------------------------------
command -v node >/dev/null || die "node not found: install Node.js 20.19 or newer"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || die "Node.js $(node --version) is too old: 20.19 or newer is needed"

stamp=ui/node_modules/.package-lock.json
if [[ ! -f "$stamp" || ui/package-lock.json -nt "$stamp" ]]; then
  say "installing the UI's npm packages (npm ci)"
  npm ci --prefix ui --no-audit --no-fund --loglevel=error
fi
