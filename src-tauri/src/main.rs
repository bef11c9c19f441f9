// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::ffi::OsString;
use std::path::Path;

/// One binary, two programs: started as `idesk` (the package installs a
/// link by that name) or as `incident-desk idesk …`, it is the command-line
/// tool; otherwise the app.
fn main() -> std::process::ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let name = args
        .first()
        .and_then(|a| Path::new(a).file_stem())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if name == "idesk" {
        return idesk::main_with(args);
    }
    if args.get(1).is_some_and(|a| a == "idesk") {
        return idesk::main_with(args.into_iter().skip(1));
    }
    incident_desk::run()
}
