//! Durable delivery of side effects: the worker claims due items, hands
//! each to a [`Deliver`] implementation (the Discord layer), and records the
//! result; failures are retried with back-off, rate limits waited out.

mod answering;
mod worker;

pub use answering::{Answer, Answering};

pub use worker::{backoff, Deliver, DeliveryError, Step, Worker};
