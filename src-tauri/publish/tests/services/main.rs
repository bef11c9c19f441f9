//! The publishing integrations in one test binary (one link, one file in
//! target/): Matrix against a real Synapse, email against a real SMTP
//! server, and CONTRACT TESTS for Slack and Statuspage, which cannot run
//! here, against local servers that check every request.

#[path = "../support/mod.rs"]
mod support;

mod common;
mod email_smtp;
mod matrix;
mod outbox_matrix;
mod slack_contract;
mod statuspage_contract;
mod webhook_outbox;
