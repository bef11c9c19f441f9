# Incident Desk — the two commands are `make run` and `make test`.
# Every target installs what is missing first (scripts/setup.sh, idempotent).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
export CARGO_TERM_COLOR ?= auto

UI_SOURCES := $(shell find ui/src -type f) ui/index.html ui/vite.config.ts ui/svelte.config.js \
              ui/tsconfig.json ui/package-lock.json

.PHONY: help setup ui build run test lint check-rust check-ui test-rust test-package package screenshot bindings bench fmt clean

help:
	@echo "make run         set up, build and open Incident Desk on its default database"
	@echo "make test        set up, then every check: fmt, clippy, Rust tests, UI typecheck and"
	@echo "                 unit tests, and the end-to-end tests in the real window"
	@echo "make package     release .deb and .rpm in target/release/bundle (idesk on the PATH)"
	@echo "make screenshot  run the app under Xvfb and save docs/screenshot.png"
	@echo "make bench       benchmarks (criterion): core operations and the board query"
	@echo "make bindings    regenerate ui/src/lib/bindings.ts from the Rust types"
	@echo "make fmt         format Rust and UI code"

setup:
	@scripts/setup.sh

# The UI is built to static files that the app embeds at compile time.
ui/dist/index.html: $(UI_SOURCES) ui/node_modules/.package-lock.json
	npm --prefix ui run build --silent

ui: setup ui/dist/index.html

build: ui
	cargo build --workspace --bins --exclude bare-window

run: build
	./target/debug/incident-desk

check-ui: setup
	npm --prefix ui run --silent format:check
	npm --prefix ui run --silent check
	npm --prefix ui run --silent test

check-rust: ui
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

test-rust: build
	cargo test --workspace --exclude bare-window

# The bundler marks the binary it packs (in place) as installed from a .deb,
# which sends updates through dpkg; the plain binary is rebuilt afterwards
# for the tests and `make run`.
TAURI := ui/node_modules/.bin/tauri

test-package: build
	cd src-tauri && ../$(TAURI) build --debug --bundles deb
	scripts/check-deb.sh "$$(ls -t target/debug/bundle/deb/*.deb | head -n1)"
	rm -f target/debug/incident-desk
	cargo build --quiet -p incident-desk

test: setup check-ui check-rust test-rust test-package

# Release packages: .deb and .rpm (an AppImage needs tools that are not in
# the package registries). Sign them for the updater as docs/releasing.md says.
package: ui
	cd src-tauri && ../$(TAURI) build --bundles deb,rpm
	scripts/repack-deb.sh "$$(ls -t target/release/bundle/deb/*.deb | head -n1)"
	scripts/check-deb.sh "$$(ls -t target/release/bundle/deb/*.deb | head -n1)"
	ls -l target/release/bundle/deb/*.deb target/release/bundle/rpm/*.rpm

screenshot: build
	cargo run --quiet -p incident-desk-e2e --bin screenshot

# Benchmarks (not timed tests), release builds. Figures go to docs/benchmarks.md.
# One cargo run builds the app, the bare window and the harness together (one
# feature set, so nothing is built twice).
# The whole-app parts idle (window-bench: the app beside a bare Tauri window,
# tests/bare-window built with it, 4 × IDLE_SECS, default 120;
# board-bench: IDLE_SECS, default 600, to read memory;
# nudge-bench: two idle runs of IDLE_SECS, default 120; sync-bench: two idle runs of
# IDLE_SECS, default 60, with sync on and off) — about 30 minutes in all.
bench: ui
	cargo bench -p incident-core --bench desk
	cargo bench -p incident-report --bench export
	cargo bench -p incident-publish --bench confirm
	cargo build --release -p incident-desk -p incident-core -p bare-window -p incident-desk-e2e --bins
	./target/release/window-bench
	./target/release/board-bench
	./target/release/nudge-bench
	./target/release/alert-bench
	./target/release/sync-bench

bindings:
	UPDATE_BINDINGS=1 cargo test --quiet -p incident-core --lib bindings

fmt: setup
	cargo fmt --all
	npm --prefix ui run --silent format

clean:
	cargo clean
	rm -rf ui/dist
