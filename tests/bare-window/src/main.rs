//! The baseline of the whole-app benchmarks: what a Tauri window costs
//! before the app adds anything (see tests/src/bin/window_bench.rs).

fn main() {
    if let Err(error) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("bare-window: {error}");
        std::process::exit(1);
    }
}
