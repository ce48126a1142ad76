//! The loop that ticks: every `every`, ask the service what is due.

use crate::service::Hikeshi;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

pub struct Scheduler {
    app: Hikeshi,
    /// Wakes the outbox worker when something was queued.
    wake: Arc<Notify>,
    every: Duration,
}

impl Scheduler {
    pub fn new(app: Hikeshi, wake: Arc<Notify>, every: Duration) -> Self {
        Scheduler { app, wake, every }
    }

    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            match self.app.run_schedules().await {
                Ok(t) if t.total() > 0 => {
                    tracing::info!(fired = t.fired, escalated = t.escalated, reminded = t.reminded, "reminders queued");
                    self.wake.notify_one();
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "scheduler tick failed; will try again"),
            }
            tokio::select! {
                _ = tokio::time::sleep(self.every) => {}
                _ = stop.changed() => {}
            }
        }
    }
}
