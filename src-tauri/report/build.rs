//! Embeds the report's text fonts: DejaVu Sans (text, bold, italic), DejaVu
//! Sans Mono (times, references) and Droid Sans Fallback (CJK and other
//! scripts DejaVu lacks). They come from the system's Debian packages
//! (fonts-dejavu-core, fonts-droid-fallback; `make` installs them) and are
//! copied into the build, so the binary renders the same everywhere.
//!
//! The emoji font (Noto Color Emoji, 11 MB of bitmaps) is not embedded: it
//! is read from the system when a report is made (see `world.rs`); the
//! package depends on fonts-noto-color-emoji, which the window needs anyway.

use std::path::{Path, PathBuf};

const FONTS: &[(&str, &[&str])] = &[
    (
        "DejaVuSans.ttf",
        &["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"],
    ),
    (
        "DejaVuSans-Bold.ttf",
        &["/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"],
    ),
    (
        "DejaVuSans-Oblique.ttf",
        &["/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf"],
    ),
    (
        "DejaVuSansMono.ttf",
        &["/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"],
    ),
    (
        "DroidSansFallbackFull.ttf",
        &["/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"],
    ),
];

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into()));
    for (name, candidates) in FONTS {
        let found = candidates.iter().map(Path::new).find(|p| p.exists());
        let Some(source) = found else {
            panic!(
                "font {name} not found (looked in {candidates:?}): install fonts-dejavu-core \
                 and fonts-droid-fallback (scripts/setup.sh does)"
            );
        };
        println!("cargo:rerun-if-changed={}", source.display());
        if let Err(error) = std::fs::copy(source, out.join(name)) {
            panic!("cannot copy {}: {error}", source.display());
        }
    }
}
