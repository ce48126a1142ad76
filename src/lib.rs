//! hikeshi (火消し): a Discord bot that runs an organisation's
//! security-incident response the way its regulation says it must be run.
//!
//! Layers, inside out (each imports only what is below it; the
//! `layering` test keeps it so):
//! - [`domain`]: the regulation as plain Rust — no serenity, sqlx, tokio;
//! - [`config`]: the organisation's configuration and playbooks, validated;
//! - [`reminders`]: what is due when, as pure rules;
//! - [`store`]: the database (SQLite or PostgreSQL), SQL and nothing above;
//!   [`held`]: reports kept on the local disk while the database is away;
//! - [`records`]: documents made from the records (exports, figures, §5);
//! - [`service`]: the use-cases, the only door to the store, where every
//!   permission decision is made;
//! - [`runner`]: the loops beside the gateway — the outbox worker and the
//!   scheduler; [`metrics`]: the process's figures;
//! - the adapters, side by side over the same services: [`discord`] (the
//!   only place that knows serenity, one folder a feature), [`http`]
//!   (`/healthz`, `/metrics`, the alert intake) and [`outside`] (the
//!   organisation's webhook and mail, the escalation's last step);
//! - [`app`]: the composition root, built then run, shared by `hikeshi run`
//!   and the tests.

pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod discord;
pub mod domain;
pub mod held;
pub mod http;
pub mod metrics;
pub mod outside;
pub mod records;
pub mod reminders;
pub mod runner;
pub mod service;
pub mod signing;
pub mod store;

#[cfg(test)]
mod glossary;
#[cfg(test)]
mod layering;
