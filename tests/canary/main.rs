//! Issue 25 item 4: a canary through every outgoing path. A confidential
//! reporter whose name and id are canaries reports with a canary in every
//! field; the incident goes through everything hikeshi does; then every
//! request the bot made to Discord, every export, the figures, the audit,
//! `/metrics` and the whole log at debug level are read, each with who
//! reads it. The reporter is named only where the committee alone reads;
//! what they wrote only where the incident's own people read.
//!
//! A test binary of its own: the log at debug level is the process's one
//! global subscriber, which no other story may share.

#[path = "../support/mod.rs"]
#[allow(unused_imports)]
mod support;

mod audience;
mod story;
