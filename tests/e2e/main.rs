//! End-to-end stories: the real bot against a fake Discord.

#[path = "../support/mod.rs"]
mod support;

mod access;
mod acknowledge;
mod appi;
mod board;
mod burst;
mod classify;
mod cli;
mod commander;
mod console;
mod console_browser;
mod escalation;
mod fake;
mod followthrough;
mod governance;
mod intake;
mod lessons;
mod matrix;
mod oncall;
mod privacy;
mod record;
mod records;
mod redaction;
mod refusals;
mod report;
mod resilience;
mod road;
mod schedules;
mod security;
mod setup;
mod signoff;
mod storm;
mod transcript;
mod webhooks;
