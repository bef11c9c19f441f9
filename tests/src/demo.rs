//! A realistic set of incidents for screenshots and measurements, written
//! through the real `idesk` (the path a script or a commander takes).

use crate::Result;
use crate::artifacts::idesk_binary;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};

/// RFC 3339 for `minutes_ago` minutes before now.
fn ago(minutes_ago: u64) -> String {
    let at = SystemTime::now() - Duration::from_secs(minutes_ago * 60);
    let secs = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    // Civil-from-days (UTC), enough for a timestamp string.
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Runs `idesk` on `db` with `args`, failing with its stderr.
pub fn idesk(db: &Path, args: &[&str]) -> Result<String> {
    let output = Command::new(idesk_binary())
        .args(args)
        .env("INCIDENT_DESK_DB", db)
        .env("INCIDENT_DESK_AUTHOR", "Dana (IC)")
        .output()?;
    crate::session::idesk_succeeded(args, output)
}

/// Three open incidents in different states, as a real evening might look.
pub fn seed_demo(db: &Path) -> Result<()> {
    let at = |m: u64| ago(m);
    idesk(
        db,
        &[
            "declare",
            "--title",
            "Checkout API returns 502 for EU customers",
            "--kind",
            "outage",
            "--level",
            "L1",
            "--source",
            "monitoring",
            "--started-at",
            &at(47),
            "--detected-at",
            &at(44),
            "--at",
            &at(42),
        ],
    )?;
    idesk(
        db,
        &[
            "assign",
            "INC-1",
            "commander",
            "Dana Whitfield",
            "--at",
            &at(41),
        ],
    )?;
    idesk(
        db,
        &[
            "assign",
            "INC-1",
            "communications",
            "Sam Okafor",
            "--at",
            &at(39),
        ],
    )?;
    idesk(
        db,
        &["assign", "INC-1", "expert", "Priya Raman", "--at", &at(38)],
    )?;
    idesk(
        db,
        &[
            "classify",
            "INC-1",
            "--service",
            "checkout-api",
            "--service",
            "payments-gateway",
            "--segment",
            "EU customers (eu-west-1)",
            "--customer-facing",
            "--at",
            &at(37),
        ],
    )?;
    idesk(db, &["status", "INC-1", "identified", "--at", &at(30)])?;
    idesk(
        db,
        &[
            "comms",
            "send",
            "INC-1",
            "--channel",
            "status_page",
            "--body",
            "We are investigating failed checkouts for customers in Europe.",
            "--at",
            &at(33),
        ],
    )?;
    // (Classify completed when classified; Communicate started with the
    // first message to users.)
    idesk(
        db,
        &[
            "note",
            "INC-1",
            "Error rate on checkout-api at 38%; started with deploy 2024.11.30-3",
            "--at",
            &at(36),
        ],
    )?;
    idesk(
        db,
        &["stage", "INC-1", "remediate", "active", "--at", &at(25)],
    )?;
    idesk(
        db,
        &[
            "note",
            "INC-1",
            "Rolling back checkout-api to the previous release",
            "--at",
            &at(24),
        ],
    )?;
    idesk(
        db,
        &[
            "note",
            "INC-1",
            "Rollback complete in eu-west-1; error rate falling",
            "--at",
            &at(12),
        ],
    )?;
    idesk(
        db,
        &[
            "review",
            "INC-1",
            "--field",
            "impact",
            "--text",
            "About 38% of checkouts from EU customers failed for 35 minutes; no data was lost.",
        ],
    )?;
    idesk(
        db,
        &[
            "review",
            "INC-1",
            "--field",
            "root_cause",
            "--text",
            "Release 2024.11.30-3 lowered the payments-gateway connection pool from 200 to 20.",
        ],
    )?;
    idesk(
        db,
        &[
            "action",
            "add",
            "INC-1",
            "--title",
            "Alert on connection-pool saturation",
            "--owner",
            "Priya Raman",
            "--due",
            "2026-12-11",
        ],
    )?;
    idesk(
        db,
        &[
            "action",
            "add",
            "INC-1",
            "--title",
            "Canary releases for checkout-api",
        ],
    )?;

    idesk(
        db,
        &[
            "declare",
            "--title",
            "Search results slow (p95 4.2 s)",
            "--kind",
            "degradation",
            "--level",
            "L2",
            "--source",
            "synthetic",
            "--started-at",
            &at(130),
            "--at",
            &at(118),
        ],
    )?;
    idesk(
        db,
        &["assign", "INC-2", "commander", "Lee Park", "--at", &at(115)],
    )?;
    idesk(
        db,
        &["stage", "INC-2", "classify", "done", "--at", &at(110)],
    )?;
    idesk(
        db,
        &["stage", "INC-2", "diagnose", "active", "--at", &at(95)],
    )?;

    idesk(
        db,
        &[
            "declare",
            "--title",
            "Suspicious logins on admin console",
            "--kind",
            "security",
            "--level",
            "L1",
            "--source",
            "internal",
            "--at",
            &at(9),
        ],
    )?;

    // Two alerts waiting in the inbox, as monitoring would send them.
    idesk(
        db,
        &[
            "alert",
            "--source",
            "alertmanager",
            "--service",
            "payments-gateway",
            "--severity",
            "critical",
            "--summary",
            "Card authorisation errors at 12% (threshold 2%)",
            "--fingerprint",
            "pg-auth-errors",
            "--link",
            "https://grafana.example/d/payments?viewPanel=3",
            "--started-at",
            &at(4),
        ],
    )?;
    idesk(
        db,
        &[
            "alert",
            "--source",
            "checkly",
            "--synthetic",
            "--service",
            "Web app",
            "--severity",
            "warning",
            "--summary",
            "Check 'Login flow' degraded: 4.2 s (threshold 3 s)",
            "--fingerprint",
            "login-flow",
            "--started-at",
            &at(2),
        ],
    )?;
    Ok(())
}
