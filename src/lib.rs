//! hikeshi (火消し): a Discord bot that runs an organisation's
//! security-incident response the way its regulation says it must be run.
//!
//! Layers, inside out:
//! - [`domain`]: the regulation's concepts, plain Rust;
//! - [`config`]: the organisation's configuration and playbooks, validated;
//! - [`store`]: the database behind a small repository API;
//! - [`service`]: use-cases that tie the three together in transactions;
//! - [`outbox`]: durable delivery of side effects;
//! - [`discord`]: the only place that knows serenity;
//! - [`app`]: start-up, shared by `hikeshi run` and the tests.

pub mod app;
pub mod clock;
pub mod config;
pub mod discord;
pub mod domain;
pub mod metrics;
pub mod outbox;
pub mod records;
pub mod schedule;
pub mod service;
pub mod store;
