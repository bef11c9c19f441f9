//! Compiles the power-cut VFS against the bundled SQLite's header.
fn main() {
    println!("cargo:rerun-if-changed=src/powercut.c");
    let include = std::env::var("DEP_SQLITE3_INCLUDE")
        .unwrap_or_else(|_| panic!("libsqlite3-sys did not say where sqlite3.h is"));
    cc::Build::new()
        .file("src/powercut.c")
        .include(include)
        .warnings(true)
        .compile("powercut");
}
