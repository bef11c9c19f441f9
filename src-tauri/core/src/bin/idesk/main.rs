//! `idesk`: Incident Desk from a terminal or a script, on the same database
//! as the app. Human text by default, one JSON document with `--json`; errors
//! go to stderr with exit code 1 (2 for usage errors).

use clap::{Parser, Subcommand};
use incident_core::model::IncidentSummary;
use incident_core::{Desk, DeskError};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "idesk", version, about = "Incident Desk on the command line")]
struct Cli {
    /// Database file (default: $INCIDENT_DESK_DB, else the app's database).
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,

    /// Print one JSON document on stdout instead of text.
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List open incidents.
    List,
}

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Desk(#[from] DeskError),
    #[error("could not write JSON: {0}")]
    Json(#[from] serde_json::Error),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("idesk: {error}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    let desk = match &cli.db {
        Some(path) => Desk::open(path)?,
        None => Desk::open_default()?,
    };
    match cli.command {
        Command::List => {
            let incidents = desk.list_incidents()?;
            if cli.json {
                println!("{}", serde_json::to_string_pretty(&incidents)?);
            } else {
                print_list(&incidents);
            }
        }
    }
    Ok(())
}

fn print_list(incidents: &[IncidentSummary]) {
    if incidents.is_empty() {
        println!("No open incidents.");
        return;
    }
    for incident in incidents {
        println!(
            "{:<8} {:<3} {:<12} {:<14} {}",
            incident.reference, incident.level, incident.kind, incident.status, incident.title
        );
    }
}
