//! The loops that run beside the gateway, started by `app`: the outbox
//! worker delivers side effects durably (claims due items, hands each to a
//! [`Deliver`] implementation — the Discord layer — and records the result;
//! failures are retried with back-off, rate limits waited out), and the
//! scheduler asks the service on every tick what is due (§4.1(2) drills,
//! §9 reviews, Table 1 deadlines).

mod answering;
mod held;
mod outbox;
mod scheduler;

pub use answering::{Answer, Answering};
pub use held::replay_held;
pub use outbox::{backoff, Deliver, DeliveryError, Roads, Step, Worker, MAX_ATTEMPTS};
pub use scheduler::Scheduler;
