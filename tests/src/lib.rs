//! The end-to-end harness: a private X display (Xvfb) and D-Bus session bus,
//! `tauri-driver` with `WebKitWebDriver`, and the real Incident Desk binary on
//! a fresh temporary database. Every wait has a timeout and every process we
//! start is ended by its own id (or process group) when the `Session` drops,
//! also when a test fails.

mod artifacts;
mod bus;
pub mod demo;
mod display;
mod driver;
mod error;
pub mod http;
pub mod notifications;
mod pdf;
mod process;
pub mod procs;
mod session;
pub mod signer;
pub mod update_server;

pub use artifacts::{app_binary, bare_window_binary, e2e_output_dir, idesk_binary, workspace_root};
pub use error::HarnessError;
pub use notifications::Received;
pub use pdf::pdf_text;
pub use process::pid_is_alive;
pub use session::{Session, SessionOptions, within};

pub type Result<T, E = HarnessError> = std::result::Result<T, E>;
