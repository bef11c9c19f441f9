//! The receiver's settings, kept in the database so the Settings screen and
//! `idesk intake` edit the same thing (the open app follows within a second).

use crate::desk::Desk;
use crate::error::{DeskError, Result};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use ts_rs::TS;

pub const DEFAULT_INTAKE_PORT: u16 = 7755;
const DEFAULT_ADDRESS: &str = "127.0.0.1";
const MIN_TOKEN: usize = 16;
const MAX_TOKEN: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IntakeSettings {
    pub enabled: bool,
    /// Where to listen; loopback unless the user changes it knowingly.
    pub address: String,
    pub port: u16,
    /// The secret every delivery must carry (header or `?token=`).
    pub token: String,
    /// Deliveries accepted per second (with bursts of ten times as many).
    pub rate_per_second: u32,
    /// Largest body accepted, in bytes.
    pub max_body_bytes: u32,
}

impl IntakeSettings {
    /// Whether the address is reachable from other machines (the UI warns).
    pub fn is_exposed(&self) -> bool {
        self.address
            .parse::<IpAddr>()
            .map(|ip| !ip.is_loopback())
            .unwrap_or(true)
    }

    fn check(&self) -> Result<()> {
        self.address.parse::<IpAddr>().map_err(|_| {
            DeskError::invalid(
                "address",
                format!("{:?} is not an IP address (e.g. 127.0.0.1)", self.address),
            )
        })?;
        if self.port < 1024 {
            return Err(DeskError::invalid(
                "port",
                format!(
                    "port {} needs administrator rights; use 1024–65535",
                    self.port
                ),
            ));
        }
        let token = self.token.trim();
        if token.chars().count() < MIN_TOKEN
            || token.chars().count() > MAX_TOKEN
            || !token.chars().all(|c| c.is_ascii_graphic())
        {
            return Err(DeskError::invalid(
                "token",
                format!(
                    "the token must be {MIN_TOKEN}–{MAX_TOKEN} visible ASCII characters, without spaces"
                ),
            ));
        }
        if !(1..=100_000).contains(&self.rate_per_second) {
            return Err(DeskError::invalid(
                "rate_per_second",
                "the rate must be between 1 and 100000 deliveries per second",
            ));
        }
        if !(1_024..=16 * 1024 * 1024).contains(&self.max_body_bytes) {
            return Err(DeskError::invalid(
                "max_body_bytes",
                "the body limit must be between 1 KiB and 16 MiB",
            ));
        }
        Ok(())
    }
}

/// A fresh random token (hex, 32 characters).
pub fn new_token() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|error| DeskError::Corrupt(format!("no randomness for a token: {error}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// What Settings shows about the receiver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IntakeStatus {
    pub settings: IntakeSettings,
    /// Where it listens now, when it does.
    pub listening: Option<String>,
    /// Why it is not listening although switched on (e.g. the port is taken).
    pub error: Option<String>,
    /// Reachable from other machines (the window warns).
    pub exposed: bool,
    pub stats: super::ReceiverStats,
    /// Sources whose alerts make no notification.
    pub muted: Vec<String>,
}

const KEY: &str = "intake";

impl Desk {
    /// The receiver's settings; a token is made on first use.
    pub fn intake_settings(&self) -> Result<IntakeSettings> {
        if let Some(json) = self.setting(KEY)? {
            return serde_json::from_str(&json)
                .map_err(|error| DeskError::Corrupt(format!("intake settings: {error}")));
        }
        let settings = IntakeSettings {
            enabled: false,
            address: DEFAULT_ADDRESS.to_owned(),
            port: DEFAULT_INTAKE_PORT,
            token: new_token()?,
            rate_per_second: 50,
            max_body_bytes: 1024 * 1024,
        };
        self.set_setting(KEY, &serde_json::to_string(&settings).unwrap_or_default())?;
        Ok(settings)
    }

    pub fn save_intake_settings(&self, settings: IntakeSettings) -> Result<IntakeSettings> {
        let settings = IntakeSettings {
            token: settings.token.trim().to_owned(),
            address: settings.address.trim().to_owned(),
            ..settings
        };
        settings.check()?;
        let json = serde_json::to_string(&settings)
            .map_err(|error| DeskError::Corrupt(format!("intake settings: {error}")))?;
        self.set_setting(KEY, &json)?;
        Ok(settings)
    }
}
