//! §4.2 (issue 26) on Discord: the escalation chain's steps — a DM to the
//! member on duty, the committee role pinged again, a DM to every
//! committee member — each sent only while the report still waits for an
//! acknowledgement (the service says so at delivery time).

mod deliver;
mod render;
