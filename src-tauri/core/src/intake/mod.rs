//! Alert intake: the payload formats of monitoring tools, and the local
//! webhook receiver that takes them in (off by default).

pub mod formats;
pub mod server;
mod settings;

pub use formats::{Format, PayloadError, parse};
pub use server::{IntakeLimits, Receiver, ReceiverStats};
pub use settings::{DEFAULT_INTAKE_PORT, IntakeSettings, IntakeStatus, new_token};

#[cfg(test)]
mod tests;
